"""How the survey folds hop contexts into each engagement's worst findings (``Survey.absorb``)."""

import csv
from dataclasses import dataclass

from registry.domain.model import Engagement, SubjectGroup
from registry.services.gaps import CSV_COLUMNS, Survey, to_csv


def _finding(regime, status, rule="transfer"):
    return {"regime": regime, "rule": rule, "basis": "transfer", "status": status, "explanation": status}


@dataclass(eq=False)
class _Hop:
    """What ``absorb`` reads of a flow's hop: its engagement, context and findings parts."""

    engagement: Engagement
    group: SubjectGroup
    found: list
    exporter_role: str = "controller"
    regimes: frozenset = frozenset()
    returning: bool = False
    collected_in: frozenset = frozenset()
    paths: int = 1

    def parts(self):
        return self.found


def test_each_finding_keeps_the_contexts_of_its_worst_status_once():
    e = Engagement(key="a-b", exporter="a", importer="b", categories=["x"])
    eu, us, uk = (SubjectGroup(key=k, name=k) for k in ("eu", "us", "uk"))
    action, ok = (_finding("eu-gdpr", "action"),), (_finding("eu-gdpr", "ok"),)
    twice = [(_finding("eu-gdpr", "action"), _finding("eu-gdpr", "action"))]  # two alike findings in one part
    found = Survey(on="2026-11-22", include_planned=False, engagements={"a-b": e})
    found.absorb([_Hop(e, us, [ok], paths=3), _Hop(e, eu, [action], paths=2), _Hop(e, uk, twice, paths=5)], "x")
    found.absorb([_Hop(e, eu, [ok], paths=7)], "y")  # another question: a better status adds nothing
    [group] = found.by_engagement["a-b"].values()
    assert group.status == "action"
    assert [(c["category"], c["subject_group"], c["paths"]) for c in group.contexts] == [("x", "eu", 2), ("x", "uk", 5)]
    assert group.count == 2 and group.routes() == 7 and group.subject_groups() == {"eu", "uk"}
    assert found.downstream == {"a": {"b"}}
    [row] = found.rows()
    assert row.findings == [group]
    assert found.rows(category="y") == []
    found.absorb([_Hop(e, us, [action], paths=1)], "y")
    [row] = found.rows(category="y")
    assert [(c["category"], c["subject_group"]) for c in row.findings[0].contexts] == [("y", "us")]
    assert [len(r.findings[0].contexts) for r in found.rows(category="x")] == [2]
    [line] = list(csv.DictReader(to_csv(found.rows()).splitlines()))
    assert (line["categories"], line["subject_groups"], line["contexts"]) == ("x y", "eu uk us", "3")
    assert set(line) == set(CSV_COLUMNS)
