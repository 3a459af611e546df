"""Personal API tokens in the profile: create (shown once), list, revoke; CSRF; rules."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.db import db
from app.users.models import Role
from opendata import rules
from opendata.models import ApiToken
from tests import factories

PAGE = "/compte/jetons-api/"


@pytest.fixture
def person(org):
    return factories.user(org, Role.CITIZEN)


def test_anonymous_is_sent_to_the_login_page(client, org):
    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE, data={"name": "x"}).status_code == 302
    assert client.post(f"{PAGE}1/revoquer").status_code == 302


def test_the_account_page_links_to_the_tokens(client, person, login):
    login(client, person)
    assert PAGE.encode() in client.get("/compte").data


def test_a_new_token_is_shown_once_and_stored_hashed(client, person, login):
    login(client, person)
    response = client.post(PAGE, data={"name": "Tableau de bord SIG"})
    assert response.status_code == 201
    secret = re.search(rb'value="(cct_[^"]+)"', response.data).group(1).decode()
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == rules.token_hash(secret) and secret not in token.token_hash
    assert token.prefix == secret[:12] and token.name == "Tableau de bord SIG"
    listing = client.get(PAGE)
    assert secret.encode() not in listing.data
    assert token.prefix.encode() in listing.data and b"Tableau de bord SIG" in listing.data
    # the token works on the API
    api = client.get("/api/v1/saisines", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


def test_a_token_needs_a_name_and_keeps_what_was_typed(client, person, login):
    login(client, person)
    response = client.post(PAGE, data={"name": "   "})
    assert response.status_code == 400
    assert "Donnez un nom à ce jeton.".encode() in response.data
    long = client.post(PAGE, data={"name": "x" * 101})
    assert long.status_code == 400 and b'value="' + b"x" * 101 in long.data
    assert db.session.scalar(select(ApiToken)) is None


def test_a_person_revokes_their_token_and_the_api_refuses_it(client, person, login):
    login(client, person)
    response = client.post(PAGE, data={"name": "Essai"})
    secret = re.search(rb'value="(cct_[^"]+)"', response.data).group(1).decode()
    token = db.session.scalar(select(ApiToken))
    revoked = client.post(f"{PAGE}{token.id}/revoquer", follow_redirects=True)
    assert "révoqué".encode() in revoked.data
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    api = client.get("/api/v1/communes", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_nobody_revokes_or_sees_another_persons_token(client, org, person, login):
    from app.db import utcnow
    from opendata import services

    admin = factories.user(org, Role.ADMIN)
    token, _secret = services.create_token(admin, "Outil de l'agent", utcnow())
    db.session.commit()
    login(client, person)
    assert b"Outil de l'agent" not in client.get(PAGE).data
    assert client.post(f"{PAGE}{token.id}/revoquer").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_create_and_revoke_need_the_csrf_token(client, person, login, csrf_on):
    login(client, person)
    assert client.post(PAGE, data={"name": "Sans jeton CSRF"}).status_code == 400
    assert db.session.scalar(select(ApiToken)) is None
    page = client.get(PAGE).data.decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    created = client.post(PAGE, data={"name": "Avec", "csrf_token": csrf})
    assert created.status_code == 201
    token = db.session.scalar(select(ApiToken))
    assert client.post(f"{PAGE}{token.id}/revoquer").status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None
    client.post(f"{PAGE}{token.id}/revoquer", data={"csrf_token": csrf})
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_the_api_reads_bearer_tokens_without_csrf(client, org, person, csrf_on):
    from app.db import utcnow
    from opendata import services

    _token, secret = services.create_token(person, "x", utcnow())
    db.session.commit()
    response = client.get("/api/v1/communes", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_bearer_header_parsing():
    assert rules.bearer_token(None) is None
    assert rules.bearer_token("Bearer abc") == "abc"
    assert rules.bearer_token("bearer   abc ") == "abc"
    assert rules.bearer_token("Basic abc") == ""
    assert rules.bearer_token("Bearer") == ""
    assert rules.bearer_token("Bearer a b") == ""
    assert rules.bearer_token("Bearer " + "x" * 201) == ""


def test_tokens_are_random_prefixed_and_compared_by_hash():
    first, second = rules.new_token(), rules.new_token()
    assert first != second and first.startswith("cct_") and len(first) > 40
    assert rules.same_hash(rules.token_hash(first), first)
    assert not rules.same_hash(rules.token_hash(first), second)


@pytest.mark.parametrize(
    "args, expected",
    [({}, (1, 50)), ({"page": "3", "per_page": "200"}, (3, 200)), ({"page": ""}, (1, 50))],
)
def test_paging_reads_bounded_integers(args, expected):
    paging = rules.paging(args)
    assert (paging.page, paging.per_page) == expected


@pytest.mark.parametrize(
    "args", [{"page": "0"}, {"per_page": "201"}, {"page": "٣"}, {"page": "1.5"}]
)
def test_paging_refuses_what_is_out_of_bounds(args):
    with pytest.raises(rules.ParameterError):
        rules.paging(args)


def test_one_person_holds_at_most_twenty_live_tokens(org, person):
    from app.db import utcnow
    from opendata import services

    for n in range(services.MAX_ACTIVE_TOKENS):
        services.create_token(person, f"t{n}", utcnow())
    with pytest.raises(services.TokenError):
        services.create_token(person, "one too many", utcnow())
