"""The suggestions page: the associations one could work with, ranked, with their reasons."""

from __future__ import annotations

import html

import pytest

from ami.models import Hearing
from ami.network import queries
from ami.network.rules import WEIGHTS
from app.db import db
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as network

OTHER = "http://carcassonne.test"


def _commune(org, name):
    return next(c for c in org.communes if c.name == name)


def _association(org, name, *, commune=None, themes=(), qpvs=(), postal_code=""):
    association, person = ami.association_member(org, name)
    association.commune_id = getattr(commune, "id", None)
    association.themes = list(themes)
    association.qpvs = list(qpvs)
    association.postal_code = postal_code
    db.session.commit()
    return association, person


def _heard_together(org, *associations, year=2021):
    call = ami.call(org, year=year, open_=False)
    hearing = Hearing(call_id=call.id)
    db.session.add(hearing)
    db.session.commit()
    for association in associations:
        application = ami.application(call, association)
        application.hearing_id = hearing.id
    db.session.commit()
    return hearing


@pytest.fixture
def world(org):
    themes = ami.themes(org)
    education, health = themes[0], themes[2]
    lens, lievin, avion = (_commune(org, n) for n in ("Lens", "Liévin", "Avion"))
    cite9 = ami.qpv(org, "Cité 9", commune=lens)
    tags = network.tags(org)
    premises, volunteers, equipment = tags[0], tags[1], tags[2]
    me, me_person = _association(
        org, "Jeunesse de Lens", commune=lens, themes=[education], qpvs=[cite9]
    )
    network.profile(me, offers=[volunteers], needs=[premises])
    # 3 + 3 + 4 = 10: same theme, same QPV, offers the premises we need (seat in Liévin)
    maison, maison_person = _association(
        org, "Maison de Liévin", commune=lievin, themes=[education], qpvs=[cite9]
    )
    network.profile(maison, offers=[premises])
    # 2 + 3 = 5: looks for the volunteers we offer, acts in Lens
    collectif, _ = _association(org, "Collectif d'Avion", commune=avion, themes=[health])
    network.profile(collectif, needs=[volunteers], communes=[lens])
    # 2: heard together in 2021
    club, _ = _association(org, "Club de Harnes", commune=_commune(org, "Harnes"))
    network.profile(club, offers=[equipment])
    hearing = _heard_together(org, me, club)
    # 1: a neighbour (same postal code as Lens)
    voisins, _ = _association(org, "Voisins solidaires", postal_code=lens.postal_codes.split()[0])
    network.profile(voisins)
    # nothing in common
    lointaine, _ = _association(org, "Association lointaine", commune=avion, themes=[health])
    network.profile(lointaine, offers=[equipment])
    # same theme but not listed
    cachee, _ = _association(org, "Association cachée", commune=lens, themes=[education])
    network.profile(cachee, listed=False)
    return {
        "org": org,
        "admin": factories.user(org, Role.ADMIN),
        "citizen": factories.user(org, Role.CITIZEN),
        "me": me,
        "me_person": me_person,
        "maison": maison,
        "maison_person": maison_person,
        "collectif": collectif,
        "club": club,
        "voisins": voisins,
        "hearing": hearing,
        "themes": themes,
        "tags": tags,
        "cite9": cite9,
    }


def _url(association) -> str:
    return f"/ami/reseau/{association.id}/suggestions"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- who may see it ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(_url(world["me"]))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["citizen", "maison_person", "admin"])
def test_only_the_associations_people_see_its_suggestions(client, login, world, who):
    login(client, world[who])
    assert client.get(_url(world["me"])).status_code == 403


def test_another_organisations_admin_finds_nothing(client, login, world, other_org):
    login(client, factories.user(other_org, Role.ADMIN), host="carcassonne.test")
    assert client.get(OTHER + _url(world["me"])).status_code == 404


def test_an_unknown_association_is_not_found(client, login, world):
    login(client, world["me_person"])
    assert client.get("/ami/reseau/999999/suggestions").status_code == 404


# --- the ranking and its reasons --------------------------------------------------------------


def test_suggestions_are_ranked_as_the_rules_say(client, login, world):
    login(client, world["me_person"])
    response = client.get(_url(world["me"]))
    assert response.status_code == 200
    page = _text(response)
    order = [world[key] for key in ("maison", "collectif", "club", "voisins")]
    positions = [page.index(f">{other.name}</a>") for other in order]
    assert positions == sorted(positions)
    assert [name for name in ("1.", "2.", "3.", "4.") if f'"rank">{name}<' in page] == [
        "1.",
        "2.",
        "3.",
        "4.",
    ]
    assert "Association lointaine" not in page
    assert "Association cachée" not in page
    assert "Score : 10 points" in page
    assert "Score : 5 points" in page
    assert "Score : 1 point" in page
    for other in order:
        assert f'href="/ami/annuaire/{other.id}"' in page


