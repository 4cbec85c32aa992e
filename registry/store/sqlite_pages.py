"""Paged reads for the SQLite store (mixed into ``SQLiteStore``; see ``store.pages``)."""

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from ..domain.model import kind_class, list_fields
from ..domain.records import AuditRecord
from .pages import NAME, check_sort, check_window


def _field_test(many, name, values):
    """(SQL, args): the document's field ``name`` holds one of ``values`` (JSON array text)."""
    if name in many:
        return "EXISTS (SELECT 1 FROM json_each(data, ?) WHERE value IN (SELECT value FROM json_each(?)))", \
            ["$." + name, values]
    return "json_extract(data, ?) IN (SELECT value FROM json_each(?))", ["$." + name, values]


def _filter_tests(many: set[str] | frozenset[str], filters: dict) -> tuple[list[str], list]:
    """(SQL tests, their arguments): each filter must hold; a list field holds the value among its items."""
    where: list[str] = []
    args: list = []
    for name, value in filters.items():
        if name in many:
            where.append("EXISTS (SELECT 1 FROM json_each(data, ?) WHERE value = ?)")
        else:
            where.append("json_extract(data, ?) IS ?")
            value = int(value) if isinstance(value, bool) else value
        args += ["$." + name, value]
    return where, args


def _search_tests(many: set[str] | frozenset[str], query: str, any_of: dict) -> tuple[list[str], list]:
    """(SQL tests, their arguments) of which one must hold: ``query`` in the key or name, or a field
    of ``any_of`` holding one of its values."""
    alternatives: list[str] = []
    args: list = []
    if query:
        alternatives.append("instr(lower(key), ?) > 0 OR instr(lower(name), ?) > 0")
        args += [query.lower(), query.lower()]
    for name, values in any_of.items():
        sql, more = _field_test(many, name, json.dumps(sorted(set(values))))
        alternatives.append(sql)
        args += more
    return alternatives, args


def _order(sort: str, direction: str) -> tuple[str, list[str]]:
    """(ORDER BY clause, its arguments): by ``sort`` (missing values as ''), then key."""
    if sort == "key":
        return f"key {direction}", []
    if sort == NAME:
        return f"lower(name) {direction}, key {direction}", []
    return f"lower(coalesce(json_extract(data, ?), '')) {direction}, key {direction}", ["$." + sort]


def _sql(*parts: str) -> str:
    """One statement from fixed SQL fragments (this module's own text and whitelisted sort
    columns): every value in it is a ``?`` parameter, never text from a request."""
    return " ".join(parts)


class SQLitePages:
    """``page``, ``find_many`` and ``audit_page`` over the ``entities`` and ``audit`` tables."""

    # supplied by SQLiteStore
    conn: sqlite3.Connection
    _find_many: Callable[[str, Any], list]
    _load: Callable[[str, str, int], Any]

    def find_many(self, kind: str, keys) -> list:
        """The objects of ``kind`` among ``keys`` (missing ones left out), ordered by key; one query."""
        return self._find_many(kind, keys)

    def page(self, kind: str, query: str = "", filters: dict | None = None, any_of: dict | None = None,
             sort: str = "key", descending: bool = False, limit: int = 50, offset: int = 0) -> tuple[list, int]:
        """(objects, total): one window of the objects of ``kind`` that match, and how many match.

        ``filters`` as in ``list`` (every one must hold). The search matches when
        ``query`` is a substring of the key or name (case-insensitive), or when a field
        named in ``any_of`` holds one of its values; with neither, everything matches.
        Sorted by ``sort`` (see ``pages.sortable_fields``; missing values as ''), then key.
        """
        many = list_fields(kind_class(kind))
        sort = check_sort(kind, sort)
        limit, offset = check_window(limit, offset)
        tests, test_args = _filter_tests(many, filters or {})
        where, args = ["kind = ?", *tests], [kind, *test_args]
        alternatives, alt_args = _search_tests(many, query, any_of or {})
        if alternatives:
            where.append("(" + " OR ".join(f"({a})" for a in alternatives) + ")")
            args += alt_args
        condition = " AND ".join(where)
        total = self.conn.execute(_sql("SELECT count(*) FROM entities WHERE", condition), args).fetchone()[0]
        order, order_args = _order(sort, "DESC" if descending else "ASC")
        rows = self.conn.execute(
            _sql("SELECT data, version FROM entities WHERE", condition, "ORDER BY", order, "LIMIT ? OFFSET ?"),
            args + order_args + [limit, offset]).fetchall()
        return [self._load(kind, r["data"], r["version"]) for r in rows], total

    def audit_page(self, kind: str | None = None, key: str | None = None, actor: str | None = None,
                   query: str = "", limit: int = 50, offset: int = 0) -> tuple[list, int]:
        """(records, total): audit records newest first, filtered exactly by kind, key and
        actor, and by ``query`` as a case-insensitive substring of the key or of the
        values before or after."""
        limit, offset = check_window(limit, offset)
        where, args = ["1 = 1"], []
        for column, value in (("kind", kind), ("key", key), ("actor", actor)):
            if value:
                where.append(f"{column} = ?")  # column names come from the tuple above
                args.append(value)
        if query:
            where.append("(instr(lower(key), ?) > 0 OR instr(lower(coalesce(after, '')), ?) > 0 "
                         "OR instr(lower(coalesce(before, '')), ?) > 0)")
            args += [query.lower()] * 3
        condition = " AND ".join(where)
        total = self.conn.execute(_sql("SELECT count(*) FROM audit WHERE", condition), args).fetchone()[0]
        rows = self.conn.execute(_sql("SELECT * FROM audit WHERE", condition, "ORDER BY id DESC LIMIT ? OFFSET ?"),
                                 args + [limit, offset]).fetchall()
        return [AuditRecord(id=r["id"], at=r["at"], actor=r["actor"], action=r["action"], kind=r["kind"],
                            key=r["key"], before=json.loads(r["before"]) if r["before"] else None,
                            after=json.loads(r["after"]) if r["after"] else None) for r in rows], total
