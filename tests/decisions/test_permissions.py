"""Who may manage dossiers: a table of people against a dossier of their organisation."""

from __future__ import annotations

import pytest

from app.access import can
from app.users.models import Role
from decisions import permissions
from tests import factories
from tests.decisions.conftest import make_dossier

TABLE = [
    ("admin", True),
    ("inactive_admin", False),
    ("other_org_admin", False),
    ("vice_president", False),
    ("mayor", False),
    ("commune_staff", False),
    ("council_member", False),
    ("citizen", False),
    ("anonymous", False),
]


@pytest.fixture
def people(org, other_org, admin):
    return {
        "admin": admin,
        "inactive_admin": factories.user(org, Role.ADMIN, active=False),
        "other_org_admin": factories.user(other_org, Role.ADMIN),
        "vice_president": factories.user(org, Role.VICE_PRESIDENT),
        "mayor": factories.user(org, Role.MAYOR),
        "commune_staff": factories.user(org, Role.COMMUNE_STAFF),
        "council_member": factories.user(org, Role.DEVELOPMENT_COUNCIL_MEMBER),
        "citizen": factories.user(org, Role.CITIZEN),
        "anonymous": None,
    }


def test_only_the_organisations_active_admins_manage_its_dossiers(org, admin, people):
    dossier = make_dossier(org, admin)
    for name, allowed in TABLE:
        assert can(people[name], "decisions.manage", dossier) is allowed, name


def test_only_dossiers_marked_public_are_read_by_everyone(org, admin):
    assert permissions.can_read_public(make_dossier(org, admin, public=True))
    assert not permissions.can_read_public(make_dossier(org, admin, public=False))
    assert not permissions.can_read_public(None)
