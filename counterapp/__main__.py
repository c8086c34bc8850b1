from counterapp.cli.main import main

raise SystemExit(main())
