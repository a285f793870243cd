"""`python -m newstui` is the same as the `newstui` command."""

from newstui.cli import main

# Guarded: worker processes for parsing import the main module again.
if __name__ == "__main__":
    raise SystemExit(main())
