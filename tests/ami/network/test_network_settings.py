"""The network's settings and tags, run by the EPCI's admins."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from ami.models import InterestDisclosure
from ami.network import queries
from ami.network.models import DirectoryVisibility, NetworkSettings, NetworkTag
from ami.network.services import settings as services
from ami.network.services.common import NetworkError
from app.audit.models import AuditEntry
from app.db import db
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as network

OTHER = "http://carcassonne.test"
SETTINGS, TAGS, DEFAULTS = (
    "/ami/gestion/reseau",
    "/ami/gestion/reseau/etiquettes",
    "/ami/gestion/reseau/etiquettes/defaut",
)


@pytest.fixture
def world(org):
    association, member = ami.association_member(org, "Les Amis de Lens")
    return {
        "org": org,
        "admin": factories.user(org, Role.ADMIN),
        "citizen": factories.user(org, Role.CITIZEN),
        "member": member,
        "association": association,
        "call_2025": ami.call(org, year=2025, open_=False),
        "call_2026": ami.call(org, year=2026),
    }


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def _tag_names(org) -> list[str]:
    return [t.name for t in queries.tags_of(org)]


def _settings_form(world, visibility="public", disclosures=("list", "on_match")) -> dict:
    data = {"directory_visibility": visibility}
    for i, (call, rule) in enumerate(
        zip((world["call_2025"], world["call_2026"]), disclosures, strict=True)
    ):
        data[f"calls-{i}-call_id"] = str(call.id)
        data[f"calls-{i}-disclosure"] = rule
    return data


def _delete_url(tag) -> str:
    return f"/ami/gestion/reseau/etiquettes/{tag.id}/supprimer"


# --- who may -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, world):
    tag = network.tags(world["org"])[0]
    for response in (
        client.get(SETTINGS),
        client.post(SETTINGS, data=_settings_form(world)),
        client.get(TAGS),
        client.post(TAGS, data={"new-name": "Cuisine"}),
        client.post(_delete_url(tag)),
        client.post(DEFAULTS),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["citizen", "member"])
def test_only_the_admins_run_the_network(client, login, world, who):
    tag = network.tags(world["org"])[0]
    login(client, world[who])
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, data=_settings_form(world)).status_code == 403
    assert client.get(TAGS).status_code == 403
    assert client.post(TAGS, data={"new-name": "Cuisine"}).status_code == 403
    assert client.post(_delete_url(tag)).status_code == 403
    assert client.post(DEFAULTS).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(NetworkSettings)) == 0
    assert "Cuisine" not in _tag_names(world["org"]) and tag.name in _tag_names(world["org"])


def test_another_organisations_admin_changes_nothing_here(client, login, world, other_org):
    tag = network.tags(world["org"])[0]
    login(client, factories.user(other_org, Role.ADMIN), host="carcassonne.test")
    page = _text(client.get(OTHER + SETTINGS))
    assert world["call_2026"].title not in page
    assert client.post(OTHER + _delete_url(tag)).status_code == 404
    tags_page = _text(client.get(OTHER + TAGS))
    assert 'value="Compétences juridiques"' not in tags_page
    client.post(OTHER + SETTINGS, data=_settings_form(world))
    db.session.expire_all()
    assert queries.settings_of(world["org"]).id is None
    assert world["call_2025"].interest_disclosure == InterestDisclosure.ON_MATCH
    assert tag.name in _tag_names(world["org"])


# --- settings -----------------------------------------------------------------------------------


def test_the_settings_page_shows_the_choices(client, login, world):
    login(client, world["admin"])
    response = client.get(SETTINGS)
    assert response.status_code == 200
    page = _text(response)
    assert 'value="associations" checked' in page or 'checked id="directory_visibility-2"' in page
    assert "Publique" in page and "Les personnes inscrites" in page
    assert world["call_2025"].title in page and world["call_2026"].title in page
    assert "sans leurs coordonnées" in page
    assert "n'apprend rien tant qu'elle n'a pas marqué son intérêt en retour" in page


def test_the_admin_saves_the_settings(client, login, world):
    login(client, world["admin"])
    response = client.post(SETTINGS, data=_settings_form(world))
    assert response.status_code == 302
    db.session.expire_all()
    settings = queries.settings_of(world["org"])
    assert settings.id is not None
    assert settings.directory_visibility == DirectoryVisibility.PUBLIC
    assert world["call_2025"].interest_disclosure == InterestDisclosure.LIST
    assert world["call_2026"].interest_disclosure == InterestDisclosure.ON_MATCH
    assert _audits("network.settings") == 1
    client.post(SETTINGS, data=_settings_form(world, "members", ("on_match", "list")))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(NetworkSettings)) == 1
    assert queries.settings_of(world["org"]).directory_visibility == DirectoryVisibility.MEMBERS
    assert world["call_2026"].interest_disclosure == InterestDisclosure.LIST


def test_the_public_setting_opens_the_directory(client, login, world):
    network.profile(world["association"])
    login(client, world["admin"])
    client.post(SETTINGS, data=_settings_form(world, "public"))
    client.get("/logout")
    assert client.get("/ami/annuaire").status_code == 200


def test_an_invalid_setting_is_refused_with_the_choices_kept(client, login, world):
    login(client, world["admin"])
    response = client.post(SETTINGS, data=_settings_form(world, "everybody", ("list", "")))
    assert response.status_code == 422
    page = _text(response)
    assert "Choisissez une option." in page
    assert 'checked id="calls-0-disclosure-1"' in page
    assert db.session.scalar(select(func.count()).select_from(NetworkSettings)) == 0


def test_a_call_of_another_organisation_is_left_alone(world, other_org):
    foreign = ami.call(other_org)
    services.save_settings(
        world["admin"], world["org"], DirectoryVisibility.MEMBERS, {foreign.id: "list"}
    )
    db.session.commit()
    db.session.expire_all()
    assert foreign.interest_disclosure == InterestDisclosure.ON_MATCH


# --- tags ---------------------------------------------------------------------------------------


def test_the_admin_adds_a_tag(client, login, world):
    login(client, world["admin"])
    assert client.get(TAGS).status_code == 200
    response = client.post(TAGS, data={"action": "add", "new-name": "Cuisine", "new-position": ""})
    assert response.status_code == 302
    response = client.post(TAGS, data={"action": "add", "new-name": "Accueil", "new-position": 0})
    assert response.status_code == 302
    assert _tag_names(world["org"]) == ["Accueil", "Cuisine"]
    assert _audits("network.tag.add") == 2


def test_a_tag_name_is_unique_in_the_organisation(client, login, world):
    network.tags(world["org"])
    login(client, world["admin"])
    response = client.post(TAGS, data={"action": "add", "new-name": "locaux", "new-position": 3})
    assert response.status_code == 422
    page = _text(response)
    assert "Une étiquette porte déjà ce nom" in page
    assert 'value="locaux"' in page
    assert _tag_names(world["org"]).count("Locaux") == 1


def test_another_organisation_may_use_the_same_tag_name(world, other_org):
    network.tags(world["org"])
    tag = services.add_tag(factories.user(other_org, Role.ADMIN), other_org, "Locaux")
    assert tag.organisation_id == other_org.id
    with pytest.raises(NetworkError) as caught:
        services.add_tag(world["admin"], world["org"], " LOCAUX ")
    assert caught.value.code == "tag_exists"


def test_an_empty_tag_name_is_refused(client, login, world):
    login(client, world["admin"])
    response = client.post(TAGS, data={"action": "add", "new-name": "  ", "new-position": 2})
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in _text(response)


def test_the_admin_renames_and_moves_a_tag(client, login, world):
    tags = network.tags(world["org"])
    login(client, world["admin"])
    target = tags[5]
    response = client.post(
        TAGS,
        data={
            "action": "update",
            "tag_id": target.id,
            f"t{target.id}-name": "Véhicule / transport",
            f"t{target.id}-position": "0",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(NetworkTag, target.id).name == "Véhicule / transport"
    assert _tag_names(world["org"])[0] in ("Locaux", "Véhicule / transport")
    assert _audits("network.tag.update") == 1


def test_renaming_to_an_existing_name_keeps_what_was_typed(client, login, world):
    tags = network.tags(world["org"])
    login(client, world["admin"])
    target = tags[1]
    response = client.post(
        TAGS,
        data={
            "action": "update",
            "tag_id": target.id,
            f"t{target.id}-name": "MATÉRIEL",
            f"t{target.id}-position": "7",
        },
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Une étiquette porte déjà ce nom" in page
    assert 'value="MATÉRIEL"' in page and 'value="7"' in page
    db.session.expire_all()
    assert db.session.get(NetworkTag, target.id).name == "Bénévoles"


def test_renaming_an_unknown_tag_is_not_found(client, login, world, other_org):
    foreign = network.tags(other_org)[0]
    login(client, world["admin"])
    response = client.post(
        TAGS, data={"action": "update", "tag_id": foreign.id, f"t{foreign.id}-name": "X"}
    )
    assert response.status_code == 404


def test_deleting_a_tag_removes_it_from_every_entry(client, login, world, org):
    tags = network.tags(org)
    premises = tags[0]
    other, _ = ami.association_member(org, "Autre")
    first = network.profile(world["association"], offers=[premises, tags[1]], needs=[tags[2]])
    second = network.profile(other, offers=[tags[3]], needs=[premises])
    premises_id = premises.id
    login(client, world["admin"])
    response = client.post(_delete_url(premises))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(NetworkTag, premises_id) is None
    assert [t.name for t in queries.profile_of(world["association"]).offers] == ["Bénévoles"]
    assert [t.name for t in queries.profile_of(other).needs] == []
    assert first.id and second.id
    assert _audits("network.tag.delete") == 1


def test_the_delete_service_cleans_entries_loaded_in_the_session(world, org):
    tags = network.tags(org)
    profile = network.profile(world["association"], offers=[tags[0]], needs=[tags[0], tags[1]])
    assert len(profile.needs) == 2
    services.delete_tag(world["admin"], org, tags[0])
    db.session.commit()
    assert profile.offers == [] and [t.name for t in profile.needs] == ["Bénévoles"]


def test_an_empty_list_offers_the_default_tags(client, login, world):
    login(client, world["admin"])
    page = _text(client.get(TAGS))
    assert "Ajouter la liste proposée" in page
    assert "Partenaire pour candidater ensemble" in page
    assert client.post(DEFAULTS).status_code == 302
    names = _tag_names(world["org"])
    assert names == list(services.DEFAULT_TAGS)
    assert len(names) == 10
    assert "Ajouter la liste proposée" not in _text(client.get(TAGS))
    assert _audits("network.tag.defaults") == 1


def test_the_default_tags_are_not_added_to_a_list_that_is_not_empty(client, login, world):
    network.tags(world["org"])
    login(client, world["admin"])
    response = client.post(DEFAULTS, follow_redirects=True)
    assert "La liste d'étiquettes n'est pas vide" in _text(response)
    assert len(_tag_names(world["org"])) == len(network.TAGS)
    with pytest.raises(NetworkError):
        services.add_default_tags(world["admin"], world["org"])


def test_the_tag_forms_carry_their_csrf_token(client, login, world, csrf_on):
    tag = network.tags(world["org"])[0]
    login(client, world["admin"])
    page = _text(client.get(TAGS))
    tokens = re.findall(r'name="[^"]*csrf_token"', page)
    assert len(tokens) >= 2 * len(network.TAGS) + 1  # rename and delete per tag, add
    assert client.post(_delete_url(tag)).status_code == 400
    assert tag.name in _tag_names(world["org"])


def _token(page: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]+)"', page).group(1)


def test_the_forms_work_with_their_csrf_tokens(client, login, world, csrf_on):
    tag = network.tags(world["org"])[0]
    login(client, world["admin"])
    page = _text(client.get(TAGS))
    response = client.post(
        TAGS,
        data={
            "action": "update",
            "tag_id": tag.id,
            f"t{tag.id}-csrf_token": _token(page, f"t{tag.id}-csrf_token"),
            f"t{tag.id}-name": "Locaux partagés",
            f"t{tag.id}-position": "0",
        },
    )
    assert response.status_code == 302
    page = _text(client.get(SETTINGS))
    data = _settings_form(world)
    data["csrf_token"] = _token(page, "csrf_token")
    assert client.post(SETTINGS, data=data).status_code == 302
    db.session.expire_all()
    assert "Locaux partagés" in _tag_names(world["org"])
    assert queries.settings_of(world["org"]).directory_visibility == DirectoryVisibility.PUBLIC


def test_the_settings_and_tags_pages_take_the_same_queries_for_few_and_many_rows(
    client, login, world, count_queries
):
    org = world["org"]
    login(client, world["admin"])

    def add(n, start):
        for i in range(n):
            db.session.add(NetworkTag(organisation_id=org.id, name=f"Étiquette {start + i}"))
            ami.call(org, year=2000 + start + i, open_=False)
        db.session.commit()

    add(2, 0)
    client.get("/ami/gestion/reseau")
    with count_queries() as settings_few:
        assert client.get("/ami/gestion/reseau").status_code == 200
    with count_queries() as tags_few:
        assert client.get("/ami/gestion/reseau/etiquettes").status_code == 200
    add(15, 10)
    with count_queries() as settings_many:
        assert client.get("/ami/gestion/reseau").status_code == 200
    with count_queries() as tags_many:
        assert client.get("/ami/gestion/reseau/etiquettes").status_code == 200
    assert settings_many.count == settings_few.count
    assert tags_many.count == tags_few.count
