"""The message thread of a match: who may read and write it, plain text kept as typed and
never rendered as HTML, read receipts and unread counts, the e-mails to the other side (no
flood), the read-only thread of an ended match, rate limits."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ami.network.models import Match, NetworkMessage
from ami.services import associations as association_services
from app.db import db, utcnow
from app.extensions import limiter
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as network

OTHER = "http://carcassonne.test"


@pytest.fixture
def world(org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    a, a_person = ami.association_member(org, "Les Amis de Lens")
    b, b_person = ami.association_member(org, "Solidarité Liévin")
    c, c_person = ami.association_member(org, "Troisième Voie")
    a_person.display_name, b_person.display_name = "Alice Lens", "Bruno Liévin"
    b.contact_email = "contact@solidarite-lievin.fr"
    db.session.commit()
    for association in (a, b, c):
        network.profile(association)
    match = network.match(org, a, b)
    return {
        "org": org,
        "a": a,
        "b": b,
        "c": c,
        "match": match,
        "a_person": a_person,
        "b_person": b_person,
        "c_person": c_person,
        "admin": factories.user(org, Role.ADMIN),
        "citizen": factories.user(org, Role.CITIZEN),
        "stranger": factories.user(other_org, Role.ADMIN),
    }


def _url(association, match) -> str:
    return f"/ami/reseau/{association.id}/mises-en-relation/{match.id}"


def _post(client, association, match, body: str, host: str = ""):
    return client.post(host + _url(association, match), data={"body": body})


def _messages() -> list[NetworkMessage]:
    return list(db.session.scalars(select(NetworkMessage).order_by(NetworkMessage.id)))


def _emails_to(person) -> list[OutboxEmail]:
    return list(
        db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == person.email))
    )


def _match(world) -> Match:
    db.session.expire_all()
    return db.session.get(Match, world["match"].id)


def _say(world, sender, body: str, minutes_ago: float = 0) -> NetworkMessage:
    row = NetworkMessage(
        match_id=world["match"].id,
        sender_association_id=sender.id,
        body=body,
        created_at=utcnow() - timedelta(minutes=minutes_ago),
    )
    db.session.add(row)
    db.session.commit()
    return row


# --- access ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    a, match = world["a"], world["match"]
    for response in (client.get(_url(a, match)), _post(client, a, match, "Bonjour")):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    assert _messages() == []


@pytest.mark.parametrize("who", ["citizen", "c_person", "admin"])
def test_nobody_else_reads_or_writes_the_thread(client, login, world, who):
    a, b, c, match = world["a"], world["b"], world["c"], world["match"]
    _say(world, b, "Notre local est libre le mardi.")
    login(client, world[who])
    for association in (a, b):
        response = client.get(_url(association, match))
        assert response.status_code == 403
        assert "Notre local" not in response.get_data(as_text=True)
        assert _post(client, association, match, "Intrus").status_code == 403
    # through the URL of an association one acts for: the match is not theirs
    response = client.get(_url(c, match))
    assert response.status_code == 403
    assert "Notre local" not in response.get_data(as_text=True)
    assert _post(client, c, match, "Intrus").status_code == 403
    assert [m.body for m in _messages()] == ["Notre local est libre le mardi."]
    assert _match(world).first_read_at is None and _match(world).second_read_at is None


def test_the_epcis_admin_does_not_read_threads(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    _say(world, a, "Entre nous")
    login(client, world["admin"])
    for association in (a, b):
        response = client.get(_url(association, match))
        assert response.status_code == 403
        assert "Entre nous" not in response.get_data(as_text=True)
        assert client.get(f"/ami/reseau/{association.id}/mises-en-relation").status_code == 403


def test_another_organisations_admin_finds_nothing(client, login, world):
    a, match = world["a"], world["match"]
    login(client, world["stranger"], host="carcassonne.test")
    assert client.get(OTHER + _url(a, match)).status_code == 404
    assert _post(client, a, match, "Bonjour", host=OTHER).status_code == 404
    assert _messages() == []


def test_a_match_seen_through_the_wrong_association_is_not_found(client, login, world):
    """Someone acting for A and C asks for A and B's thread under C's address."""
    a, c, match = world["a"], world["c"], world["match"]
    person = factories.user(world["org"], Role.ASSOCIATION_MEMBER, association=a)
    from app.users import services as users

    users.add_role(None, person, Role.ASSOCIATION_MEMBER, association=c)
    db.session.commit()
    login(client, person)
    assert client.get(_url(c, match)).status_code == 404
    assert client.get(f"/ami/reseau/{a.id}/mises-en-relation/999999").status_code == 404


def test_both_associations_read_and_write(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    login(client, world["a_person"])
    assert client.get(_url(a, match)).status_code == 200
    response = _post(client, a, match, "Bonjour de Lens")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_url(a, match) + "#dernier-message")
    login(client, world["b_person"])
    assert client.get(_url(b, match)).status_code == 200
    assert _post(client, b, match, "Bonjour de Liévin").status_code == 302
    rows = _messages()
    assert [(m.sender_association_id, m.author_id, m.body) for m in rows] == [
        (a.id, world["a_person"].id, "Bonjour de Lens"),
        (b.id, world["b_person"].id, "Bonjour de Liévin"),
    ]


def test_a_person_removed_from_the_association_loses_access_at_once(client, login, world):
    a, match = world["a"], world["match"]
    colleague = factories.user(world["org"], Role.ASSOCIATION_MEMBER, association=a)
    login(client, colleague)
    assert client.get(_url(a, match)).status_code == 200
    membership = next(m for m in association_services.people_of(a) if m.user_id == colleague.id)
    association_services.remove_person(world["a_person"], world["org"], a, membership)
    db.session.commit()
    assert client.get(_url(a, match)).status_code == 403
    assert _post(client, a, match, "Encore moi").status_code == 403
    assert client.get(f"/ami/reseau/{a.id}/mises-en-relation").status_code == 403


# --- the page -------------------------------------------------------------------------------


def test_messages_show_in_order_with_sender_author_and_paris_time(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    login(client, world["a_person"])
    _post(client, a, match, "Première ligne\nDeuxième ligne")
    login(client, world["b_person"])
    _post(client, b, match, "Réponse de Liévin")
    first = _messages()[0]
    first.created_at = first.created_at.replace(
        year=2026, month=7, day=14, hour=8, minute=5, second=0, microsecond=0
    )
    db.session.commit()
    page = client.get(_url(b, match)).get_data(as_text=True)
    assert page.index("Première ligne") < page.index("Réponse de Liévin")
    assert "Première ligne\nDeuxième ligne" in page
    assert '<div class="thread__body">Première ligne\nDeuxième ligne</div>' in page
    assert "Les Amis de Lens" in page and "Alice Lens" in page
    assert "Solidarité Liévin" in page and "Bruno Liévin" in page
    assert "14/07/2026 10:05" in page  # 08:05 UTC is 10:05 in Paris in summer
    assert page.count("<h1>") == 1
    assert 'id="dernier-message"' in page
    assert "<textarea" in page


def test_message_bodies_are_stored_as_typed_and_never_rendered_as_html(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    login(client, world["a_person"])
    script = "<script>alert(1)</script>"
    image = "<img src=x onerror=alert(1)>"
    _post(client, a, match, f"  {script}\n{image}  ")
    assert _messages()[0].body == f"{script}\n{image}"
    login(client, world["b_person"])
    page = client.get(_url(b, match)).get_data(as_text=True)
    assert script not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    matches = client.get(f"/ami/reseau/{b.id}/mises-en-relation").get_data(as_text=True)
    assert script not in matches


def test_an_empty_message_is_refused(client, login, world):
    a, match = world["a"], world["match"]
    login(client, world["a_person"])
    response = _post(client, a, match, "   \n  ")
    assert response.status_code == 422
    assert "Écrivez votre message avant de l" in html.unescape(response.get_data(as_text=True))
    assert _messages() == []


def test_a_message_of_2001_characters_is_refused_and_kept_in_the_textarea(client, login, world):
    a, match = world["a"], world["match"]
    login(client, world["a_person"])
    text = "Un long message. " * 117 + "x" * 12  # 2001 characters
    assert len(text) == 2001
    response = _post(client, a, match, text)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Votre message compte plus de 2000 caractères : raccourcissez-le." in page
    assert 'aria-invalid="true"' in page
    assert text.strip() in page.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert _messages() == []
    assert _post(client, a, match, text[:2000]).status_code == 302
    assert len(_messages()[0].body) == 2000


def test_a_refused_message_does_not_mark_read_messages_as_new(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    _say(world, b, "Déjà lu", minutes_ago=1)
    login(client, world["a_person"])
    assert ">nouveau<" in client.get(_url(a, match)).get_data(as_text=True)
    response = _post(client, a, match, "x" * 2001)
    assert response.status_code == 422
    assert ">nouveau<" not in response.get_data(as_text=True)


def test_line_breaks_sent_by_a_browser_count_as_one_character(client, login, world):
    a, match = world["a"], world["match"]
    login(client, world["a_person"])
    text = "\r\n".join(["x" * 99] * 20)  # 1999 characters as typed, 2018 as sent
    assert _post(client, a, match, text).status_code == 302
    assert _messages()[0].body == text.replace("\r\n", "\n")


# --- read receipts, unread counts, e-mails --------------------------------------------------


def test_reading_the_thread_clears_the_unread_count(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    matches = f"/ami/reseau/{a.id}/mises-en-relation"
    first_is_a = match.first_association_id == a.id
    _say(world, b, "Un", minutes_ago=2)
    _say(world, b, "Deux", minutes_ago=1)
    _say(world, a, "Le mien ne compte pas", minutes_ago=1)
    login(client, world["a_person"])
    assert "2 messages non lus" in client.get(matches).get_data(as_text=True)
    page = client.get(_url(a, match)).get_data(as_text=True)
    assert page.count(">nouveau<") == 2
    row = _match(world)
    mine_read = row.first_read_at if first_is_a else row.second_read_at
    theirs_read = row.second_read_at if first_is_a else row.first_read_at
    assert mine_read is not None and theirs_read is None
    assert "non lu" not in client.get(matches).get_data(as_text=True)
    assert ">nouveau<" not in client.get(_url(a, match)).get_data(as_text=True)
    _say(world, b, "Trois")
    assert "1 message non lu" in client.get(matches).get_data(as_text=True)


def test_a_new_message_emails_the_other_side_once_per_exchange(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    b_colleague = factories.user(world["org"], Role.ASSOCIATION_MEMBER, association=b)
    login(client, world["a_person"])
    _post(client, a, match, "Premier message, confidentiel")
    for person in (world["b_person"], b_colleague):
        (email,) = _emails_to(person)
        assert email.subject == "Nouveau message de Les Amis de Lens"
        assert _url(b, match) in email.body_text
        assert "confidentiel" not in email.body_text  # the message stays on the platform
    assert _emails_to(world["a_person"]) == []
    _post(client, a, match, "Deuxième, avant qu'ils aient lu")
    assert len(_emails_to(world["b_person"])) == 1  # no flood
    login(client, world["b_person"])
    client.get(_url(b, match))
    login(client, world["a_person"])
    _post(client, a, match, "Troisième, après leur lecture")
    assert len(_emails_to(world["b_person"])) == 2
    assert len(_emails_to(b_colleague)) == 2
    login(client, world["b_person"])
    _post(client, b, match, "Réponse")
    assert len(_emails_to(world["a_person"])) == 1


def test_the_page_runs_a_bounded_number_of_queries(client, login, world, count_queries):
    a, b, match = world["a"], world["b"], world["match"]
    login(client, world["a_person"])

    def measure() -> int:
        with count_queries() as counter:
            assert client.get(_url(a, match)).status_code == 200
        return counter.count

    for n in range(2):
        _say(world, a if n % 2 else b, f"message {n}")
    few = measure()
    for n in range(18):
        _say(world, a if n % 2 else b, f"message {n}")
    assert measure() == few


# --- an ended match -------------------------------------------------------------------------


def test_the_thread_of_an_ended_match_is_read_only_without_contacts(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    _say(world, b, "Avant la fin")
    login(client, world["a_person"])
    assert "contact@solidarite-lievin.fr" in client.get(_url(a, match)).get_data(as_text=True)
    client.post(f"/ami/reseau/{a.id}/interet/{b.id}/retirer", data={"next": "/"})
    page = html.unescape(client.get(_url(a, match)).get_data(as_text=True))
    assert "Avant la fin" in page
    assert "Cette mise en relation a pris fin" in page
    assert "<textarea" not in page
    assert "contact@solidarite-lievin.fr" not in page
    response = _post(client, a, match, "Après la fin")
    assert response.status_code == 302
    assert "ne pouvez plus y envoyer" in html.unescape(
        client.get(response.headers["Location"]).get_data(as_text=True)
    )
    assert [m.body for m in _messages()] == ["Avant la fin"]


def test_withdrawing_from_the_thread_page_goes_back_to_the_matches_page(client, login, world):
    a, b, match = world["a"], world["b"], world["match"]
    login(client, world["a_person"])
    page = client.get(_url(a, match)).get_data(as_text=True)
    action = f'action="/ami/reseau/{a.id}/interet/{b.id}/retirer"'
    assert action in page
    matches = f"/ami/reseau/{a.id}/mises-en-relation"
    form = page.split(action, 1)[1].split("</form>", 1)[0]
    assert f'name="next" value="{matches}"' in form
    response = client.post(f"/ami/reseau/{a.id}/interet/{b.id}/retirer", data={"next": matches})
    assert response.headers["Location"].endswith(matches)
    assert not _match(world).active
    assert "a pris fin" in html.unescape(client.get(matches).get_data(as_text=True))


# --- rate limit -----------------------------------------------------------------------------


@pytest.fixture
def rate_limited(app):
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


def test_messages_are_rate_limited_per_person(client, login, world, rate_limited):
    a, b, match = world["a"], world["b"], world["match"]
    login(client, world["a_person"])
    statuses = [_post(client, a, match, f"Message {n}").status_code for n in range(11)]
    assert statuses == [302] * 10 + [429]
    assert client.get(_url(a, match)).status_code == 200  # reading is not limited
    login(client, world["b_person"])
    assert _post(client, b, match, "Chacun son compte").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(NetworkMessage)) == 11


# --- forgery --------------------------------------------------------------------------------


def test_the_forms_carry_their_csrf_token(client, login, world, csrf_on):
    import re

    a, b, match = world["a"], world["b"], world["match"]
    login(client, world["a_person"])
    page = client.get(_url(a, match)).get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert len(tokens) >= 3  # the language switch, the message, the withdrawal
    assert _post(client, a, match, "Sans jeton").status_code == 400
    withdraw = f"/ami/reseau/{a.id}/interet/{b.id}/retirer"
    assert client.post(withdraw, data={"next": "/"}).status_code == 400
    assert _messages() == [] and _match(world).active
    data = {"body": "Avec jeton", "csrf_token": tokens[-1]}
    assert client.post(_url(a, match), data=data).status_code == 302
    assert [m.body for m in _messages()] == ["Avec jeton"]
    matches = client.get(f"/ami/reseau/{a.id}/mises-en-relation").get_data(as_text=True)
    assert 'name="csrf_token"' in matches
