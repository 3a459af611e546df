"""The deliberation: ranking by weighted mean, decisions within the funding rules and the
envelope, notification by e-mail with the PDF letter, and what the association sees."""

from __future__ import annotations

import html

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from ami.models import (
    ApplicationStatus,
    Decision,
    Outcome,
)
from ami.services import decisions as services
from ami.services import jury
from ami.services.common import AmiError
from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.users.models import Role, User
from tests import factories
from tests.ami import factories as ami


@pytest.fixture
def world(org):
    admin = factories.user(org, Role.ADMIN, name="Agente EPCI")
    # envelope 15 000 €, base rate 50 %, ceiling 15 000 €, the Conseil Régional brings 7 000 €
    call = ami.call(org, open_=False, envelope_cents=1_500_000)
    association, person = ami.association_member(org, "Les Amis du 9")
    other_association, other_person = ami.association_member(org, "Femmes solidaires")
    other_association.contact_email = "contact@femmes-solidaires.fr"
    # budget 20 000 €, requested 12 000 €: 50 % of the budget caps it at 10 000 €
    strong = ami.application(
        call,
        association,
        status=ApplicationStatus.ELIGIBLE,
        title="Ateliers du 9",
        requested_cents=1_200_000,
    )
    weak = ami.application(
        call, other_association, status=ApplicationStatus.ELIGIBLE, title="Café des femmes"
    )
    draft = ami.application(call, association, status=ApplicationStatus.DRAFT)
    juror = ami.jury_member(call)
    colleague = ami.jury_member(call)
    db.session.commit()
    return {
        "org": org,
        "admin": admin,
        "call": call,
        "association": association,
        "person": person,
        "other_association": other_association,
        "other_person": other_person,
        "strong": strong,
        "weak": weak,
        "draft": draft,
        "juror": juror,
        "colleague": colleague,
    }


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _score(seat, application, values, comment=""):
    user = db.session.get(User, seat.user_id)
    jury.declare(user, seat, application, False, "", utcnow())
    criteria = application.call.criteria
    jury.save_scores(
        user,
        seat,
        application,
        {c.id: (values[i], f"{comment} {i}") for i, c in enumerate(criteria)},
        utcnow(),
    )
    db.session.commit()


def _open(world):
    services.open_deliberation(world["admin"], world["call"], utcnow())
    db.session.commit()


def _decide(world, application, outcome=Outcome.FUNDED, cents=None, **kw):
    data = services.DecisionData(
        outcome=outcome,
        granted_cents=cents,
        motivation=kw.pop("motivation", "Projet solide"),
        **kw,
    )
    decision = services.record_decision(world["admin"], application, data, **{})
    db.session.commit()
    return decision


def _form(outcome="funded", amount="", **extra) -> dict:
    data = {
        "outcome": outcome,
        "granted": amount,
        "motivation": "MOTIVATION-INTERNE",
        "advice": "Pensez à mobiliser les habitantes.",
    }
    data.update(extra)
    return data


# --- ranking --------------------------------------------------------------------------------


def test_the_ranking_orders_by_weighted_mean_with_the_spread(client, login, world):
    # strong: one member gives 5 everywhere, the other 3: mean 4, spread 2
    _score(world["juror"], world["strong"], [5, 5, 5, 5, 5], "J")
    _score(world["colleague"], world["strong"], [3, 3, 3, 3, 3], "C")
    # weak: weighted (weights 3,2,2,1,2): (3*2 + 2*2 + 2*2 + 1*2 + 2*2) / 10 = 2, alone
    _score(world["juror"], world["weak"], [2, 2, 2, 2, 2])
    rows = services.ranking(world["call"])
    assert [r.application.id for r in rows] == [world["strong"].id, world["weak"].id]
    assert rows[0].ranked.mean == pytest.approx(4.0)
    assert rows[0].ranked.spread == pytest.approx(2.0)
    assert rows[0].ranked.scorers == 2 and rows[1].ranked.scorers == 1
    assert rows[0].eligible_jurors == 2
    assert rows[0].funding.max_cents == 1_000_000 and rows[0].funding.limited_by == "rate"
    login(client, world["admin"])
    page = _text(client.get(f"/ami/gestion/appels/{world['call'].id}/deliberation"))
    assert page.index("Ateliers du 9") < page.index("Café des femmes")
    assert "4,00" in page and "2,00" in page and "2 / 2" in page


