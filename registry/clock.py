"""The registry's one clock: every "today" and "now" in the package comes from here.

Tests move time with ``frozen(...)``; nothing else reads the system clock directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone

_frozen: datetime | None = None


def now() -> datetime:
    """The current UTC time, to the second."""
    current = (_frozen or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return current.replace(microsecond=0)


def now_iso() -> str:
    """``now()`` as an ISO 8601 string (audit records, timestamps)."""
    return now().isoformat()


def today() -> date:
    """The current date (UTC): the day every notice period and deadline counts from."""
    return now().date()


def today_iso() -> str:
    """``today()`` as YYYY-MM-DD."""
    return today().isoformat()


@contextmanager
def frozen(at: datetime | date | str) -> Iterator[None]:
    """Within the block, the clock reads ``at`` (a datetime, a date or an ISO string)."""
    global _frozen
    if isinstance(at, str):
        at = datetime.fromisoformat(at) if "T" in at else date.fromisoformat(at)
    if not isinstance(at, datetime):
        at = datetime(at.year, at.month, at.day, 12, 0, tzinfo=timezone.utc)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
