"""Rotation of the CloudFront → API origin secret (GL-SEC-05, docs/decisions/0032)."""
