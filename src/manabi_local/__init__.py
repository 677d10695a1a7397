"""The one-machine mode of まなび+: embedded AWS emulator, provisioner, local API gateway, SPA
origin and demo data (architecture.md, "On one machine")."""
