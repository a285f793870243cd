"""`python -m newstui` is the same as the `newstui` command."""

from newstui.cli import main

raise SystemExit(main())
