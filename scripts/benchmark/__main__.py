from scripts.benchmark.run import main

raise SystemExit(main())
