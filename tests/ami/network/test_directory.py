"""The network's directory: an association's entry, the directory, one entry, who sees what."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from ami.network import queries
from ami.network.models import DirectoryProfile, DirectoryVisibility, NetworkSettings
from ami.network.services import directory as services
from ami.network.services.common import NetworkError
from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as network

OTHER = "http://carcassonne.test"
EMAIL, PHONE, CONTACT, ADDRESS = (
    "contact@amis-lens.fr",
    "03 21 11 22 33",
    "Camille Berthier",
    "12 rue Émile Basly",
)
CONTACTS = (EMAIL, PHONE, CONTACT, ADDRESS)


def _commune(org, name):
    return next(c for c in org.communes if c.name == name)


def _association(org, name, *, commune=None, themes=(), qpvs=(), presentation="", **contact):
    association, person = ami.association_member(org, name)
    association.commune_id = getattr(commune, "id", None)
    association.presentation = presentation
    association.themes = list(themes)
    association.qpvs = list(qpvs)
    for key, value in contact.items():
        setattr(association, key, value)
    db.session.commit()
    return association, person


@pytest.fixture
def world(org):
    themes = ami.themes(org)
    lens, lievin = _commune(org, "Lens"), _commune(org, "Liévin")
    cite9 = ami.qpv(org, "Cité 9", commune=lens)
    tags = network.tags(org)
    amis, amis_person = _association(
        org,
        "Les Amis de Lens",
        commune=lens,
        themes=[themes[0]],
        qpvs=[cite9],
        presentation="Soutien scolaire pour les collégiens du quartier.",
        contact_email=EMAIL,
        contact_phone=PHONE,
        contact_name=CONTACT,
        address=ADDRESS,
        postal_code="62300",
    )
    solidarite, solidarite_person = _association(
        org,
        "Solidarité Liévin",
        commune=lievin,
        themes=[themes[2]],
        presentation="Ateliers santé.",
        contact_email="bonjour@solidarite-lievin.fr",
    )
    network.profile(amis, offers=[tags[1]], needs=[tags[0]], offers_text="Des bénévoles")
    network.profile(solidarite, offers=[tags[0]], needs=[tags[2]], needs_text="Une camionnette")
    return {
        "org": org,
        "admin": factories.user(org, Role.ADMIN),
        "citizen": factories.user(org, Role.CITIZEN),
        "amis": amis,
        "amis_person": amis_person,
        "solidarite": solidarite,
        "solidarite_person": solidarite_person,
        "themes": themes,
        "cite9": cite9,
        "tags": tags,
        "lens": lens,
        "lievin": lievin,
    }


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _visibility(org, mode: DirectoryVisibility) -> None:
    settings = queries.settings_of(org)
    settings.directory_visibility = mode
    db.session.add(settings)
    db.session.commit()


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def _goes_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _profile_form(world, **overrides) -> dict:
    data = {
        "listed": "y",
        "offer_ids": [str(world["tags"][2].id)],
        "offers_text": "Une salle le mercredi",
        "need_ids": [str(world["tags"][3].id), str(world["tags"][4].id)],
        "needs_text": "Un juriste bénévole",
        "commune_ids": [str(world["lens"].id), str(world["lievin"].id)],
        "website": "https://amis-lens.example.fr",
    }
    data.update(overrides)
    return data


# --- an association's entry: who may edit it --------------------------------------------------


def _edit_url(association) -> str:
    return f"/ami/reseau/{association.id}/annuaire"


def test_anonymous_is_sent_to_login_from_the_entry_form(client, world):
    assert _goes_to_login(client.get(_edit_url(world["amis"])))
    assert _goes_to_login(client.post(_edit_url(world["amis"]), data=_profile_form(world)))


@pytest.mark.parametrize("who", ["citizen", "solidarite_person"])
def test_others_may_not_edit_an_associations_entry(client, login, world, who):
    login(client, world[who])
    assert client.get(_edit_url(world["amis"])).status_code == 403
    assert client.post(_edit_url(world["amis"]), data=_profile_form(world)).status_code == 403
    assert queries.profile_of(world["amis"]).offers_text == "Des bénévoles"


def test_another_organisations_admin_finds_no_entry_to_edit(client, login, world, other_org):
    login(client, factories.user(other_org, Role.ADMIN), host="carcassonne.test")
    assert client.get(OTHER + _edit_url(world["amis"])).status_code == 404
    response = client.post(OTHER + _edit_url(world["amis"]), data=_profile_form(world))
    assert response.status_code == 404


def test_the_form_shows_the_associations_own_profile_read_only(client, login, world):
    login(client, world["amis_person"])
    page = _text(client.get(_edit_url(world["amis"])))
    assert "Soutien scolaire pour les collégiens du quartier." in page
    assert "Éducation" in page and "Cité 9" in page
    assert f"/ami/associations/{world['amis'].id}/profil" in page
    assert 'name="presentation"' not in page
    assert "Apparaître dans l'annuaire" in page


def test_the_associations_person_saves_the_entry(client, login, world):
    login(client, world["amis_person"])
    response = client.post(_edit_url(world["amis"]), data=_profile_form(world))
    assert response.status_code == 302
    db.session.expire_all()
    profile = queries.profile_of(world["amis"])
    assert profile.listed and profile.listed_at is not None
    assert [t.id for t in profile.offers] == [world["tags"][2].id]
    assert {t.id for t in profile.needs} == {world["tags"][3].id, world["tags"][4].id}
    assert {c.name for c in profile.communes} == {"Lens", "Liévin"}
    assert profile.offers_text == "Une salle le mercredi"
    assert profile.needs_text == "Un juriste bénévole"
    assert profile.website == "https://amis-lens.example.fr"
    assert _audits("network.directory.update") == 1


def test_the_first_save_creates_the_entry_and_switching_on_dates_it(client, login, world, org):
    newcomer, person = _association(org, "Nouvelle association")
    login(client, person)
    assert client.get(_edit_url(newcomer)).status_code == 200
    response = client.post(_edit_url(newcomer), data=_profile_form(world, listed=""))
    assert response.status_code == 302
    db.session.expire_all()
    profile = queries.profile_of(newcomer)
    assert profile is not None and not profile.listed and profile.listed_at is None
    assert _audits("network.directory.create") == 1
    client.post(_edit_url(newcomer), data=_profile_form(world))
    db.session.expire_all()
    profile = queries.profile_of(newcomer)
    assert profile.listed and profile.listed_at is not None


def test_an_admin_of_the_organisation_edits_an_entry(client, login, world):
    login(client, world["admin"])
    assert client.get(_edit_url(world["amis"])).status_code == 200
    response = client.post(_edit_url(world["amis"]), data=_profile_form(world, listed=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert not queries.profile_of(world["amis"]).listed


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"website": "ftp://amis-lens.fr"}, "http:// ou https://"),
        ({"website": "javascript:alert(1)"}, "http:// ou https://"),
        ({"offers_text": "x" * 1001}, "1000 caractères au plus"),
        ({"needs_text": "y" * 1001}, "1000 caractères au plus"),
        ({"offer_ids": ["999999"]}, "Choisissez parmi les options proposées"),
    ],
)
def test_an_invalid_entry_is_refused_with_the_typed_values_kept(
    client, login, world, overrides, message
):
    login(client, world["amis_person"])
    data = _profile_form(world, offers_text="Notre salle polyvalente")
    data.update(overrides)
    response = client.post(_edit_url(world["amis"]), data=data)
    assert response.status_code == 422
    page = _text(response)
    assert message in page
    if "offers_text" not in overrides:
        assert "Notre salle polyvalente" in page
    if "website" in overrides:
        assert overrides["website"] in page
    if "needs_text" not in overrides:
        assert "Un juriste bénévole" in page
    db.session.expire_all()
    assert queries.profile_of(world["amis"]).offers_text == "Des bénévoles"


def test_the_service_refuses_a_website_that_is_not_http(world):
    data = services.ProfileData(listed=True, website="mailto:x@y.fr")
    with pytest.raises(NetworkError) as caught:
        services.save_profile(world["admin"], world["org"], world["amis"], data)
    assert caught.value.code == "website_invalid"


def test_the_service_ignores_tags_of_another_organisation(world, other_org):
    foreign = network.tags(other_org)[0]
    data = services.ProfileData(listed=True, offers=[foreign, world["tags"][0]])
    profile = services.save_profile(world["admin"], world["org"], world["amis"], data)
    assert [t.id for t in profile.offers] == [world["tags"][0].id]


# --- the directory: who may read it -----------------------------------------------------------


def test_by_default_only_associations_and_staff_read_the_directory(client, login, world):
    entry = f"/ami/annuaire/{world['amis'].id}"
    assert _goes_to_login(client.get("/ami/annuaire"))
    assert _goes_to_login(client.get(entry))
    login(client, world["citizen"])
    assert client.get("/ami/annuaire").status_code == 403
    assert client.get(entry).status_code == 403
    login(client, world["solidarite_person"])
    assert client.get(entry).status_code == 200
    for who in ("amis_person", "admin"):
        login(client, world[who])
        page = _text(client.get("/ami/annuaire"))
        assert "Les Amis de Lens" in page and "Solidarité Liévin" in page


def test_a_public_directory_is_open_to_anonymous_visitors(client, world):
    _visibility(world["org"], DirectoryVisibility.PUBLIC)
    response = client.get("/ami/annuaire")
    assert response.status_code == 200
    assert "Les Amis de Lens" in _text(response)
    assert client.get(f"/ami/annuaire/{world['amis'].id}").status_code == 200


def test_a_members_directory_is_open_to_signed_in_citizens_only(client, login, world):
    _visibility(world["org"], DirectoryVisibility.MEMBERS)
    assert _goes_to_login(client.get("/ami/annuaire"))
    assert _goes_to_login(client.get(f"/ami/annuaire/{world['amis'].id}"))
    login(client, world["citizen"])
    assert client.get("/ami/annuaire").status_code == 200
    assert client.get(f"/ami/annuaire/{world['amis'].id}").status_code == 200


def test_an_associations_directory_refuses_citizens(client, login, world):
    _visibility(world["org"], DirectoryVisibility.ASSOCIATIONS)
    login(client, world["citizen"])
    assert client.get("/ami/annuaire").status_code == 403
    assert client.get(f"/ami/annuaire/{world['amis'].id}").status_code == 403


def test_another_organisations_admin_sees_nothing_of_this_directory(
    client, login, world, other_org
):
    login(client, factories.user(other_org, Role.ADMIN), host="carcassonne.test")
    response = client.get(OTHER + "/ami/annuaire")
    assert response.status_code == 200
    assert "Les Amis de Lens" not in _text(response)
    assert client.get(OTHER + f"/ami/annuaire/{world['amis'].id}").status_code == 404


def test_unlisted_associations_are_not_in_the_directory(client, login, world):
    profile = queries.profile_of(world["solidarite"])
    profile.listed = False
    db.session.commit()
    login(client, world["amis_person"])
    page = _text(client.get("/ami/annuaire"))
    assert "Les Amis de Lens" in page
    assert "Solidarité Liévin" not in page


def test_the_list_shows_each_entrys_summary(client, login, world):
    login(client, world["solidarite_person"])
    page = _text(client.get("/ami/annuaire"))
    assert f'href="/ami/annuaire/{world["amis"].id}"' in page
    for text in ("Lens", "Éducation", "Cité 9", "Bénévoles", "Locaux", "Soutien scolaire"):
        assert text in page


# --- search and filters -----------------------------------------------------------------------


@pytest.fixture
def many(world, org):
    """A third listed association, unlike the two others."""
    themes, tags = world["themes"], world["tags"]
    avion = _commune(org, "Avion")
    republique = ami.qpv(org, "République", commune=avion)
    numerique, _person = _association(
        org,
        "Numérique pour tous",
        commune=avion,
        themes=[themes[3]],
        qpvs=[republique],
        presentation="Ateliers informatiques.",
    )
    network.profile(
        numerique,
        offers=[tags[4]],
        needs=[tags[5]],
        communes=[world["lievin"]],
        offers_text="Formation au numérique",
        needs_text="Un local accessible",
    )
    return {**world, "numerique": numerique, "republique": republique, "avion": avion}


NAMES = ("Les Amis de Lens", "Solidarité Liévin", "Numérique pour tous")


def _listed(client, query: str) -> set[str]:
    page = _text(client.get("/ami/annuaire" + query))
    return {name for name in NAMES if f">{name}</a>" in page}


def test_without_criteria_every_listed_association_is_shown(client, login, many):
    login(client, many["admin"])
    assert _listed(client, "") == set(NAMES)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?q=amis", {"Les Amis de Lens"}),
        ("?q=SCOLAIRE", {"Les Amis de Lens"}),  # the presentation, any case
        ("?q=formation au", {"Numérique pour tous"}),  # what it offers, in words
        ("?q=camionnette", {"Solidarité Liévin"}),  # what it looks for, in words
        ("?q=100%25", set()),  # % is a character, not a wildcard
    ],
)
def test_the_search_looks_in_name_presentation_offers_and_needs(
    client, login, many, query, expected
):
    login(client, many["admin"])
    assert _listed(client, query) == expected


def test_each_filter_narrows_the_list(client, login, many):
    login(client, many["admin"])
    themes, tags = many["themes"], many["tags"]
    assert _listed(client, f"?theme={themes[0].id}") == {"Les Amis de Lens"}
    assert _listed(client, f"?qpv={many['republique'].id}") == {"Numérique pour tous"}
    assert _listed(client, f"?offer={tags[0].id}") == {"Solidarité Liévin"}
    assert _listed(client, f"?need={tags[0].id}") == {"Les Amis de Lens"}
    # the seat commune or a commune it acts in
    assert _listed(client, f"?commune={many['lievin'].id}") == {
        "Solidarité Liévin",
        "Numérique pour tous",
    }
    assert _listed(client, f"?commune={many['lens'].id}") == {"Les Amis de Lens"}


def test_filters_combine_and_are_kept_in_the_form(client, login, many):
    login(client, many["admin"])
    query = f"?commune={many['lievin'].id}&offer={many['tags'][4].id}&q=num"
    assert _listed(client, query) == {"Numérique pour tous"}
    page = _text(client.get("/ami/annuaire" + query))
    assert f'<option value="{many["lievin"].id}" selected>' in page
    assert f'<option value="{many["tags"][4].id}" selected>' in page
    assert 'value="num"' in page
    assert '<label for="commune">' in page and '<label for="need">' in page
    assert _listed(client, f"?commune={many['lens'].id}&offer={many['tags'][4].id}") == set()


def test_nonsense_filters_are_ignored(client, login, many):
    login(client, many["admin"])
    assert _listed(client, "?theme=abc&commune=-3&page=x") == set(NAMES)


def test_the_directory_is_paginated(client, login, world, org):
    for i in range(25):
        association, _person = _association(org, f"Zèbre {i:02d}")
        network.profile(association)
    login(client, world["admin"])
    first = _text(client.get("/ami/annuaire"))
    assert "27 associations" in first
    assert "Page 1 sur 2" in first
    second = _text(client.get("/ami/annuaire?page=2"))
    assert "Zèbre 24" in second and "Les Amis de Lens" not in second


# --- contact details ---------------------------------------------------------------------------


def _entry(client, association):
    return client.get(f"/ami/annuaire/{association.id}")


def test_no_contact_detail_of_an_unmatched_association_is_shown(client, login, world):
    login(client, world["solidarite_person"])
    for page in (_text(client.get("/ami/annuaire")), _text(_entry(client, world["amis"]))):
        for detail in CONTACTS:
            assert detail not in page
    _visibility(world["org"], DirectoryVisibility.PUBLIC)
    client.get("/logout")
    for detail in CONTACTS:
        assert detail not in _text(_entry(client, world["amis"]))


def test_a_match_shows_the_contact_on_the_entry_but_never_in_the_list(client, login, world):
    network.match(world["org"], world["amis"], world["solidarite"])
    login(client, world["solidarite_person"])
    entry = _text(_entry(client, world["amis"]))
    for detail in CONTACTS:
        assert detail in entry
    listing = _text(client.get("/ami/annuaire"))
    for detail in CONTACTS:
        assert detail not in listing


def test_an_ended_match_hides_the_contact_again(client, login, world):
    match = network.match(world["org"], world["amis"], world["solidarite"])
    match.ended_at = utcnow()
    db.session.commit()
    login(client, world["solidarite_person"])
    page = _text(_entry(client, world["amis"]))
    assert EMAIL not in page and PHONE not in page


@pytest.mark.parametrize("who", ["admin", "amis_person"])
def test_the_organisations_admin_and_the_association_see_its_contact(client, login, world, who):
    login(client, world[who])
    page = _text(_entry(client, world["amis"]))
    assert EMAIL in page and PHONE in page and CONTACT in page and ADDRESS in page


# --- one entry -------------------------------------------------------------------------------


def test_an_entry_shows_everything_and_the_interest_button(client, login, world):
    profile = queries.profile_of(world["amis"])
    profile.website = "https://amis-lens.example.fr"
    profile.needs_text = "Une salle pour les devoirs"
    profile.communes = [world["lievin"]]
    db.session.commit()
    login(client, world["solidarite_person"])
    page = _text(_entry(client, world["amis"]))
    for text in (
        "Les Amis de Lens",
        "Soutien scolaire pour les collégiens du quartier.",
        "Éducation",
        "Cité 9",
        "Bénévoles",
        "Locaux",
        "Des bénévoles",
        "Une salle pour les devoirs",
        "https://amis-lens.example.fr",
        "Liévin",
        "Marquer mon intérêt",
    ):
        assert text in page
    assert f"/ami/reseau/{world['solidarite'].id}/interet/{world['amis'].id}" in page


def test_an_entry_shows_the_marked_interest(client, login, world):
    network.interest(world["org"], world["solidarite"], world["amis"])
    login(client, world["solidarite_person"])
    page = _text(_entry(client, world["amis"]))
    assert "Intérêt marqué" in page and "Retirer mon intérêt" in page


def test_the_associations_own_entry_has_no_interest_button(client, login, world):
    login(client, world["amis_person"])
    page = _text(_entry(client, world["amis"]))
    assert "Marquer mon intérêt" not in page
    assert _edit_url(world["amis"]) in page


def test_an_unlisted_entry_is_not_found_except_by_its_people_and_the_admins(client, login, world):
    profile = queries.profile_of(world["amis"])
    profile.listed = False
    db.session.commit()
    login(client, world["solidarite_person"])
    assert _entry(client, world["amis"]).status_code == 404
    for who in ("amis_person", "admin"):
        login(client, world[who])
        response = _entry(client, world["amis"])
        assert response.status_code == 200
        assert "n'apparaît pas dans l'annuaire" in _text(response)


def test_an_association_without_an_entry_is_not_found(client, login, world, org):
    stranger, _person = _association(org, "Sans fiche")
    login(client, world["solidarite_person"])
    assert _entry(client, stranger).status_code == 404
    assert client.get("/ami/annuaire/999999").status_code == 404


def test_the_entry_form_carries_its_csrf_token(client, login, world, csrf_on):
    login(client, world["amis_person"])
    page = _text(client.get(_edit_url(world["amis"])))
    assert 'name="csrf_token"' in page
    response = client.post(_edit_url(world["amis"]), data=_profile_form(world))
    assert response.status_code == 400
    assert queries.profile_of(world["amis"]).offers_text == "Des bénévoles"
    assert db.session.scalar(select(func.count()).select_from(DirectoryProfile)) == 2


# --- bounded queries ---------------------------------------------------------------------------


def _fill_directory(world, org, count: int, start: int = 0) -> None:
    themes, tags = world["themes"], world["tags"]
    for i in range(start, start + count):
        association, _person = _association(
            org,
            f"Association n°{i:02d}",
            commune=org.communes[i % 5],
            themes=[themes[i % 4]],
            qpvs=[world["cite9"]],
            presentation="Une présentation.",
        )
        network.profile(
            association,
            offers=[tags[i % 6]],
            needs=[tags[(i + 1) % 6]],
            communes=[org.communes[(i + 2) % 7], org.communes[(i + 3) % 7]],
        )


def test_the_directory_runs_a_bounded_number_of_queries(client, login, world, org, count_queries):
    _fill_directory(world, org, 1)
    login(client, world["admin"])

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/ami/annuaire").status_code == 200
        return counter.count

    few = measure()
    _fill_directory(world, org, 27, start=1)
    assert measure() == few


def test_the_settings_row_is_created_only_when_saved(world):
    assert db.session.scalar(select(func.count()).select_from(NetworkSettings)) == 0
    assert queries.settings_of(world["org"]).directory_visibility == "associations"
