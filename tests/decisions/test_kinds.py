"""The consultation kinds of the registry: their result sentences (pure) and their bulk reads
(the timeline costs the same number of queries whatever the number of attached items)."""

from __future__ import annotations

from collections import Counter

from app import consultation_kinds
from app.db import db
from app.voting import VoteChoice
from consultations.bodies import kind as body_kind
from consultations.bodies.models import VoteStatus
from consultations.saisines import kind as saisine_kind
from consultations.saisines.models import Opinion
from decisions import queries, services
from participation.citizen import kind as citizen_kind
from tests import factories
from tests.decisions.conftest import make_dossier


def test_every_domain_registers_its_kind():
    keys = [k.key for k in consultation_kinds.all_kinds()]
    assert keys == ["saisine", "agenda_item", "council_referral", "citizen_consultation"]


def test_a_saisine_result_counts_each_opinion_and_the_tacit_ones():
    answers = Counter({Opinion.FAVORABLE: 3, Opinion.UNFAVORABLE: 1})
    text = saisine_kind.summary(answers, Counter({Opinion.FAVORABLE: 2}), 6)
    assert text == "3 favorables, 1 défavorable, 2 avis tacites ; 4 réponse(s) sur 6 commune(s)"
    assert saisine_kind.summary(Counter(), Counter(), 5) == "0 réponse(s) sur 5 commune(s)"


def test_an_agenda_item_result_gives_the_vote_and_the_opinion():
    counts = Counter({VoteChoice.FOR: 20, VoteChoice.AGAINST: 3, VoteChoice.ABSTAIN: 2})
    text = body_kind.summary(True, VoteStatus.CLOSED, counts, "Avis favorable.")
    assert text.startswith("Adopté : 20 pour, 3 contre, 2 abstention(s)")
    assert text.endswith("Avis : Avis favorable.")
    assert body_kind.summary(None, VoteStatus.NONE, Counter(), "") == (
        "Point d'information, sans vote"
    )


def test_a_citizen_consultation_result_counts_contributions_supports_and_answers():
    assert citizen_kind.summary(12, 40, 5) == (
        "12 contribution(s) publiée(s), 40 soutien(s) ; 5 avec une réponse de l'EPCI"
    )


def test_the_timeline_reads_each_kind_in_bulk(org, admin, count_queries):
    def dossier_with(n_saisines: int, n_consultations: int):
        dossier = make_dossier(org, admin)
        for _ in range(n_saisines):
            services.attach(admin, org, dossier, "saisine", factories.saisine(org, admin).id)
        for n in range(n_consultations):
            consultation = factories.consultation(org, title=f"C{n}")
            services.attach(admin, org, dossier, "citizen_consultation", consultation.id)
        db.session.commit()
        db.session.expire_all()
        return dossier.id

    def cost(dossier_id):
        from decisions.models import Dossier

        with count_queries() as counter:
            dossier = db.session.get(Dossier, dossier_id)
            queries.timeline(dossier)
        db.session.expire_all()
        return counter.count

    small = dossier_with(1, 1)
    large = dossier_with(4, 3)
    assert cost(small) == cost(large)
