"""The jury: seating members with their college, declarations of interest, the scoring grid
on a phone, and the secrecy of the other members' scores until the deliberation opens."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from ami.models import (
    ApplicationStatus,
    College,
    InterestDeclaration,
    JuryMember,
    Score,
)
from ami.services import jury as services
from ami.services.common import AmiError
from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.users.models import Role, User
from tests import factories
from tests.ami import factories as ami

# --- the world ------------------------------------------------------------------------------


@pytest.fixture
def world(org):
    admin = factories.user(org, Role.ADMIN, name="Agente EPCI")
    call = ami.call(org, open_=False)
    association, person = ami.association_member(org, "Les Amis du 9")
    other_association, _other_person = ami.association_member(org, "Femmes solidaires")
    eligible = ami.application(
        call, association, status=ApplicationStatus.ELIGIBLE, title="Ateliers du 9"
    )
    second = ami.application(
        call, other_association, status=ApplicationStatus.ELIGIBLE, title="Café des femmes"
    )
    draft = ami.application(call, association, status=ApplicationStatus.DRAFT, title="Brouillon")
    refused = ami.application(
        call, association, status=ApplicationStatus.INELIGIBLE, title="Hors sujet"
    )
    submitted = ami.application(call, association, title="Pas encore examinée")
    juror = ami.jury_member(call, college=College.ELECTED)
    colleague = ami.jury_member(call, college=College.FOUNDATION)
    other_call = ami.call(org, year=2025, open_=False)
    outsider = ami.jury_member(other_call)
    return {
        "admin": admin,
        "call": call,
        "other_call": other_call,
        "association": association,
        "person": person,
        "eligible": eligible,
        "second": second,
        "draft": draft,
        "refused": refused,
        "submitted": submitted,
        "juror": juror,
        "colleague": colleague,
        "outsider": outsider,
    }


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _grid(call, values: dict[int, int], comment="") -> dict:
    data = {"grid-submit_scores": "1"}
    for position, criterion in enumerate(call.criteria):
        if position in values:
            data[f"score-{criterion.id}"] = str(values[position])
            data[f"comment-{criterion.id}"] = f"{comment} {position}".strip()
    return data


def _declare(seat, application, conflict=False, reason=""):
    user = db.session.get(User, seat.user_id)
    services.declare(user, seat, application, conflict, reason, utcnow())
    db.session.commit()


def _score(seat, application, values, comment=""):
    user = db.session.get(User, seat.user_id)
    criteria = application.call.criteria
    services.save_scores(
        user,
        seat,
        application,
        {criteria[i].id: (v, f"{comment} {i}") for i, v in values.items()},
        utcnow(),
    )
    db.session.commit()


def _scores_of(seat) -> int:
    return db.session.scalar(select(func.count(Score.id)).where(Score.jury_member_id == seat.id))


# --- the admin seats the jury ---------------------------------------------------------------


def test_the_admin_seats_an_existing_person_who_gets_the_jury_role(client, login, org, world):
    vp = factories.user(org, Role.VICE_PRESIDENT, name="Vice-présidente Caron")
    login(client, world["admin"])
    url = f"/ami/gestion/appels/{world['call'].id}/jury"
    page = client.get(url)
    assert page.status_code == 200 and "Vice-présidente Caron" in _text(page)
    response = client.post(
        url, data={"add-user_id": vp.id, "add-college": "elected", "add-submit": "1"}
    )
    assert response.status_code == 302
    seat = db.session.scalar(select(JuryMember).where(JuryMember.user_id == vp.id))
    assert seat.college is College.ELECTED and seat.call_id == world["call"].id
    db.session.refresh(vp)
    assert vp.has_role(Role.JURY_MEMBER)
    page = _text(client.get(url))
    assert "Élus" in page and "Vice-présidente Caron" in page
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == vp.email))
    assert world["call"].title in email.subject and "/ami/jury/appels/" in email.body_text


def test_the_admin_invites_a_new_person_to_the_jury(client, login, world):
    login(client, world["admin"])
    response = client.post(
        f"/ami/gestion/appels/{world['call'].id}/jury",
        data={
            "invite-display_name": "Délégué du préfet",
            "invite-email": "delegue@pas-de-calais.gouv.fr",
            "invite-college": "state",
            "invite-submit": "1",
        },
    )
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "delegue@pas-de-calais.gouv.fr"))
    assert person.has_role(Role.JURY_MEMBER)
    seat = db.session.scalar(select(JuryMember).where(JuryMember.user_id == person.id))
    assert seat.college is College.STATE
    assert db.session.scalar(
        select(func.count(OutboxEmail.id)).where(OutboxEmail.to_address == person.email)
    )


def test_an_invitation_with_a_bad_address_keeps_what_was_typed(client, login, world):
    login(client, world["admin"])
    response = client.post(
        f"/ami/gestion/appels/{world['call'].id}/jury",
        data={
            "invite-display_name": "Conseillère citoyenne",
            "invite-email": "pas-une-adresse",
            "invite-college": "citizen_council",
            "invite-submit": "1",
        },
    )
    assert response.status_code == 200
    assert "Conseillère citoyenne" in _text(response) and "pas-une-adresse" in _text(response)


def test_a_member_who_has_not_scored_can_be_removed_but_not_one_who_has(client, login, world):
    _declare(world["juror"], world["eligible"])
    _score(world["juror"], world["eligible"], {0: 4})
    login(client, world["admin"])
    url = f"/ami/gestion/appels/{world['call'].id}/jury"
    client.post(url, data={"remove-member_id": world["juror"].id, "remove-submit": "1"})
    assert db.session.get(JuryMember, world["juror"].id) is not None
    colleague_id = world["colleague"].id
    client.post(url, data={"remove-member_id": colleague_id, "remove-submit": "1"})
    db.session.expire_all()
    assert db.session.get(JuryMember, colleague_id) is None


def test_the_jury_page_shows_each_members_declarations_and_scores(client, login, world):
    _declare(world["juror"], world["eligible"])
    _declare(world["juror"], world["second"], conflict=True, reason="Trésorière")
    _score(world["juror"], world["eligible"], {0: 4, 1: 3})
    rows = {r.member.id: r for r in services.members_of(world["call"])}
    juror = rows[world["juror"].id]
    assert (juror.declarations, juror.conflicts, juror.scored_applications) == (2, 1, 1)
    assert rows[world["colleague"].id].declarations == 0


def test_seating_the_same_person_twice_is_refused(world):
    user = db.session.get(User, world["juror"].user_id)
    with pytest.raises(AmiError) as refused:
        services.add_member(world["admin"], world["call"], user, College.OTHER)
    assert refused.value.code == "already_member"


# --- who may open which page ----------------------------------------------------------------


def _pages(world) -> dict[str, str]:
    return {
        "members": f"/ami/gestion/appels/{world['call'].id}/jury",
        "index": "/ami/jury",
        "call": f"/ami/jury/appels/{world['call'].id}",
        "application": f"/ami/jury/candidatures/{world['eligible'].id}",
    }


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for name, url in _pages(world).items():
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], name


def test_an_association_sees_none_of_the_jury_pages(client, login, world):
    login(client, world["person"])
    for name, url in _pages(world).items():
        assert client.get(url).status_code == 403, name


def test_a_jury_member_of_another_call_is_refused(client, login, world):
    login(client, db.session.get(User, world["outsider"].user_id))
    pages = _pages(world)
    assert client.get(pages["index"]).status_code == 200
    assert client.get(pages["members"]).status_code == 403
    assert client.get(pages["call"]).status_code == 403
    assert client.get(pages["application"]).status_code == 403
    response = client.post(pages["application"], data=_grid(world["call"], {0: 5}))
    assert response.status_code == 403


def test_a_jury_member_opens_their_calls_and_the_eligible_applications(client, login, world):
    login(client, db.session.get(User, world["juror"].user_id))
    pages = _pages(world)
    assert client.get(pages["members"]).status_code == 403
    index = _text(client.get(pages["index"]))
    assert world["call"].title in index and world["other_call"].title not in index
    page = _text(client.get(pages["call"]))
    assert "Ateliers du 9" in page and "Café des femmes" in page and "À déclarer" in page
    for hidden in ("Brouillon", "Hors sujet", "Pas encore examinée"):
        assert hidden not in page
    assert client.get(pages["application"]).status_code == 200


def test_jury_members_never_open_drafts_or_ineligible_applications(client, login, world):
    login(client, db.session.get(User, world["juror"].user_id))
    for key in ("draft", "refused", "submitted"):
        response = client.get(f"/ami/jury/candidatures/{world[key].id}")
        assert response.status_code == 403, key


def test_another_organisations_juror_finds_nothing(client, login, world, org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    stranger_call = ami.call(other_org)
    stranger = ami.jury_member(stranger_call)
    login(client, db.session.get(User, stranger.user_id), host="carcassonne.test")
    pages = _pages(world)
    for name in ("call", "application"):
        response = client.get(f"http://carcassonne.test{pages[name]}")
        assert response.status_code == 404, name
    admin = factories.user(other_org, Role.ADMIN)
    login(client, admin, host="carcassonne.test")
    assert client.get(f"http://carcassonne.test{pages['members']}").status_code == 404


# --- declarations and scores ----------------------------------------------------------------


def test_a_member_declares_no_conflict_then_scores_from_the_grid(client, login, world):
    login(client, db.session.get(User, world["juror"].user_id))
    url = f"/ami/jury/candidatures/{world['eligible'].id}"
    page = _text(client.get(url))
    assert "Je n'ai aucun lien d'intérêt avec ce porteur" in page
    assert "Ma grille d'évaluation" not in page
    assert (
        client.post(url, data={"decl-conflict": "no", "decl-submit_declaration": "1"}).status_code
        == 302
    )
    page = _text(client.get(url))
    assert "Ma grille d'évaluation" in page and "Innovation" in page
    response = client.post(url, data=_grid(world["call"], {0: 4, 1: 5, 2: 3}, "Très ancré"))
    assert response.status_code == 302
    assert _scores_of(world["juror"]) == 3
    score = db.session.scalar(select(Score).where(Score.value == 5))
    assert score.comment == "Très ancré 1" and score.scored_at is not None
    # a second save updates rather than duplicates
    client.post(url, data=_grid(world["call"], {0: 2, 1: 5, 2: 3, 3: 1, 4: 0}))
    assert _scores_of(world["juror"]) == 5
    call_page = _text(client.get(f"/ami/jury/appels/{world['call'].id}"))
    assert "Noté (5/5 critères)" in call_page


def test_a_bad_score_keeps_what_was_typed(client, login, world):
    _declare(world["juror"], world["eligible"])
    login(client, db.session.get(User, world["juror"].user_id))
    url = f"/ami/jury/candidatures/{world['eligible'].id}"
    data = _grid(world["call"], {0: 4}, "Mon commentaire précieux")
    data[f"score-{world['call'].criteria[1].id}"] = "9"
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = _text(response)
    assert "Mon commentaire précieux 0" in page and "Choisissez une note de 0 à 5." in page
    assert _scores_of(world["juror"]) == 0


def test_a_member_with_a_declared_conflict_cannot_score(client, login, world):
    login(client, db.session.get(User, world["juror"].user_id))
    url = f"/ami/jury/candidatures/{world['eligible'].id}"
    client.post(
        url,
        data={
            "decl-conflict": "yes",
            "decl-reason": "Je préside cette association",
            "decl-submit_declaration": "1",
        },
    )
    declaration = db.session.scalar(select(InterestDeclaration))
    assert declaration.conflict_of_interest and declaration.reason == "Je préside cette association"
    page = _text(client.get(url))
    assert "vous vous êtes déporté(e)" in page and "Ma grille d'évaluation" not in page
    response = client.post(url, data=_grid(world["call"], {0: 5, 1: 5}))
    assert response.status_code == 403
    assert _scores_of(world["juror"]) == 0
    with pytest.raises(AmiError):
        _score(world["juror"], world["eligible"], {0: 5})


def test_a_conflict_needs_a_reason(client, login, world):
    login(client, db.session.get(User, world["juror"].user_id))
    url = f"/ami/jury/candidatures/{world['eligible'].id}"
    response = client.post(url, data={"decl-conflict": "yes", "decl-submit_declaration": "1"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(InterestDeclaration.id))) == 0


def test_declaring_a_conflict_later_deletes_the_members_scores_and_is_audited(world):
    _declare(world["juror"], world["eligible"])
    _score(world["juror"], world["eligible"], {0: 4, 1: 2})
    _declare(world["juror"], world["eligible"], conflict=True, reason="Lien familial")
    assert _scores_of(world["juror"]) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ami.jury_conflict"))
    assert entry.details["scores_deleted"] == 2


def test_a_conflict_cannot_be_withdrawn_once_the_deliberation_is_open(world):
    _declare(world["juror"], world["eligible"], conflict=True, reason="Salariée")
    world["call"].deliberation_opened_at = utcnow()
    db.session.commit()
    with pytest.raises(AmiError) as refused:
        _declare(world["juror"], world["eligible"], conflict=False)
    assert refused.value.code == "conflict_locked"


def test_scoring_before_declaring_is_refused(client, login, world):
    login(client, db.session.get(User, world["juror"].user_id))
    url = f"/ami/jury/candidatures/{world['eligible'].id}"
    response = client.post(url, data=_grid(world["call"], {0: 3}))
    assert response.status_code == 422
    assert _scores_of(world["juror"]) == 0


def test_a_member_never_sees_another_members_scores_before_the_deliberation(client, login, world):
    for seat in (world["juror"], world["colleague"]):
        _declare(seat, world["eligible"])
    _score(world["colleague"], world["eligible"], {0: 1, 1: 1}, "SECRET-COLLEGUE")
    _score(world["juror"], world["eligible"], {0: 5}, "MA-NOTE")
    login(client, db.session.get(User, world["juror"].user_id))
    url = f"/ami/jury/candidatures/{world['eligible'].id}"
    for page in (_text(client.get(url)), _text(client.get(f"/ami/jury/appels/{world['call'].id}"))):
        assert "SECRET-COLLEGUE" not in page and "Moyenne du jury" not in page
    assert "MA-NOTE 0" in _text(client.get(url))
    world["call"].deliberation_opened_at = utcnow()
    db.session.commit()
    page = _text(client.get(url))
    assert "Moyenne du jury : 3,0 / 5" in page and "SECRET-COLLEGUE" not in page


def test_the_scoring_grid_fits_a_phone(client, login, world):
    _declare(world["juror"], world["eligible"])
    login(client, db.session.get(User, world["juror"].user_id))
    page = client.get(f"/ami/jury/candidatures/{world['eligible'].id}").get_data(as_text=True)
    assert 'name="viewport"' in page and "ami-jury.css" in page
    criterion = world["call"].criteria[0]
    for n in range(6):
        assert f'<label for="score-{criterion.id}-{n}">{n}</label>' in page
    stylesheet = client.get("/static/css/ami-jury.css")
    assert stylesheet.status_code == 200 and b".jury-scale" in stylesheet.data
    stylesheet.close()


def test_the_call_page_runs_the_same_queries_for_2_or_20_applications(
    client, login, world, count_queries
):
    login(client, db.session.get(User, world["juror"].user_id))
    url = f"/ami/jury/appels/{world['call'].id}"
    _declare(world["juror"], world["eligible"])
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(18):
        application = ami.application(
            world["call"], world["association"], status=ApplicationStatus.ELIGIBLE
        )
        if n % 2:
            _declare(world["juror"], application)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200 and _text(response).count("jury-item__link") == 20
    assert many.count == few.count


def test_the_scoring_grid_is_protected_against_forged_posts(client, login, world, csrf_on):
    import re

    _declare(world["juror"], world["eligible"])
    login(client, db.session.get(User, world["juror"].user_id))
    url = f"/ami/jury/candidatures/{world['eligible'].id}"
    assert client.post(url, data=_grid(world["call"], {0: 4})).status_code == 400
    assert _scores_of(world["juror"]) == 0
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="grid-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = _grid(world["call"], {0: 4})
    data["grid-csrf_token"] = token
    assert client.post(url, data=data).status_code == 302
    assert _scores_of(world["juror"]) == 1
