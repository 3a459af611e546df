"""Organisations and communes from the reference data, and the `territory` commands."""

import gzip

import pytest
from sqlalchemy import func, select

from app.db import db
from app.organisations import services
from app.organisations.models import Commune, Organisation
from app.organisations.refdata import (
    CommuneRecord,
    EpciRecord,
    InvalidSiren,
    UnknownSiren,
    find_epci,
    siren_checksum_ok,
)
from app.users.models import Membership, Role
from tests import factories


@pytest.mark.parametrize(
    ("siren", "communes", "name"),
    [
        ("200054807", 92, "Métropole d'Aix-Marseille-Provence"),
        ("200035715", 83, "CA Carcassonne Agglo"),
        ("246200364", 36, "CA de Lens - Liévin"),
    ],
)
def test_reference_data_gives_each_source_territory_its_communes(siren, communes, name):
    record = find_epci(siren)
    assert record.name == name
    assert len(record.communes) == communes


def test_reference_data_is_shipped_compressed_inside_the_package():
    from app.organisations.refdata import DATA_FILE

    assert DATA_FILE.name.endswith(".csv.gz")
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        assert handle.readline().startswith("epci_siren,epci_name,epci_type")


def test_siren_luhn_key_is_checked():
    assert siren_checksum_ok("246200364")
    assert not siren_checksum_ok("246200365")
    with pytest.raises(InvalidSiren):
        find_epci("24620036")
    with pytest.raises(InvalidSiren):
        find_epci("24620036X")
    with pytest.raises(UnknownSiren):
        find_epci("732829320")  # a valid SIREN that is no EPCI


def test_loading_a_territory_creates_the_organisation_with_all_its_communes():
    report = services.load_territory(find_epci("200054807"), slug="amp")
    db.session.commit()
    org = report.organisation
    assert report.created and report.communes_added == 92
    assert org.slug == "amp" and org.type == "METRO" and org.siren == "200054807"
    marseille = db.session.scalar(select(Commune).where(Commune.insee_code == "13055"))
    assert marseille.name == "Marseille" and marseille.population > 800_000
    assert "13001" in marseille.postal_code_list


def test_the_metropole_de_lyon_loads_as_a_metropole():
    report = services.load_territory(find_epci("200046977"))
    db.session.commit()
    assert report.organisation.type == "METRO" and report.communes_added == 58


def test_loading_twice_changes_nothing():
    services.load_territory(find_epci("246200364"))
    db.session.commit()
    again = services.load_territory(find_epci("246200364"))
    db.session.commit()
    assert not again.changed
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
    assert db.session.scalar(select(func.count(Commune.id))) == 36


def test_reloading_after_the_reference_changed_updates_in_place_and_keeps_links():
    org = factories.organisation("246200364")
    mayor = factories.user(org, Role.MAYOR, commune="62510")
    lievin = db.session.scalar(select(Commune).where(Commune.insee_code == "62510"))
    original = find_epci("246200364")
    changed = EpciRecord(
        siren=original.siren,
        name=original.name,
        type=original.type,
        communes=tuple(
            CommuneRecord(
                c.insee_code,
                c.name + " (nouveau nom)" if c.insee_code == "62510" else c.name,
                c.siren,
                c.departement,
                c.population + 1,
                c.postal_codes,
            )
            for c in original.communes
            if c.insee_code != "62001"  # Ablain-Saint-Nazaire leaves the EPCI
        ),
    )
    report = services.load_territory(changed)
    db.session.commit()
    assert report.communes_updated == 35 and report.communes_deactivated == 1
    db.session.refresh(lievin)
    assert lievin.name == "Liévin (nouveau nom)"
    membership = db.session.scalar(select(Membership).where(Membership.user_id == mayor.id))
    assert membership.commune_id == lievin.id
    gone = db.session.scalar(select(Commune).where(Commune.insee_code == "62001"))
    assert gone is not None and gone.active is False


def test_cli_load_then_list(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["territory", "load", "200035715", "--slug", "carcassonne"])
    assert result.exit_code == 0, result.output
    assert "83 communes" in result.output and "Created" in result.output
    again = runner.invoke(args=["territory", "load", "200035715"])
    assert again.exit_code == 0 and "Unchanged" in again.output
    listing = runner.invoke(args=["territory", "list"])
    assert "carcassonne" in listing.output and "83 communes" in listing.output


@pytest.mark.parametrize("siren", ["123", "200054808", "732829320", "abcdefghi"])
def test_cli_refuses_a_wrong_or_unknown_siren_with_status_2(app, siren):
    result = app.test_cli_runner().invoke(args=["territory", "load", siren])
    assert result.exit_code == 2
    assert "Error" in result.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_cli_load_registers_host_names(app):
    result = app.test_cli_runner().invoke(
        args=["territory", "load", "246200364", "--host", "Concertation.Example.FR"]
    )
    assert result.exit_code == 0
    org = db.session.scalar(select(Organisation))
    assert [h.host for h in org.hosts] == ["concertation.example.fr"]


def test_communes_page_lists_the_communes_for_an_admin(client, org, login, count_queries):
    admin = factories.user(org, Role.ADMIN)
    login(client, admin)
    response = client.get("/territoire/communes")
    assert response.status_code == 200
    assert "Liévin" in response.text and "36 communes" in response.text


def test_communes_page_is_refused_to_a_citizen(client, org, login):
    login(client, factories.user(org, Role.CITIZEN))
    assert client.get("/territoire/communes").status_code == 403
