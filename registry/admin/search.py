"""What a DPO's search text names, resolved for ``Store.page``'s ``any_of``.

A list is searched by key and name in the store; this module adds what the text
*names*: countries by name or code, organisations, purposes and subject groups by
name, categories by any part of their hierarchy (a parent's name finds its
children). No Flask: the views and the tests call it with a store.
"""

from ..domain.countries import country_choices
from ..domain.model import kind_class

# Referenced kinds searched by name to resolve a reference field; bounded so that a
# one-letter search cannot send thousands of keys to the store.
MAX_NAMED = 500


def countries_named(text: str) -> list[str]:
    """Codes of the countries whose name contains ``text`` or whose code is ``text``."""
    text = text.strip().lower()
    if len(text) < 2:
        return []
    return [code for code, name in country_choices() if code.lower() == text or text in name.lower()]


def categories_named(store, text: str) -> list[str]:
    """Keys of categories whose key or name, or an ancestor's name, contains ``text``."""
    text = text.strip().lower()
    if not text:
        return []
    categories = {c.key: c for c in store.list("category")}
    hits = {key for key, c in categories.items() if text in key.lower() or text in c.name.lower()}
    return sorted(key for key in categories
                  if any(key == hit or key.startswith(hit + ".") for hit in hits))


def keys_named(store, kind: str, text: str) -> list[str]:
    """Keys of objects of ``kind`` whose key or name contains ``text`` (at most MAX_NAMED)."""
    if not text.strip():
        return []
    items, _total = store.page(kind, query=text.strip(), limit=MAX_NAMED)
    return [o.key for o in items]


# For each listed kind: field -> how its values are named ("country", "category" or a kind).
NAMED_FIELDS = {
    "organisation": {"country": "country", "parent": "organisation"},
    "subject_group": {"residence": "country", "citizenship": "country"},
    "category": {},
    "purpose": {},
    "collection": {"organisation": "organisation", "subject_group": "subject_group",
                   "categories": "category", "purposes": "purpose"},
    "engagement": {"exporter": "organisation", "importer": "organisation", "categories": "category",
                   "purposes": "purpose", "subject_groups": "subject_group", "store_countries": "country",
                   "access_countries": "country"},
}


def _named(store, named: str, text: str) -> list[str]:
    """The keys of ``named`` ("country", "category" or another kind) whose name matches ``text``."""
    if named == "country":
        return countries_named(text)
    if named == "category":
        return categories_named(store, text)
    return keys_named(store, named, text)


def any_of(store, kind: str, text: str) -> dict[str, list[str]]:
    """{field: values} that a search for ``text`` in a list of ``kind`` also matches."""
    kind_class(kind)
    text = (text or "").strip()
    if not text:
        return {}
    resolved, out = {}, {}
    for field, named in NAMED_FIELDS.get(kind, {}).items():
        if named not in resolved:
            resolved[named] = _named(store, named, text)
        if resolved[named]:
            out[field] = resolved[named]
    if kind == "category":
        out["key"] = categories_named(store, text)  # children of a matching parent
    return {field: values for field, values in out.items() if values}


def _typed_key(store, text: str) -> str | None:
    """The key of the organisation ``text`` names by key, alone or as "Name (key)" (how the picker
    shows an organisation); None when it names none that way."""
    if store.find("organisation", text) is not None:
        return text
    if text.endswith(")") and "(" in text:
        key = text.rsplit("(", 1)[1][:-1].strip()
        if store.find("organisation", key) is not None:
            return key
    return None


def resolve_organisation(store, text: str) -> tuple[str | None, list]:
    """(key, candidates) for an organisation typed as its key or name.

    The key when ``text`` is a key or the name of exactly one organisation; otherwise
    None and up to ten candidates whose key or name contains it (to show the person).
    """
    text = (text or "").strip()
    if not text:
        return None, []
    key = _typed_key(store, text)
    if key is not None:
        return key, []
    candidates, _total = store.page("organisation", query=text, sort="name", limit=MAX_NAMED)
    exact = [o for o in candidates if o.name.lower() == text.lower()]
    if len(exact) == 1:
        return exact[0].key, []
    return None, (exact or candidates)[:10]
