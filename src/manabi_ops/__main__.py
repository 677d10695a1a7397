from manabi_ops.cli import main

raise SystemExit(main())
