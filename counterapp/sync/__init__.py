"""Sync: the op kinds shared with the server (``ops``); the engine arrives with the sync issue."""
