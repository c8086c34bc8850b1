"""The server side of ``packaging/test-deb.sh``: a real central server's database on the host (SQLite), the
demo centre seeded with a clerk whose password is known, a kiosk that issues tickets, and the check that the
installed counter really called one. Run with the environment that has ``counterapp-server`` (the venv):

    python packaging/deb_site.py seed HOME            # migrate + seed; prints JSON: counter code, clerk, kiosk code
    python packaging/deb_site.py tickets HOME URL N   # enroll the kiosk (once) and issue N tickets for counter 1
    python packaging/deb_site.py called HOME          # exit 0 when a ticket has been called at counter 1

The server process itself is started by the script (``counterapp-server serve``), like IT would. The seeding
is the demo's (counterapp/demo_site.py): the same centre, services and staff as ``counterapp demo``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import httpx2

from counterapp import demo_site
from counterapp.protocol.client import enroll

DB = "server.sqlite3"
KIOSK = "kiosk.json"


def database_url(home: Path) -> str:
    return f"sqlite:///{home / DB}"


def seed(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    demo_site._migrate_server_db(database_url(home))
    codes = demo_site._seed_server_db(database_url(home), need_counter_code=True, need_kiosk_code=True)
    (home / KIOSK).write_text(json.dumps({"code": codes["kiosk"]}), encoding="utf-8")
    return {"counter_code": codes["counter"], "counter": demo_site.DEMO_COUNTER,
            "username": demo_site.DEMO_USERNAME, "password": demo_site.DEMO_PASSWORD}  # fmt: skip


def tickets(home: Path, url: str, count: int) -> list[str]:
    state = json.loads((home / KIOSK).read_text(encoding="utf-8"))
    if "device_id" not in state:
        identity = enroll(url, state["code"], name=demo_site.KIOSK_NAME)
        state = {"device_id": identity.device_id, "credential": identity.credential}
        (home / KIOSK).write_text(json.dumps(state), encoding="utf-8")
    headers = {"Authorization": f"Device {state['device_id']}.{state['credential']}"}
    issued = []
    with httpx2.Client(base_url=url, headers=headers, timeout=10) as http:
        for _ in range(count):
            response = http.post("/v1/tickets", json={"service": "HTCT"})  # counter 1 serves HTCT
            response.raise_for_status()
            issued.append(str(response.json()["number"]))
    return issued


def called(home: Path, timeout_s: float) -> int:
    """The server's own record, not the window's: a ticket of today called (or further) at counter 1."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url(home))
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT state, COUNT(*) FROM tickets WHERE called_at IS NOT NULL GROUP BY state")
                ).all()
            if rows:
                sys.stdout.write("called on the server: " + ", ".join(f"{n} {s}" for s, n in rows) + "\n")
                return 0
            if time.monotonic() > deadline:
                sys.stdout.write("no ticket was called on the server\n")
                return 1
            time.sleep(0.2)
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    command, home = argv[0], Path(argv[1])
    if command == "seed":
        sys.stdout.write(json.dumps(seed(home)) + "\n")
    elif command == "tickets":
        sys.stdout.write(" ".join(tickets(home, argv[2], int(argv[3]))) + "\n")
    elif command == "called":
        return called(home, float(argv[2]) if len(argv) > 2 else 30.0)
    else:
        sys.stderr.write(f"unknown command {command}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
