"""Real ``counterapp-server`` processes on loopback for the tests that need one (SYNC.md §3: sync tests
talk to a real server process)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from tests.ports import free_port

SERVER = [str(Path(sys.executable).parent / "counterapp-server")]
if not Path(SERVER[0]).exists():  # the package is not installed with its entry point: run the module
    SERVER = [sys.executable, "-c", "import sys; from counterapp.server.cli import main; sys.exit(main())"]


@contextmanager
def server_process(
    url: str, log_path: Path, *extra: str, port: int | None = None, wait_s: float = 30, append: bool = False
) -> Iterator[str]:
    """A real ``counterapp-server serve`` on a loopback port (a free one unless ``port`` is given; ``extra``:
    more ``serve`` options): its base URL, once /healthz answers within ``wait_s``. ``append`` keeps the log
    of an earlier run of the same server."""
    port = port if port is not None else free_port()
    with log_path.open("a" if append else "w") as log_file:
        process = subprocess.Popen(
            [*SERVER, "serve", "--database-url", url, "--host", "127.0.0.1", "--port", str(port), *extra],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + wait_s
            while True:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, f"the server did not answer within {wait_s:.0f} s"
                try:
                    if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                time.sleep(0.05)
            yield base
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a server process as an operator would (SIGTERM: uvicorn shuts down cleanly); kill it if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:  # pragma: no cover - only if uvicorn hangs
        process.kill()
        process.wait(timeout=5)
