"""What custom actions work on: the store's database and the clock. Configured by the runtime
(in-process), or lazily from settings when Rasa's stock action server imports the actions;
never at import time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import sessionmaker


@dataclass
class DialogueContext:
    sessions: sessionmaker
    clock: Callable[[], datetime]


_lock = threading.Lock()
_context: DialogueContext | None = None


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def configure(sessions: sessionmaker, clock: Callable[[], datetime] | None = None) -> None:
    global _context
    with _lock:
        _context = DialogueContext(sessions, clock or system_clock)


def get_context() -> DialogueContext:
    global _context
    if _context is None:
        with _lock:
            if _context is None:
                from commerce.service import open_store
                from commerce.settings import get_settings

                store = open_store(get_settings().effective_database_url)
                _context = DialogueContext(store.sessions, system_clock)
    return _context