def test_a_conflict_lowers_the_number_of_eligible_jurors(world):
    user = db.session.get(User, world["colleague"].user_id)
    jury.declare(user, world["colleague"], world["weak"], True, "Présidente", utcnow())
    db.session.commit()
    rows = {r.application.id: r for r in services.ranking(world["call"])}
    assert rows[world["weak"].id].conflicts == 1
    assert rows[world["weak"].id].eligible_jurors == 1


def test_the_deliberation_page_runs_the_same_queries_for_2_or_20_applications(
    client, login, world, count_queries
):
    _open(world)
    _decide(world, world["weak"], Outcome.NOT_FUNDED)
    login(client, world["admin"])
    url = f"/ami/gestion/appels/{world['call'].id}/deliberation"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(18):
        application = ami.application(
            world["call"], world["association"], status=ApplicationStatus.ELIGIBLE
        )
        if n % 3 == 0:
            _score(world["juror"], application, [3, 4, 2, 1, 5])
        if n % 4 == 0:
            _decide(world, application, Outcome.NOT_FUNDED)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert many.count == few.count


# --- opening the deliberation and deciding --------------------------------------------------


def test_the_admin_opens_the_deliberation(client, login, world):
    login(client, world["admin"])
    response = client.post(f"/ami/gestion/appels/{world['call'].id}/deliberation/ouvrir")
    assert response.status_code == 302
    db.session.refresh(world["call"])
    assert world["call"].deliberation_opened_at is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ami.deliberation_open"))


def test_no_decision_before_the_deliberation_opens(client, login, world):
    login(client, world["admin"])
    url = f"/ami/gestion/candidatures/{world['strong'].id}/decision"
    assert "La délibération n'est pas encore ouverte." in _text(client.get(url))
    client.post(url, data=_form(amount="5000"))
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_only_eligible_applications_receive_a_decision(world):
    _open(world)
    with pytest.raises(AmiError) as refused:
        _decide(world, world["draft"], cents=100_000)
    assert refused.value.code == "not_eligible"


def test_the_form_proposes_the_maximum_and_records_a_funded_decision(client, login, world):
    _open(world)
    login(client, world["admin"])
    url = f"/ami/gestion/candidatures/{world['strong'].id}/decision"
    page = client.get(url).get_data(as_text=True)
    assert 'value="10000.00"' in page
    assert "limité par le taux de financement" in html.unescape(page)
    response = client.post(url, data=_form(amount="9500"))
    assert response.status_code == 302
    decision = db.session.scalar(select(Decision))
    assert decision.outcome is Outcome.FUNDED and decision.granted_cents == 950_000
    assert decision.motivation == "MOTIVATION-INTERNE" and decision.decided_by_id
    totals = services.totals(world["call"])
    assert totals.committed_cents == 950_000 and totals.remaining_cents == 550_000


def test_an_amount_above_the_maximum_is_refused_with_the_bound(client, login, world):
    _open(world)
    login(client, world["admin"])
    url = f"/ami/gestion/candidatures/{world['strong'].id}/decision"
    response = client.post(url, data=_form(amount="11000"))
    assert response.status_code == 422
    page = _text(response)
    assert "Le montant ne peut pas dépasser 10\u202f000\u00a0€" in page
    assert "taux de financement de 50 % du budget" in page
    assert "MOTIVATION-INTERNE" in page  # what was typed is kept
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_a_funded_decision_needs_an_amount_and_a_motivation(client, login, world):
    _open(world)
    login(client, world["admin"])
    url = f"/ami/gestion/candidatures/{world['strong'].id}/decision"
    response = client.post(url, data={"outcome": "funded", "granted": "", "motivation": ""})
    assert response.status_code == 422
    assert "Indiquez le montant attribué." in _text(response)
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_exceeding_the_envelope_warns_then_saves_once_confirmed(client, login, world):
    _open(world)
    _decide(world, world["strong"], cents=1_000_000)  # 10 000 € of 15 000 €
    login(client, world["admin"])
    url = f"/ami/gestion/candidatures/{world['weak'].id}/decision"
    response = client.post(url, data=_form(amount="6000"))  # would reach 16 000 €
    assert response.status_code == 422
    page = _text(response)
    assert "l'enveloppe serait dépassée" in page and "Confirmer malgré le dépassement" in page
    assert "16\u202f000\u00a0€" in page
    assert db.session.scalar(select(func.count(Decision.id))) == 1
    response = client.post(url, data=_form(amount="6000", confirm_overrun="y"))
    assert response.status_code == 302
    assert services.totals(world["call"]).committed_cents == 1_600_000
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ami.envelope_overrun"))
    assert entry.details["overrun_cents"] == 100_000
    page = _text(client.get(f"/ami/gestion/appels/{world['call'].id}/deliberation"))
    assert "L'enveloppe est dépassée de 1\u202f000\u00a0€." in page


