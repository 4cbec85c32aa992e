"""Cypher queries, one parameterised ``.cypher`` file each, under ``cypher/<area>/<name>``.

``query("entity/fetch")`` returns the text of ``cypher/entity/fetch.cypher`` from the
resource directory (inside the package when installed, at the repository top in a
source checkout; see ``registry.resources``). Files are read on first use and cached.
"""

import re
from functools import lru_cache

from .resources import resource_dir

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*$")


@lru_cache(maxsize=None)
def query(name):
    """The Cypher text of ``name`` (``area/name``, no extension)."""
    if not _NAME_RE.match(name):
        raise ValueError(f"not a query name: {name!r} (expected 'area/name')")
    path = resource_dir("cypher") / f"{name}.cypher"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LookupError(f"no Cypher file for query {name!r} at {path}") from None


def explained(name):
    """``EXPLAIN`` and the text of ``name``: planning it without running it."""
    return "EXPLAIN " + query(name)


def names():
    """Every query name (``area/name``) there is, sorted."""
    root = resource_dir("cypher")
    return sorted(f"{p.parent.name}/{p.stem}" for p in root.glob("*/*.cypher"))


def statements(text):
    """The ``;``-terminated statements of a multi-statement file, without comment lines."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
