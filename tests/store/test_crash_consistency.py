"""``kill -9`` a counter process in the middle of its work, again and again, on the same data directory
(SYNC.md §3 R3, DESIGN.md §3 rule 1): after every kill the reopened store holds only whole transactions —
each dossier with exactly one create op, each ticket event with its op, a gap-free device sequence and
dossier codes and ticket numbers that follow their leases with no number used twice."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from counterapp.store.database import current_revision, head_revision, open_store
from tests.store.invariants import Totals, check_invariants

WORKER = Path(__file__).with_name("crash_worker.py")
ROUNDS = 8
START_TIMEOUT_S = 30.0


def _wait_for_line(proc: subprocess.Popen[str], stderr: Path) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_S)
    line = proc.stdout.readline().strip() if ready else ""
    assert line, f"the worker did not start (exit {proc.poll()}):\n{stderr.read_text()}"
    return line


def _reopen_and_check(data_dir: Path) -> Totals:
    store = open_store(data_dir)  # recovers the WAL of the killed process and runs the migrations
    try:
        assert current_revision(store.write_engine) == head_revision()
        with store.read() as s:
            return check_invariants(s)
    finally:
        store.close()


def test_kill_9_mid_write_leaves_only_whole_transactions(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    data_dir = tmp_path / "data"
    subprocess.run([sys.executable, str(WORKER), "prepare", str(data_dir)], check=True, timeout=60)
    before = _reopen_and_check(data_dir)
    assert before.ops == 0

    progressed = 0
    for round_ in range(ROUNDS):
        stderr = tmp_path / f"worker-{round_}.err"
        with stderr.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, str(WORKER), "loop", str(data_dir)], stdout=subprocess.PIPE, stderr=err, text=True
            )
            try:
                assert _wait_for_line(proc, stderr) == "running"
                assert _wait_for_line(proc, stderr) == "committed"
                time.sleep(rng.uniform(0.0, 0.35))  # then killed at a random point of its later work
                assert proc.poll() is None, f"the worker stopped on its own:\n{stderr.read_text()}"
                os.kill(proc.pid, signal.SIGKILL)
                assert proc.wait(timeout=10) == -signal.SIGKILL
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                assert proc.stdout is not None
                proc.stdout.close()
        after = _reopen_and_check(data_dir)  # raises with the broken invariant; the seed is below
        assert after.ops >= before.ops, f"committed ops were lost (seed {seed})"
        progressed += after.ops > before.ops
        before = after

    # Every round committed work before its kill (the worker said so), and none of it may be lost.
    assert progressed == ROUNDS, f"the work of only {progressed} of {ROUNDS} rounds survived"
    assert before.dossiers >= ROUNDS and before.tickets >= ROUNDS and before.events > before.tickets
