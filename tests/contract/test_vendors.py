"""Real-shaped vendor lists in and out, on both stores: first list, sync, shared vendors, bad files."""

import csv
import io
import json
import re
from pathlib import Path

import pytest

from registry import clock
from registry.services import objects
from registry.services.vendors import ImportRefused, export_vendors, import_vendors, plan_import

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vendors"
TODAY = "2026-11-23"


@pytest.fixture
def registry(store):
    """Categories, subject groups, two publishers and a vendor both of them use (AWS)."""
    with clock.frozen(TODAY):
        for key, name in (("account", "Account data"), ("account.contact", "Contact details"),
                          ("account.contact.email", "Email address"), ("usage", "Usage data")):
            objects.create(store, "test", "category", {"key": key, "name": name})
        objects.create(store, "test", "subject_group", {"key": "customers", "name": "Customers"})
        objects.create(store, "test", "organisation", {"key": "acme-group", "name": "Acme Group", "country": "DE"})
        objects.create(store, "test", "organisation", {"key": "acme", "name": "Acme", "country": "DE",
                                                       "publisher": True, "notice_days": 30,
                                                       "parent": "acme-group"})
        objects.create(store, "test", "organisation", {"key": "globex", "name": "Globex", "country": "US",
                                                       "publisher": True, "notice_days": 14})
        objects.create(store, "test", "organisation", {"key": "aws", "name": "Amazon Web Services",
                                                       "legal_name": "Amazon Web Services, Inc.",
                                                       "country": "US", "website": "https://aws.amazon.com"})
    return store


def json_list_as_csv(path):
    """The JSON list converted to the registry's CSV columns (as a user would with a script)."""
    items = json.loads(path.read_text(encoding="utf-8"))["subprocessors"]
    out = io.StringIO()
    writer = csv.DictWriter(out, ["name", "legal_name", "website", "purpose", "locations", "access_locations",
                                  "categories", "affiliate"])
    writer.writeheader()
    for item in items:
        writer.writerow({"name": item["name"], "legal_name": item["entity"], "website": item["website"],
                         "purpose": item["purpose"], "locations": item["location"],
                         "access_locations": item.get("access", ""), "categories": item["data"],
                         "affiliate": "yes" if item.get("affiliate") else "no"})
    return out.getvalue().encode()


