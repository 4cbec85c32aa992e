"""The regime files load, every entry is cited, and malformed files are refused clearly."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from registry.transfers.knowledge import KnowledgeBaseError, load_knowledge_base

README = Path(__file__).resolve().parents[2] / "registry" / "transfers" / "regimes" / "README.md"
EXPECTED = {"eu-gdpr", "uk-gdpr", "ch-fadp", "uz-zru547", "ru-152fz", "in-dpdp", "cn-pipl", "br-lgpd",
            "tr-kvkk", "ua-2297", "kz-pd", "jp-appi", "kr-pipa", "us-28cfr202"}

VALID = """\
id: xx-test
name: Test regime
citation: Test Act 2020
territory: [DE, "NO"]
attaches:
  - by: establishment
    citation: Test Act s.1
transfers:
  restricted: true
  citation: Test Act s.2
  mechanisms:
    - id: contract
      requires: ["scc:2"]
      citation: Test Act s.3
      valid_from: 2021-01-01
"""


def write(tmp_path, text, name="xx-test.yaml"):
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_every_regime_loads_in_id_order():
    kb = load_knowledge_base()
    assert set(kb.ids) == EXPECTED
    assert list(kb.ids) == sorted(kb.ids)
    assert kb.regime("eu-gdpr").id == "eu-gdpr"
    with pytest.raises(KeyError, match="nowhere"):
        kb.regime("nowhere")


def test_every_rule_has_a_citation():
    for regime in load_knowledge_base().regimes:
        assert regime.citation.strip() and regime.transfer_citation.strip(), regime.id
        for rule in regime.rules():
            assert rule.citation.strip(), f"{regime.source}: {rule.id} has no citation"


def test_every_code_is_documented_in_the_readme():
    documented = set(re.findall(r"^\| `([^`]+)` \|", README.read_text(encoding="utf-8"), re.M))
    assert load_knowledge_base().codes() <= documented


def test_unverified_facts_are_marked_in_the_data():
    kb = load_knowledge_base()
    uz_1125 = [r for r in kb.regime("uz-zru547").rules() if r.valid_from and r.valid_from.isoformat() == "2026-03-27"]
    assert uz_1125 and all("unverified" in (r.note or "").lower() for r in uz_1125)
    faroe = next(entry for entry in kb.regime("uk-gdpr").adequacy if entry.countries == ("FO",))
    assert "unverified" in faroe.note.lower()


def test_norway_is_a_country_not_a_boolean():
    assert "NO" in load_knowledge_base().regime("eu-gdpr").territory


def test_the_default_knowledge_base_is_cached():
    assert load_knowledge_base() is load_knowledge_base()


def test_importing_reads_no_file():
    code = ("import registry.transfers as t, registry.transfers.knowledge as k; "
            "print(k._load_directory.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "0"


def test_a_valid_minimal_file_loads(tmp_path):
    kb = load_knowledge_base(write(tmp_path, VALID))
    regime = kb.regime("xx-test")
    assert regime.territory == {"DE", "NO"}
    assert regime.mechanisms[0].requires == ("scc:2",)


@pytest.mark.parametrize("old, new, message", [
    ("      citation: Test Act s.3\n", "", r"xx-test\.yaml: transfers\.mechanisms\[0\] \(contract\): missing citation"),
    ("    citation: Test Act s.1\n", "", r"xx-test\.yaml: attaches\[0\]: missing citation"),
    ("  citation: Test Act s.2\n", "", r"xx-test\.yaml: transfers: missing citation"),
    ("      citation: Test Act s.3", "      citation: Test Act s.3\n      colour: red", r"contract\): unknown key\(s\): colour"),
    ('[DE, "NO"]', "[DE, XX]", r"territory: 'XX' is not an ISO 3166-1 alpha-2"),
    ('[DE, "NO"]', "[de]", r"territory: 'de' is not an ISO"),
    ("2021-01-01", "2021-02-30", r"contract\)\.valid_from: '2021-02-30' is not a date"),
    ("id: xx-test", "id: other", r"does not match the file name"),
    ('      requires: ["scc:2"]', '      requires: ["scc:2"]\n      when: {flags_any: [secret]}', r"flags_any"),
    ("- by: establishment", "- by: marriage", r"attaches\[0\]\.by: 'marriage' is not one of"),
])
def test_a_malformed_file_is_rejected_naming_file_and_rule(tmp_path, old, new, message):
    assert old in VALID
    with pytest.raises(KnowledgeBaseError, match=message):
        load_knowledge_base(write(tmp_path, VALID.replace(old, new)))


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="no regime files"):
        load_knowledge_base(tmp_path)
