"""The frozen client's entry point (PyInstaller needs a script, not an entry point): ``counterapp …``."""

import sys

from counterapp.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