def markdown_table_as_csv(path):
    """A Markdown table turned into CSV, header and all."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")]
            for line in lines if not re.match(r"^\|[-| ]+\|$", line)]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def engagements(store, publisher):
    return {e.importer: e for e in store.list("engagement", filters={"exporter": publisher})}


def import_(store, publisher, data, **kw):
    with clock.frozen(TODAY):
        return import_vendors(store, "test", publisher, data, **kw)


def test_a_json_list_is_the_first_list_as_of_its_date(registry):
    plan = import_(registry, "acme", json_list_as_csv(FIXTURES / "acme-subprocessors.json"), as_of="2026-01-15")
    assert plan.initial and len(plan.vendors) == 5
    found = engagements(registry, "acme")
    aws = found["aws"]  # matched by its website host, not created again
    assert aws.store_countries == ["DE", "IE"] and aws.categories == ["account", "usage"]
    assert aws.status == "active" and registry.count("organisation") == 4 + 4
    assert found["zendesk"].access_countries == ["Worldwide"] and found["zendesk"].store_countries == ["US"]
    assert found["mailgun"].store_countries == ["EU"]
    assert found["stripe"].categories == ["account.contact.email"]
    assert registry.get("organisation", "acme-analytics-gmbh").parent == "acme-group"  # an affiliate
    history = registry.list("change", filters={"publisher": "acme"})
    # the first list is stated as such, with its date: no invented "added today" per vendor
    assert [c.action for c in history] == ["initial-list"] and history[0].date == "2026-01-15"
    assert registry.get("organisation", "aws").legal_name == "Amazon Web Services, Inc."  # a shared vendor's facts stay
    assert ("* Amazon Web Services: the file says legal_name Amazon Web Services EMEA SARL; the registry keeps "
            "Amazon Web Services, Inc.") in plan.lines()


def test_a_markdown_table_list_shares_aws_with_another_publisher(registry):
    import_(registry, "acme", json_list_as_csv(FIXTURES / "acme-subprocessors.json"), as_of="2026-01-15")
    import_(registry, "globex", markdown_table_as_csv(FIXTURES / "globex-subprocessors.md"), as_of="2026-02-01")
    globex = engagements(registry, "globex")
    assert set(globex) == {"aws", "google-cloud", "twilio", "intercom", "sentry"}
    assert globex["aws"].store_countries == ["US", "EU"] and globex["google-cloud"].store_countries == ["US", "IE"]
    assert globex["intercom"].store_countries == ["IE"] and globex["sentry"].store_countries == ["Worldwide"]
    assert len(registry.list("engagement", filters={"importer": "aws"})) == 2
    purposes = {p.name for p in registry.list("purpose")}
    assert {"Analytics", "Hosting", "Cloud hosting"} <= purposes
    assert registry.get("engagement", globex["google-cloud"].key).purposes == ["analytics", "hosting"]


def test_free_text_places_semicolon_delimiter_and_roles(registry):
    import_(registry, "globex", (FIXTURES / "free-text-places.csv").read_bytes(), as_of="2026-02-01")
    found = engagements(registry, "globex")
    places = {k: (e.store_countries, e.access_countries, e.importer_role, e.public) for k, e in found.items()}
    assert places == {
        "hetzner": (["DE", "FI"], [], "sub-processor", True),
        "ovhcloud": (["FR", "CA"], ["EU"], "sub-processor", True),
        "cloudflare": (["Worldwide"], ["Worldwide"], "sub-processor", True),
        "atlassian": (["KR"], ["GB"], "processor", False),
        "freshworks": (["IN", "NL"], ["EEA"], "processor", True),
        "slack": (["US"], ["GB"], "controller", True),
    }


def test_a_second_version_is_a_difference_written_under_the_notice_rule(registry):
    import_(registry, "acme", json_list_as_csv(FIXTURES / "acme-subprocessors.json"), as_of="2026-01-15")
    v2 = (FIXTURES / "acme-v2.csv").read_bytes()
    before = registry.count("change")
    dry = import_(registry, "acme", v2, dry_run=True)
    assert not dry.initial and dry.counts() == {"added": 1, "removed": 1, "changed": 2, "unchanged": 2}
    text = "\n".join(dry.lines())
    assert "+ Postmark: added (planned from 2026-12-24)" in text  # 30 days' notice from today
    assert "- Mailgun: removed" in text and "~ Amazon Web Services: locations: DE, IE -> DE, IE, US" in text
    assert registry.count("change") == before and "postmark" not in engagements(registry, "acme")  # dry: nothing
    import_(registry, "acme", v2)
    found = engagements(registry, "acme")
    assert found["postmark"].status == "planned" and found["postmark"].effective_date == "2026-12-24"
    assert found["mailgun"].status == "ended" and found["mailgun"].end_date == TODAY
    assert found["aws"].store_countries == ["DE", "IE", "US"] and found["aws"].safeguard_codes == ["dpa"]
    assert found["stripe"].categories == ["account.contact.email", "usage"]
    assert found["zendesk"].access_countries == ["Worldwide"]  # no access column: nothing said, nothing changed
    actions = {c.action for c in registry.list("change", filters={"publisher": "acme"})}
    assert {"announced", "removed"} <= actions
    again = import_(registry, "acme", v2, dry_run=True)
    assert again.counts()["unchanged"] == 5 and again.counts()["changed"] == 0
    # a vendor removed and then listed again is a new engagement; the ended one stays as history
    import_(registry, "acme", v2 + b"Mailgun,,https://www.mailgun.com,Transactional email,EU,Email address,,no\n")
    mailgun = [e for e in registry.list("engagement", filters={"exporter": "acme", "importer": "mailgun"})]
    assert sorted((e.key, e.status) for e in mailgun) == [("acme-mailgun", "ended"), ("acme-mailgun-2", "planned")]


def test_export_then_import_is_a_lossless_round_trip(registry, store_factory):
    import_(registry, "globex", markdown_table_as_csv(FIXTURES / "globex-subprocessors.md"), as_of="2026-02-01")
    import_(registry, "globex", (FIXTURES / "free-text-places.csv").read_bytes())
    exported = export_vendors(registry, "globex")
    assert exported.splitlines()[0].startswith("key,name,legal_name,country,website")
    plan = import_(registry, "globex", exported.encode(), dry_run=True)
    assert plan.counts()["changed"] == 0 and plan.counts()["removed"] == 0 and plan.counts()["added"] == 0
    # into an empty publisher: the same file again
    objects.create(registry, "test", "organisation", {"key": "initech", "name": "Initech", "publisher": True})
    import_(registry, "initech", exported.replace(",globex,", ",initech,").encode(), as_of="2026-03-01")
    again = export_vendors(registry, "initech")
    strip = lambda text: [re.sub(r",(yes|no),([^,]*),(yes|no),", ",,", line) for line in text.splitlines()]
    assert strip(again) == strip(exported)


@pytest.mark.parametrize("content,expected", [
    (b"name,locations\nAcme Mail,\xff\xfe\n", "not UTF-8"),
    (b"Stripe,US\nTwilio,US\n", "no header row"),
    (b"name,locations\nStripe,US\nstripe,DE\n", "row 3, column name: duplicate vendor: 'stripe' is already on row 2"),
    (b"name,locations\nStripe,Atlantis\n", "row 2, column locations: 'Atlantis' is not"),
    (b"name,locations\nStripe,Germny\n", "did you mean Germany (DE)?"),
    (b"name,categories\nStripe,Card numbers\n",
     "row 2, column categories: 'Card numbers' is not a known data category"),
    (b"name,since\nStripe,1 March 2024\n", "row 2, column since: '1 March 2024' is not a date as YYYY-MM-DD"),
    (b"name,safeguards\nStripe,scc2\n",
     "row 2, column safeguards: 'scc2' is not a known safeguard code; did you mean scc:2"),
    (b"name,colour\nStripe,red\n", "row 1, column colour: unknown column"),
    (b"name,country\nStripe,EU\n", "row 2, column country: 'EU' is a region"),
])
def test_bad_files_report_every_problem_and_write_nothing(registry, content, expected):
    before = {kind: registry.count(kind) for kind in ("organisation", "engagement", "change", "purpose")}
    with pytest.raises(ImportRefused) as exc:
        import_(registry, "acme", content)
    assert any(expected in str(p) for p in exc.value.problems), [str(p) for p in exc.value.problems]
    assert {kind: registry.count(kind) for kind in before} == before


def test_every_unknown_item_of_a_cell_is_named(registry):
    with pytest.raises(ImportRefused) as exc:
        plan_import(registry, "acme", b"name,locations,safeguards\nA,\"Mars; DE; Atlantis\",scc2; dpa; dfp\n")
    text = "\n".join(map(str, exc.value.problems))
    assert "'Mars'" in text and "'Atlantis'" in text and "'scc2'" in text and "'dfp'" in text


def test_every_problem_is_reported_not_just_the_first(registry):
    content = b"name,locations,since,categories\nA,Mars,2024-13-01,Secrets\nB,US,,\nA,DE,,\n"
    with pytest.raises(ImportRefused) as exc:
        plan_import(registry, "acme", content)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {(2, "locations"), (2, "since"), (2, "categories"), (4, "name")}


def test_imported_regions_reach_the_answers_worldwide_is_never_ok(registry):
    from registry.services.gaps import findings_by_engagement
    with clock.frozen(TODAY):
        objects.create(registry, "test", "collection", {"key": "acme-customers", "organisation": "acme",
                                                         "subject_group": "customers", "categories": ["account"]})
    content = (b"name,locations,access_locations,categories,safeguards\n"
               b"EuroHost,EU,,Account data,dpa\nAnyCloud,Worldwide,,Account data,dpa; scc:2; tia\n")
    import_(registry, "acme", content, as_of="2026-01-15")
    found = engagements(registry, "acme")
    with clock.frozen(TODAY):
        answers = findings_by_engagement(registry, on=TODAY, engagements=list(found.values()))

    def transfer(vendor):
        return next(f for f in answers[found[vendor].key] if f["regime"] == "eu-gdpr" and f["rule"] == "transfer")

    assert (transfer("eurohost")["status"], transfer("eurohost")["basis"]) == ("ok", "no-transfer")
    assert (transfer("anycloud")["status"], transfer("anycloud")["basis"]) == ("unknown", "unknown-location")
