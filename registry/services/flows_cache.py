"""Answers kept per registry version, so that turning a page does not compute the answer again.

An answer depends on the question (category, date, groups, start, planned, bound), on the
registry's content and on the knowledge base (read once per process). Every write to the
registry appends an audit record in its own transaction, and audit ids only grow, so the
newest audit id is a version of the registry's content: an answer cached under it is
valid exactly as long as no write has happened since.
"""

from collections import OrderedDict
from threading import Lock

MAX_ANSWERS = 8  # answers are large; a few questions paged through at once is the use

_answers: OrderedDict = OrderedDict()
_lock = Lock()


def registry_version(store) -> tuple:
    """The newest audit record (id, time, what it changed; empty for an empty registry).

    The id alone would do for one database's life; the rest keeps a database that was
    emptied and refilled (ids start again) from matching an answer about its old content.
    """
    newest = store.audit_log(limit=1)
    if not newest:
        return ()
    record = newest[0]
    return (record.id, record.at, record.action, record.kind, record.key, repr(record.after))


def _store_identity(store) -> tuple:
    """Which database ``store`` reads (two requests on one database share answers)."""
    path = getattr(store, "path", None)
    if path is not None:
        return ("sqlite", str(path))
    return ("graph", id(getattr(store, "driver", store)), getattr(store, "database", None))


def cached(store, question: tuple, compute):
    """The answer to ``question`` on ``store``'s current version: computed once, then kept."""
    key = (_store_identity(store), registry_version(store), question)
    with _lock:
        if key in _answers:
            _answers.move_to_end(key)
            return _answers[key]
    answer = compute()
    with _lock:
        _answers[key] = answer
        while len(_answers) > MAX_ANSWERS:
            _answers.popitem(last=False)
    return answer


def clear():
    """Forget every cached answer (tests, or after the knowledge base is reloaded)."""
    with _lock:
        _answers.clear()
