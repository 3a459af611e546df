"""Associations: sign-up, profile, people, the EPCI's list."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ami.models import Association
from ami.permissions import association_ids
from ami.services import associations as services
from ami.services.common import AmiError
from app.audit.models import AuditEntry
from app.db import db
from app.mail.models import OutboxEmail
from app.users.models import Membership, Role, User
from tests import factories
from tests.ami import factories as ami

OTHER = "http://carcassonne.test"
VALID_SIRET = "73282932000074"  # Luhn-valid
VALID_RNA = "W623001234"


@pytest.fixture
def world(org):
    admin = factories.user(org, Role.ADMIN)
    citizen = factories.user(org, Role.CITIZEN)
    association, member = ami.association_member(org, "Les Amis de Lens")
    other_association, other_member = ami.association_member(org, "Autre association")
    themes = ami.themes(org)
    qpv = ami.qpv(org, commune=org.communes[0])
    return {
        "admin": admin,
        "citizen": citizen,
        "member": member,
        "other_member": other_member,
        "association": association,
        "other_association": other_association,
        "themes": themes,
        "qpv": qpv,
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def _emails_to(address: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)))


def _association_form(world, **overrides) -> dict:
    data = {
        "name": "Solidarité Liévin",
        "rna_number": "w 623 001 234",
        "siret": "732 829 320 00074",
        "address": "1 rue de la Gare",
        "postal_code": "62800",
        "commune_id": "",
        "contact_name": "Camille Martin",
        "contact_email": "contact@solidarite.fr",
        "contact_phone": "03 21 00 00 00",
        "theme_ids": [str(world["themes"][0].id)],
        "qpv_ids": [str(world["qpv"].id)],
        "presentation": "Nous accompagnons les jeunes du quartier.",
    }
    data.update(overrides)
    return data


def _signup_form(world, **overrides) -> dict:
    data = _association_form(world)
    data.update(
        {
            "display_name": "Camille Martin",
            "email": "camille@example.fr",
            "password": "une phrase assez longue",
            "confirm": "une phrase assez longue",
        }
    )
    data.update(overrides)
    return data


# --- sign-up ----------------------------------------------------------------------------------


def test_signup_creates_the_association_and_an_unconfirmed_account(client, world):
    assert client.get("/ami/associations/inscription").status_code == 200
    response = client.post("/ami/associations/inscription", data=_signup_form(world))
    assert response.status_code == 200
    assert "Confirmez votre adresse" in _text(response)
    association = db.session.scalar(
        select(Association).where(Association.name == "Solidarité Liévin")
    )
    assert association.rna_number == VALID_RNA
    assert association.siret == VALID_SIRET
    assert [t.id for t in association.themes] == [world["themes"][0].id]
    assert [q.id for q in association.qpvs] == [world["qpv"].id]
    assert association.commune_id is None
    person = db.session.scalar(select(User).where(User.email == "camille@example.fr"))
    assert person.email_confirmed_at is None
    assert association_ids(person) == {association.id}
    assert len(_emails_to("camille@example.fr")) == 1
    assert _audits("ami.association.create") == 1


def test_signed_in_citizen_registers_an_association_without_a_new_account(
    client, login, world, org
):
    login(client, world["citizen"])
    page = _text(client.get("/ami/associations/inscription"))
    assert 'name="password"' not in page
    commune = org.communes[1]
    response = client.post(
        "/ami/associations/inscription", data=_association_form(world, commune_id=commune.id)
    )
    assert response.status_code == 302
    association = db.session.scalar(
        select(Association).where(Association.name == "Solidarité Liévin")
    )
    assert association.commune_id == commune.id
    db.session.expire_all()
    citizen = db.session.get(User, world["citizen"].id)
    assert association_ids(citizen) == {association.id}
    assert citizen.has_role(Role.CITIZEN)
    assert db.session.scalar(select(func.count()).select_from(User)) == 4


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rna_number": "", "siret": ""}, "Indiquez le numéro RNA ou le SIRET"),
        (
            {"rna_number": "X123456789", "siret": ""},
            "commence par la lettre W suivie de 9 chiffres",
        ),
        ({"rna_number": "", "siret": "1234"}, "Le SIRET compte exactement 14 chiffres"),
        ({"rna_number": "", "siret": "73282932000075"}, "sa clé de contrôle ne correspond pas"),
        ({"postal_code": "6280"}, "Le code postal compte 5 chiffres"),
        ({"presentation": "x" * 1001}, "1000 caractères au plus"),
        ({"password": "court", "confirm": "court"}, "au moins 12 caractères"),
    ],
)
def test_signup_errors_are_in_french_and_keep_what_was_typed(client, world, overrides, message):
    response = client.post("/ami/associations/inscription", data=_signup_form(world, **overrides))
    assert response.status_code == 422
    text = _text(response)
    assert message in text
    assert "Solidarité Liévin" in text
    assert "1 rue de la Gare" in text
    assert "camille@example.fr" in text
    assert "Nous accompagnons" in text or "xxxx" in text
    assert f'value="{world["themes"][0].id}" checked' in text or "checked" in text
    assert db.session.scalar(select(func.count()).select_from(Association)) == 2


def test_rna_alone_or_siret_alone_is_enough(client, world):
    response = client.post("/ami/associations/inscription", data=_signup_form(world, siret=""))
    assert response.status_code == 200
    response = client.post(
        "/ami/associations/inscription",
        data=_signup_form(world, name="Deuxième", rna_number="", email="autre@example.fr"),
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Association)) == 4


def test_duplicate_association_name_suggests_an_invitation(client, world):
    response = client.post(
        "/ami/associations/inscription", data=_signup_form(world, name="les amis de lens")
    )
    assert response.status_code == 422
    assert "demandez à l" in _text(response)
    assert db.session.scalar(select(func.count()).select_from(Association)) == 2


def test_signup_with_a_known_address_creates_nothing_and_tells_the_owner(client, world):
    email = world["citizen"].email
    response = client.post("/ami/associations/inscription", data=_signup_form(world, email=email))
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Association)) == 2
    assert len(_emails_to(email)) == 1


def test_signup_is_rate_limited(client, world):
    from app.extensions import limiter

    limiter.enabled = True
    try:
        limiter.reset()
        codes = [
            client.post("/ami/associations/inscription", data={"name": ""}).status_code
            for _ in range(7)
        ]
    finally:
        limiter.enabled = False
    assert 429 in codes


# --- profile and people -----------------------------------------------------------------------

PAGES = ("/ami/associations/{id}/profil", "/ami/associations/{id}/personnes")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("citizen", 403), ("other_member", 403), ("member", 200), ("admin", 200)],
)
def test_association_pages_answer_each_role(client, login, world, who, expected):
    if who != "anonymous":
        login(client, world[who])
    for url in PAGES:
        response = client.get(url.format(id=world["association"].id))
        assert response.status_code == expected, (url, who)


def test_another_organisations_admin_finds_no_association(client, login, world, other_org):
    stranger = factories.user(other_org, Role.ADMIN)
    login(client, stranger, host="carcassonne.test")
    association = world["association"]
    for url in PAGES:
        assert client.get(OTHER + url.format(id=association.id)).status_code == 404
    response = client.post(
        OTHER + f"/ami/associations/{association.id}/personnes/retirer", data={"membership_id": 1}
    )
    assert response.status_code == 404
    assert association.name not in _text(client.get(OTHER + "/ami/gestion/associations"))


def test_member_edits_the_profile(client, login, world):
    login(client, world["member"])
    association = world["association"]
    url = f"/ami/associations/{association.id}/profil"
    response = client.post(url, data=_association_form(world, name="Les Amis de Lens", siret=""))
    assert response.status_code == 302
    db.session.expire_all()
    association = db.session.get(Association, association.id)
    assert association.rna_number == VALID_RNA and association.siret is None
    assert association.contact_email == "contact@solidarite.fr"
    assert _audits("ami.association.update") == 1


def test_profile_errors_keep_what_was_typed(client, login, world):
    login(client, world["member"])
    url = f"/ami/associations/{world['association'].id}/profil"
    response = client.post(url, data=_association_form(world, name="Autre association"))
    assert response.status_code == 422
    assert "demandez à l" in _text(response)
    assert "1 rue de la Gare" in _text(response)
    response = client.post(
        url, data=_association_form(world, siret="73282932000075", rna_number="")
    )
    assert response.status_code == 422
    assert "clé de contrôle" in _text(response)


def test_member_invites_a_new_person(client, login, world):
    login(client, world["member"])
    association = world["association"]
    response = client.post(
        f"/ami/associations/{association.id}/personnes",
        data={"display_name": "Dominique", "email": "dominique@example.fr"},
    )
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "dominique@example.fr"))
    assert association_ids(person) == {association.id}
    assert len(_emails_to("dominique@example.fr")) == 1
    assert _audits("ami.association.invite") == 1
    page = _text(client.get(f"/ami/associations/{association.id}/personnes"))
    assert "Dominique" in page and "Invitation envoyée" in page


def test_inviting_an_existing_account_tells_them(client, login, world):
    login(client, world["member"])
    association = world["association"]
    citizen = world["citizen"]
    client.post(
        f"/ami/associations/{association.id}/personnes",
        data={"display_name": "X", "email": citizen.email},
    )
    db.session.expire_all()
    assert association_ids(db.session.get(User, citizen.id)) == {association.id}
    emails = _emails_to(citizen.email)
    assert len(emails) == 1 and "Les Amis de Lens" in emails[0].subject


def test_invite_errors_keep_what_was_typed(client, login, world):
    login(client, world["member"])
    response = client.post(
        f"/ami/associations/{world['association'].id}/personnes",
        data={"display_name": "Dominique", "email": "pas-une-adresse"},
    )
    assert response.status_code == 422
    assert "Dominique" in _text(response) and "pas-une-adresse" in _text(response)


def _membership(user, association) -> Membership:
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.association_id == association.id
        )
    )


def test_the_last_person_cannot_remove_themself(client, login, world):
    member, association = world["member"], world["association"]
    login(client, member)
    response = client.post(
        f"/ami/associations/{association.id}/personnes/retirer",
        data={"membership_id": _membership(member, association).id},
        follow_redirects=True,
    )
    assert "dernière personne" in _text(response)
    assert _membership(member, association) is not None


def test_member_removes_another_person(client, login, world, org):
    member, association = world["member"], world["association"]
    second = factories.user(org, Role.ASSOCIATION_MEMBER, association=association)
    login(client, member)
    response = client.post(
        f"/ami/associations/{association.id}/personnes/retirer",
        data={"membership_id": _membership(second, association).id},
    )
    assert response.status_code == 302
    assert _membership(second, association) is None
    assert _audits("ami.association.remove_person") == 1


def test_a_member_of_another_association_cannot_remove_people(client, login, world):
    association = world["association"]
    login(client, world["other_member"])
    response = client.post(
        f"/ami/associations/{association.id}/personnes/retirer",
        data={"membership_id": _membership(world["member"], association).id},
    )
    assert response.status_code == 403


def test_membership_of_another_association_is_not_found(client, login, world):
    login(client, world["member"])
    other = _membership(world["other_member"], world["other_association"])
    response = client.post(
        f"/ami/associations/{world['association'].id}/personnes/retirer",
        data={"membership_id": other.id},
    )
    assert response.status_code == 404


# --- the EPCI's list --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("citizen", 403), ("member", 403), ("admin", 200)],
)
def test_admin_list_answers_each_role(client, login, world, who, expected):
    if who != "anonymous":
        login(client, world[who])
    assert client.get("/ami/gestion/associations").status_code == expected


def test_admin_list_marks_identifiers_and_searches(client, login, world):
    association = world["association"]
    association.rna_number = VALID_RNA
    association.siret = "73282932000075"
    db.session.commit()
    login(client, world["admin"])
    text = _text(client.get("/ami/gestion/associations"))
    assert "Les Amis de Lens" in text and "Autre association" in text
    assert "valide" in text and "invalide" in text
    text = _text(client.get("/ami/gestion/associations?q=amis"))
    assert "Les Amis de Lens" in text and "Autre association" not in text


def test_admin_list_has_bounded_queries(client, login, world, org, count_queries):
    login(client, world["admin"])
    call = ami.call(org)

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/ami/gestion/associations").status_code == 200
        return counter.count

    first = measure()
    for n in range(12):
        association, _person = ami.association_member(org, f"Association n°{n}")
        association.themes = world["themes"][:2]
        association.qpvs = [world["qpv"]]
        association.commune_id = org.communes[n].id
        db.session.commit()
        ami.application(call, association)
    assert measure() == first


# --- services ---------------------------------------------------------------------------------


def test_service_refuses_a_duplicate_name(world, org):
    data = services.AssociationData(name="LES AMIS DE LENS", rna_number=VALID_RNA)
    with pytest.raises(AmiError) as caught:
        services.register_association(world["citizen"], org, data)
    assert caught.value.code == "association_name_taken"


def test_admin_may_remove_the_last_person(world, org):
    association, member = world["association"], world["member"]
    services.remove_person(world["admin"], org, association, _membership(member, association))
    assert services.people_of(association) == []


def test_signup_refuses_a_post_without_csrf_token(client, world, csrf_on):
    assert 'name="csrf_token"' in _text(client.get("/ami/associations/inscription"))
    response = client.post("/ami/associations/inscription", data=_signup_form(world))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Association)) == 2
