"""The counter's open data directory as the GUI sees it: the store, the legal time and the staff member
signed in. Qt-free; ``counterapp.gui`` reaches the local cache only through here and the other services.

    workspace = open_workspace(data_dir)
    with workspace.writing() as (session, now):       # on the GUI's database thread, never the GUI thread
        ticket = queue.call_next(session, now=now, user_id=workspace.user_id)
    # after the commit, every ``after_write`` hook runs (the sync engine's poke)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from counterapp.services.clock import legal_now
from counterapp.services.device import get_device
from counterapp.store.database import DB_FILENAME, Store, open_store

__all__ = ["SignedIn", "Workspace", "open_workspace"]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The staff member working at this counter now."""

    user_id: str
    username: str
    full_name: str
    role: str  # clerk | lead | admin
    offline: bool = False  # signed in against the cached verifier while the server was out of reach


@dataclass
class Workspace:
    store: Store
    data_dir: Path
    user: SignedIn | None = None
    after_write: list[Callable[[], None]] = field(default_factory=list)

    @property
    def user_id(self) -> str | None:
        return self.user.user_id if self.user else None

    @property
    def initialised(self) -> bool:
        return (self.data_dir / DB_FILENAME).is_file()

    @contextmanager
    def writing(self) -> Iterator[tuple[Session, datetime]]:
        """One transaction with the corrected local time; commits at the end of the block, rolls back on
        an exception. The ``after_write`` hooks run after a commit only."""
        with self.store.write() as session:
            yield session, self._now(session)
        for hook in self.after_write:
            hook()

    @contextmanager
    def reading(self) -> Iterator[tuple[Session, datetime]]:
        with self.store.read() as session:
            yield session, self._now(session)

    @staticmethod
    def _now(session: Session) -> datetime:
        """The legal time: this PC's local clock plus the offset measured against the server."""
        return legal_now(get_device(session).clock_offset_ms).replace(microsecond=0)

    def close(self) -> None:
        self.store.close()


def open_workspace(data_dir: Path) -> Workspace:
    """Open (creating and migrating if needed) the counter's data directory."""
    return Workspace(open_store(data_dir), data_dir)
