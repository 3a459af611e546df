"""Calls: reference lists, the calls' management and the public pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    BonusKind,
    CoFunder,
    Criterion,
    JuryMember,
    Qpv,
    Score,
    Theme,
)
from ami.services import calls as services
from ami.services.common import AmiError
from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami

OTHER = "http://carcassonne.test"


@pytest.fixture
def world(org):
    admin = factories.user(org, Role.ADMIN)
    citizen = factories.user(org, Role.CITIZEN)
    association, member = ami.association_member(org, "Les Amis de Lens")
    _other_association, other_member = ami.association_member(org, "Autre association")
    call = ami.call(org)
    return {
        "admin": admin,
        "citizen": citizen,
        "member": member,
        "other_member": other_member,
        "association": association,
        "call": call,
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def _call_form(**overrides) -> dict:
    data = {
        "year": "2027",
        "title": "AMI cohésion sociale 2027",
        "specification": "Premier paragraphe\n\nSecond paragraphe",
        "opens_on": "2027-01-10",
        "opens_time": "09:00",
        "closes_on": "2027-03-10",
        "closes_time": "12:00",
        "envelope": "100000",
        "base_rate": "50",
        "ceiling": "15000",
        "blank_page_enabled": "y",
        "blank_page_ceiling": "3000",
        "co_funders-0-name": "Conseil Régional",
        "co_funders-0-amount": "7000",
        "co_funders-1-name": "",
        "co_funders-1-amount": "",
        "bonus_rules-0-kind": "women_share",
        "bonus_rules-0-label": "Public féminin",
        "bonus_rules-0-rate": "80",
        "bonus_rules-0-threshold": "50",
        "bonus_rules-0-theme_id": "",
        "bonus_rules-1-kind": "",
        "bonus_rules-1-label": "",
        "bonus_rules-1-rate": "",
        "criteria-0-label": "Innovation",
        "criteria-0-description": "Une approche nouvelle",
        "criteria-0-weight": "2",
        "criteria-0-position": "1",
        "criteria-1-label": "",
        "criteria-1-weight": "",
    }
    data.update(overrides)
    return data


# --- access -----------------------------------------------------------------------------------

ADMIN_PAGES = (
    "/ami/gestion/",
    "/ami/gestion/appels/nouveau",
    "/ami/gestion/thematiques",
    "/ami/gestion/qpv",
    "/ami/gestion/appels/{call}",
    "/ami/gestion/appels/{call}/modifier",
)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "member", "admin"])
def test_admin_pages_answer_each_role(client, login, world, who):
    if who != "anonymous":
        login(client, world[who])
    for url in ADMIN_PAGES:
        response = client.get(url.format(call=world["call"].id))
        expected = {"anonymous": 302, "citizen": 403, "member": 403, "admin": 200}[who]
        assert response.status_code == expected, (url, who)


def test_another_organisations_admin_finds_no_call(client, login, world, other_org):
    stranger = factories.user(other_org, Role.ADMIN)
    login(client, stranger, host="carcassonne.test")
    call = world["call"]
    for url in (
        f"/ami/gestion/appels/{call.id}",
        f"/ami/gestion/appels/{call.id}/modifier",
        f"/ami/appels/{call.id}",
        f"/ami/appels/{call.id}/cahier-des-charges",
    ):
        assert client.get(OTHER + url).status_code == 404, url
    assert client.post(OTHER + f"/ami/gestion/appels/{call.id}/publier").status_code == 404
    assert call.title not in _text(client.get(OTHER + "/ami/"))
    assert call.title not in _text(client.get(OTHER + "/ami/gestion/"))


@pytest.mark.parametrize("who", ["anonymous", "citizen", "member", "admin"])
def test_public_pages_are_open_to_everyone(client, login, world, who):
    if who != "anonymous":
        login(client, world[who])
    call = world["call"]
    assert client.get("/ami/").status_code == 200
    response = client.get(f"/ami/appels/{call.id}")
    assert response.status_code == 200
    assert "Conseil Régional" in _text(response)


def test_an_unpublished_call_is_hidden_except_to_admins(client, login, world, org):
    draft = ami.call(org, year=2028, published=False)
    assert client.get(f"/ami/appels/{draft.id}").status_code == 404
    assert draft.title not in _text(client.get("/ami/"))
    login(client, world["member"])
    assert client.get(f"/ami/appels/{draft.id}").status_code == 404
    login(client, world["admin"])
    assert "pas publié" in _text(client.get(f"/ami/appels/{draft.id}"))


# --- public pages -------------------------------------------------------------------------------


def test_open_calls_come_first_with_their_days_left(client, world, org):
    closed = ami.call(org, year=2021, open_=False)
    text = _text(client.get("/ami/"))
    assert text.index(world["call"].title) < text.index(closed.title)
    assert "Encore 30 jours" in text or "Encore 31 jours" in text
    assert "Appels clos" in text


def test_call_page_explains_funding_in_words(client, world):
    text = _text(client.get(f"/ami/appels/{world['call'].id}"))
    assert "Taux de base : 50 % du budget" in text
    assert "80 % si le public est majoritairement féminin" in text
    assert "Page blanche" in text
    assert "Innovation" in text


def test_anonymous_visitor_is_offered_signup_and_member_may_apply(client, login, world):
    url = f"/ami/appels/{world['call'].id}"
    text = _text(client.get(url))
    assert "/ami/associations/inscription" in text
    login(client, world["citizen"])
    assert "Enregistrer une association" in _text(client.get(url))
    login(client, world["member"])
    text = _text(client.get(url))
    assert "Enregistrer une association" not in text
    # the "Candidater" link appears once the applications' pages exist
    from flask import current_app

    if "ami.application_new" in current_app.view_functions:
        assert "Candidater" in text


def test_specification_pdf_is_sent_as_attachment(client, login, world):
    login(client, world["admin"])
    call = world["call"]
    data = _call_form()
    data["specification_file"] = (io.BytesIO(b"%PDF-1.4\n%test\n" + b"0" * 100), "cdc.pdf")
    response = client.post(
        f"/ami/gestion/appels/{call.id}/modifier", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, _text(response)
    client.get("/auth/logout")
    response = client.get(f"/ami/appels/{call.id}/cahier-des-charges")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")
    response.close()


def test_a_file_that_is_not_a_pdf_is_refused(client, login, world):
    login(client, world["admin"])
    data = _call_form()
    data["specification_file"] = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100), "cdc.pdf")
    response = client.post(
        "/ami/gestion/appels/nouveau", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "doit être un PDF" in _text(response)


def test_no_specification_file_is_404(client, world):
    assert client.get(f"/ami/appels/{world['call'].id}/cahier-des-charges").status_code == 404


# --- management -------------------------------------------------------------------------------


def test_admin_creates_a_call_with_its_rules(client, login, world, org):
    login(client, world["admin"])
    themes = ami.themes(org)
    data = _call_form(theme_ids=[str(themes[0].id), str(themes[2].id)])
    response = client.post("/ami/gestion/appels/nouveau", data=data)
    assert response.status_code == 302
    call = db.session.scalar(select(AmiCall).where(AmiCall.year == 2027))
    assert call.published_at is None
    assert [t.name for t in call.themes] == [themes[0].name, themes[2].name]
    assert call.budget_envelope_cents == 10_000_000
    assert [(c.name, c.amount_cents) for c in call.co_funders] == [("Conseil Régional", 700_000)]
    assert [(b.kind, b.rate, b.threshold) for b in call.bonus_rules] == [
        (BonusKind.WOMEN_SHARE, 80, 50)
    ]
    assert [(c.label, c.weight) for c in call.criteria] == [("Innovation", 2)]
    assert call.specification == "<p>Premier paragraphe</p><p>Second paragraphe</p>"
    # 09:00 in Paris in January is 08:00 UTC
    assert call.opens_at.hour == 8
    assert call.closes_at.hour == 11
    assert _audits("ami.call.create") == 1


def test_call_errors_keep_what_was_typed(client, login, world):
    login(client, world["admin"])
    data = _call_form(
        closes_on="2026-12-01",
        **{"co_funders-0-amount": "200000", "bonus_rules-0-rate": "40"},
    )
    response = client.post("/ami/gestion/appels/nouveau", data=data)
    assert response.status_code == 422
    text = _text(response)
    assert "La clôture doit être postérieure" in text
    assert "dépasse l&#39;enveloppe" in text or "dépasse l'enveloppe" in text
    assert "supérieur au taux de base" in text
    assert "AMI cohésion sociale 2027" in text
    assert "Une approche nouvelle" in text
    assert db.session.scalar(select(func.count()).select_from(AmiCall)) == 1


def test_editing_keeps_rows_and_empty_rows_remove_them(client, login, world):
    login(client, world["admin"])
    call = world["call"]
    page = _text(client.get(f"/ami/gestion/appels/{call.id}/modifier"))
    assert "Conseil Régional" in page and "Associations ensemble" in page
    funder_id = call.co_funders[0].id
    data = _call_form(**{"co_funders-0-id": str(funder_id), "co_funders-0-amount": "8000"})
    assert client.post(f"/ami/gestion/appels/{call.id}/modifier", data=data).status_code == 302
    db.session.expire_all()
    call = db.session.get(AmiCall, call.id)
    assert [(c.id, c.amount_cents) for c in call.co_funders] == [(funder_id, 800_000)]
    assert len(call.bonus_rules) == 1
    assert [c.label for c in call.criteria] == ["Innovation"]
    assert _audits("ami.call.update") == 1


def test_admin_publishes_a_call(client, login, world, org):
    draft = ami.call(org, year=2028, published=False)
    login(client, world["admin"])
    response = client.post(f"/ami/gestion/appels/{draft.id}/publier")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AmiCall, draft.id).published_at is not None
    assert _audits("ami.call.publish") == 1
    login(client, world["member"])
    assert client.post(f"/ami/gestion/appels/{draft.id}/publier").status_code == 403


def test_call_hub_shows_counts_and_links(client, login, world):
    call = world["call"]
    ami.application(call, world["association"])
    ami.application(call, world["association"], status=ApplicationStatus.DRAFT)
    login(client, world["admin"])
    text = _text(client.get(f"/ami/gestion/appels/{call.id}"))
    assert "Déposée : <strong>1</strong>" in text
    assert "Brouillon : <strong>1</strong>" in text
    assert "Modifier l&#39;appel" in text or "Modifier l'appel" in text


def test_rules_are_locked_once_the_deliberation_opens(world):
    call, admin = world["call"], world["admin"]
    ami.application(call, world["association"])
    call.deliberation_opened_at = utcnow()
    db.session.commit()
    data = _data_of(call)
    data.base_rate = 60
    with pytest.raises(AmiError) as caught:
        services.update_call(admin, call, data)
    assert caught.value.code == "rules_locked"
    db.session.rollback()
    data = _data_of(call)
    data.title = "Nouveau titre"
    services.update_call(admin, call, data)
    assert call.title == "Nouveau titre"


def test_criteria_cannot_change_once_scored(world):
    call, admin = world["call"], world["admin"]
    application = ami.application(call, world["association"], status=ApplicationStatus.ELIGIBLE)
    seat = ami.jury_member(call)
    db.session.add(
        Score(
            jury_member_id=seat.id,
            application_id=application.id,
            criterion_id=call.criteria[0].id,
            value=4,
            scored_at=utcnow(),
        )
    )
    db.session.commit()
    data = _data_of(call)
    data.criteria[0]["weight"] = 9
    with pytest.raises(AmiError) as caught:
        services.update_call(admin, call, data)
    assert caught.value.code == "criteria_scored"
    assert db.session.scalar(select(func.count()).select_from(JuryMember)) == 1


def _data_of(call) -> services.CallData:
    return services.CallData(
        year=call.year,
        title=call.title,
        specification=call.specification,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        budget_envelope_cents=call.budget_envelope_cents,
        base_rate=call.base_rate,
        ceiling_cents=call.ceiling_cents,
        blank_page_enabled=call.blank_page_enabled,
        blank_page_ceiling_cents=call.blank_page_ceiling_cents,
        themes=list(call.themes),
        co_funders=[
            {"id": c.id, "name": c.name, "amount_cents": c.amount_cents} for c in call.co_funders
        ],
        bonus_rules=[
            {
                "id": b.id,
                "kind": b.kind,
                "label": b.label,
                "rate": b.rate,
                "threshold": b.threshold,
                "theme_id": b.theme_id,
            }
            for b in call.bonus_rules
        ],
        criteria=[
            {
                "id": c.id,
                "label": c.label,
                "description": c.description,
                "weight": c.weight,
                "position": c.position,
            }
            for c in call.criteria
        ],
    )


def test_service_refuses_co_funders_above_the_envelope(world):
    data = _data_of(world["call"])
    data.co_funders.append({"id": None, "name": "Fondation", "amount_cents": 99_999_999})
    with pytest.raises(AmiError) as caught:
        services.update_call(world["admin"], world["call"], data)
    assert caught.value.code == "co_funders_exceed"


def test_manage_calls_counts_with_one_grouped_query(client, login, world, org, count_queries):
    login(client, world["admin"])

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/ami/gestion/").status_code == 200
        return counter.count

    first = measure()
    for year in range(2010, 2020):
        call = ami.call(org, year=year)
        ami.application(call, world["association"])
    assert measure() == first


def test_public_list_has_bounded_queries(client, world, org, count_queries):
    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/ami/").status_code == 200
        return counter.count

    first = measure()
    for year in range(2010, 2020):
        ami.call(org, year=year, open_=year % 2 == 0)
    assert measure() == first


# --- reference lists ------------------------------------------------------------------------


def test_admin_adds_renames_and_removes_themes(client, login, world, org):
    login(client, world["admin"])
    response = client.post(
        "/ami/gestion/thematiques",
        data={"action": "add", "new-name": "Culture", "new-position": ""},
    )
    assert response.status_code == 302
    theme = db.session.scalar(select(Theme).where(Theme.name == "Culture"))
    theme_id = theme.id
    assert theme.position == 4
    client.post(
        "/ami/gestion/thematiques",
        data={
            "action": "update",
            "theme_id": theme.id,
            f"t{theme.id}-name": "Culture et sport",
            f"t{theme.id}-position": "0",
        },
    )
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).name == "Culture et sport"
    response = client.post(
        "/ami/gestion/thematiques",
        data={"action": "remove", "item_id": theme.id},
        follow_redirects=True,
    )
    assert "Thématique supprimée" in _text(response), _text(response)
    db.session.expire_all()
    assert db.session.get(Theme, theme_id) is None
    assert (
        _audits("ami.theme.add") == _audits("ami.theme.update") == _audits("ami.theme.remove") == 1
    )


def test_a_theme_in_use_cannot_be_removed(client, login, world):
    login(client, world["admin"])
    used = world["call"].themes[0]
    response = client.post(
        "/ami/gestion/thematiques",
        data={"action": "remove", "item_id": used.id},
        follow_redirects=True,
    )
    assert "ne peut pas être supprimée" in _text(response)
    assert db.session.get(Theme, used.id) is not None


def test_duplicate_theme_keeps_what_was_typed(client, login, world):
    login(client, world["admin"])
    response = client.post("/ami/gestion/thematiques", data={"action": "add", "new-name": "Santé"})
    assert response.status_code == 200
    assert "Une thématique porte déjà ce nom" in _text(response)


def test_admin_manages_qpvs(client, login, world, org):
    login(client, world["admin"])
    commune = org.communes[0]
    response = client.post(
        "/ami/gestion/qpv",
        data={
            "action": "add",
            "new-name": "Cité 12",
            "new-code": "qn06201m",
            "new-commune_id": commune.id,
        },
    )
    assert response.status_code == 302
    qpv = db.session.scalar(select(Qpv).where(Qpv.name == "Cité 12"))
    assert qpv.code == "QN06201M" and qpv.commune_id == commune.id
    client.post(
        "/ami/gestion/qpv",
        data={
            "action": "update",
            "qpv_id": qpv.id,
            f"q{qpv.id}-name": "Cité 12 bis",
            f"q{qpv.id}-code": "",
            f"q{qpv.id}-commune_id": "",
        },
    )
    db.session.expire_all()
    qpv = db.session.get(Qpv, qpv.id)
    assert (qpv.name, qpv.code, qpv.commune_id) == ("Cité 12 bis", None, None)
    world["association"].qpvs = [qpv]
    db.session.commit()
    response = client.post(
        "/ami/gestion/qpv", data={"action": "remove", "item_id": qpv.id}, follow_redirects=True
    )
    assert "ne peut" in _text(response)
    assert db.session.get(Qpv, qpv.id) is not None


def test_other_organisation_theme_ids_are_not_found(client, login, world, other_org):
    theme = world["call"].themes[0]
    admin = factories.user(other_org, Role.ADMIN)
    login(client, admin, host="carcassonne.test")
    response = client.post(
        OTHER + "/ami/gestion/thematiques", data={"action": "remove", "item_id": theme.id}
    )
    assert response.status_code == 404
    assert db.session.get(Theme, theme.id) is not None


def test_counts_by_status_use_one_query(world, count_queries):
    call = world["call"]
    ami.application(call, world["association"])
    call_id = call.id
    with count_queries() as counter:
        counts = services.application_counts([call_id])
    assert counter.count == 1
    assert counts == {call_id: {"submitted": 1}}
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    assert db.session.scalar(select(func.count()).select_from(CoFunder)) == 1
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == 5
    assert utcnow() - call.opens_at > timedelta(days=29)


def test_forms_carry_a_csrf_token_and_posts_without_it_are_refused(client, login, world, csrf_on):
    login(client, world["admin"])
    call = world["call"]
    for url in (
        "/ami/gestion/thematiques",
        "/ami/gestion/qpv",
        "/ami/gestion/appels/nouveau",
        f"/ami/gestion/appels/{call.id}/modifier",
    ):
        assert 'name="csrf_token"' in _text(client.get(url)), url
    draft = ami.call(call_org(world), year=2030, published=False)
    assert client.post(f"/ami/gestion/appels/{draft.id}/publier").status_code == 400
    assert (
        client.post("/ami/gestion/thematiques", data={"action": "add", "new-name": "X"}).status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).where(Theme.name == "X")) == 0


def call_org(world):
    return world["admin"].organisation
