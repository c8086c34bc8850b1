"""The headless ``counterapp`` command line, for IT staff and scripts."""
