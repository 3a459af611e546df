"""Mutual interest: marking and withdrawing, matches and their e-mails, the matches page, what
each association may learn of the others' interests (LIST or ON_MATCH disclosure), and that no
contact detail leaks before a match."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from ami.models import InterestDisclosure
from ami.network.models import DirectoryProfile, Interest, Match, NetworkMessage
from ami.network.services import interests as services
from ami.network.services.common import NetworkError
from app.audit.models import AuditEntry
from app.db import db
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as network

OTHER = "http://carcassonne.test"
B_CONTACT = ("Dominique Secret", "dominique@solidarite-lievin.fr", "06 11 22 33 44")
A_CONTACT = ("Claude Discret", "claude@amis-de-lens.fr", "07 55 66 77 88")


@pytest.fixture
def world(org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    call = ami.call(org)
    a, a_person = ami.association_member(org, "Les Amis de Lens")
    b, b_person = ami.association_member(org, "Solidarité Liévin")
    c, c_person = ami.association_member(org, "Troisième Voie")
    a.contact_name, a.contact_email, a.contact_phone = A_CONTACT
    b.contact_name, b.contact_email, b.contact_phone = B_CONTACT
    b.address = "12 rue Cachée"
    db.session.commit()
    for association in (a, b, c):
        network.profile(association)
    return {
        "org": org,
        "call": call,
        "a": a,
        "b": b,
        "c": c,
        "a_person": a_person,
        "b_person": b_person,
        "c_person": c_person,
        "admin": factories.user(org, Role.ADMIN),
        "citizen": factories.user(org, Role.CITIZEN),
        "stranger": factories.user(other_org, Role.ADMIN),
    }


def _text(response) -> str:
    """The page as read (entities decoded: apostrophes may come either way)."""
    return html.unescape(response.get_data(as_text=True))


def _matches_url(association) -> str:
    return f"/ami/reseau/{association.id}/mises-en-relation"


def _mark(client, mine, other, host: str = ""):
    return client.post(
        f"{host}/ami/reseau/{mine.id}/interet/{other.id}", data={"next": _matches_url(mine)}
    )


def _withdraw(client, mine, other):
    return client.post(
        f"/ami/reseau/{mine.id}/interet/{other.id}/retirer", data={"next": _matches_url(mine)}
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _emails() -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def _disclose(world, mode: InterestDisclosure) -> None:
    world["call"].interest_disclosure = mode
    db.session.commit()


def _unlist(association) -> None:
    profile = db.session.scalar(
        select(DirectoryProfile).where(DirectoryProfile.association_id == association.id)
    )
    profile.listed = False
    db.session.commit()


def _entry_pages(app) -> bool:
    return "ami.directory_entry" in app.view_functions


# --- access ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    a, b = world["a"], world["b"]
    for response in (
        client.get(_matches_url(a)),
        _mark(client, a, b),
        _withdraw(client, a, b),
    ):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    assert _count(Interest) == 0


@pytest.mark.parametrize("who", ["citizen", "c_person", "admin", "b_person"])
def test_only_the_associations_people_act_for_it(client, login, world, who):
    a, b, c = world["a"], world["b"], world["c"]
    network.interest(world["org"], a, c)
    login(client, world[who])
    assert client.get(_matches_url(a)).status_code == 403
    assert _mark(client, a, b).status_code == 403
    assert _withdraw(client, a, c).status_code == 403
    assert _count(Interest) == 1


def test_another_organisations_admin_finds_nothing(client, login, world):
    a, b = world["a"], world["b"]
    login(client, world["stranger"], host="carcassonne.test")
    assert client.get(OTHER + _matches_url(a)).status_code == 404
    assert _mark(client, a, b, host=OTHER).status_code == 404
    assert client.post(f"{OTHER}/ami/reseau/{a.id}/interet/{b.id}/retirer").status_code == 404
    assert _count(Interest) == 0


def test_the_associations_person_sees_its_matches_page(client, login, world):
    login(client, world["a_person"])
    response = client.get(_matches_url(world["a"]))
    assert response.status_code == 200
    page = _text(response)
    assert page.count("<h1>") == 1
    assert "Mises en relation de Les Amis de Lens" in page
    assert "Aucune mise en relation en cours." in page


# --- interest, match, e-mails ---------------------------------------------------------------


def test_an_interest_alone_makes_no_match_and_tells_nobody(client, login, world):
    a, b = world["a"], world["b"]
    login(client, world["a_person"])
    response = _mark(client, a, b)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_matches_url(a))
    interest = db.session.scalar(select(Interest))
    assert (interest.from_association_id, interest.to_association_id) == (a.id, b.id)
    assert interest.call_id == world["call"].id
    assert interest.created_by_id == world["a_person"].id
    assert _count(Match) == 0
    assert _emails() == []
    assert _audits("network.interest") == 1
    page = _text(client.get(_matches_url(a)))
    assert "Vos marques d'intérêt en attente" in page
    assert "Solidarité Liévin" in page
    assert "Retirer mon intérêt" in page


def test_reciprocal_interest_makes_a_match_and_emails_both_sides(client, login, world):
    a, b = world["a"], world["b"]
    a_colleague = factories.user(world["org"], Role.ASSOCIATION_MEMBER, association=a)
    login(client, world["a_person"])
    _mark(client, a, b)
    assert _emails() == []
    login(client, world["b_person"])
    response = _mark(client, b, a)
    assert response.status_code == 302
    match = db.session.scalar(select(Match))
    assert match.active
    assert {match.first_association_id, match.second_association_id} == {a.id, b.id}
    assert _audits("network.match") == 1

    emails = _emails()
    by_address = {e.to_address: e for e in emails}
    assert set(by_address) == {
        world["a_person"].email,
        a_colleague.email,
        world["b_person"].email,
    }
    to_a = by_address[world["a_person"].email]
    assert to_a.subject == "Mise en relation avec Solidarité Liévin"
    for detail in (*B_CONTACT, "12 rue Cachée"):
        assert detail in to_a.body_text
    assert f"/ami/reseau/{a.id}/mises-en-relation/{match.id}" in to_a.body_text
    assert "Claude Discret" not in to_a.body_text
    to_b = by_address[world["b_person"].email]
    assert to_b.subject == "Mise en relation avec Les Amis de Lens"
    for detail in A_CONTACT:
        assert detail in to_b.body_text
    assert f"/ami/reseau/{b.id}/mises-en-relation/{match.id}" in to_b.body_text
    assert "Dominique Secret" not in to_b.body_text


def test_the_match_shows_each_others_contact_on_the_matches_page(client, login, world):
    a, b = world["a"], world["b"]
    match = network.match(world["org"], a, b)
    login(client, world["a_person"])
    page = _text(client.get(_matches_url(a)))
    for detail in (*B_CONTACT, "12 rue Cachée"):
        assert detail in page
    assert f'href="mailto:{B_CONTACT[1]}"' in page
    assert f"/ami/reseau/{a.id}/mises-en-relation/{match.id}" in page
    assert "Aucune mise en relation en cours." not in page
    login(client, world["b_person"])
    page = _text(client.get(_matches_url(b)))
    for detail in A_CONTACT:
        assert detail in page


def test_no_contact_detail_before_a_match_anywhere(client, login, app, world):
    a, b = world["a"], world["b"]
    _disclose(world, InterestDisclosure.LIST)
    login(client, world["a_person"])
    _mark(client, a, b)
    pages = [_text(client.get(_matches_url(a)))]
    if _entry_pages(app):
        pages.append(_text(client.get(f"/ami/annuaire/{b.id}")))
    login(client, world["b_person"])
    b_page = _text(client.get(_matches_url(b)))
    assert "Les Amis de Lens" in b_page  # LIST: B may see that A is interested...
    pages.append(b_page)
    if _entry_pages(app):
        pages.append(_text(client.get(f"/ami/annuaire/{a.id}")))
    for page in pages:  # ...but neither sees the other's contact
        for detail in (*A_CONTACT, *B_CONTACT, "12 rue Cachée"):
            assert detail not in page
    assert _emails() == []


def test_the_entry_page_shows_the_contact_after_the_match_only(client, login, app, world):
    if not _entry_pages(app):
        pytest.skip("the directory entry page is not built yet")
    a, b = world["a"], world["b"]
    login(client, world["a_person"])
    entry = f"/ami/annuaire/{b.id}"
    assert B_CONTACT[1] not in _text(client.get(entry))
    network.match(world["org"], a, b)
    assert B_CONTACT[1] in _text(client.get(entry))
    _withdraw(client, a, b)
    assert B_CONTACT[1] not in _text(client.get(entry))


# --- withdrawal and reopening ---------------------------------------------------------------


def test_withdrawing_before_the_match_removes_the_interest(client, login, world):
    a, b = world["a"], world["b"]
    login(client, world["a_person"])
    _mark(client, a, b)
    response = _withdraw(client, a, b)
    assert response.status_code == 302
    assert _count(Interest) == 0
    assert _count(Match) == 0
    page = _text(client.get(_matches_url(a)))
    assert "Aucune marque d'intérêt en attente." in page
    assert _emails() == []


def test_withdrawing_after_the_match_ends_it_and_hides_the_contacts(client, login, world):
    a, b = world["a"], world["b"]
    match = network.match(world["org"], a, b)
    login(client, world["a_person"])
    response = _withdraw(client, a, b)
    assert response.headers["Location"].endswith(_matches_url(a))
    db.session.expire_all()
    match = db.session.get(Match, match.id)
    assert not match.active
    assert match.ended_by_association_id == a.id
    assert _audits("network.match_end") == 1
    for person, mine, theirs in (
        ("a_person", a, B_CONTACT),
        ("b_person", b, A_CONTACT),
    ):
        login(client, world[person])
        page = _text(client.get(_matches_url(mine)))
        assert "Mises en relation terminées" in page
        assert f"/ami/reseau/{mine.id}/mises-en-relation/{match.id}" in page
        for detail in theirs:
            assert detail not in page
        thread = _text(client.get(f"/ami/reseau/{mine.id}/mises-en-relation/{match.id}"))
        assert "a pris fin" in thread
        assert "<textarea" not in thread
        for detail in theirs:
            assert detail not in thread


def test_marking_again_on_both_sides_reopens_the_same_match(client, login, world):
    a, b = world["a"], world["b"]
    org = world["org"]
    match = network.match(org, a, b)
    db.session.add(NetworkMessage(match_id=match.id, sender_association_id=a.id, body="Bonjour"))
    db.session.commit()
    login(client, world["a_person"])
    _withdraw(client, a, b)
    login(client, world["b_person"])
    _withdraw(client, b, a)
    assert _count(Interest) == 0
    _mark(client, b, a)
    login(client, world["a_person"])
    _mark(client, a, b)
    assert _count(Match) == 1
    db.session.expire_all()
    reopened = db.session.scalar(select(Match))
    assert reopened.id == match.id
    assert reopened.active and reopened.ended_by_association_id is None
    assert [m.body for m in reopened.messages] == ["Bonjour"]
    assert len(_emails()) == 2


def test_the_service_refuses_what_makes_no_sense(world):
    a, b, c = world["a"], world["b"], world["c"]
    org, actor = world["org"], world["a_person"]
    with pytest.raises(NetworkError) as refused:
        services.mark_interest(actor, org, a, a)
    assert refused.value.code == "interest_self"
    services.mark_interest(actor, org, a, b)
    with pytest.raises(NetworkError) as refused:
        services.mark_interest(actor, org, a, b)
    assert refused.value.code == "interest_already"
    with pytest.raises(NetworkError) as refused:
        services.withdraw_interest(actor, org, a, c)
    assert refused.value.code == "interest_none"
    _unlist(c)
    with pytest.raises(NetworkError) as refused:
        services.mark_interest(actor, org, a, c)
    assert refused.value.code == "interest_not_listed"


def test_a_refused_interest_is_explained_in_french(client, login, world):
    a, b = world["a"], world["b"]
    login(client, world["a_person"])
    _mark(client, a, b)
    response = _mark(client, a, b)
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Vous avez déjà marqué votre intérêt pour cette association." in page
    assert _count(Interest) == 1


# --- disclosure -----------------------------------------------------------------------------


def test_list_disclosure_shows_the_interested_association_and_lets_it_answer(client, login, world):
    a, b = world["a"], world["b"]
    _disclose(world, InterestDisclosure.LIST)
    login(client, world["a_person"])
    _mark(client, a, b)
    login(client, world["b_person"])
    page = _text(client.get(_matches_url(b)))
    section = page.split("Associations intéressées par la vôtre", 1)[1]
    assert "Les Amis de Lens" in section
    assert f'action="/ami/reseau/{b.id}/interet/{a.id}"' in section
    assert "Marquer mon intérêt en retour" in section
    _mark(client, b, a)
    assert db.session.scalar(select(Match)).active
    page = _text(client.get(_matches_url(b)))
    assert "Marquer mon intérêt en retour" not in page
    for detail in A_CONTACT:
        assert detail in page


def test_list_disclosure_lets_an_unlisted_interested_association_be_answered(client, login, world):
    a, b = world["a"], world["b"]
    _disclose(world, InterestDisclosure.LIST)
    login(client, world["a_person"])
    _mark(client, a, b)
    _unlist(a)
    login(client, world["b_person"])
    page = _text(client.get(_matches_url(b)))
    assert f'href="/ami/annuaire/{a.id}"' not in page  # no link to an entry that is gone
    _mark(client, b, a)
    assert _count(Match) == 1


def _tokenless(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


def _pages_of(app, association) -> list[str]:
    """Every page of an association's network space that exists by now."""
    urls = [_matches_url(association)]
    for endpoint, url in (
        ("ami.network_home", "/ami/reseau"),
        ("ami.directory", "/ami/annuaire"),
        ("ami.directory_profile_edit", f"/ami/reseau/{association.id}/annuaire"),
        ("ami.network_suggestions", f"/ami/reseau/{association.id}/suggestions"),
        ("ami.cooperations_mine", f"/ami/reseau/{association.id}/cooperations"),
        ("ami.essaimage_mine", f"/ami/reseau/{association.id}/essaimage"),
    ):
        if endpoint in app.view_functions:
            urls.append(url)
    urls.append("/")
    return urls


