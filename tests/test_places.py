"""Places as vendor lists write them: countries by code, name or common form, and regions."""

import pytest

from registry.domain.countries import country_name, normalise_country
from registry.domain.errors import ValidationError
from registry.domain.model import Engagement, Organisation, SubjectGroup
from registry.domain.places import REGIONS, normalise_places, parse_place, place_name


@pytest.mark.parametrize("text,place", [
    ("de", "DE"), ("DEU", "DE"), ("Germany", "DE"), ("USA", "US"), ("U.S.", "US"),
    ("United States of America", "US"), ("UK", "GB"), ("Great Britain", "GB"), ("the Netherlands", "NL"),
    ("Korea, Republic of", "KR"), ("South Korea", "KR"), ("Czech Republic", "CZ"), ("Russia", "RU"),
    ("eu", "EU"), ("European Union", "EU"), ("EEA", "EEA"), ("Global", "Worldwide"), ("worldwide", "Worldwide"),
])
def test_places_are_read_as_people_write_them(text, place):
    assert parse_place(text) == place


def test_an_unknown_place_is_refused_with_close_matches():
    with pytest.raises(ValidationError) as exc:
        parse_place("Swizerland", "locations")
    assert exc.value.field == "locations" and "Switzerland (CH)" in exc.value.message


def test_a_country_of_establishment_is_one_country_not_a_region():
    assert normalise_country("Germany") == "DE" and normalise_country("gb") == "GB"
    with pytest.raises(ValidationError, match="is a region"):
        Organisation(key="o", name="O", country="EU").validate()
    with pytest.raises(ValidationError, match="is a region"):
        SubjectGroup(key="g", name="G", residence=["EEA"]).validate()


def test_engagements_keep_regions_as_written_and_drop_repeats():
    eng = Engagement(key="e", exporter="a", importer="b", store_countries=["eu", "Germany", "DE", "Global"],
                     access_countries=["EEA"]).validate()
    assert eng.store_countries == ["EU", "DE", "Worldwide"] and eng.access_countries == ["EEA"]
    assert normalise_places([]) == []


def test_regions_are_shown_as_written():
    assert [place_name(r) for r in REGIONS] == ["EU", "EEA", "Worldwide"]
    assert country_name("EU") == "EU" and country_name("DE") == "Germany" and country_name(None) == "unknown"
