"""One vocabulary of codes: the regimes, the README and the domain agree."""

import re
from pathlib import Path

import pytest

from registry.domain.codes import CERTIFICATIONS, SAFEGUARDS, check_code, meanings
from registry.domain.errors import ValidationError
from registry.domain.model import Engagement, Organisation
from registry.transfers.knowledge import KnowledgeBaseError, load_knowledge_base

README = Path(__file__).resolve().parents[2] / "registry" / "transfers" / "regimes" / "README.md"


def _table(header):
    text = README.read_text(encoding="utf-8")
    block = text[text.index(header):]
    rows = re.findall(r"^\| `([^`]+)` \| (.+) \|$", block.split("\n\n")[0], re.M)
    return dict(rows)


def test_the_readme_tables_repeat_the_vocabulary_exactly():
    assert _table("| code | meaning |") == SAFEGUARDS
    assert _table("| certification | meaning |") == CERTIFICATIONS


def test_every_code_a_regime_asks_for_is_in_the_vocabulary():
    assert load_knowledge_base().codes() <= set(SAFEGUARDS)


def test_a_regime_naming_an_unknown_code_is_refused(tmp_path):
    source = (README.parent / "eu-gdpr.yaml").read_text(encoding="utf-8").replace("requires: [dpa]", "requires: [dpa2]")
    (tmp_path / "eu-gdpr.yaml").write_text(source, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="dpa2"):
        load_knowledge_base(tmp_path)


@pytest.mark.parametrize("code,near", [("scc2", "scc:2"), ("dfp", "dpf"), ("DPA ", None)])
def test_an_unknown_safeguard_is_refused_with_close_matches(code, near):
    if near is None:
        assert check_code(code, "safeguards") == "dpa"
        return
    with pytest.raises(ValidationError) as exc:
        Engagement(key="e", exporter="a", importer="b", safeguards=[code]).validate()
    assert exc.value.field == "safeguards" and near in exc.value.message


def test_an_unknown_certification_is_refused():
    with pytest.raises(ValidationError, match="did you mean soc2") as exc:
        Organisation(key="o", name="O", certifications=["soc-2"]).validate()
    assert exc.value.field == "certifications"


def test_meanings_are_there_for_pickers():
    assert "Art. 28(3)" in meanings("safeguards")["dpa"] and "Privacy Framework" in meanings("certifications")["dpf-eu"]


@pytest.mark.parametrize("where,value,field,near", [
    ("safeguards", ["scc:2", "scc2"], "safeguards[1]", "scc:2"),
    ("certifications", ["dpf-eu-us"], "importer.certifications[0]", "dpf-eu"),
])
def test_a_hop_request_refuses_codes_the_assessment_would_ignore(where, value, field, near):
    from datetime import date

    from registry.transfers.request import parse_hop_request
    body = {"exporter": {"country": "DE", "role": "controller"},
            "importer": {"country": "US", "role": "processor"}}
    if where == "safeguards":
        body["safeguards"] = value
    else:
        body["importer"]["certifications"] = value
    with pytest.raises(ValidationError) as exc:
        parse_hop_request(body, date(2026, 11, 22))
    assert exc.value.field == field and near in exc.value.message