def test_the_co_funders_share_stays_within_the_grant_and_its_amount(world):
    _open(world)
    region = world["call"].co_funders[0]  # 7 000 €
    with pytest.raises(AmiError) as refused:
        _decide(world, world["strong"], cents=500_000, co_funder=region, co_funded_cents=600_000)
    assert refused.value.code == "co_funded_above_granted"
    db.session.rollback()
    _decide(world, world["strong"], cents=600_000, co_funder=region, co_funded_cents=600_000)
    with pytest.raises(AmiError) as refused:
        _decide(world, world["weak"], cents=300_000, co_funder=region, co_funded_cents=200_000)
    assert refused.value.code == "co_funder_exceeded"
    db.session.rollback()
    totals = services.totals(world["call"])
    assert totals.co_funders[0].used_cents == 600_000


def test_redirected_and_introduced_decisions(client, login, world):
    _open(world)
    login(client, world["admin"])
    url = f"/ami/gestion/candidatures/{world['strong'].id}/decision"
    response = client.post(url, data=_form("redirected"))
    assert response.status_code == 422 and "Nommez le dispositif" in _text(response)
    response = client.post(
        url,
        data=_form("introduced", introduction_ids=[world["other_association"].id]),
    )
    assert response.status_code == 302
    decision = db.session.scalar(select(Decision))
    assert [a.name for a in decision.introductions] == ["Femmes solidaires"]
    assert decision.granted_cents == 0
    # the association itself is not offered
    page = _text(client.get(url))
    assert f'value="{world["association"].id}"' not in page.split("introduction_ids")[-1][:2000]


# --- notification ---------------------------------------------------------------------------


def test_notification_emails_the_association_with_the_pdf_letter(client, login, world):
    _open(world)
    _decide(
        world,
        world["strong"],
        cents=800_000,
        advice="Associez le centre social.",
        introductions=[world["other_association"]],
    )
    _decide(world, world["weak"], Outcome.REDIRECTED, referral_note="Le Fonds de participation")
    login(client, world["admin"])
    response = client.post(f"/ami/gestion/appels/{world['call'].id}/notifier")
    assert response.status_code == 302
    emails = list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == world["person"].email)
        )
    )
    assert len(emails) == 1
    email = emails[0]
    assert "AMI cohésion sociale 2026" in email.subject
    assert "8\u202f000\u00a0€" in email.body_text
    assert "Associez le centre social." in email.body_text
    assert "Femmes solidaires (contact@femmes-solidaires.fr)" in email.body_text
    assert "Projet solide" not in email.body_text  # the motivation stays internal
    [attachment] = email.attachments
    assert attachment.content_type == "application/pdf"
    assert attachment.content.startswith(b"%PDF")
    other = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_address == world["other_person"].email)
    )
    assert "Le Fonds de participation" in other.body_text
    assert all(d.notified_at for d in db.session.scalars(select(Decision)))
    # nothing more to notify; a notified decision is no longer editable
    client.post(f"/ami/gestion/appels/{world['call'].id}/notifier")
    assert (
        db.session.scalar(
            select(func.count(OutboxEmail.id)).where(
                OutboxEmail.to_address == world["person"].email
            )
        )
        == 1
    )
    with pytest.raises(AmiError) as refused:
        _decide(world, world["strong"], cents=100_000)
    assert refused.value.code == "already_notified"


def test_the_letter_is_a_formal_a4_letter(world):
    from ami.letter_pdf import decision_letter

    _open(world)
    world["association"].address = "12 rue de la Gare"
    world["association"].postal_code = "62300"
    decision = _decide(world, world["strong"], cents=800_000, advice="Conseil")
    pdf = decision_letter(decision, world["org"])
    assert pdf.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf


