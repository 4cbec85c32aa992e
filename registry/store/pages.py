"""Paged reads shared by both stores: the admin lists at 10,000 objects.

``page`` answers one screen of a list and how many objects match in all, so that a
list never carries every row; ``any_of`` lets a search also match what the text
names (a country "United States" -> ``US``, a vendor's name -> its key), which the
caller resolves first (see ``registry.admin.search``). Both stores implement the
same contract (tests/contract/test_pages.py).
"""

from dataclasses import fields

from ..domain.errors import ValidationError
from ..domain.model import kind_class

# How the caller names the label column; each store maps it onto its own storage.
NAME = "name"


def sortable_fields(kind: str) -> tuple[str, ...]:
    """The fields a list of ``kind`` may be sorted by: key, name, and its plain text fields.

    References are left out on purpose: in the graph store they are relationships,
    and sorting by a referenced key would sort by slugs, not names.
    """
    cls = kind_class(kind)
    plain = [f.name for f in fields(cls)
             if not f.metadata.get("ref") and f.type in (str, "str", str | None, "str | None")
             and f.name not in ("key", "name", "description", "internal_notes", "early_start_reason")]
    return ("key", NAME) + tuple(plain)


def check_sort(kind: str, sort: str) -> str:
    """``sort`` if ``kind`` can be sorted by it; ValidationError naming the field otherwise."""
    if sort not in sortable_fields(kind):
        raise ValidationError(f"cannot sort {kind.replace('_', ' ')}s by {sort!r}; "
                              f"choose one of {', '.join(sortable_fields(kind))}", field="sort")
    return sort


def check_window(limit: int, offset: int) -> tuple[int, int]:
    """(limit, offset) as non-negative integers, ``limit`` at most 500 (a screen, not an export)."""
    try:
        limit, offset = int(limit), int(offset)
    except (TypeError, ValueError):
        raise ValidationError("limit and offset must be whole numbers", field="limit") from None
    return max(0, min(limit, 500)), max(0, offset)
