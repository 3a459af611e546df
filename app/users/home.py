"""The foundation's home-page panels: the person's roles, the admin's shortcuts."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.db import db
from app.i18n import _, ngettext
from app.users.models import Role, User
from app.web import role_label
from app.web.home import HomePanel, home_panel


@home_panel
def roles_panel(user, organisation) -> list[HomePanel]:
    items = []
    for membership in user.memberships:
        label = role_label(membership.role)
        if membership.commune is not None:
            label = _("%(role)s — %(commune)s", role=label, commune=membership.commune.name)
        items.append((label, None))
    return [
        HomePanel(
            title=_("Vos rôles"),
            items=items,
            empty=_("Aucun rôle ne vous est encore attribué dans cet EPCI."),
            action=(_("Mon compte"), url_for("auth.account")),
            order=900,
        )
    ]


@home_panel
def commune_panel(user, organisation) -> list[HomePanel]:
    panels = []
    for commune in user.communes_for(Role.MAYOR, Role.COMMUNE_STAFF):
        panels.append(
            HomePanel(
                title=_("Votre commune : %(name)s", name=commune.name),
                items=[
                    (_("Code INSEE : %(code)s", code=commune.insee_code), None),
                    (
                        _(
                            "Population municipale : %(n)s",
                            n=f"{commune.population:,}".replace(",", "\u202f"),
                        ),
                        None,
                    ),
                    (
                        _("Codes postaux : %(codes)s", codes=", ".join(commune.postal_code_list)),
                        None,
                    ),
                ],
                order=20,
            )
        )
    return panels


@home_panel
def admin_panel(user, organisation) -> list[HomePanel]:
    if not user.has_role(Role.ADMIN):
        return []
    active, invited = db.session.execute(
        select(
            func.count(User.id).filter(User.password_hash.is_not(None)),
            func.count(User.id).filter(User.password_hash.is_(None)),
        ).where(User.organisation_id == organisation.id)
    ).one()
    return [
        HomePanel(
            title=_("Administration de l'EPCI"),
            items=[
                (
                    ngettext("%(num)d compte actif", "%(num)d comptes actifs", active),
                    url_for("users.index", status="active"),
                ),
                (
                    ngettext(
                        "%(num)d invitation en attente", "%(num)d invitations en attente", invited
                    ),
                    url_for("users.index", status="invited"),
                ),
                (_("Communes du territoire"), url_for("organisations.communes")),
                (_("Journal des actions"), url_for("audit.index")),
            ],
            action=(_("Inviter un membre"), url_for("users.invite")),
            order=10,
        )
    ]
