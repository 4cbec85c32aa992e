"""Hostile inputs for the API and the admin forms (hypothesis strategies), and the checks
run on what they leave behind. Used by tests/test_fuzz.py and benchmarks/fuzz_api.py.

A body starts from a valid object of its kind and has a few fields replaced by hostile
values: wrong types, NaN and infinities, integers past 64 bits, lone surrogates, control
characters, strings that look like booleans, nested lists and maps, unknown fields.
"""

import json
from dataclasses import fields

from hypothesis import strategies as st

from registry.domain.model import kind_class

# Objects every fuzz registry starts with, so that references can resolve.
BASE_OBJECTS = [
    ("categories", {"key": "account", "name": "Account"}),
    ("purposes", {"key": "billing", "name": "Billing"}),
    ("subject-groups", {"key": "customers", "name": "Customers"}),
    ("organisations", {"key": "acme", "name": "Acme", "country": "DE"}),
    ("organisations", {"key": "vendor", "name": "Vendor", "country": "US"}),
]
VALID = {
    "organisations": {"name": "Org", "country": "FR", "website": "https://example.com", "parent": "acme"},
    "subject-groups": {"name": "Group", "kind": "customers", "residence": ["DE"], "individuals": 10},
    "categories": {"name": "Sub-category"},
    "purposes": {"name": "Purpose", "legal_basis": "contract"},
    "collections": {"organisation": "acme", "subject_group": "customers", "categories": ["account"],
                    "purposes": ["billing"]},
    "engagements": {"exporter": "acme", "importer": "vendor", "categories": ["account"], "status": "active",
                    "store_countries": ["US"], "effective_date": "2026-01-01"},
}
KINDS_OF = {"organisations": "organisation", "subject-groups": "subject_group", "categories": "category",
            "purposes": "purpose", "collections": "collection", "engagements": "engagement"}

any_char = st.characters(exclude_categories=())  # includes lone surrogates and control characters
scalars = st.one_of(
    st.text(alphabet=any_char, max_size=12),
    st.sampled_from(["false", "true", "0", "DE", "US", "XX", "acme", "account", "scc:2", "scc_2", "dpf-eu",
                     "javascript:alert(1)", "2026-01-01", "2026-13-45", "", " ", "acme\n", "a\r\nb"]),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=6)


def field_names(slug):
    return [f.name for f in fields(kind_class(KINDS_OF[slug])) if f.name != "key"]


@st.composite
def bodies(draw, slug):
    """A body for POST /api/v1/``slug``: a valid one with up to three fields made hostile."""
    body = dict(VALID[slug])
    body["key"] = draw(st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), values))
    if slug == "categories" and isinstance(body["key"], str):
        body["key"] = "account." + body["key"]
    names = field_names(slug) + ["colour"]
    for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        body[name] = draw(values)
    return body


def form_data(slug, draw_values):
    """Form fields for the admin form of ``slug``: every field a string (as browsers send)."""
    return {name: value for name, value in draw_values.items() if name in field_names(slug) + ["key"]}


form_texts = st.text(alphabet=any_char, max_size=20) | st.sampled_from(
    ["", "abc", "-1", "99999999999999999999999", "NaN", "1.5", "javascript:alert(1)", "DE, US", "x\r\ny",
     "scc_2 | javascript:x | 2026-99-99 | note"])


def as_json(body):
    """The body as JSON text: NaN and infinities as JavaScript spells them, surrogates escaped."""
    return json.dumps(body, allow_nan=True)
