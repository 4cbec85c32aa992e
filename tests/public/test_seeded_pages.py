"""Every seeded publisher's page, feeds and exports answer and parse."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from registry.services.exchange import seed


@pytest.fixture
def seeded(store):
    seed(store)
    return [o.key for o in store.list("organisation", filters={"publisher": True})]


def test_every_seeded_publisher_has_a_working_page(client, seeded):
    assert len(seeded) >= 5
    index = client.get("/p/")
    assert index.status_code == 200
    for key in seeded:
        assert f"/p/{key}/subprocessors" in index.text
        page = client.get(f"/p/{key}/subprocessors")
        assert page.status_code == 200, key
        assert "Set-Cookie" not in page.headers
        data = client.get(f"/p/{key}/subprocessors.json")
        assert data.status_code == 200 and isinstance(data.json, dict)
        rows = list(csv.reader(io.StringIO(client.get(f"/p/{key}/subprocessors.csv").text)))
        assert rows and rows[0]
        ET.fromstring(client.get(f"/p/{key}/subprocessors.atom").data)
        assert client.get(f"/p/{key}/policy.md").status_code == 200


def test_seeded_internal_notes_never_reach_a_public_page(client, store, seeded):
    notes = [e.internal_notes for e in store.list("engagement") if e.internal_notes]
    assert notes
    for key in seeded:
        for suffix in ("", ".json", ".csv", ".atom"):
            body = client.get(f"/p/{key}/subprocessors{suffix}").get_data(as_text=True)
            for note in notes:
                assert note not in body
