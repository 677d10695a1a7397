"""Unit tests of the one-machine runtime (manabi_local)."""
