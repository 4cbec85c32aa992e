"""How findings rank, and the traversal's default bound: defined here once, used everywhere.

No Flask, no store: the services, the charts, the templates' helpers and the API all read
these names instead of repeating the order or the bound.
"""

from collections.abc import Iterable

# Most severe first: a list shows violations before actions, actions before unknowns.
STATUS_ORDER = {"violation": 0, "action": 1, "unknown": 2, "ok": 3}
STATUSES = tuple(STATUS_ORDER)

# None: a question follows the data as far as it goes (contexts reach a fixed point by
# themselves, so cycles need no bound). A caller may set a bound; the answer then names
# what it cut.
DEFAULT_MAX_DEPTH: int | None = None


def worst(statuses: Iterable[str]) -> str:
    """The worst of ``statuses`` (violation > action > unknown > ok); ``ok`` when empty."""
    return min(statuses, key=STATUS_ORDER.__getitem__, default="ok")


def severity(status: str) -> int:
    """A sort key: smaller is worse (violation 0 ... ok 3)."""
    return STATUS_ORDER[status]
