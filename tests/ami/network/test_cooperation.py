"""Cooperation tracking: the pairs of joint applications and declarations, their origins
(hearing, match, essaimage day), the counts, the picture, the CSV; declaring and removing a
cooperation; every route for every role."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ami.models import ApplicationStatus, Hearing, HearingSlot
from ami.network import cooperation_rules as rules
from ami.network.models import Cooperation, EssaimageDay, EssaimageSeat
from ami.network.services import cooperation as services
from ami.network.services.common import NetworkError
from app.audit.models import AuditEntry
from app.db import db
from app.mail.models import OutboxEmail
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as network

OTHER = "http://carcassonne.test"
NETWORK = "/ami/gestion/reseau/cooperations"
LOGIN = "/login"
#: the day the joint applications of 2026 are submitted
SUBMITTED = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
BEFORE, AFTER = SUBMITTED - timedelta(days=20), SUBMITTED + timedelta(days=20)


@pytest.fixture
def world(org):
    a, a_person = ami.association_member(org, "Amitié Lens")
    b, b_person = ami.association_member(org, "Bouge ton quartier")
    c, c_person = ami.association_member(org, "Cultures du monde")
    d, d_person = ami.association_member(org, "Droits des femmes")
    return {
        "admin": factories.user(org, Role.ADMIN),
        "citizen": factories.user(org, Role.CITIZEN),
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "a_person": a_person,
        "b_person": b_person,
        "c_person": c_person,
        "d_person": d_person,
        "call": ami.call(org, year=2026),
    }


def _joint(call, lead, partners, *, status=ApplicationStatus.SUBMITTED, at=SUBMITTED, **kw):
    application = ami.application(call, lead, status=status, partners=partners, **kw)
    if status is not ApplicationStatus.DRAFT:
        application.submitted_at = at
    db.session.commit()
    return application


def _declared(org, a, b, year=2026, at=SUBMITTED, description="Des locaux partagés") -> Cooperation:
    first, second = sorted((a.id, b.id))
    row = Cooperation(
        organisation_id=org.id,
        first_association_id=first,
        second_association_id=second,
        year=year,
        description=description,
        declared_at=at,
    )
    db.session.add(row)
    db.session.commit()
    return row


def _heard(call, applications, starts_at=None) -> Hearing:
    slot = None
    if starts_at is not None:
        slot = HearingSlot(
            call_id=call.id, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
        )
        db.session.add(slot)
        db.session.flush()
    hearing = Hearing(call_id=call.id, slot_id=slot.id if slot else None)
    db.session.add(hearing)
    db.session.flush()
    for application in applications:
        application.hearing_id = hearing.id
    db.session.commit()
    return hearing


def _matched(org, a, b, at):
    row = network.match(org, a, b)
    row.matched_at = at
    db.session.commit()
    return row


def _essaimage(org, starts_at, tables: list[list], round_: int = 1) -> EssaimageDay:
    day = EssaimageDay(
        organisation_id=org.id,
        year=starts_at.year,
        title="Essaimage",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=6),
    )
    db.session.add(day)
    db.session.flush()
    for number, table in enumerate(tables, start=1):
        for association in table:
            db.session.add(
                EssaimageSeat(
                    day_id=day.id, round=round_, table_number=number, association_id=association.id
                )
            )
    db.session.commit()
    return day


def _pairs(rows) -> set[tuple[str, str]]:
    return {(r.first.name, r.second.name) for r in rows}


def _row(rows, x, y):
    return next(r for r in rows if {r.first.id, r.second.id} == {x.id, y.id})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- pure rules -----------------------------------------------------------------------------


def test_a_joint_application_links_the_lead_with_each_partner_and_the_partners_together():
    assert rules.application_pairs(5, [2, 9]) == {(2, 5), (5, 9), (2, 9)}
    assert rules.application_pairs(5, []) == set()
    assert rules.application_pairs(5, [5, 2]) == {(2, 5)}


def test_an_origin_counts_only_before_the_cooperation():
    heard_before = rules.HeardTogether(2026, BEFORE)
    heard_after = rules.HeardTogether(2026, AFTER)
    assert rules.origins_of(2026, SUBMITTED, hearings=[heard_before]) == {"hearing"}
    assert rules.origins_of(2026, SUBMITTED, hearings=[heard_after]) == {"other"}
    assert rules.origins_of(2026, SUBMITTED, matched_at=[BEFORE]) == {"match"}
    assert rules.origins_of(2026, SUBMITTED, matched_at=[AFTER]) == {"other"}
    assert rules.origins_of(2026, SUBMITTED, essaimage_at=[BEFORE]) == {"essaimage"}
    assert rules.origins_of(2026, SUBMITTED, essaimage_at=[SUBMITTED]) == {"other"}


def test_a_hearing_of_an_earlier_year_counts_even_without_a_slot():
    assert rules.hearing_before(2026, SUBMITTED, [rules.HeardTogether(2025, None)])
    assert not rules.hearing_before(2026, SUBMITTED, [rules.HeardTogether(2026, None)])


def test_several_origins_hold_together_and_the_main_one_is_the_networks_own():
    origins = rules.origins_of(
        2026,
        SUBMITTED,
        hearings=[rules.HeardTogether(2025, None)],
        matched_at=[BEFORE],
        essaimage_at=[BEFORE],
    )
    assert origins == {"hearing", "match", "essaimage"}
    assert rules.main_origin(origins) == "essaimage"
    assert rules.main_origin({"hearing", "match"}) == "match"
    assert rules.main_origin({"other"}) == "other"


def test_tables_shared_at_an_essaimage_day():
    seats = [(1, 1, 1, 10), (1, 1, 1, 11), (1, 1, 2, 12), (1, 2, 1, 10), (1, 2, 1, 12)]
    shared = rules.tables_shared(seats)
    assert dict(shared) == {(10, 11): {1}, (10, 12): {1}}


# --- the year's network ---------------------------------------------------------------------


def test_joint_applications_make_lead_partner_and_partner_partner_pairs(org, world):
    application = _joint(world["call"], world["a"], [world["b"], world["c"]], title="Jardins")
    rows = services.network_of_year(org, 2026)
    assert _pairs(rows) == {
        ("Amitié Lens", "Bouge ton quartier"),
        ("Amitié Lens", "Cultures du monde"),
        ("Bouge ton quartier", "Cultures du monde"),
    }
    row = _row(rows, world["b"], world["c"])
    assert [(s.kind, s.number, s.title) for s in row.sources] == [
        ("application", application.number, "Jardins")
    ]
    assert row.date == SUBMITTED
    assert row.origins == {"other"}


def test_drafts_other_years_and_other_organisations_are_left_out(org, other_org, world):
    _joint(world["call"], world["a"], [world["b"]], status=ApplicationStatus.DRAFT)
    _joint(ami.call(org, year=2025), world["a"], [world["c"]])
    _declared(org, world["a"], world["d"], year=2025)
    stranger, _person = ami.association_member(other_org, "Carcassonne solidaire")
    other_partner, _p = ami.association_member(other_org, "Aude ensemble")
    _joint(ami.call(other_org, year=2026), stranger, [other_partner])
    assert services.network_of_year(org, 2026) == []
    assert _pairs(services.network_of_year(org, 2025)) == {
        ("Amitié Lens", "Cultures du monde"),
        ("Amitié Lens", "Droits des femmes"),
    }
    assert _pairs(services.network_of_year(other_org, 2026)) == {
        ("Aude ensemble", "Carcassonne solidaire")
    }


def test_a_declared_cooperation_and_a_joint_application_of_the_pair_make_one_row(org, world):
    application = _joint(world["call"], world["b"], [world["a"]])
    _declared(org, world["a"], world["b"], at=BEFORE, description="Un atelier commun")
    [row] = services.network_of_year(org, 2026)
    assert (row.first.name, row.second.name) == ("Amitié Lens", "Bouge ton quartier")
    assert [s.kind for s in row.sources] == ["declared", "application"]
    assert row.sources[0].description == "Un atelier commun"
    assert row.sources[1].application_id == application.id
    assert row.date == BEFORE  # the earliest source


def test_heard_together_before_the_cooperation_is_an_origin(org, world):
    call = world["call"]
    heard_a = ami.application(call, world["a"])
    heard_b = ami.application(call, world["b"])
    _heard(call, [heard_a, heard_b], starts_at=BEFORE)
    _joint(call, world["a"], [world["b"]])
    [row] = services.network_of_year(org, 2026)
    assert row.origins == {"hearing"}


def test_a_partner_heard_with_another_lead_counts(org, world):
    call = world["call"]
    with_partner = ami.application(call, world["c"], partners=[world["a"]])
    heard_b = ami.application(call, world["b"])
    _heard(call, [with_partner, heard_b], starts_at=BEFORE)
    _declared(org, world["a"], world["b"])
    row = _row(services.network_of_year(org, 2026), world["a"], world["b"])
    assert row.origins == {"hearing"}


def test_a_hearing_after_the_cooperation_is_not_its_origin(org, world):
    call = world["call"]
    application = _joint(call, world["a"], [world["b"]])
    _heard(call, [application], starts_at=AFTER)
    [row] = services.network_of_year(org, 2026)
    assert row.origins == {"other"}


def test_a_hearing_of_the_previous_year_is_an_origin(org, world):
    previous = ami.call(org, year=2025)
    _heard(
        previous,
        [ami.application(previous, world["a"]), ami.application(previous, world["b"])],
    )
    _joint(world["call"], world["a"], [world["b"]])
    [row] = services.network_of_year(org, 2026)
    assert row.origins == {"hearing"}


def test_a_match_before_the_cooperation_is_an_origin_even_ended(org, world):
    match = _matched(org, world["a"], world["b"], BEFORE)
    match.ended_at = BEFORE + timedelta(days=1)
    _matched(org, world["a"], world["c"], AFTER)
    db.session.commit()
    _joint(world["call"], world["a"], [world["b"], world["c"]])
    rows = services.network_of_year(org, 2026)
    assert _row(rows, world["a"], world["b"]).origins == {"match"}
    assert _row(rows, world["a"], world["c"]).origins == {"other"}


def test_the_same_table_at_an_essaimage_day_before_is_an_origin(org, world):
    a, b, c, d = (world[k] for k in "abcd")
    _essaimage(org, BEFORE, [[a, b], [c, d]])
    _essaimage(org, AFTER, [[a, c]])
    _joint(world["call"], a, [b, c, d])
    rows = services.network_of_year(org, 2026)
    assert _row(rows, a, b).origins == {"essaimage"}
    assert _row(rows, c, d).origins == {"essaimage"}
    assert _row(rows, a, c).origins == {"other"}  # the day came after
    assert _row(rows, b, d).origins == {"other"}  # different tables


def test_counts_count_a_cooperation_in_each_of_its_origins(org, world):
    a, b, c, d = (world[k] for k in "abcd")
    _matched(org, a, b, BEFORE)
    _essaimage(org, BEFORE, [[a, b]])
    _joint(world["call"], a, [b])
    _declared(org, c, d)
    counts = rules.counts(services.network_of_year(org, 2026))
    assert counts == rules.Counts(
        cooperations=2, associations=4, hearing=0, match=1, essaimage=1, other=1
    )


def test_an_associations_cooperations_of_every_year(org, world):
    a, b, c, d = (world[k] for k in "abcd")
    _joint(world["call"], b, [a, c])
    _declared(org, a, d, year=2024)
    _declared(org, c, d)
    rows = services.cooperations_of(org, a)
    assert [(r.year, r.partner_of(a.id).name) for r in rows] == [
        (2026, "Bouge ton quartier"),
        (2026, "Cultures du monde"),
        (2024, "Droits des femmes"),
    ]


def test_the_years_are_those_of_calls_and_declarations(org, world):
    _declared(org, world["a"], world["b"], year=2031)
    assert services.years_of(org) == [2031, 2026]


# --- declaring ------------------------------------------------------------------------------


def test_declaring_records_tells_the_partner_and_refuses_a_duplicate_or_itself(app, org, world):
    a, b = world["a"], world["b"]
    with app.test_request_context():
        services.declare(world["a_person"], org, b, a, 2026, "  Un atelier  ", by=a)
        db.session.commit()
        with pytest.raises(NetworkError) as duplicate:
            services.declare(world["b_person"], org, a, b, 2026, "Encore", by=b)
        with pytest.raises(NetworkError) as itself:
            services.declare(world["a_person"], org, a, a, 2026, "Seule", by=a)
    assert duplicate.value.code == "cooperation_exists"
    assert itself.value.code == "cooperation_self"
    row = db.session.scalar(select(Cooperation))
    assert (row.first_association_id, row.second_association_id) == tuple(sorted((a.id, b.id)))
    assert row.description == "Un atelier"
    assert row.declared_by_id == world["a_person"].id
    mails = list(db.session.scalars(select(OutboxEmail)))
    assert [m.to_address for m in mails] == [world["b_person"].email]
    assert mails[0].subject == "Amitié Lens a déclaré une coopération avec vous"
    assert f"/ami/reseau/{b.id}/cooperations" in mails[0].body_text
    assert db.session.scalar(
        select(func.count()).where(AuditEntry.action == "network.cooperation.declare")
    )


# --- the EPCI's network page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("citizen", 403), ("a_person", 403), ("admin", 200)],
)
def test_the_network_page_and_its_csv_answer_each_role(client, login, world, who, expected):
    if who != "anonymous":
        login(client, world[who])
    for url in (NETWORK, NETWORK + ".csv", NETWORK + "?year=2026"):
        response = client.get(url)
        assert response.status_code == expected, url
        if who == "anonymous":
            assert LOGIN in response.headers["Location"]
    response = client.post(
        NETWORK + "/declarer",
        data={
            "first_id": world["a"].id,
            "second_id": world["b"].id,
            "year": 2026,
            "description": "Ensemble",
        },
    )
    assert response.status_code == (302 if who in ("anonymous", "admin") else expected)
    assert _count(Cooperation) == (1 if who == "admin" else 0)


def test_another_organisations_admin_sees_only_its_own_network(
    client, login, org, other_org, world
):
    _joint(world["call"], world["a"], [world["b"]])
    login(client, factories.user(other_org, Role.ADMIN), host="carcassonne.test")
    page = _text(client.get(OTHER + NETWORK + "?year=2026"))
    assert "Amitié Lens" not in page
    csv_text = client.get(OTHER + NETWORK + ".csv?year=2026").get_data().decode("utf-8-sig")
    assert "Amitié Lens" not in csv_text
    response = client.post(
        OTHER + NETWORK + "/declarer",
        data={
            "first_id": world["a"].id,
            "second_id": world["b"].id,
            "year": 2026,
            "description": "x",
        },
    )
    assert response.status_code in (404, 422)
    assert _count(Cooperation) == 0
    # the other organisation's admin on this organisation's site
    login(client, factories.user(other_org, Role.ADMIN))
    assert client.get(NETWORK).status_code in (403, 404)


def test_the_network_page_shows_counts_picture_and_table(client, login, org, world):
    a, b, c = world["a"], world["b"], world["c"]
    application = _joint(world["call"], a, [b], title="Jardins partagés")
    _matched(org, a, b, BEFORE)
    _declared(org, b, c, description="Prêt de <b>salle</b>")
    login(client, world["admin"])
    page = _text(client.get(NETWORK))  # the latest year by default
    assert "Réseau des coopérations 2026" in page
    assert "Nées après une mise en relation" in page
    assert "compte dans chacune" in page
    assert f'href="/ami/gestion/candidatures/{application.id}"' in page
    assert "Jardins partagés" in page
    assert "Prêt de &lt;b&gt;salle&lt;/b&gt;" in page
    assert "après une mise en relation" in page
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}circle")) == 3


def test_the_year_select_offers_the_years_and_keeps_the_chosen_one(client, login, org, world):
    _declared(org, world["a"], world["b"], year=2024, description="Ancienne")
    login(client, world["admin"])
    page = _text(client.get(NETWORK + "?year=2024"))
    assert '<option value="2024" selected>' in page
    assert '<option value="2026">' in page
    assert "Ancienne" in page
    assert "Ancienne" not in _text(client.get(NETWORK + "?year=2026"))
    assert "Ancienne" not in _text(client.get(NETWORK + "?year=abc"))


def test_the_csv_lists_the_years_cooperations(client, login, org, world):
    a, b, c = world["a"], world["b"], world["c"]
    application = _joint(world["call"], a, [b], title="Jardins")
    _essaimage(org, BEFORE, [[a, b]])
    _declared(org, b, c, description="=HYPERLINK(1)")
    login(client, world["admin"])
    response = client.get(NETWORK + ".csv?year=2026")
    assert response.mimetype == "text/csv"
    assert "cooperations-2026.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Année", "Association", "Association partenaire", "Date"]
    assert rows[1][:5] == [
        "2026",
        "Amitié Lens",
        "Bouge ton quartier",
        "2026-03-10",
        f"{application.number} Jardins",
    ]
    assert rows[1][6:] == [
        "après une table partagée à une journée d'essaimage",
        "non",
        "non",
        "oui",
    ]
    assert rows[2][1:3] == ["Bouge ton quartier", "Cultures du monde"]
    assert rows[2][5] == "'=HYPERLINK(1)"  # no formula
    assert len(rows) == 3


def test_the_admin_declares_a_cooperation_between_two_associations(client, login, world):
    login(client, world["admin"])
    data = {
        "first_id": world["c"].id,
        "second_id": world["a"].id,
        "year": 2026,
        "description": "Un forum commun",
    }
    response = client.post(NETWORK + "/declarer", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(NETWORK + "?year=2026")
    row = db.session.scalar(select(Cooperation))
    assert row.first_association_id == min(world["a"].id, world["c"].id)
    recipients = set(db.session.scalars(select(OutboxEmail.to_address)))
    assert recipients == {world["a_person"].email, world["c_person"].email}
    again = client.post(NETWORK + "/declarer", data=data)
    assert again.status_code == 422
    assert "déjà déclarée pour 2026" in _text(again)
    assert "Un forum commun" in _text(again)  # what was typed is kept
    same = client.post(NETWORK + "/declarer", data={**data, "second_id": world["c"].id})
    assert same.status_code == 422
    assert "deux associations différentes" in _text(same)
    assert _count(Cooperation) == 1


def test_the_network_page_is_bounded_in_queries(client, login, org, world, count_queries):
    def add(n, start):
        people = [ami.association_member(org, f"Structure {start + i:02d}")[0] for i in range(n)]
        for x, y in zip(people, people[1:], strict=False):
            _declared(org, x, y)
        for x in people[:2]:
            _matched(org, x, people[-1], BEFORE)
        _essaimage(org, BEFORE, [people[:2]])
        application = _joint(world["call"], people[0], people[1:3])
        _heard(world["call"], [application], BEFORE)

    login(client, world["admin"])
    add(4, 0)  # 3 declared cooperations
    client.get(NETWORK)
    with count_queries() as few:
        assert client.get(NETWORK).status_code == 200
    with count_queries() as few_csv:
        client.get(NETWORK + ".csv")
    add(31, 10)  # 30 more
    with count_queries() as many:
        page = _text(client.get(NETWORK))
    with count_queries() as many_csv:
        client.get(NETWORK + ".csv")
    assert "Structure 40" in page
    assert many.count == few.count
    assert many_csv.count == few_csv.count


def test_the_years_network_takes_a_fixed_number_of_queries(org, world, count_queries):
    a, b, c, d = (world[k] for k in "abcd")
    _heard(world["call"], [_joint(world["call"], a, [b, c])], BEFORE)
    _matched(org, a, d, BEFORE)
    _essaimage(org, BEFORE, [[c, d]])
    _declared(org, a, d)
    db.session.expire_all()
    assert org.id  # loaded again before counting
    with count_queries() as counter:
        rows = services.network_of_year(org, 2026)
    assert len(rows) == 4
    assert counter.count == 7


# --- the association's page -----------------------------------------------------------------


def _mine(association) -> str:
    return f"/ami/reseau/{association.id}/cooperations"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("citizen", 403), ("b_person", 403), ("admin", 403), ("a_person", 200)],
)
def test_the_associations_page_answers_each_role(client, login, world, who, expected):
    if who != "anonymous":
        login(client, world[who])
    assert client.get(_mine(world["a"])).status_code == expected
    data = {"partner_id": world["c"].id, "year": 2026, "description": "Ensemble"}
    response = client.post(_mine(world["a"]), data=data)
    assert response.status_code == (302 if who == "a_person" else expected)
    if who == "anonymous":
        assert LOGIN in response.headers["Location"]
    assert _count(Cooperation) == (1 if who == "a_person" else 0)


def test_another_organisation_finds_no_association_page(client, login, other_org, world):
    login(client, factories.user(other_org, Role.ADMIN), host="carcassonne.test")
    assert client.get(OTHER + _mine(world["a"])).status_code == 404
    stranger, person = ami.association_member(other_org, "Carcassonne solidaire")
    login(client, person, host="carcassonne.test")
    assert client.get(OTHER + _mine(world["a"])).status_code == 404
    assert client.get(OTHER + _mine(stranger)).status_code == 200


def test_an_association_sees_its_cooperations_and_declares_one(client, login, org, world):
    a, b, c = world["a"], world["b"], world["c"]
    _joint(world["call"], b, [a], title="Jardins")
    login(client, world["a_person"])
    page = _text(client.get(_mine(a)))
    assert "Coopérations de l'association Amitié Lens" in page
    assert "Bouge ton quartier" in page and "Jardins" in page
    assert f'<option value="{a.id}"' not in page  # not itself
    assert f'value="{datetime.now(UTC).year}"' in page  # this year by default
    response = client.post(
        _mine(a), data={"partner_id": c.id, "year": 2025, "description": "Prêt de matériel"}
    )
    assert response.status_code == 302
    row = db.session.scalar(select(Cooperation))
    assert (row.year, row.description) == (2025, "Prêt de matériel")
    [mail] = db.session.scalars(select(OutboxEmail))
    assert mail.to_address == world["c_person"].email
    assert "Amitié Lens a déclaré une coopération avec vous" in mail.subject
    assert (
        db.session.scalar(
            select(func.count()).where(AuditEntry.action == "network.cooperation.declare")
        )
        == 1
    )
    assert "Prêt de matériel" in _text(client.get(_mine(a)))
    # the partner sees it too
    login(client, world["c_person"])
    assert "Prêt de matériel" in _text(client.get(_mine(c)))


def test_a_duplicate_an_itself_and_a_bad_form_are_refused_with_what_was_typed(
    client, login, org, world
):
    a, b = world["a"], world["b"]
    _declared(org, a, b, year=2026)
    login(client, world["a_person"])
    duplicate = client.post(
        _mine(a), data={"partner_id": b.id, "year": 2026, "description": "Un autre texte"}
    )
    assert duplicate.status_code == 422
    assert "déjà déclarée pour 2026" in _text(duplicate)
    assert "Un autre texte" in _text(duplicate)
    itself = client.post(_mine(a), data={"partner_id": a.id, "year": 2026, "description": "x"})
    assert itself.status_code == 422
    assert "avec elle-même" in _text(itself)
    unknown = client.post(_mine(a), data={"partner_id": 99999, "year": 2026, "description": "x"})
    assert unknown.status_code == 422
    too_long = client.post(
        _mine(a), data={"partner_id": b.id, "year": 2027, "description": "x" * 1001}
    )
    assert too_long.status_code == 422
    assert "1000 caractères au plus" in _text(too_long)
    for year in ("1999", "2101", ""):
        bad_year = client.post(
            _mine(a), data={"partner_id": b.id, "year": year, "description": "x"}
        )
        assert bad_year.status_code == 422
    empty = client.post(_mine(a), data={"partner_id": "", "year": 2027, "description": ""})
    assert empty.status_code == 422
    assert _count(Cooperation) == 1
    assert _count(OutboxEmail) == 0


def test_a_duplicate_declared_at_the_same_moment_is_refused_without_error(
    client, login, org, world, monkeypatch
):
    a, b = world["a"], world["b"]
    _declared(org, a, b, year=2026)
    monkeypatch.setattr(services, "declared_between", lambda *args: None)
    login(client, world["a_person"])
    response = client.post(_mine(a), data={"partner_id": b.id, "year": 2026, "description": "x"})
    assert response.status_code == 422
    assert "déjà déclarée pour 2026" in _text(response)
    assert _count(Cooperation) == 1


def test_declaring_is_rate_limited(client, login, world):
    from app.extensions import limiter

    login(client, world["a_person"])
    limiter.enabled = True
    try:
        limiter.reset()
        codes = [
            client.post(_mine(world["a"]), data={"partner_id": ""}).status_code for _ in range(12)
        ]
    finally:
        limiter.enabled = False
    assert 429 in codes
    assert codes[0] == 422


# --- removing -------------------------------------------------------------------------------


def _delete(cooperation) -> str:
    return f"/ami/reseau/cooperations/{cooperation.id}/supprimer"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("c_person", 403),
        ("a_person", 302),
        ("b_person", 302),
        ("admin", 302),
    ],
)
def test_either_association_or_an_admin_removes_a_declared_cooperation(
    client, login, org, world, who, expected
):
    cooperation = _declared(org, world["a"], world["b"])
    if who != "anonymous":
        login(client, world[who])
    response = client.post(_delete(cooperation))
    assert response.status_code == expected
    if who == "anonymous":
        assert LOGIN in response.headers["Location"]
    removed = who in ("a_person", "b_person", "admin")
    assert _count(Cooperation) == (0 if removed else 1)
    if removed:
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEntry.action == "network.cooperation.delete")
            )
            == 1
        )
    if who == "b_person":
        assert response.headers["Location"].endswith(_mine(world["b"]))
    if who == "admin":
        assert response.headers["Location"].endswith(NETWORK + "?year=2026")


def test_removing_comes_back_to_the_page_it_was_asked_from(client, login, org, world):
    cooperation = _declared(org, world["a"], world["b"])
    login(client, world["a_person"])
    response = client.post(_delete(cooperation), data={"next": "https://evil.example/"})
    assert response.headers["Location"].endswith(_mine(world["a"]))
    db.session.expunge(cooperation)  # removed by the request: its id may come again
    cooperation = _declared(org, world["a"], world["b"])
    response = client.post(_delete(cooperation), data={"next": _mine(world["a"]) + "#declare"})
    assert response.headers["Location"].endswith(_mine(world["a"]) + "#declare")


def test_a_cooperation_of_another_organisation_is_not_found(client, login, org, other_org, world):
    cooperation = _declared(org, world["a"], world["b"])
    login(client, factories.user(other_org, Role.ADMIN), host="carcassonne.test")
    assert client.post(OTHER + _delete(cooperation)).status_code == 404
    assert client.post(_delete(cooperation) + "x").status_code == 404
    assert _count(Cooperation) == 1


def test_the_remove_button_is_on_both_pages(client, login, org, world):
    cooperation = _declared(org, world["a"], world["b"])
    login(client, world["b_person"])
    assert _delete(cooperation) in _text(client.get(_mine(world["b"])))
    login(client, world["admin"])
    assert _delete(cooperation) in _text(client.get(NETWORK))


def test_the_forms_need_their_csrf_token(client, login, org, world, csrf_on):
    cooperation = _declared(org, world["a"], world["b"])
    login(client, world["a_person"])
    assert client.post(_delete(cooperation)).status_code == 400
    response = client.post(
        _mine(world["a"]), data={"partner_id": world["c"].id, "year": 2026, "description": "x"}
    )
    assert response.status_code == 400
    login(client, world["admin"])
    response = client.post(
        NETWORK + "/declarer",
        data={
            "first_id": world["c"].id,
            "second_id": world["d"].id,
            "year": 2026,
            "description": "x",
        },
    )
    assert response.status_code == 400
    assert _count(Cooperation) == 1
