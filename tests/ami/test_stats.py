"""Follow-up and statistics of the AMI: the figures, the pages, the exports, the contrat de ville
follow-up and the home-page panels."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ami.home import admin_items, association_items, jury_items
from ami.models import (
    ApplicationStatus,
    Decision,
    InterestDeclaration,
    Outcome,
    Score,
    Track,
)
from ami.services import stats as service
from ami.services.common import AmiError
from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.organisations.services import add_host
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami

# --- a small example ---------------------------------------------------------------------------


def _decide(application, outcome, granted=0, co_funder=None, co_funded=0, notified=True):
    decision = Decision(
        application_id=application.id,
        outcome=outcome,
        granted_cents=granted,
        co_funder_id=co_funder.id if co_funder else None,
        co_funded_cents=co_funded,
        notified_at=utcnow() if notified else None,
    )
    db.session.add(decision)
    db.session.commit()
    db.session.refresh(application)
    return decision


@pytest.fixture
def world(org):
    """A closed call: 4 submitted applications (and a draft), one funded and co-funded."""
    call = ami.call(org, year=2021, open_=False)
    themes = call.themes
    cite9 = ami.qpv(org, "Cité 9 — Lens")
    sellier = ami.qpv(org, "Résidence Sellier — Lens")
    assoc, member = ami.association_member(org, "Femmes et quartiers")
    other = factories.association(org, '=HYPERLINK("http://evil")')
    other.rna_number = "W622001234"
    funded = ami.application(
        call,
        assoc,
        status=ApplicationStatus.ELIGIBLE,
        theme=themes[0],
        requested_cents=1_000_000,
        budget_total_cents=2_500_000,
        women_share=60,
        qpvs=[cite9, sellier],
        title="Théâtre pour l'égalité",
    )
    funded.city_contract_year = 2022
    refused = ami.application(
        call,
        other,
        status=ApplicationStatus.ELIGIBLE,
        theme=themes[0],
        requested_cents=800_000,
        qpvs=[cite9],
        title="-2+3 ateliers",
    )
    ineligible = ami.application(
        call,
        other,
        status=ApplicationStatus.INELIGIBLE,
        theme=themes[1],
        requested_cents=500_000,
    )
    ineligible.eligibility_reason = "Hors QPV"
    blank = ami.application(
        call,
        other,
        theme=themes[2],
        track=Track.BLANK_PAGE,
        requested_cents=300_000,
    )
    draft = ami.application(
        call, other, status=ApplicationStatus.DRAFT, theme=themes[3], requested_cents=999_900
    )
    db.session.commit()
    _decide(funded, Outcome.FUNDED, 1_000_000, call.co_funders[0], 700_000)
    _decide(refused, Outcome.NOT_FUNDED)
    return {
        "call": call,
        "funded": funded,
        "refused": refused,
        "ineligible": ineligible,
        "blank": blank,
        "draft": draft,
        "association": assoc,
        "member": member,
    }


def test_the_figures_count_submitted_applications_only(org, world):
    stats = service.compute(org, call=world["call"])
    t = stats.totals
    assert (t.submitted, t.eligible, t.funded) == (4, 2, 1)
    assert t.requested_cents == 1_000_000 + 800_000 + 500_000 + 300_000
    assert (t.granted_cents, t.co_funded_cents) == (1_000_000, 700_000)
    assert (t.city_contract, t.city_contract_share) == (1, 100)
    assert stats.envelope_cents == 10_000_000


def test_the_figures_by_theme_qpv_track_and_outcome(org, world):
    stats = service.compute(org, call=world["call"])
    themes = {c.label: c for c in stats.by_theme}
    assert themes["Éducation"].submitted == 2 and themes["Éducation"].funded == 1
    assert themes["Insertion professionnelle et sociale"].eligible == 0
    assert "Inclusion numérique" not in themes  # only a draft
    qpvs = {c.label: (c.submitted, c.funded, c.granted_cents) for c in stats.by_qpv}
    # an application counts for each of its QPVs
    assert qpvs == {
        "Cité 9 — Lens": (2, 1, 1_000_000),
        "Résidence Sellier — Lens": (1, 1, 1_000_000),
    }
    tracks = {c.label: c.submitted for c in stats.by_track}
    assert tracks == {"standard": 3, "blank_page": 1}
    outcomes = {o: n for o, n, _granted in stats.by_outcome}
    assert outcomes == {Outcome.FUNDED: 1, Outcome.NOT_FUNDED: 1, None: 2}
    assert stats.co_funders == [("Conseil Régional", 700_000, 1, 700_000)]
    assert [a.id for a in stats.funded] == [world["funded"].id]


def test_the_year_gathers_its_calls(org, world):
    ami.call(org, year=2021)
    ami.call(org, year=2026)
    assert service.years_of(org) == [2026, 2021]
    stats = service.compute(org, year=2021)
    assert stats.totals.submitted == 4 and stats.envelope_cents == 20_000_000
    assert service.compute(org, year=2026).totals.submitted == 0


def test_the_chart_scales_bars_to_the_biggest_group():
    groups = [service.Counts("A", submitted=4, funded=1), service.Counts("B", submitted=2)]
    chart = service.bar_chart(groups, height=140)
    heights = [b.height for b in chart.bars]
    assert heights == [60, 15, 30, 0]
    assert all(b.y + b.height == chart.baseline for b in chart.bars)


def test_city_contract_year_is_recorded_and_audited(org, world):
    admin = factories.user(org, Role.ADMIN)
    service.set_city_contract_year(admin, world["funded"], 2023)
    db.session.commit()
    assert world["funded"].city_contract_year == 2023
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ami.city_contract"))
    assert entry.details == {"before": 2022, "after": 2023, "number": world["funded"].number}
    with pytest.raises(AmiError) as refused:
        service.set_city_contract_year(admin, world["refused"], 2023)
    assert refused.value.code == "city_contract_not_funded"
    with pytest.raises(AmiError):
        service.set_city_contract_year(admin, world["funded"], 1999)


# --- pages and roles ---------------------------------------------------------------------------


def _people(org, world):
    seat = ami.jury_member(world["call"])
    return {
        "admin": factories.user(org, Role.ADMIN),
        "association": world["member"],
        "jury": seat.user,
        "citizen": factories.user(org, Role.CITIZEN),
    }


def _urls(world):
    call, funded = world["call"], world["funded"]
    return {
        "call_stats": f"/ami/gestion/appels/{call.id}/statistiques",
        "stats": "/ami/gestion/statistiques?annee=2021",
        "export_csv": f"/ami/gestion/statistiques/export.csv?appel={call.id}",
        "export_xlsx": "/ami/gestion/statistiques/export.xlsx?annee=2021",
        "city_contract": f"/ami/gestion/candidatures/{funded.id}/contrat-de-ville",
    }


@pytest.mark.parametrize("who", ["admin", "association", "jury", "citizen", None])
def test_each_page_answers_each_role(client, login, org, world, who):
    people = _people(org, world)
    if who:
        login(client, people[who])
    for name, url in _urls(world).items():
        if name == "city_contract":
            response = client.post(url, data={"year": "2024"})
        else:
            response = client.get(url)
        if who is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], name
        elif who == "admin":
            assert response.status_code in (200, 302), name
        else:
            assert response.status_code == 403, (name, who)
    db.session.expire_all()
    assert world["funded"].city_contract_year == (2024 if who == "admin" else 2022)


def test_another_organisations_call_is_not_found(client, login, org, other_org, world):
    add_host(org, "localhost")
    db.session.commit()
    stranger = factories.user(other_org, Role.ADMIN)
    login(client, stranger, host="carcassonne.test")
    base = "http://carcassonne.test"
    urls = _urls(world)
    assert client.get(base + urls["call_stats"]).status_code == 404
    assert client.get(base + urls["export_csv"]).status_code == 404
    assert client.post(base + urls["city_contract"], data={"year": "2024"}).status_code == 404
    # the year page of the other organisation shows none of this one's figures
    page = client.get(base + "/ami/gestion/statistiques").get_data(as_text=True)
    assert "Théâtre pour l'égalité" not in page


def test_the_call_page_shows_tables_and_an_accessible_chart(client, login, org, world):
    login(client, _people(org, world)["admin"])
    response = client.get(_urls(world)["call_stats"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in page
    assert '<title id="chart-title">' in page
    assert "<caption>Candidatures par thématique</caption>" in page
    assert "Cité 9 — Lens" in page and "Conseil Régional" in page
    assert "Théâtre pour l&#39;égalité" in page
    assert 'name="year"' in page and 'value="2022"' in page
    assert "<script" not in page.split("</header>", 1)[-1].split("<footer", 1)[0]


def test_the_year_page_offers_the_years_with_calls(client, login, org, world):
    ami.call(org, year=2026)
    login(client, _people(org, world)["admin"])
    page = client.get("/ami/gestion/statistiques").get_data(as_text=True)
    assert '<option value="2026" selected>' in page and '<option value="2021">' in page
    page = client.get("/ami/gestion/statistiques?annee=2021").get_data(as_text=True)
    assert "Théâtre pour l&#39;égalité" in page
    assert f"/ami/gestion/appels/{world['call'].id}/statistiques" in page


def test_recording_the_city_contract_year_by_form(client, login, org, world):
    login(client, _people(org, world)["admin"])
    url = _urls(world)["city_contract"]
    response = client.post(url, data={"year": "2023", "annee": "2021"})
    assert response.status_code == 302 and "annee=2021" in response.headers["Location"]
    db.session.expire_all()
    assert world["funded"].city_contract_year == 2023
    response = client.post(url, data={"year": ""})
    assert response.status_code == 302 and "/statistiques" in response.headers["Location"]
    db.session.expire_all()
    assert world["funded"].city_contract_year is None


def test_a_bad_year_is_refused_and_kept(client, login, org, world):
    login(client, _people(org, world)["admin"])
    response = client.post(_urls(world)["city_contract"], data={"year": "1990"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Indiquez une année entre 2015 et 2100." in page and 'value="1990"' in page
    db.session.expire_all()
    assert world["funded"].city_contract_year == 2022


def test_an_unfunded_application_cannot_enter_the_city_contract(client, login, org, world):
    login(client, _people(org, world)["admin"])
    url = f"/ami/gestion/candidatures/{world['refused'].id}/contrat-de-ville"
    response = client.post(url, data={"year": "2023"}, follow_redirects=True)
    assert "Seule une action financée" in response.get_data(as_text=True)
    db.session.expire_all()
    assert world["refused"].city_contract_year is None


def test_the_city_contract_form_needs_its_csrf_token(client, login, org, world, csrf_on):
    login(client, _people(org, world)["admin"])
    response = client.post(_urls(world)["city_contract"], data={"year": "2023"})
    assert response.status_code in (400, 422)
    db.session.expire_all()
    assert world["funded"].city_contract_year == 2022


def test_an_unknown_export_format_or_scope_is_not_found(client, login, org, world):
    login(client, _people(org, world)["admin"])
    assert client.get("/ami/gestion/statistiques/export.pdf?annee=2021").status_code == 404
    assert client.get("/ami/gestion/statistiques/export.csv").status_code == 404


# --- exports -------------------------------------------------------------------------------


def test_the_csv_export_has_one_row_per_submitted_application(client, login, org, world):
    login(client, _people(org, world)["admin"])
    response = client.get(_urls(world)["export_csv"])
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    head, body = rows[0], rows[1:]
    assert head[:3] == ["Appel", "Numéro", "Association"]
    assert "Entrée au contrat de ville" in head and "Cofinanceur" in head
    assert len(body) == 4  # the draft is left out
    line = dict(zip(head, next(r for r in body if r[1] == world["funded"].number), strict=True))
    assert line["Association"] == "Femmes et quartiers"
    assert line["QPV"] == "Cité 9 — Lens ; Résidence Sellier — Lens"
    assert line["Montant demandé (€)"] == "10000,00"
    assert line["Taux de financement (%)"] == "80"  # women share 60 % >= 50 %
    assert line["Décision"] == "Financé" and line["Montant attribué (€)"] == "10000,00"
    assert (
        line["Cofinanceur"] == "Conseil Régional" and line["Part du cofinanceur (€)"] == "7000,00"
    )
    assert line["Entrée au contrat de ville"] == "2022"
    others = [r for r in body if r[1] != world["funded"].number]
    # formulas are neutralised
    assert all(r[2].startswith("'=HYPERLINK") for r in others)
    assert any(r[3] == "W622001234" for r in others)
    assert "'-2+3 ateliers" not in raw.decode("utf-8-sig")  # titles are not exported


def test_the_xlsx_export_opens_and_neutralises_formulas(client, login, org, world):
    login(client, _people(org, world)["admin"])
    response = client.get(_urls(world)["export_xlsx"])
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Numéro" and len(rows) == 5
    names = {r[2] for r in rows[1:]}
    assert "Femmes et quartiers" in names
    cells = [c for c in sheet["C"][1:] if "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" and not c.value.startswith("=") for c in cells)
    funded = next(r for r in rows[1:] if r[1] == world["funded"].number)
    assert float(funded[18]) == 10000.0 and funded[21] == 2022


# --- bounded queries -----------------------------------------------------------------------


def _grow(org, world, count):
    call = world["call"]
    qpv = ami.qpv(org, f"QPV {count}")
    for n in range(count):
        association = factories.association(org, f"Association {count}-{n}")
        application = ami.application(
            call, association, status=ApplicationStatus.ELIGIBLE, qpvs=[qpv]
        )
        _decide(application, Outcome.FUNDED, 100_000)


def test_the_pages_and_exports_make_a_bounded_number_of_queries(
    client, login, org, world, count_queries
):
    login(client, _people(org, world)["admin"])
    urls = _urls(world)
    counts = {}
    for size in (2, 20):
        _grow(org, world, size)
        for name in ("call_stats", "stats", "export_csv", "export_xlsx"):
            with count_queries() as counter:
                assert client.get(urls[name]).status_code == 200
            counts.setdefault(name, []).append(counter.count)
    for name, (small, big) in counts.items():
        assert small == big, name


# --- home panels ---------------------------------------------------------------------------


def test_an_association_sees_its_drafts_hearings_and_decisions(client, login, org):
    call = ami.call(org)
    association, member = ami.association_member(org)
    ami.application(call, association, status=ApplicationStatus.DRAFT, title="Mon brouillon")
    invited = ami.application(call, association, title="Mon audition")
    invited.hearing_invited_at = utcnow()
    decided = ami.application(call, association, title="Ma décision")
    db.session.commit()
    _decide(decided, Outcome.FUNDED, 500_000)
    login(client, member)
    page = client.get("/").get_data(as_text=True)
    assert "Brouillon à déposer : Mon brouillon" in page
    assert "clôture dans 29 jours" in page or "clôture dans 30 jours" in page
    assert "Audition à confirmer : Mon audition" in page
    assert "Décision notifiée : Ma décision" in page


def test_an_association_is_told_of_open_calls_it_has_not_applied_to(client, login, org):
    call = ami.call(org)
    ami.call(org, year=2020, open_=False)
    _association, member = ami.association_member(org)
    login(client, member)
    page = client.get("/").get_data(as_text=True)
    assert f"Appel ouvert : {call.title}" in page
    assert "AMI cohésion sociale 2020" not in page


def test_an_association_of_a_closed_call_has_no_draft_to_submit(org):
    call = ami.call(org, open_=False)
    association, member = ami.association_member(org)
    ami.application(call, association, status=ApplicationStatus.DRAFT)
    from flask import current_app

    with current_app.test_request_context():
        assert association_items(member, org, utcnow()) == []


def test_a_jury_member_sees_what_is_left_to_score(client, login, org):
    call = ami.call(org, open_=False)
    seat = ami.jury_member(call)
    others = [factories.association(org, f"Asso {n}") for n in range(4)]
    apps = [ami.application(call, a, status=ApplicationStatus.ELIGIBLE) for a in others]
    now = utcnow()
    for criterion in call.criteria:
        db.session.add(
            Score(
                jury_member_id=seat.id,
                application_id=apps[0].id,
                criterion_id=criterion.id,
                value=3,
                scored_at=now,
            )
        )
    db.session.add(
        InterestDeclaration(
            jury_member_id=seat.id,
            application_id=apps[1].id,
            conflict_of_interest=True,
            declared_at=now,
        )
    )
    db.session.commit()
    login(client, seat.user)
    page = client.get("/").get_data(as_text=True)
    assert "AMI cohésion sociale 2026 : 2 candidatures à noter" in page
    call.deliberation_opened_at = now
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "candidatures à noter" not in page
    assert "Aucune candidature à noter pour le moment." in page


def test_an_admin_sees_applications_awaiting_the_eligibility_check(client, login, org):
    call = ami.call(org)
    association, _member = ami.association_member(org)
    ami.application(call, association)
    ami.application(call, association)
    ami.application(call, association, status=ApplicationStatus.ELIGIBLE)
    login(client, factories.user(org, Role.ADMIN))
    page = client.get("/").get_data(as_text=True)
    assert "AMI cohésion sociale 2026 : 2 candidatures déposées à vérifier" in page


def test_citizens_see_no_ami_panel(client, login, org):
    ami.call(org)
    login(client, factories.user(org, Role.CITIZEN))
    page = client.get("/").get_data(as_text=True)
    assert "AMI cohésion sociale :" not in page


def test_the_home_panels_make_a_bounded_number_of_queries(org, count_queries):
    from flask import current_app

    call = ami.call(org, open_=False)
    seat = ami.jury_member(call)
    association, member = ami.association_member(org)
    counts = []
    for size in (2, 20):
        for _n in range(size):
            draft = ami.application(call, association, status=ApplicationStatus.ELIGIBLE)
            draft.hearing_invited_at = utcnow() - timedelta(days=1)
        db.session.commit()
        with current_app.test_request_context(), count_queries() as counter:
            jury_items(seat.user, org)
            admin_items(org)
            association_items(member, org, utcnow())
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_the_year_page_without_any_call(client, login, org):
    login(client, factories.user(org, Role.ADMIN))
    response = client.get("/ami/gestion/statistiques")
    assert response.status_code == 200
    assert "Aucun appel pour l'instant." in response.get_data(as_text=True)
