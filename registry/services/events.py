"""What happened, as recorded by services with ``uow.emit(event)``.

Services describe facts in plain values; once the unit of work commits, the app's
handlers (``registry.public.handlers``) act on them: mail subscribers, objectors and
publishers. An event is never acted on for a write that did not commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.model import ChangeEntry


@dataclass(frozen=True)
class ListChanged:
    """A publisher's public list gained a change entry (a sub-processor listed, changed or removed).

    ``kind`` is "listed", "changed" or "removed" (see ``changes.EVENT_KIND``).
    """

    publisher: str
    engagement: str
    kind: str
    change: ChangeEntry


@dataclass(frozen=True)
class SubscriptionRequested:
    """An address asked to follow a publisher's list; it must confirm by the mailed link."""

    subscription: str
    publisher: str
    email: str


@dataclass(frozen=True)
class ObjectionFiled:
    """An objection was made on a public page; the objector must confirm it by the mailed link."""

    objection: str
    publisher: str


@dataclass(frozen=True)
class ObjectionConfirmed:
    """The objector confirmed: the publisher's privacy contact and the objector are told."""

    objection: str
    publisher: str


@dataclass(frozen=True)
class ObjectionStatusChanged:
    """The DPO moved an objection to another status (answered, upheld, withdrawn)."""

    objection: str
    publisher: str
    status: str