def test_the_association_sees_its_decision_and_advice_but_not_scores_or_motivation(
    client, login, world
):
    _score(world["juror"], world["strong"], [5, 4, 4, 3, 5], "NOTE-SECRETE")
    _open(world)
    _decide(world, world["strong"], cents=800_000, advice="Associez le centre social.")
    login(client, world["person"])
    url = f"/ami/candidatures/{world['strong'].id}/decision"
    letter = f"/ami/candidatures/{world['strong'].id}/decision.pdf"
    assert client.get(url).status_code == 404
    assert client.get(letter).status_code == 404
    services.notify_decisions(world["admin"], world["call"], utcnow())
    db.session.commit()
    page = _text(client.get(url))
    assert "Associez le centre social." in page and "8\u202f000\u00a0€" in page
    assert "Projet solide" not in page and "NOTE-SECRETE" not in page
    response = client.get(letter)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    # the fragment on the application page
    with client.application.test_request_context():
        fragment = render_template_string(
            '{% include "ami/decisions/_application_decision.html" %}',
            application=world["strong"],
        )
        assert "Financé" in fragment and "decision.pdf" in fragment
        assert (
            render_template_string(
                '{% include "ami/decisions/_application_decision.html" %}',
                application=world["weak"],
            ).strip()
            == ""
        )


def test_another_association_cannot_read_the_decision(client, login, world):
    _open(world)
    _decide(world, world["strong"], cents=800_000)
    services.notify_decisions(world["admin"], world["call"], utcnow())
    db.session.commit()
    login(client, world["other_person"])
    assert client.get(f"/ami/candidatures/{world['strong'].id}/decision").status_code == 403
    assert client.get(f"/ami/candidatures/{world['strong'].id}/decision.pdf").status_code == 403


# --- who may open which page ----------------------------------------------------------------


def _admin_pages(world) -> dict[str, str]:
    return {
        "deliberation": f"/ami/gestion/appels/{world['call'].id}/deliberation",
        "decision": f"/ami/gestion/candidatures/{world['strong'].id}/decision",
    }


def _admin_posts(world) -> dict[str, str]:
    return {
        "open": f"/ami/gestion/appels/{world['call'].id}/deliberation/ouvrir",
        "decision": f"/ami/gestion/candidatures/{world['strong'].id}/decision",
        "notify": f"/ami/gestion/appels/{world['call'].id}/notifier",
    }


def _association_pages(world) -> dict[str, str]:
    return {
        "decision": f"/ami/candidatures/{world['strong'].id}/decision",
        "letter": f"/ami/candidatures/{world['strong'].id}/decision.pdf",
    }


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    urls = [*_admin_pages(world).values(), *_association_pages(world).values()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in _admin_posts(world).values():
        response = client.post(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("who", ["person", "juror"])
def test_associations_and_jurors_cannot_deliberate(client, login, world, who):
    user = world[who] if who == "person" else db.session.get(User, world["juror"].user_id)
    login(client, user)
    for name, url in _admin_pages(world).items():
        assert client.get(url).status_code == 403, name
    for name, url in _admin_posts(world).items():
        assert client.post(url, data=_form(amount="100")).status_code == 403, name
    assert world["call"].deliberation_opened_at is None
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_a_juror_cannot_read_the_associations_decision(client, login, world):
    _open(world)
    _decide(world, world["strong"], cents=800_000)
    services.notify_decisions(world["admin"], world["call"], utcnow())
    db.session.commit()
    login(client, db.session.get(User, world["juror"].user_id))
    for name, url in _association_pages(world).items():
        assert client.get(url).status_code == 403, name


def test_another_organisations_admin_finds_nothing(client, login, world, other_org):
    add_host(world["org"], "localhost")
    db.session.commit()
    _open(world)
    _decide(world, world["strong"], cents=800_000)
    services.notify_decisions(world["admin"], world["call"], utcnow())
    db.session.commit()
    login(client, factories.user(other_org, Role.ADMIN), host="carcassonne.test")
    urls = [*_admin_pages(world).values(), *_association_pages(world).values()]
    for url in urls:
        assert client.get(f"http://carcassonne.test{url}").status_code == 404, url
    for url in _admin_posts(world).values():
        assert client.post(f"http://carcassonne.test{url}").status_code == 404, url


def test_the_admin_opens_every_page(client, login, world):
    _open(world)
    _decide(world, world["strong"], cents=800_000)
    login(client, world["admin"])
    for name, url in _admin_pages(world).items():
        assert client.get(url).status_code == 200, name
    services.notify_decisions(world["admin"], world["call"], utcnow())
    db.session.commit()
    for name, url in _association_pages(world).items():
        assert client.get(url).status_code == 200, name
