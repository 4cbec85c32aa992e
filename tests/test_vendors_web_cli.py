"""The vendor-list CSV from the command line and in the admin area (embedded store)."""

import io
from pathlib import Path

import pytest

from registry import clock
from registry.services import objects
from tests.conftest import csrf_from

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "vendors"
LIST = b"name,website,locations,categories,safeguards\nStripe,stripe.com,USA,Account data,dpa\nHetzner,,Germany,,\n"


@pytest.fixture
def publisher(store):
    objects.create(store, "test", "category", {"key": "account", "name": "Account data"})
    objects.create(store, "test", "organisation", {"key": "acme", "name": "Acme", "country": "DE",
                                                   "publisher": True, "notice_days": 30})
    return store


def test_cli_dry_run_import_and_export(runner, publisher, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(LIST)
    dry = runner.invoke(["vendors", "import", str(path), "--publisher", "acme", "--as-of", "2026-01-01", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "first list of Acme as of 2026-01-01: 2 vendor(s)" in dry.output and "dry run" in dry.output
    assert publisher.count("engagement") == 0
    done = runner.invoke(["vendors", "import", str(path), "--publisher", "acme", "--as-of", "2026-01-01"])
    assert done.exit_code == 0, done.output
    assert publisher.count("engagement") == 2
    exported = runner.invoke(["vendors", "export", "--publisher", "acme"])
    assert exported.exit_code == 0
    assert exported.output.splitlines()[1:] == [
        "hetzner,Hetzner,,,,,,DE,,,,,processor,no,,yes,",
        "stripe,Stripe,,,https://stripe.com,,,US,,account,,dpa,processor,no,,yes,"]


def test_cli_bad_file_is_one_line_per_problem_and_exit_1(runner, publisher, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"name,locations,since\nStripe,Atlantis,2024-02-30\nStripe,US,\n")
    result = runner.invoke(["vendors", "import", str(path), "--publisher", "acme"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines() if hasattr(result, "stderr") else result.output.strip().splitlines()
    assert lines[0].startswith("row 2, column locations: 'Atlantis' is not")
    assert lines[1] == "row 2, column since: '2024-02-30' is not a date as YYYY-MM-DD"
    assert lines[2] == "row 3, column name: duplicate vendor: 'Stripe' is already on row 2"
    assert lines[-1] == "3 problem(s); nothing was written"
    assert publisher.count("organisation") == 1
    unknown = runner.invoke(["vendors", "import", str(path), "--publisher", "nobody"])
    assert unknown.exit_code == 1 and "no organisation with key 'nobody'" in unknown.output


def _upload(client, data, publisher="acme", as_of="2026-01-01"):
    page = client.get("/admin/vendors/")
    return client.post("/admin/vendors/preview", data={"csrf_token": csrf_from(page.text), "publisher": publisher,
                                                        "as_of": as_of, "file": (io.BytesIO(data), "list.csv")},
                       content_type="multipart/form-data")


def test_admin_preview_then_import(client, auth, publisher):
    auth.login("editor")
    preview = _upload(client, LIST)
    assert preview.status_code == 200 and "first list of Acme as of 2026-01-01: 2 vendor(s)" in preview.text
    assert "<code>dpa</code>" in preview.text and "Art. 28(3)" in preview.text  # codes shown with their meaning
    assert publisher.count("engagement") == 0  # the preview writes nothing
    token = csrf_from(preview.text)
    content = LIST.decode()
    with clock.frozen("2026-11-23"):
        done = client.post("/admin/vendors/import", data={"csrf_token": token, "publisher": "acme",
                                                          "as_of": "2026-01-01", "content": content})
    assert done.status_code == 302 and publisher.count("engagement") == 2
    download = client.get("/admin/vendors/export?publisher=acme")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"] and "stripe,Stripe" in download.text


def test_admin_problems_are_listed_and_nothing_written(client, auth, publisher):
    auth.login("editor")
    response = _upload(client, b"name,categories\nStripe,Card numbers\n")
    assert response.status_code == 400
    assert "row 2, column categories: &#39;Card numbers&#39; is not a known data category" in response.text
    assert publisher.count("organisation") == 1
    missing = _upload(client, LIST, publisher="nobody")
    assert missing.status_code == 400 and "no organisation with key" in missing.text


def test_viewers_download_but_do_not_import_and_forms_need_csrf(client, auth, publisher):
    auth.login("viewer")
    assert client.get("/admin/vendors/export?publisher=acme").status_code == 200
    page = client.get("/admin/vendors/")
    assert page.status_code == 200 and "Import a list" not in page.text
    token = csrf_from(page.text) if "csrf_token" in page.text else ""
    refused = client.post("/admin/vendors/preview", data={"csrf_token": token,
                                                          "publisher": "acme", "file": (io.BytesIO(LIST), "l.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 403
    auth.login("editor")
    forged = client.post("/admin/vendors/import", data={"publisher": "acme", "content": LIST.decode()})
    assert forged.status_code == 400 and publisher.count("engagement") == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/admin/vendors/").status_code in (302, 401)
    assert client.get("/admin/vendors/export?publisher=acme").status_code in (302, 401)


def test_cli_a_first_list_dated_in_the_future_is_refused(runner, publisher, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(LIST)
    result = runner.invoke(["vendors", "import", str(path), "--publisher", "acme", "--as-of", "2999-01-01"])
    assert result.exit_code == 1 and "--as-of: " in result.output and "future" in result.output
    assert publisher.count("engagement") == 0 and publisher.count("organisation") == 1
    bad = runner.invoke(["vendors", "import", str(path), "--publisher", "acme", "--as-of", "yesterday"])
    assert bad.exit_code == 1 and "'yesterday' is not a date as YYYY-MM-DD" in bad.output


def test_cli_fides_export_and_import(runner, publisher, tmp_path):
    import yaml
    objects.create(publisher, "test", "organisation", {"key": "stripe", "name": "Stripe", "country": "US"})
    objects.create(publisher, "test", "engagement", {"key": "acme-stripe", "exporter": "acme", "importer": "stripe",
                                                      "categories": ["account"], "store_countries": ["EU"]})
    exported = runner.invoke(["fides", "export"])
    assert exported.exit_code == 0
    manifest = yaml.safe_load(exported.output)
    assert [s["fides_key"] for s in manifest["system"]] == ["acme", "stripe"]
    path = tmp_path / "manifest.yml"
    path.write_text(exported.output, encoding="utf-8")
    again = runner.invoke(["fides", "import", str(path)])
    assert again.exit_code == 0 and again.output.strip() == "{}"  # everything is there already
    path.write_text("system: [1, 2]\n", encoding="utf-8")
    broken = runner.invoke(["fides", "import", str(path)])
    assert broken.exit_code == 1 and "system must be a list of resources" in broken.output


def test_export_defuses_spreadsheet_formulas_and_the_round_trip_restores_them(runner, publisher, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(b"name,notes,service\n=HYPERLINK(\"http://x.example\"),- checked,'=kept\n")
    done = runner.invoke(["vendors", "import", str(path), "--publisher", "acme", "--as-of", "2026-01-01"])
    assert done.exit_code == 0
    exported = runner.invoke(["vendors", "export", "--publisher", "acme"]).output
    assert "'=HYPERLINK" in exported and ",'- checked" in exported
    eng = publisher.list("engagement")[0]
    assert eng.internal_notes == "- checked" and eng.service == "=kept"  # an apostrophe escapes, as in spreadsheets
    path.write_text(exported, encoding="utf-8")
    dry = runner.invoke(["vendors", "import", str(path), "--publisher", "acme", "--dry-run"])
    assert dry.exit_code == 0 and "0 changed" in dry.output and "0 added" in dry.output
