"""Where the package's data directories are, installed or in a source checkout.

A wheel carries ``cypher/``, ``templates/`` and ``seed/`` inside the package; a
source checkout (or an editable install) has them beside it, at the repository top.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name):
    """The directory ``name`` (``cypher``, ``templates`` or ``seed``) for this installation."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name
