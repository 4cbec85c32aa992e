"""The embedded store's flow index: what a traversal reads, in memory, kept current from the audit log.

A flow question on SQLite reads the engagements, organisations and collections that may
carry it. Reading and decoding them from the database costs far more than the walk itself
(0.4 s against a few milliseconds at 50,000 engagements), so each process keeps them
decoded, per database file, and brings them up to date before every question: every write
appends an audit record (ids only grow, and are never reused), so the objects named by the
records newer than the index are read again, and nothing else is. Indexes are kept per
database identity (a random id its migration 5 wrote), so a database made again at the
same path is indexed afresh.

Candidate edges (the engagements that may carry one category on one day) are computed
with the domain's own rules (``Engagement.in_force``, ``category_matches``) and kept per
question until the next write. Objects handed out are shared: the flow services only read
them.

Never used inside a unit of work: its uncommitted writes must not reach an index other
requests read (``sqlite_traversal.reach`` falls back to its queries there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from ..domain.model import category_matches, kind_class

INDEXED = ("engagement", "organisation", "collection")
QUESTIONS_KEPT = 32  # candidate-edge sets kept per database, for the newest version only


@dataclass
class FlowIndex:
    """The indexed objects of one database as of audit record ``audit_id``; never changed once
    handed out (a newer version is a new FlowIndex), so readers need no lock."""

    audit_id: int = 0
    objects: dict = field(default_factory=lambda: {kind: {} for kind in INDEXED})
    questions: dict = field(default_factory=dict)  # (category, on, groups, planned) -> adjacency

    def candidates(self, category: str, on: str, subject_groups, include_planned: bool) -> dict:
        """{exporter: [(engagement key, importer)]} of the engagements that may carry ``category`` on ``on``.

        As ``sqlite_traversal.CANDIDATES_SQL``: in force (planned ones too when asked),
        carrying a matching category or none, and concerning the asked groups (an
        engagement naming none concerns every group).
        """
        groups = frozenset(subject_groups) if subject_groups else None
        question = (category, on, groups, bool(include_planned))
        found = self.questions.get(question)
        if found is None:
            found = {}
            for e in self.objects["engagement"].values():
                if not e.in_force(on, include_planned):
                    continue
                if e.categories and not any(category_matches(c, category) for c in e.categories):
                    continue
                if groups is not None and e.subject_groups and not groups.intersection(e.subject_groups):
                    continue
                found.setdefault(e.exporter, []).append((e.key, e.importer))
            for edges in found.values():
                edges.sort()
            if len(self.questions) >= QUESTIONS_KEPT:  # two threads may both compute one: same result
                self.questions.clear()
            self.questions[question] = found
        return found

    def get(self, kind: str, keys) -> list:
        """The indexed objects of ``kind`` with ``keys`` (those that exist), in the order of ``keys``."""
        stored = self.objects[kind]
        return [stored[k] for k in keys if k in stored]

    def all(self, kind: str) -> list:
        return list(self.objects[kind].values())


_indexes: dict[str, FlowIndex] = {}  # database identity -> its newest index
_catching_up: dict[str, Lock] = {}
_indexes_lock = Lock()


def current(store: Any) -> FlowIndex:
    """``store``'s index, brought up to date with its database (see the module doc)."""
    row = store.conn.execute("SELECT (SELECT id FROM database_identity), "
                             "(SELECT coalesce(max(id), 0) FROM audit)").fetchone()
    identity, newest = row[0], row[1]
    with _indexes_lock:
        index = _indexes.get(identity)
        if index is not None and index.audit_id >= newest:
            return index
        lock = _catching_up.setdefault(identity, Lock())
    with lock:  # one thread catches up; the others wait for its result
        index = _indexes.get(identity) or FlowIndex()
        if index.audit_id < newest:
            index = _caught_up(store.conn, index, newest)
            with _indexes_lock:
                _indexes[identity] = index
        return index


def _caught_up(conn, index: FlowIndex, newest: int) -> FlowIndex:
    """A new index: ``index`` with the objects written since it re-read (everything when it is empty)."""
    if index.audit_id == 0:
        return FlowIndex(newest, {kind: {o.key: o for o in _read(conn, kind, None)} for kind in INDEXED})
    changed: dict[str, set] = {kind: set() for kind in INDEXED}
    for kind, key in conn.execute("SELECT kind, key FROM audit WHERE id > ? AND id <= ?", (index.audit_id, newest)):
        if kind in changed:
            changed[kind].add(key)
    objects = dict(index.objects)
    for kind, keys in changed.items():
        if keys:
            stored = objects[kind] = {k: o for k, o in index.objects[kind].items() if k not in keys}
            stored.update((o.key, o) for o in _read(conn, kind, keys))
    return FlowIndex(newest, objects)


def _read(conn, kind: str, keys) -> list:
    cls = kind_class(kind)
    if keys is None:
        rows = conn.execute("SELECT data, version FROM entities WHERE kind = ?", (kind,))
    else:
        rows = conn.execute("SELECT data, version FROM entities WHERE kind = ? AND key IN "
                            "(SELECT value FROM json_each(?))", (kind, json.dumps(sorted(keys))))
    found = []
    for row in rows:
        obj = cls(**json.loads(row["data"]))
        obj.version = row["version"]
        found.append(obj)
    return found
