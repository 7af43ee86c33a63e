from amiko.cli.main import main

raise SystemExit(main())
