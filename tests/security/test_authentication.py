"""Passwords (length, common ones) and no account enumeration through the sign-in pages."""

import pytest
from sqlalchemy import select

from app.db import db
from app.mail.models import OutboxEmail
from app.users.models import Role
from app.users.passwords import MIN_LENGTH, common_passwords, is_common, password_problem
from tests import factories
from tests.conftest import _clean_database  # noqa: F401  (these tests write: cleared after each)
from tests.factories import PASSWORD


def test_the_common_password_list_is_the_large_public_one():
    passwords = common_passwords()
    assert len(passwords) >= 10_000
    assert {"123456", "password", "azerty", "qwerty123456", "motdepasse"} <= passwords


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Azerty123456",
        "qwerty123456",
        "Dragon2026!!",
        "aaaaaaaaaaaa",
        "abababababab",
    ],
)
def test_common_and_patterned_passwords_are_refused(password):
    assert is_common(password)
    assert password_problem(password) == "too_common"


@pytest.mark.parametrize(
    "password", ["correct-horse-battery", "une phrase de passe toute neuve", "Vélo#Liévin-1962"]
)
def test_uncommon_passwords_of_the_minimum_length_are_accepted(password):
    assert password_problem(password) is None


def test_passwords_shorter_than_the_minimum_are_refused():
    assert MIN_LENGTH == 12
    assert password_problem("x7#kQ2!mZp9") == "too_short"


def test_sign_up_with_a_common_password_says_why_next_to_the_field_and_keeps_the_rest(client, org):
    response = client.post(
        "/inscription",
        data={
            "display_name": "Camille Martin",
            "email": "camille@example.fr",
            "password": "password1234",
            "confirm": "password1234",
        },
    )
    assert response.status_code == 200
    assert "fait partie des plus courants" in response.text
    assert (
        'value="Camille Martin"' in response.text and 'value="camille@example.fr"' in response.text
    )


def test_a_common_password_is_refused_when_changing_it(client, org, login):
    user = factories.user(org, Role.CITIZEN)
    login(client, user)
    response = client.post(
        "/compte",
        data={
            "password-current": PASSWORD,
            "password-password": "qwerty123456",
            "password-confirm": "qwerty123456",
            "password-submit": "1",
        },
    )
    assert response.status_code == 200 and "fait partie des plus courants" in response.text


def test_a_short_password_is_refused_at_sign_up(client, org):
    response = client.post(
        "/inscription",
        data={
            "display_name": "Camille",
            "email": "camille@example.fr",
            "password": "Vélo#Liévin",
            "confirm": "Vélo#Liévin",
        },
    )
    assert response.status_code == 200 and "au moins 12 caractères" in response.text


def _page_text(response) -> str:
    """The answer without what differs by nature between two requests (tokens, ids)."""
    import re

    return re.sub(r'value="[^"]*"|[0-9a-f]{32}', "", response.text)


def test_login_answers_the_same_for_an_unknown_account_and_a_wrong_password(client, org):
    user = factories.user(org, Role.CITIZEN, email="connu@example.fr")
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "inconnu@example.fr", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 200
    assert _page_text(wrong) == _page_text(unknown)


def test_password_reset_answers_the_same_whether_the_account_exists(client, org):
    factories.user(org, Role.CITIZEN, email="connu@example.fr")
    known = client.post("/mot-de-passe/oubli", data={"email": "connu@example.fr"})
    unknown = client.post("/mot-de-passe/oubli", data={"email": "inconnu@example.fr"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert client.get(known.headers["Location"]).status_code == 200


def test_sign_up_answers_the_same_whether_the_account_exists_and_mails_its_owner(client, org):
    factories.user(org, Role.CITIZEN, email="connu@example.fr")

    def sign_up(email):
        return client.post(
            "/inscription",
            data={
                "display_name": "Quelqu'un",
                "email": email,
                "password": "correct-horse-battery",
                "confirm": "correct-horse-battery",
            },
        )

    existing, new = sign_up("connu@example.fr"), sign_up("nouveau@example.fr")
    assert existing.status_code == new.status_code == 200
    assert _page_text(existing).replace("connu@", "X@") == _page_text(new).replace("nouveau@", "X@")
    recipients = db.session.scalars(select(OutboxEmail.to_address)).all()
    assert sorted(recipients) == ["connu@example.fr", "nouveau@example.fr"]
