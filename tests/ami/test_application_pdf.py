"""The printed application fits one A4 sheet, both sides, even at its longest."""

from __future__ import annotations

from datetime import date

import pytest

from ami import rules
from ami.application_pdf import application_pdf as render
from ami.application_pdf import bounded_breaks, page_count
from ami.models import ApplicationStatus, Qpv, Track
from ami.services.applications import tidy_text
from app.db import db
from app.organisations.services import add_host
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami

WORDS = (
    "anticonstitutionnellement intergénérationnelles accompagnement socioprofessionnel "
    "désenclavement remobilisation "
)


def long_text(limit: int, pattern: str = WORDS) -> str:
    return (pattern * (limit // len(pattern) + 1))[:limit]


def _long_names(prefix: str, n: int, length: int = 200) -> list[str]:
    return [
        (f"{prefix} {i} " + "Quartier prioritaire de la politique de la ville " * 5)[:length]
        for i in range(n)
    ]


def longest_application(org, pattern: str = WORDS, track: Track = Track.STANDARD):
    call = ami.call(org, year=2026)
    call.title = long_text(300, "Appel à manifestation d'intérêt cohésion sociale ")
    association = factories.association(org, _long_names("Association", 1)[0])
    association.rna_number = "W123456789"
    association.siret = "73282932000074"
    qpvs = [Qpv(organisation_id=org.id, name=n) for n in _long_names("QPV", rules.MAX_QPVS)]
    partners = [
        factories.association(org, n) for n in _long_names("Partenaire", rules.MAX_PARTNERS)
    ]
    db.session.add_all(qpvs)
    db.session.commit()
    application = ami.application(
        call,
        association,
        status=ApplicationStatus.SUBMITTED,
        track=track,
        partners=partners,
        qpvs=qpvs,
    )
    for name, limit in rules.FIELD_LIMITS.items():
        setattr(application, name, tidy_text(long_text(limit, pattern))[:limit])
    application.title = long_text(rules.FIELD_LIMITS["title"], "Anticonstitutionnellement ")
    longest_communes = sorted(org.communes, key=lambda c: -len(c.name))[: rules.MAX_COMMUNES]
    application.communes = longest_communes
    application.beneficiaries = 999_999
    application.women_share = 100
    application.starts_on, application.ends_on = date(2026, 1, 1), date(2026, 12, 31)
    application.budget_total_cents = 9_999_999_999
    application.requested_cents = 9_999_999_998
    application.other_funding_cents = 1
    db.session.commit()
    return application


@pytest.mark.parametrize(
    "pattern",
    [
        WORDS,
        "a\n",
        "a\n\n",
        "W" * 30 + "\n",
        "WWWWWWWW ",
        "ÉÉÉÉ MMMM WWWW mmmm ",
        "- Atelier d'écriture avec les habitantes du quartier\n",
    ],
    ids=[
        "long-words",
        "short-lines",
        "blank-lines",
        "wide-lines",
        "wide-words",
        "wide-letters",
        "list",
    ],
)
def test_the_longest_application_prints_on_two_pages_at_most(org, pattern):
    application = longest_application(org, pattern)
    content = render(application, org.name)
    assert content.startswith(b"%PDF")
    assert page_count(content) <= 2


def test_the_longest_blank_page_application_fits(org):
    application = longest_application(org, track=Track.BLANK_PAGE)
    assert page_count(render(application, org.name)) <= 2


def test_a_normal_application_takes_one_or_two_pages(org):
    call = ami.call(org)
    association, _person = ami.association_member(org)
    application = ami.application(call, association, status=ApplicationStatus.DRAFT)
    content = render(application, org.name)
    assert 1 <= page_count(content) <= 2


def test_line_breaks_beyond_the_budget_print_as_slashes():
    assert bounded_breaks("un\ndeux", 1000) == "un<br/>deux"
    assert bounded_breaks("un\ndeux\ntrois", 120) == "un<br/>deux / trois"
    assert bounded_breaks("a < b & c", 100) == "a &lt; b &amp; c"


def test_tidy_text_keeps_at_most_one_empty_line():
    assert tidy_text("a\r\n\r\n\r\n\r\nb  \n") == "a\n\nb"


# --- the route --------------------------------------------------------------------------------


def _pdf_url(application) -> str:
    return f"/ami/candidatures/{application.id}/candidature.pdf"


def test_the_association_downloads_its_pdf(client, org, login):
    call = ami.call(org)
    association, person = ami.association_member(org)
    application = ami.application(call, association)
    login(client, person)
    response = client.get(_pdf_url(application))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 1 <= page_count(response.data) <= 2


def test_the_pdf_is_refused_to_others(client, org, other_org, login):
    add_host(org, "localhost")
    db.session.commit()
    call = ami.call(org)
    association, _person = ami.association_member(org)
    application = ami.application(call, association)
    _other, neighbour = ami.association_member(org)
    login(client, neighbour)
    assert client.get(_pdf_url(application)).status_code == 403
    admin = factories.user(org, Role.ADMIN)
    login(client, admin)
    assert client.get(_pdf_url(application)).status_code == 200
    _far, stranger = ami.association_member(other_org)
    login(client, stranger, host="carcassonne.test")
    far = client.get(f"http://carcassonne.test{_pdf_url(application)}")
    assert far.status_code == 404


def test_anonymous_is_sent_to_the_login_page(client, org):
    call = ami.call(org)
    association, _person = ami.association_member(org)
    application = ami.application(call, association)
    response = client.get(_pdf_url(application))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
