"""Paged reads for the Neo4j store (mixed into ``Neo4jStore``; see ``store.pages``)."""

import json
from collections.abc import Callable
from typing import Any

from .. import cypher
from ..domain.model import kind_class
from ..domain.records import AuditRecord
from . import neo4j_model as gm
from .neo4j_tx import rows as _rows
from .pages import NAME, check_sort, check_window


def _audit_page(tx, offset, limit, **filters):
    """The window and the total in one read transaction: the two agree."""
    rows = _rows(tx, cypher.query("audit/page"), offset=offset, limit=limit, **filters)
    return rows, _rows(tx, cypher.query("audit/count"), **filters)[0]["total"]


def _any_of_specs(kind, any_of):
    """``any_of`` as entity/page's parameter maps: the filter specs, with a list of values."""
    specs = []
    for spec, (name, values) in zip(gm.filter_specs(kind, {n: "x" for n in any_of or {}}), (any_of or {}).items()):
        specs.append(dict(spec, values=sorted(set(values)), value=None))
    return specs


class Neo4jPages:
    """``page``, ``find_many`` and ``audit_page`` as single read queries (cypher/entity/page,
    cypher/audit/page)."""

    _read: Callable[..., Any]  # supplied by Neo4jStore

    def find_many(self, kind: str, keys) -> list:
        """The objects of ``kind`` among ``keys`` (missing ones left out), ordered by key; one query."""
        kind_class(kind)
        rows = self._read(_rows, cypher.query("entity/fetch"), kind=kind, keys=sorted(set(keys)))
        return [gm.to_object(kind, row) for row in rows]

    def page(self, kind: str, query: str = "", filters: dict | None = None, any_of: dict | None = None,
             sort: str = "key", descending: bool = False, limit: int = 50, offset: int = 0) -> tuple[list, int]:
        """See ``SQLitePages.page``: the same contract."""
        kind_class(kind)
        sort = check_sort(kind, sort)
        limit, offset = check_window(limit, offset)
        rows = self._read(_rows, cypher.query("entity/page"), kind=kind, query=(query or "").lower(),
                          filters=gm.filter_specs(kind, filters), any_of=_any_of_specs(kind, any_of),
                          sort="display_name" if sort == NAME else sort, descending=bool(descending),
                          offset=offset, limit=limit)
        return [gm.to_object(kind, row) for row in rows[0]["rows"]], rows[0]["total"]

    def audit_page(self, kind: str | None = None, key: str | None = None, actor: str | None = None,
                   query: str = "", limit: int = 50, offset: int = 0) -> tuple[list, int]:
        """See ``SQLitePages.audit_page``: the same contract."""
        limit, offset = check_window(limit, offset)
        rows, total = self._read(_audit_page, kind=kind or None, key=key or None, actor=actor or None,
                                 query=(query or "").lower(), offset=offset, limit=limit)
        records = [AuditRecord(id=r["id"], at=r["at"], actor=r["actor"], action=r["action"], kind=r["kind"],
                               key=r["key"], before=json.loads(r["before"]) if r.get("before") else None,
                               after=json.loads(r["after"]) if r.get("after") else None)
                   for r in (row["record"] for row in rows)]
        return records, total
