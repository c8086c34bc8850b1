"""The counter window's keys, in one table: every shortcut of the window has exactly one owner here, and
each is live on every tab (``Qt.WindowShortcut``). Two actions on one key make Qt run neither (it emits
``activatedAmbiguously`` instead), which is how F5 once both finished a ticket and synced, and did neither.

The queue's F-keys follow what clerks of queue systems know (call, recall, start, finish, no-show, hold,
transfer, call a number, pause); Ctrl+1/2/3 switch tabs as in a browser; the intake's Ctrl+N and Ctrl+S and
the dossiers' Ctrl+F work from any tab and bring their tab forward.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import chain

from counterapp.gui.queue_models import SHORTCUTS, Action

__all__ = ["KEYS", "WindowKey"]


class WindowKey(StrEnum):
    TAB_QUEUE = "tab_queue"
    TAB_INTAKE = "tab_intake"
    TAB_DOSSIERS = "tab_dossiers"
    NEW_INTAKE = "new_intake"
    SAVE_INTAKE = "save_intake"
    FIND_DOSSIER = "find_dossier"
    UNDO_NO_SHOW = "undo_no_show"
    SYNC_NOW = "sync_now"
    LOCK = "lock"
    ABOUT = "about"


_WINDOW: dict[WindowKey, str] = {
    WindowKey.TAB_QUEUE: "Ctrl+1",
    WindowKey.TAB_INTAKE: "Ctrl+2",
    WindowKey.TAB_DOSSIERS: "Ctrl+3",
    WindowKey.NEW_INTAKE: "Ctrl+N",
    WindowKey.SAVE_INTAKE: "Ctrl+S",
    WindowKey.FIND_DOSSIER: "Ctrl+F",
    WindowKey.UNDO_NO_SHOW: "Ctrl+Z",  # a focused text field keeps its own Ctrl+Z (Qt asks it first)
    WindowKey.SYNC_NOW: "Ctrl+R",  # not F5: that is Finish
    WindowKey.LOCK: "Ctrl+L",
    WindowKey.ABOUT: "F1",  # the Help menu's About (with the support bundle): Windows' help key
}
# The key of each window action: the queue's steps, then the window's own.
KEYS: dict[Action | WindowKey, str] = dict(chain(SHORTCUTS.items(), _WINDOW.items()))
