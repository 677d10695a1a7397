"""The kernel of the API: entities, value types, enums and domain errors.

It imports nothing else of ours (an import-linter contract keeps it so): ports are written in
its terms, domain services use ports, adapters implement ports.
"""
