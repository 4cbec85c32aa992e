"""The Cypher files under cypher/: documented, used, and the only Cypher the code runs."""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from registry import cypher
from registry.domain.model import KINDS
from registry.store import neo4j_model

ROOT = Path(__file__).resolve().parent.parent
CYPHER_DIR = ROOT / "cypher"
PACKAGE_DIR = ROOT / "registry"

USE_RE = re.compile(r"""\bquery\(\s*["']([^"']+)["']\s*\)""")
PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _files():
    return sorted(CYPHER_DIR.rglob("*.cypher"))


def _name(path):
    return path.relative_to(CYPHER_DIR).with_suffix("").as_posix()


def _uses():
    """query("area/name") literals in registry/, by name, with the files using them."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for name in USE_RE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(path.relative_to(ROOT).as_posix())
    return found


def _header(text):
    lines = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        lines.append(line)
    return lines


def test_there_are_cypher_files():
    assert len(_files()) > 10
    assert all(re.fullmatch(r"[a-z]+/[a-z_]+", _name(p)) for p in _files())


@pytest.mark.parametrize("path", _files(), ids=_name)
def test_file_starts_with_a_header(path):
    header = _header(path.read_text(encoding="utf-8"))
    assert header and header[0].startswith("// Parameters:"), f"{_name(path)}: first line must be '// Parameters: ...'"
    assert any(line.startswith("// Columns:") for line in header), f"{_name(path)}: header needs '// Columns: ...'"


@pytest.mark.parametrize("path", _files(), ids=_name)
def test_every_parameter_is_declared_in_the_header(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    header = _header("\n".join(lines))
    body = "\n".join(line for line in lines if not line.lstrip().startswith("//"))
    declared = set(PARAM_RE.findall("\n".join(header)))
    used = set(PARAM_RE.findall(body))
    assert used <= declared, f"{_name(path)}: undeclared parameter(s) {sorted(used - declared)}"


def test_every_file_is_used_in_the_package():
    unused = sorted({_name(p) for p in _files()} - set(_uses()))
    assert not unused, f"Cypher files no query(...) in registry/ names: {unused}"


def test_every_query_use_names_an_existing_file():
    names = {_name(p) for p in _files()}
    missing = {name: where for name, where in _uses().items() if name not in names}
    assert not missing, f"query(...) names without a file: {missing}"


def test_no_cypher_text_is_run_from_python_literals():
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"""\.(run|execute_query)\(\s*[rfbu]*["']""", text):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert not offenders, f"run Cypher from cypher/ files only: {offenders}"


def test_loader_reads_the_files_and_refuses_bad_names():
    path = CYPHER_DIR / "entity" / "fetch.cypher"
    assert cypher.query("entity/fetch") == path.read_text(encoding="utf-8")
    assert cypher.query("entity/fetch") is cypher.query("entity/fetch")  # cached
    for bad in ("../pyproject", "entity/fetch.cypher", "fetch", "/etc/passwd"):
        with pytest.raises(ValueError):
            cypher.query(bad)
    with pytest.raises(LookupError):
        cypher.query("entity/no_such_query")


def test_statements_split_a_schema_file():
    statements = cypher.statements(cypher.query("schema/constraints"))
    assert statements and all(s.startswith("CREATE CONSTRAINT") and "IF NOT EXISTS" in s for s in statements)
    assert not any("//" in s or ";" in s for s in statements)


def test_graph_model_covers_every_kind_and_reference():
    assert set(neo4j_model.LABELS) == set(KINDS)
    for kind, cls in KINDS.items():
        ref_fields = [f.name for f in fields(cls) if f.metadata.get("ref")]
        if kind == "category":
            ref_fields.append("key")  # the parent implied by the dotted key
        types = [neo4j_model.RELATIONSHIPS[(kind, name)] for name in ref_fields]
        assert len(types) == len(set(types)), f"{kind}: one relationship type per field"
        for name in ref_fields:
            assert neo4j_model.field_of(kind, neo4j_model.RELATIONSHIPS[(kind, name)]) == name
    assert set(neo4j_model.RELATIONSHIPS) >= neo4j_model.REVERSED
    # Cypher files name the one reversed type literally; keep the two in step.
    assert {neo4j_model.RELATIONSHIPS[k] for k in neo4j_model.REVERSED} == {"ENGAGES"}
