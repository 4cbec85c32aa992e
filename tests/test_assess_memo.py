"""assess_hop's memo: findings kept per regime and what it reads equal fresh ones, for any request."""

import random
from dataclasses import replace
from datetime import date

from registry.domain.codes import CERTIFICATIONS
from registry.domain.errors import ValidationError
from registry.domain.model import CATEGORY_FLAGS
from registry.transfers.assess import assess_hop, attached_fully, subjects_signature
from registry.transfers.knowledge import load_knowledge_base
from registry.transfers.request import parse_hop_request

PLACES = ["DE", "FR", "IE", "GB", "US", "CH", "IN", "UZ", "RU", "BR", "JP", "CN", "KR", "KZ", "TR", "UA", "SG",
          "EU", "EEA", "Worldwide"]
COUNTRIES = [p for p in PLACES if len(p) == 2 and p != "EU"]
DAYS = [date(2019, 6, 1), date(2021, 9, 27), date(2026, 11, 22)]


def _some(rng, items, most=3):
    return rng.sample(items, rng.randint(0, min(most, len(items))))


def _body(rng, kb):
    """A random valid request body: every fact a rule can read varies (countries, roles, codes, flags, counts)."""
    importer = {"country": rng.choice(COUNTRIES + [None]), "role": rng.choice(["controller", "processor"]),
                "certifications": _some(rng, sorted(CERTIFICATIONS), 2),
                "stores_in": _some(rng, PLACES, 2), "accesses_from": _some(rng, PLACES, 2)}
    if importer["country"] and not importer["stores_in"] and not importer["accesses_from"]:
        importer["stores_in"] = [importer["country"]]
    body = {"on": rng.choice(DAYS).isoformat(),
            "exporter": {"country": rng.choice(COUNTRIES + [None]), "role": rng.choice(["controller", "processor"]),
                         "certifications": _some(rng, sorted(CERTIFICATIONS), 1)},
            "importer": importer,
            "subjects": {"residence": _some(rng, COUNTRIES, 2), "citizenship": _some(rng, COUNTRIES, 2)},
            "categories": _some(rng, ["a", "b.c", "d"], 2), "flags": _some(rng, list(CATEGORY_FLAGS), 2),
            "safeguards": _some(rng, sorted(kb.codes()), 4), "regimes": _some(rng, list(kb.ids), 3),
            "collected_in": _some(rng, COUNTRIES, 2)}
    body["individuals_per_year"] = rng.choice([None, 0, 999, 1000, 99_999, 100_000, 1_000_000, 5_000_000])
    return body


def _request(rng, kb):
    return parse_hop_request(_body(rng, kb), date(2026, 11, 22), kb)


FIELDS = [("on",), ("exporter", "country"), ("exporter", "role"), ("exporter", "certifications"), ("importer",),
          ("importer", "role"), ("importer", "certifications"), ("subjects", "residence"), ("subjects", "citizenship"),
          ("categories",), ("flags",), ("safeguards",), ("regimes",), ("individuals_per_year",),
          ("collected_in",)]


def _variants(rng, kb):
    """A request and, for each fact, the same request with only that fact drawn again."""
    base, other = _body(rng, kb), _body(rng, kb)
    yield base
    for path in FIELDS:
        variant = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
        inner, source = variant, other
        for step in path[:-1]:
            inner, source = inner[step], source[step]
        inner[path[-1]] = source[path[-1]]
        yield variant


def test_requests_differing_in_one_fact_are_not_confused_by_the_memo():
    """One memo for many requests that differ in a single fact: a fact missing from a key shows here."""
    kb = load_knowledge_base()
    rng = random.Random(11)
    memo: dict = {}
    for _ in range(150):
        for body in _variants(rng, kb):
            try:
                request = parse_hop_request(body, date(2026, 11, 22), kb)
            except ValidationError:  # an importer seat drawn without its places: not a request
                continue
            assert assess_hop(request, kb, memo).to_dict() == assess_hop(request, kb).to_dict()


def test_memoised_assessments_equal_fresh_ones_for_random_requests():
    kb = load_knowledge_base()
    rng = random.Random(20261122)
    memo: dict = {}
    requests = [_request(rng, kb) for _ in range(800)]
    for request in requests:
        assert assess_hop(request, kb, memo).to_dict() == assess_hop(request, kb).to_dict()
    size = len(memo)
    for request in requests[::7]:  # asked again: answered from the memo, equal still
        assert assess_hop(request, kb, memo).to_dict() == assess_hop(request, kb).to_dict()
    assert len(memo) == size


def test_a_fully_attached_regime_changes_nothing_by_being_inherited_too():
    kb = load_knowledge_base()
    rng = random.Random(7)
    for _ in range(300):
        request = _request(rng, kb)
        own = attached_fully(request, kb)
        without = replace(request, regimes=tuple(r for r in request.regimes if r not in own))
        assert assess_hop(without, kb).to_dict() == assess_hop(request, kb).to_dict()


POOL = ["DE", "FR", "NL", "GB", "US", "PR", "CA", "SG", "RU", "UZ", "IN", "CH"]


def test_subjects_with_one_signature_are_assessed_alike():
    """Requests that differ only in subjects with one signature (drawn from countries that
    regimes' territories treat alike and otherwise) get one assessment: flows assess such
    subject groups as one class. Subjects in another regime's territory change the signature."""
    kb = load_knowledge_base()
    rng = random.Random(5)
    alike = 0
    for _ in range(150):
        body = _body(rng, kb)
        body["subjects"] = {"residence": _some(rng, POOL, 2), "citizenship": _some(rng, POOL, 1)}
        try:
            first = parse_hop_request(body, date(2026, 11, 22), kb)
        except ValidationError:
            continue
        signature = subjects_signature(kb, first.subjects.residence, first.subjects.citizenship)
        expected = assess_hop(first, kb).to_dict()
        for _ in range(80):
            subjects = {"residence": _some(rng, POOL, 2), "citizenship": _some(rng, POOL, 1)}
            second = parse_hop_request(dict(body, subjects=subjects), date(2026, 11, 22), kb)
            if second.subjects != first.subjects and signature == subjects_signature(
                    kb, second.subjects.residence, second.subjects.citizenship):
                alike += 1
                assert assess_hop(second, kb).to_dict() == expected
    assert alike > 80
    assert subjects_signature(kb, ("DE",), ()) == subjects_signature(kb, ("FR", "NL"), ())
    assert subjects_signature(kb, ("DE",), ()) != subjects_signature(kb, ("DE",), ("FR",))  # citizens of it too
    assert subjects_signature(kb, ("CA",), ()) == subjects_signature(kb, ("SG",), ())
    assert subjects_signature(kb, ("CA",), ()) != subjects_signature(kb, (), ())  # subjects unknown
    assert subjects_signature(kb, ("US",), ()) != subjects_signature(kb, ("CA",), ())
