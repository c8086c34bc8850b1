"""Sync, shared by the counter and the server (SYNC.md §4): the op kinds (``ops``), the wire messages,
spaces and cursors (``protocol``), typed op payloads (``payloads``), upcasters for old op versions
(``upcast``) and the canonical JSON for mirror checks (``canonical``). Pure: no Qt, no database, no I/O."""
