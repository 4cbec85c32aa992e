"""The flow index: what a traversal reads, in memory, kept current from the audit log.

A flow question reads the engagements, organisations and collections that may carry it.
Reading and decoding them from the database costs far more than the walk itself (0.4 s on
SQLite, more on Neo4j, against a few milliseconds at 50,000 engagements), so each process
keeps them decoded, per database, and brings them up to date before every question: every
write appends an audit record with a higher id, so the objects named by the records newer
than the index are read again, and nothing else is.

A store that uses it provides three reads (``IndexSource``): its version (a random
identity of the database, the newest audit id and the number of audit records), the
(kind, key) of the records in an id range, and objects of one kind (all, or by key). A
version that does not follow from the indexed one (another database at the same place,
or audit records removed, as an undone bulk import on Neo4j removes its own) makes the
index start afresh.

Candidate edges (the engagements that may carry one category on one day) are computed
with the domain's own rules (``Engagement.in_force``, ``category_matches``) and kept per
question until the next write. Objects handed out are shared: the flow services only read
them. A store never uses the index inside a unit of work: its uncommitted writes must not
reach what other requests read.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from typing import Iterable, Protocol

from ..domain.model import category_matches
from .base import Reach
from .traversal import walk_with_ends

INDEXED = ("engagement", "organisation", "collection")
QUESTIONS_KEPT = 32  # candidate-edge sets kept per index


class IndexSource(Protocol):
    """What a store gives the index (see the module doc)."""

    def index_version(self) -> tuple[str | None, int, int]:
        """(database identity, newest audit id, number of audit records); identity None: no index."""

    def index_changes(self, since: int, newest: int) -> Iterable[tuple[str, str]]:
        """(kind, key) of the audit records with ids in (since, newest]."""

    def index_load(self, kind: str, keys: list[str] | None) -> list:
        """The stored objects of ``kind`` with ``keys`` (every one when None)."""


@dataclass
class FlowIndex:
    """The indexed objects of one database as of audit record ``audit_id``; never changed once
    handed out (a newer version is a new FlowIndex), so readers need no lock."""

    audit_id: int = 0
    records: int = 0
    objects: dict = field(default_factory=lambda: {kind: {} for kind in INDEXED})
    questions: dict = field(default_factory=dict)  # (category, on, groups, planned) -> adjacency
    _ranked: list | None = field(default=None, repr=False)

    def ranked(self) -> list:
        """The indexed engagements in key order: candidate edges name them by their position."""
        if self._ranked is None:  # two threads may both sort: the same list
            self._ranked = sorted(self.objects["engagement"].values(), key=lambda e: e.key)
        return self._ranked

    def candidates(self, category: str, on: str, subject_groups, include_planned: bool) -> dict:
        """{exporter: ([engagement's position in ``ranked()``], [its importer])}, in key order, of
        the engagements that may carry ``category`` on ``on`` (as ``traversal.walk_outgoing`` reads).

        In force (planned ones too when asked), carrying a matching category or none, and
        concerning the asked groups (an engagement naming none concerns every group).
        Positions rather than keys, so that a reach sorts numbers and finds its
        engagements by position.
        """
        groups = frozenset(subject_groups) if subject_groups else None
        question = (category, on, groups, bool(include_planned))
        found = self.questions.get(question)
        if found is None:
            found = {}
            for rank, e in enumerate(self.ranked()):
                if not e.in_force(on, include_planned):
                    continue
                if e.categories and not any(category_matches(c, category) for c in e.categories):
                    continue
                if groups is not None and e.subject_groups and not groups.intersection(e.subject_groups):
                    continue
                ranks, importers = found.setdefault(e.exporter, ([], []))
                ranks.append(rank)
                importers.append(e.importer)
            if len(self.questions) >= QUESTIONS_KEPT:  # two threads may both compute one: same result
                self.questions.clear()
            self.questions[question] = found
        return found

    def reach(self, category: str, on: str, start=None, subject_groups=None, include_planned=False,
              max_depth=None) -> Reach:
        """``Store.reach`` answered from the index."""
        collections = sorted((c for c in self.objects["collection"].values()
                              if any(category_matches(k, category) for k in c.categories)
                              and (start is None or c.organisation == start)
                              and (not subject_groups or c.subject_group in subject_groups)), key=lambda c: c.key)
        starts = [start] if start else sorted({c.organisation for c in collections})
        ranks, cut, ends = walk_with_ends(starts, self.candidates(category, on, subject_groups, include_planned),
                                          max_depth)
        ranks.sort()
        ranked = self.ranked()
        stored = self.objects["organisation"]
        organisations = {key: stored[key] for key in ends if key in stored}
        return Reach(collections=collections, engagements=[ranked[r] for r in ranks],
                     organisations=organisations, cut=[ranked[r].key for r in cut])


DATABASES_KEPT = 4  # indexes kept per process, the most recently used (one database is the use)
_indexes: OrderedDict[str, FlowIndex] = OrderedDict()  # database identity -> its newest index
_catching_up: dict[str, Lock] = {}
_indexes_lock = Lock()


def current(source: IndexSource) -> FlowIndex | None:
    """``source``'s index, brought up to date with its database; None when it has no identity."""
    identity, newest, records = source.index_version()
    if identity is None:
        return None
    with _indexes_lock:
        index = _indexes.get(identity)
        if index is not None and (index.audit_id, index.records) == (newest, records):
            _indexes.move_to_end(identity)
            return index
        lock = _catching_up.setdefault(identity, Lock())
    with lock:  # one thread catches up; the others wait for its result
        index = _indexes.get(identity) or FlowIndex()
        if (index.audit_id, index.records) != (newest, records):
            index = _caught_up(source, index, newest, records)
            with _indexes_lock:
                _indexes[identity] = index
                _indexes.move_to_end(identity)
                while len(_indexes) > DATABASES_KEPT:
                    gone, _ = _indexes.popitem(last=False)
                    _catching_up.pop(gone, None)
        return index


def _caught_up(source: IndexSource, index: FlowIndex, newest: int, records: int) -> FlowIndex:
    """A new index: ``index`` with the objects written since it re-read, or everything afresh
    when the new version does not follow from it."""
    follows = index.audit_id > 0 and newest >= index.audit_id and records - index.records == newest - index.audit_id
    if not follows:
        return FlowIndex(newest, records, {kind: {o.key: o for o in source.index_load(kind, None)}
                                           for kind in INDEXED})
    changed: dict[str, set] = {kind: set() for kind in INDEXED}
    for kind, key in source.index_changes(index.audit_id, newest):
        if kind in changed:
            changed[kind].add(key)
    objects = dict(index.objects)
    for kind, keys in changed.items():
        if keys:
            stored = objects[kind] = {k: o for k, o in index.objects[kind].items() if k not in keys}
            stored.update((o.key, o) for o in source.index_load(kind, sorted(keys)))
    return FlowIndex(newest, records, objects)
