"""The network's landing page and the home page's panel: what awaits each association."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ami.network.models import (
    EssaimageDay,
    EssaimageInvitation,
    InterestDisclosure,
    InvitationReason,
    NetworkMessage,
)
from app.db import db, utcnow
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as net


@pytest.fixture
def world(org):
    association, member = ami.association_member(org, "Femmes et quartiers")
    other, other_member = ami.association_member(org, "Théâtre de l'Arrière-Cour")
    return {
        "org": org,
        "association": association,
        "member": member,
        "other": other,
        "other_member": other_member,
        "admin": factories.user(org, Role.ADMIN),
        "citizen": factories.user(org, Role.CITIZEN),
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("citizen", 403), ("member", 200), ("admin", 200)],
)
def test_the_network_page_answers_each_role(client, login, world, who, expected):
    if who:
        login(client, world[who])
    response = client.get("/ami/reseau")
    assert response.status_code == expected
    if who is None:
        assert (
            "/connexion" in response.headers["Location"] or "login" in response.headers["Location"]
        )


def test_an_association_sees_its_links_and_admins_their_tools(client, login, world):
    login(client, world["member"])
    page = _text(client.get("/ami/reseau"))
    assert "Femmes et quartiers" in page
    assert f"/ami/reseau/{world['association'].id}/suggestions" in page
    assert "n'apparaît pas dans l'annuaire" in page
    assert "/ami/gestion/reseau" not in page
    login(client, world["admin"])
    page = _text(client.get("/ami/reseau"))
    assert "/ami/gestion/reseau" in page and "/ami/gestion/essaimage" in page


def test_new_matches_unread_messages_and_invitations_are_counted(client, login, world):
    org, mine, other = world["org"], world["association"], world["other"]
    net.profile(mine)
    match = net.match(org, mine, other)
    db.session.add_all(
        [
            NetworkMessage(match_id=match.id, sender_association_id=other.id, body="Bonjour"),
            NetworkMessage(match_id=match.id, sender_association_id=other.id, body="Encore"),
            NetworkMessage(match_id=match.id, sender_association_id=mine.id, body="Moi"),
        ]
    )
    day = EssaimageDay(
        organisation_id=org.id,
        year=2026,
        title="Rencontre de l'essaimage 2026",
        starts_at=utcnow() + timedelta(days=10),
        ends_at=utcnow() + timedelta(days=10, hours=3),
    )
    db.session.add(day)
    db.session.flush()
    db.session.add(
        EssaimageInvitation(day_id=day.id, association_id=mine.id, reason=InvitationReason.CHOSEN)
    )
    db.session.commit()
    login(client, world["member"])
    page = _text(client.get("/ami/reseau"))
    assert "2 non lus" in page
    assert "1 invitation à répondre" in page
    home = _text(client.get("/"))
    assert "Réseau des associations" in home
    assert "2 messages non lus pour Femmes et quartiers" in home
    assert "1 nouvelle mise en relation pour Femmes et quartiers" in home
    assert "Invitation à répondre : Rencontre de l&#39;essaimage 2026" in home


def test_interests_are_counted_only_where_the_call_lets_the_association_see_them(
    client, login, world
):
    org, mine, other = world["org"], world["association"], world["other"]
    call = ami.call(org)
    net.interest(org, other, mine, call=call)
    login(client, world["member"])
    assert "intéresse à la vôtre" not in _text(client.get("/ami/reseau"))
    call.interest_disclosure = InterestDisclosure.LIST
    db.session.commit()
    assert "1 association s'intéresse à la vôtre" in _text(client.get("/ami/reseau"))
    assert "1 association intéressée par Femmes et quartiers" in _text(client.get("/"))


def test_the_network_page_runs_a_bounded_number_of_queries(client, login, world, count_queries):
    org, member = world["org"], world["member"]

    def add_associations(n):
        for i in range(n):
            association = factories.association(org, f"Association {n}-{i}")
            net.match(org, world["association"], association)

    login(client, member)
    add_associations(2)
    with count_queries() as few:
        client.get("/ami/reseau")
    add_associations(20)
    with count_queries() as many:
        client.get("/ami/reseau")
    assert many.count == few.count
