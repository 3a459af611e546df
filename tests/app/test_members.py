"""The admin's members page: list, invitations, roles, deactivation; the `user create` command."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.db import db
from app.mail.models import OutboxEmail
from app.organisations.queries import commune_by_insee
from app.users.models import Membership, Role, User
from tests import factories


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


def test_member_list_shows_people_with_their_roles(client, org, admin, login):
    factories.user(org, Role.MAYOR, commune="62510", name="Maire de Liévin")
    login(client, admin)
    response = client.get("/admin/membres/")
    assert response.status_code == 200
    assert "Maire de Liévin" in response.text and "Liévin" in response.text
    assert "2 membres" in response.text


def test_member_list_filters_by_role_commune_status_and_search(client, org, admin, login):
    factories.user(org, Role.MAYOR, commune="62510", name="Maire de Liévin")
    factories.user(org, Role.MAYOR, commune="62498", name="Maire de Lens")
    factories.user(org, Role.CITIZEN, name="Habitante", active=False)
    login(client, admin)
    lievin = commune_by_insee(org, "62510")
    by_role = client.get("/admin/membres/?role=mayor").text
    assert "Maire de Lens" in by_role and "Habitante" not in by_role
    by_commune = client.get(f"/admin/membres/?commune={lievin.id}").text
    assert "Maire de Liévin" in by_commune and "Maire de Lens" not in by_commune
    inactive = client.get("/admin/membres/?status=inactive").text
    assert "Habitante" in inactive and "Maire de Lens" not in inactive
    searched = client.get("/admin/membres/?q=lens").text
    assert "Maire de Lens" in searched and "Maire de Liévin" not in searched


@pytest.mark.parametrize(
    "role",
    [None, Role.MAYOR, Role.COMMUNE_STAFF, Role.CITIZEN, Role.VICE_PRESIDENT, Role.JURY_MEMBER],
)
def test_member_pages_are_for_admins_only(client, org, login, role):
    target = factories.user(org, Role.CITIZEN)
    if role is None:
        assert client.get("/admin/membres/").status_code == 302
        assert client.post(f"/admin/membres/{target.id}/activation").status_code == 302
        return
    login(client, factories.user(org, role))
    assert client.get("/admin/membres/").status_code == 403
    assert client.get("/admin/membres/inviter").status_code == 403
    assert client.get(f"/admin/membres/{target.id}").status_code == 403
    assert (
        client.post(f"/admin/membres/{target.id}/activation", data={"active": "0"}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/membres/{target.id}/roles", data={"role": "admin"}).status_code == 403
    )
    db.session.refresh(target)
    assert target.active and target.roles == {Role.CITIZEN}


def test_admin_invites_a_mayor_for_a_commune(client, org, admin, login):
    login(client, admin)
    avion = commune_by_insee(org, "62065")
    response = client.post(
        "/admin/membres/inviter",
        data={
            "email": "maire@avion.fr",
            "display_name": "Maire d'Avion",
            "role": "mayor",
            "commune_id": str(avion.id),
        },
    )
    assert response.status_code == 302
    invited = db.session.scalar(select(User).where(User.email == "maire@avion.fr"))
    assert invited.password_hash is None
    assert invited.has_role(Role.MAYOR, avion)
    email = db.session.scalar(select(OutboxEmail))
    assert email.to_address == "maire@avion.fr"
    assert "Avion" in email.body_text and "/invitation/" in email.body_text
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"member.invite", "member.role_add"} <= actions
    detail = client.get(response.headers["Location"])
    assert "Invitation en attente" in detail.text


def test_inviting_a_mayor_without_a_commune_keeps_the_form(client, org, admin, login):
    login(client, admin)
    response = client.post(
        "/admin/membres/inviter",
        data={"email": "maire@avion.fr", "display_name": "Maire d'Avion", "role": "mayor"},
    )
    assert response.status_code == 200
    assert "Choisissez la commune pour ce rôle." in response.text
    assert 'value="maire@avion.fr"' in response.text
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_a_new_mayor_replaces_the_previous_one(client, org, admin, login):
    old = factories.user(org, Role.MAYOR, commune="62510")
    login(client, admin)
    lievin = commune_by_insee(org, "62510")
    client.post(
        "/admin/membres/inviter",
        data={
            "email": "nouveau@lievin.fr",
            "display_name": "Nouveau maire",
            "role": "mayor",
            "commune_id": str(lievin.id),
        },
    )
    db.session.refresh(old)
    assert not old.has_role(Role.MAYOR)
    mayors = db.session.scalars(
        select(Membership).where(Membership.role == Role.MAYOR, Membership.commune_id == lievin.id)
    ).all()
    assert [m.user.email for m in mayors] == ["nouveau@lievin.fr"]


def test_admin_cannot_give_a_commune_of_another_organisation(client, org, other_org, admin, login):
    from app.organisations.services import add_host

    add_host(org, "localhost")
    db.session.commit()
    login(client, admin)
    carcassonne = commune_by_insee(other_org, "11069")
    response = client.post(
        "/admin/membres/inviter",
        data={
            "email": "x@example.fr",
            "display_name": "X",
            "role": "mayor",
            "commune_id": str(carcassonne.id),
        },
    )
    assert response.status_code == 200
    assert (
        db.session.scalar(
            select(func.count(Membership.id)).where(Membership.commune_id == carcassonne.id)
        )
        == 0
    )


def test_admin_adds_and_removes_roles(client, org, admin, login):
    person = factories.user(org, Role.CITIZEN)
    login(client, admin)
    lens = commune_by_insee(org, "62498")
    added = client.post(
        f"/admin/membres/{person.id}/roles",
        data={"role": "commune_staff", "commune_id": str(lens.id)},
    )
    assert added.status_code == 302
    db.session.refresh(person)
    assert person.has_role(Role.COMMUNE_STAFF, lens) and person.has_role(Role.CITIZEN)
    citizen = next(m for m in person.memberships if m.role == Role.CITIZEN)
    removed = client.post(f"/admin/membres/{person.id}/roles/{citizen.id}/retirer")
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).roles == {Role.COMMUNE_STAFF}


def test_association_member_role_is_tied_to_an_association(client, org, admin, login):
    association = factories.association(org, "Femmes et quartiers")
    person = factories.user(org)
    login(client, admin)
    refused = client.post(f"/admin/membres/{person.id}/roles", data={"role": "association_member"})
    assert refused.status_code == 400
    client.post(
        f"/admin/membres/{person.id}/roles",
        data={"role": "association_member", "association_id": str(association.id)},
    )
    db.session.refresh(person)
    assert [m.association_id for m in person.memberships] == [association.id]
    assert "Femmes et quartiers" in client.get(f"/admin/membres/{person.id}").text


def test_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(
    client, org, admin, login
):
    login(client, admin)
    membership = admin.memberships[0]
    client.post(f"/admin/membres/{admin.id}/roles/{membership.id}/retirer")
    client.post(f"/admin/membres/{admin.id}/activation", data={"active": "0"})
    db.session.refresh(admin)
    assert admin.is_admin and admin.active


def test_deactivation_ends_the_sessions_and_blocks_login(client, org, admin, login, app):
    person = factories.user(org, Role.MAYOR, commune="62510")
    their_client = app.test_client()
    login(their_client, person)
    assert their_client.get("/compte").status_code == 200
    login(client, admin)
    client.post(f"/admin/membres/{person.id}/activation", data={"active": "0"})
    assert their_client.get("/compte").status_code == 302
    db.session.refresh(person)
    assert not person.active
    client.post(f"/admin/membres/{person.id}/activation", data={"active": "1"})
    db.session.refresh(person)
    assert person.active


def test_resend_invitation_replaces_the_link(client, org, admin, login, app):
    from app.users import services

    with app.test_request_context():
        invited = services.invite(admin, org, "x@example.fr", "X", Role.VICE_PRESIDENT)
    db.session.commit()
    login(client, admin)
    client.post(f"/admin/membres/{invited.id}/invitation")
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert len(emails) == 2
    first_link = emails[0].body_text.split("http://localhost")[1].split()[0]
    assert client.get(first_link).status_code == 400


def test_member_detail_of_another_organisation_is_not_found(client, org, other_org, admin, login):
    from app.organisations.services import add_host

    add_host(org, "localhost")
    db.session.commit()
    stranger = factories.user(other_org, Role.MAYOR, commune="11069")
    login(client, admin)
    assert client.get(f"/admin/membres/{stranger.id}").status_code == 404
    assert (
        client.post(f"/admin/membres/{stranger.id}/activation", data={"active": "0"}).status_code
        == 404
    )
    db.session.refresh(stranger)
    assert stranger.active


def _fill(org, n_mayors: int):
    for index, commune in enumerate(org.communes[:n_mayors]):
        factories.user(org, Role.MAYOR, commune=commune.insee_code, name=f"Maire {index}")
        factories.user(org, Role.COMMUNE_STAFF, commune=commune.insee_code, name=f"DGS {index}")


def test_member_list_runs_the_same_number_of_queries_for_36_and_92_communes(
    client, login, count_queries
):
    counts = []
    for siren in ("246200364", "200054807"):
        org = factories.organisation(siren)
        from app.organisations.services import add_host

        add_host(org, f"{siren}.test")
        db.session.commit()
        _fill(org, len(org.communes))
        admin = factories.user(org, Role.ADMIN)
        login(client, admin, host=f"{siren}.test")
        with count_queries() as counter:
            response = client.get("/admin/membres/", base_url=f"http://{siren}.test")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_cli_user_create_with_a_password_from_stdin(app, org):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "Maire@Lens.fr", "--role", "mayor", "--commune", "62498"],
        input="un mot de passe long\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "maire@lens.fr"))
    assert user.has_role(Role.MAYOR, commune_by_insee(org, "62498"))
    assert "Generated" not in result.output


def test_cli_user_create_generates_and_prints_a_password(app, org):
    from app.users.passwords import verify_password

    result = app.test_cli_runner().invoke(
        args=["user", "create", "agent@example.fr", "--role", "admin", "--org", "lens-lievin"],
        input="",
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("Generated password: ")[1].strip()
    user = db.session.scalar(select(User).where(User.email == "agent@example.fr"))
    assert verify_password(user.password_hash, password)


def test_cli_user_create_refuses_a_mayor_without_commune_or_unknown_values(app, org):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(
            args=["user", "create", "a@b.fr", "--role", "mayor"], input="x" * 12
        ).exit_code
        == 2
    )
    assert (
        runner.invoke(
            args=["user", "create", "a@b.fr", "--role", "mayor", "--commune", "99999"],
            input="x" * 12,
        ).exit_code
        == 2
    )
    assert runner.invoke(args=["user", "create", "a@b.fr", "--role", "king"]).exit_code == 2
    assert (
        runner.invoke(
            args=["user", "create", "a@b.fr", "--role", "admin", "--org", "nope"]
        ).exit_code
        == 2
    )
    assert db.session.scalar(select(func.count(User.id))) == 0