def test_each_reason_is_said_in_words_with_its_items(client, login, world):
    login(client, world["me_person"])
    page = _text(client.get(_url(world["me"])))
    for words in (
        "Même thématique : Éducation",
        "Même QPV : Cité 9",
        "Propose ce dont vous avez besoin : Locaux à Liévin",
        "Recherche ce que vous proposez : Bénévoles",
        "Agit dans la même commune : Lens",
        "Auditionnées ensemble : AMI cohésion sociale 2021",
        "Commune voisine (même code postal ou même secteur)",
    ):
        assert words in page
    assert "(+4 points)" in page and "(+1 point)" in page


def test_the_page_explains_how_the_score_is_computed(client, login, world):
    login(client, world["me_person"])
    page = _text(client.get(_url(world["me"])))
    assert "Comment le score est-il calculé ?" in page
    assert f"Même thématique : {WEIGHTS['same_theme']} points par thématique" in page
    assert f"Propose ce dont vous avez besoin : {WEIGHTS['they_offer']} points" in page
    assert f"Auditionnées ensemble : {WEIGHTS['heard_together']} points" in page
    assert f"(même code postal ou même secteur) : {WEIGHTS['neighbour']} point," in page


def test_each_suggestion_has_its_interest_button(client, login, world):
    network.interest(world["org"], world["me"], world["collectif"])
    login(client, world["me_person"])
    page = _text(client.get(_url(world["me"])))
    me = world["me"].id
    assert f'action="/ami/reseau/{me}/interet/{world["maison"].id}"' in page
    assert f'action="/ami/reseau/{me}/interet/{world["collectif"].id}/retirer"' in page
    assert "Marquer mon intérêt" in page and "Retirer mon intérêt" in page


def test_an_unlisted_association_is_invited_to_appear_in_the_directory(client, login, world):
    login(client, world["me_person"])
    assert "Votre association n'apparaît pas" not in _text(client.get(_url(world["me"])))
    profile = queries.profile_of(world["me"])
    profile.listed = False
    db.session.commit()
    page = _text(client.get(_url(world["me"])))
    assert "Votre association n'apparaît pas dans l'annuaire" in page
    assert f'href="/ami/reseau/{world["me"].id}/annuaire"' in page
    # it still gets its suggestions
    assert ">Maison de Liévin</a>" in page


def test_an_association_without_an_entry_gets_suggestions_from_its_profile(
    client, login, world, org
):
    newcomer, person = _association(org, "Nouvelle venue", themes=[world["themes"][0]])
    login(client, person)
    page = _text(client.get(_url(newcomer)))
    assert "Votre association n'apparaît pas dans l'annuaire" in page
    assert ">Maison de Liévin</a>" in page and "Même thématique : Éducation" in page


def test_no_suggestion_says_how_to_get_some(client, login, org):
    lonely, person = _association(org, "Seule au monde")
    network.profile(lonely)
    login(client, person)
    page = _text(client.get(_url(lonely)))
    assert "Aucune association à vous suggérer pour l'instant" in page


def test_no_contact_detail_appears_among_the_suggestions(client, login, world):
    world["maison"].contact_email = "maison@lievin.example.fr"
    world["maison"].contact_phone = "03 21 99 88 77"
    db.session.commit()
    login(client, world["me_person"])
    page = _text(client.get(_url(world["me"])))
    assert "maison@lievin.example.fr" not in page and "03 21 99 88 77" not in page


# --- bounded queries ---------------------------------------------------------------------------


def _crowd(world, org, count: int, start: int) -> None:
    themes, tags = world["themes"], world["tags"]
    communes = org.communes
    for i in range(start, start + count):
        other, _ = _association(
            org,
            f"Association n°{i:02d}",
            commune=communes[i % 9],
            themes=[themes[i % 4]],
            qpvs=[world["cite9"]] if i % 2 else [],
        )
        network.profile(
            other, offers=[tags[i % 6]], needs=[tags[(i + 1) % 6]], communes=[communes[i % 5]]
        )
        if i % 3 == 0:
            _heard_together(org, world["me"], other, year=2000 + i)


def test_the_page_runs_a_bounded_number_of_queries(client, login, world, org, count_queries):
    login(client, world["me_person"])

    def measure() -> int:
        with count_queries() as counter:
            assert client.get(_url(world["me"])).status_code == 200
        return counter.count

    few = measure()
    _crowd(world, org, 25, start=1)  # 5 then 30 other listed associations
    many = measure()
    assert many == few
