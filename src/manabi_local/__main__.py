"""Entry point: `python -m manabi_local run` (the README's `make run`)."""

from manabi_local.cli import main

raise SystemExit(main())
