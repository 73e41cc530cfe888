"""``python -m benchmarks``: run the whole benchmark suite."""

from benchmarks.run import main

raise SystemExit(main())
