"""The frozen server's entry point (PyInstaller needs a script, not an entry point): ``counterapp-server …``."""

import multiprocessing
import sys

from counterapp.server.cli import main

if __name__ == "__main__":
    # ``serve --workers N``: uvicorn starts its workers with multiprocessing's spawn, which re-runs this
    # executable; freeze_support() turns such a run into the worker instead of a second CLI.
    multiprocessing.freeze_support()
    sys.exit(main())