def test_on_match_disclosure_leaves_no_trace_of_the_interest(client, login, app, world):
    a, b = world["a"], world["b"]
    _disclose(world, InterestDisclosure.ON_MATCH)
    _unlist(a)  # not in the directory: its name could come only from the interest
    login(client, world["b_person"])
    urls = _pages_of(app, b)
    before = {url: client.get(url) for url in urls}
    login(client, world["a_person"])
    client.get(_mark(client, a, b).headers["Location"])  # A reads its flash message
    assert _count(Interest) == 1
    login(client, world["b_person"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == before[url].status_code, url
        page, earlier = _text(response), _text(before[url])
        if "Les Amis de Lens" not in earlier:  # (some forms list every association)
            assert "Les Amis de Lens" not in page, url
        assert _tokenless(page) == _tokenless(earlier), url  # not even a count
    page = _text(client.get(_matches_url(b)))
    assert "seulement si vous marquez aussi votre intérêt" in page
    assert _emails() == []


def test_on_match_disclosure_cannot_be_probed_by_marking_an_unlisted_association(
    client, login, world
):
    a, b = world["a"], world["b"]
    login(client, world["a_person"])
    _mark(client, a, b)
    _unlist(a)
    login(client, world["b_person"])
    response = _mark(client, b, a)
    assert "n'apparaît pas" in _text(client.get(response.headers["Location"]))
    assert _count(Match) == 0
    assert _count(Interest) == 1


def test_an_interest_keeps_the_rule_of_the_call_it_was_marked_under(client, login, world):
    a, b = world["a"], world["b"]
    _disclose(world, InterestDisclosure.LIST)
    login(client, world["a_person"])
    _mark(client, a, b)
    ami.call(world["org"], year=2027)  # the next call, ON_MATCH by default
    login(client, world["b_person"])
    page = _text(client.get(_matches_url(b)))
    assert "Les Amis de Lens" in page.split("Associations intéressées par la vôtre", 1)[1]


# --- bounded queries ------------------------------------------------------------------------


def _crowd(world, start: int, n: int) -> None:
    """`a` matched with n more associations (each with messages), n more waiting interests
    of `a`, n more interests in `a` under a LIST call, n more ended matches."""
    org, a = world["org"], world["a"]
    for i in range(start, start + n):
        other, _person = ami.association_member(org, f"Partenaire {i}")
        network.profile(other)
        match = network.match(org, a, other)
        db.session.add_all(
            NetworkMessage(match_id=match.id, sender_association_id=other.id, body=f"m{j}")
            for j in range(2)
        )
        waiting, _person = ami.association_member(org, f"Attendue {i}")
        network.profile(waiting)
        network.interest(org, a, waiting)
        fan, _person = ami.association_member(org, f"Intéressée {i}")
        network.interest(org, fan, a, call=world["call"])
        ended, _person = ami.association_member(org, f"Ancienne {i}")
        old = network.match(org, a, ended)
        old.ended_at = old.matched_at
    db.session.commit()


def test_the_matches_page_runs_a_bounded_number_of_queries(client, login, world, count_queries):
    _disclose(world, InterestDisclosure.LIST)
    login(client, world["a_person"])

    def measure(n: int) -> int:
        with count_queries() as counter:
            response = client.get(_matches_url(world["a"]))
        assert response.status_code == 200
        page = _text(response)
        assert page.count("2 messages non lus") == n
        assert page.count("Marquer mon intérêt en retour<span") == n
        assert page.count("Relire les messages") == n
        return counter.count

    _crowd(world, 0, 2)
    few = measure(2)
    _crowd(world, 2, 18)
    assert measure(20) == few


def test_two_associations_marking_interest_at_the_same_moment_make_one_match(app, login, org):
    """Each request in its own thread, session and (on PostgreSQL) connection: the pair's rows
    are locked, so the second one sees the first one's interest."""
    from tests.concurrency import run_together

    first, first_person = ami.association_member(org, "Simultanée A")
    second, second_person = ami.association_member(org, "Simultanée B")
    network.profile(first)
    network.profile(second)
    ids = (first.id, second.id)

    def marking(person, mine, other):
        client = app.test_client()
        login(client, person)
        return lambda: client.post(f"/ami/reseau/{mine}/interet/{other}").status_code

    results, failures = run_together(
        [marking(first_person, *ids), marking(second_person, *reversed(ids))]
    )
    assert failures == [] and results == [302, 302]
    db.session.expire_all()
    matches = db.session.scalars(select(Match).where(Match.ended_at.is_(None))).all()
    assert len(matches) == 1
