"""The wire protocol shared by the counter and the server (SYNC.md §4), in one package both may import: the
op kinds (``ops``), the messages, spaces and cursors (``messages``), the typed op payloads (``payloads``),
upcasters for old op versions (``upcast``), the canonical JSON of the mirror checks (``canonical``), the
signed export file (``export_file``) and the counter's HTTP client (``client``).

It imports only ``counterapp.domain``, the standard library and third-party libraries (pydantic, httpx):
never the counter's store, services or sync engine, nor the server (``tests/test_architecture.py``)."""
