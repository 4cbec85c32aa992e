"""The registry command."""

import json

from registry.db import get_store


def test_init_is_idempotent(runner):
    assert runner.invoke(["init"]).exit_code == 0
    assert runner.invoke(["init"]).exit_code == 0


def test_users_create_and_refuse_duplicates(runner):
    result = runner.invoke(["users", "create", "dpo", "--role", "editor", "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(["users", "create", "dpo", "--password", "long enough pw"])
    assert again.exit_code == 1
    assert again.output.strip() == "Error: user 'dpo' already exists"
    listing = runner.invoke(["users", "list"])
    assert "dpo\teditor" in listing.output


def test_export_import_round_trip(runner, app, tmp_path, monkeypatch):
    assert runner.invoke(["seed"]).exit_code == 0
    exported = runner.invoke(["export"]).output
    path = tmp_path / "export.json"
    path.write_text(exported)
    monkeypatch.setenv("REGISTRY_SQLITE_PATH", str(tmp_path / "second.sqlite3"))
    result = runner.invoke(["import", str(path)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(["export"]).output == exported


def test_import_of_malformed_file_fails_with_one_line(runner, app, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(["import", str(bad)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "is not JSON" in result.output
    inconsistent = tmp_path / "inconsistent.json"
    inconsistent.write_text(json.dumps({"format": "registry-export", "version": 1, "objects": {
        "organisation": [{"key": "a", "name": "A"}],
        "engagement": [{"key": "a-b", "exporter": "a", "importer": "b", "categories": []}]}}))
    result = runner.invoke(["import", str(inconsistent)])
    assert result.exit_code == 1
    assert "no organisation with key 'b'" in result.output
    with app.app_context():
        assert get_store().count("organisation") == 0
