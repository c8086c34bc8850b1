"""Pure rules: no Qt, no SQLAlchemy, no I/O. ``now`` and ids are always passed in."""
