"""Years of activity for one organisation: saisines, bodies, citizen consultations, AMI."""

from __future__ import annotations

from datetime import timedelta

from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    Association,
    College,
    Criterion,
    Decision,
    InterestDeclaration,
    JuryMember,
    Outcome,
    Qpv,
    Score,
    Theme,
    association_qpv,
    association_theme,
    call_theme,
)
from ami.network.models import (
    DirectoryProfile,
    NetworkTag,
    directory_commune,
    directory_need,
    directory_offer,
)
from app.users.models import Membership, Role, User
from app.voting import VoteChoice
from consultations.bodies.models import (
    AgendaItem,
    Attendance,
    Body,
    BodyKind,
    BodyMember,
    Convocation,
    Meeting,
    MeetingStatus,
    Vote,
    VoteStatus,
)
from consultations.saisines.models import (
    Opinion,
    ResponseStatus,
    ResponseVersion,
    Saisine,
    SaisineKind,
    SaisineResponse,
    SaisineStatus,
    SaisineTarget,
)
from participation.citizen.models import (
    Comment,
    ConsultationTheme,
    ContentStatus,
    Proposal,
    PublicConsultation,
    Support,
    consultation_commune,
)

SUBJECTS = (
    "une piste cyclable",
    "des bancs ombragés",
    "un jardin partagé",
    "des arbres d'alignement",
    "un parking vélo sécurisé",
    "une aire de jeux",
    "des toilettes publiques",
    "un éclairage plus doux",
    "un marché de producteurs",
    "une navette le dimanche",
)
PLACES = ("près de la gare", "le long de la rivière", "au centre-ville", "devant l'école")
WORDS = (
    "quartier habitants enfants sécurité promenade rivière berges commerce école gare nature "
    "ombre été hiver bus tramway covoiturage jeunes aînés accessibilité propreté"
).split()
SAISINE_TOPICS = (
    "Plan local d'urbanisme intercommunal : modification n° {n}",
    "Programme local de l'habitat : bilan à mi-parcours ({n})",
    "Schéma de mobilité : consultation des communes ({n})",
    "Pacte financier et fiscal : répartition ({n})",
    "Recensement des besoins en équipements sportifs ({n})",
)
THEMES = ("Éducation", "Insertion professionnelle et sociale", "Santé", "Inclusion numérique")
TAGS = ("Locaux", "Bénévoles", "Matériel", "Véhicule", "Communication", "Formation")
OPINIONS = (Opinion.FAVORABLE, Opinion.FAVORABLE_WITH_RESERVATIONS, Opinion.UNFAVORABLE)
CHOICES = (VoteChoice.FOR, VoteChoice.FOR, VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN)


def generate_organisation(writer, org, scale, rng, now) -> None:
    _saisines(writer, org, scale, rng, now)
    _bodies(writer, org, scale, rng, now)
    _citizens(writer, org, scale, rng, now)
    _consultations(writer, org, scale, rng, now)
    _ami(writer, org, scale, rng, now)


def _spread(rng, now, years: int, count: int, future: int = 0) -> list:
    """`count` moments over the last `years` years, oldest first; the last `future` ones ahead."""
    span = int(years * 365 * 86400)
    moments = sorted(now - timedelta(seconds=rng.randrange(span)) for _ in range(count))
    for i in range(max(0, count - future), count):
        moments[i] = now + timedelta(days=3 + i % 20)
    return moments


# --- saisines -----------------------------------------------------------------------------------


def _saisines(writer, org, scale, rng, now) -> None:
    open_count = max(1, scale.saisines // 30)
    starts = _spread(rng, now, scale.years, scale.saisines)
    for n, opens_at in enumerate(starts, start=1):
        is_open = n > scale.saisines - open_count
        if is_open:
            opens_at = now - timedelta(days=5 + n % 10)
        deadline = opens_at + timedelta(days=45 if not is_open else 60)
        saisine = writer.add(
            Saisine,
            {
                "organisation_id": org.id,
                "reference": f"S-{opens_at.year}-{n:04d}",
                "title": rng.choice(SAISINE_TOPICS).format(n=n),
                "description": "<p>Merci de nous faire part de l'avis du conseil municipal.</p>",
                "kind": SaisineKind.OPINION,
                "status": SaisineStatus.OPEN if is_open else SaisineStatus.CLOSED,
                "opens_at": opens_at,
                "deadline": deadline,
                "opened_at": opens_at,
                "notified_at": opens_at,
                "closed_at": None if is_open else deadline,
                "results_published": not is_open,
                "created_by_id": org.admin_id,
                "created_at": opens_at,
                "updated_at": opens_at,
            },
        )
        rate = scale.answer_rate / 2 if is_open else scale.answer_rate
        for commune_id in org.communes:
            writer.add(
                SaisineTarget,
                {
                    "saisine_id": saisine["id"],
                    "commune_id": commune_id,
                    "first_opened_at": opens_at,
                },
            )
            if rng.random() < rate:
                _response(writer, org, saisine, commune_id, rng, opens_at, deadline)


def _response(writer, org, saisine, commune_id, rng, opens_at, deadline) -> None:
    moment = opens_at + (deadline - opens_at) * rng.random()
    opinion = rng.choice(OPINIONS)
    motivation = "Le conseil municipal a délibéré sur ce point."
    mayor = org.mayors[commune_id]
    response = writer.add(
        SaisineResponse,
        {
            "saisine_id": saisine["id"],
            "commune_id": commune_id,
            "status": ResponseStatus.SUBMITTED,
            "opinion": opinion,
            "motivation": motivation,
            "answers": {},
            "submitted_at": moment,
            "submitted_by_id": mayor,
            "edited_by_id": mayor,
            "signed_as": "mayor",
            "created_at": moment,
            "updated_at": moment,
        },
    )
    writer.add(
        ResponseVersion,
        {
            "response_id": response["id"],
            "number": 1,
            "opinion": opinion,
            "motivation": motivation,
            "answers": {},
            "questionnaire_version": 1,
            "attachment_names": [],
            "submitted_at": moment,
            "submitted_by_id": mayor,
            "signed_as": "mayor",
        },
    )


# --- bodies, meetings, votes ------------------------------------------------------------------


def _bodies(writer, org, scale, rng, now) -> None:
    body = writer.add(
        Body,
        {
            "organisation_id": org.id,
            "kind": BodyKind.MAYORS_CONFERENCE,
            "name": "Conférence des maires",
            "auto_mayors": True,
            "quorum_numerator": 1,
            "quorum_denominator": 2,
        },
    )
    members = [
        writer.add(
            BodyMember,
            {
                "body_id": body["id"],
                "user_id": org.mayors[c],
                "commune_id": c,
                "is_secretary": False,
                "created_at": now - timedelta(days=365 * scale.years),
            },
        )["id"]
        for c in org.communes
    ]
    upcoming = min(2, scale.meetings)
    for n, starts_at in enumerate(_spread(rng, now, scale.years, scale.meetings, upcoming)):
        held = starts_at < now
        meeting = writer.add(
            Meeting,
            {
                "body_id": body["id"],
                "title": f"Conférence des maires n° {n + 1}",
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=2),
                "venue": "Salle du conseil, hôtel de la métropole",
                "status": MeetingStatus.MINUTES_PUBLISHED if held else MeetingStatus.CONVENED,
                "convened_at": starts_at - timedelta(days=10),
                "minutes": "<p>Compte rendu de la séance.</p>" if held else "",
                "minutes_published_at": starts_at + timedelta(days=7) if held else None,
                "uid": f"bench-{org.siren}-{n}-{rng.getrandbits(32):08x}",
                "created_at": starts_at - timedelta(days=20),
                "updated_at": starts_at,
            },
        )
        _meeting_rows(writer, meeting, members, rng, held, starts_at)


def _meeting_rows(writer, meeting, members, rng, held, starts_at) -> None:
    present = [m for m in members if rng.random() < 0.8] if held else []
    for member in members:
        writer.add(
            Convocation,
            {
                "meeting_id": meeting["id"],
                "member_id": member,
                "token": f"{meeting['id']}-{member}-{rng.getrandbits(48):012x}",
                "sent_at": starts_at - timedelta(days=10),
            },
        )
    for member in present:
        writer.add(
            Attendance,
            {"meeting_id": meeting["id"], "member_id": member, "recorded_at": starts_at},
        )
    for position in range(4):
        votes = position < 3
        item = writer.add(
            AgendaItem,
            {
                "meeting_id": meeting["id"],
                "position": position,
                "title": f"Point {position + 1} : avis sur le projet de délibération",
                "vote_status": (VoteStatus.CLOSED if held else VoteStatus.PENDING)
                if votes
                else VoteStatus.NONE,
            },
        )
        if votes:
            for member in present:
                writer.add(
                    Vote,
                    {
                        "item_id": item["id"],
                        "member_id": member,
                        "choice": rng.choice(CHOICES),
                        "created_at": starts_at + timedelta(minutes=30 + position * 10),
                    },
                )


# --- citizen consultations --------------------------------------------------------------------


def _citizens(writer, org, scale, rng, now) -> None:
    for n in range(scale.citizens):
        user = writer.add(
            User,
            {
                "organisation_id": org.id,
                "email": f"habitant-{n}@concerto-bench.fr",
                "display_name": f"Habitant·e {n}",
                "password_hash": None,
                "email_confirmed_at": now,
            },
        )
        writer.add(Membership, {"user_id": user["id"], "role": Role.CITIZEN})
        org.citizens.append(user["id"])


def _shares(total: int, parts: int) -> list[int]:
    """`total` split in `parts` decreasing shares (half, then a third...)."""
    weights = [1 / (i + 1) for i in range(parts)]
    shares = [int(total * w / sum(weights)) for w in weights]
    shares[0] += total - sum(shares)
    return shares


def _consultations(writer, org, scale, rng, now) -> None:
    proposals = _shares(scale.proposals, scale.consultations)
    supports = _shares(scale.supports, scale.consultations)
    comments = _shares(scale.comments, scale.consultations)
    for n in range(scale.consultations):
        start = now - timedelta(days=365 * scale.years * (n + 1) / (scale.consultations + 1))
        end = now + timedelta(days=30) if n == 0 else start + timedelta(days=120)
        consultation = writer.add(
            PublicConsultation,
            {
                "organisation_id": org.id,
                "slug": f"consultation-{n + 1}",
                "title": f"Consultation citoyenne n° {n + 1} : le territoire en 2040",
                "presentation": "<p>Donnez votre avis et proposez vos idées.</p>",
                "published": True,
                "information_starts_at": start - timedelta(days=10),
                "contributions_start_at": start,
                "contributions_end_at": end,
                "synthesis_starts_at": end,
                "feedback_starts_at": end + timedelta(days=60),
                "created_by_id": org.admin_id,
            },
        )
        for commune_id in org.communes:
            writer.add(
                consultation_commune,
                {"consultation_id": consultation["id"], "commune_id": commune_id},
            )
        themes = [
            writer.add(ConsultationTheme, {"consultation_id": consultation["id"], "name": t})["id"]
            for t in THEMES
        ]
        span = min(end, now) - start
        _proposals(writer, org, consultation, themes, rng, start, span, proposals[n], supports[n])
        _comments(writer, org, rng, comments[n], start, span)


def _proposals(writer, org, consultation, themes, rng, start, span, count, supports) -> None:
    # supports go mostly to a few proposals (a long tail), at most one per person and proposal
    counts = [0] * count
    for _ in range(supports):
        counts[min(count - 1, int(rng.paretovariate(1.2)) - 1 + rng.randrange(count) // 4)] += 1
    counts = [min(c, len(org.citizens)) for c in counts]
    org.last_proposals = []
    for i in range(count):
        subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
        text = f"Je propose {subject} {place}. " + " ".join(rng.sample(WORDS, 8)) + "."
        # one in fifty waits for moderation, one in fifty is hidden, from the tenth on
        status = {1: ContentStatus.PENDING, 2: ContentStatus.HIDDEN}.get(
            i % 50, ContentStatus.PUBLISHED
        )
        moment = start + span * (i / max(1, count))
        proposal = writer.add(
            Proposal,
            {
                "consultation_id": consultation["id"],
                "author_id": rng.choice(org.citizens),
                "show_name": rng.random() < 0.3,
                "theme_id": rng.choice(themes),
                "commune_id": rng.choice(org.communes),
                "title": f"{subject.capitalize()} {place} (n° {i + 1})",
                "body": f"<p>{text}</p>",
                "body_text": text,
                "status": status,
                "support_count": counts[i],
                "created_at": moment,
                "updated_at": moment,
            },
        )
        org.last_proposals.append(proposal["id"])
        for user_id in rng.sample(org.citizens, counts[i]):
            writer.add(
                Support,
                {"proposal_id": proposal["id"], "user_id": user_id, "created_at": moment},
            )


def _comments(writer, org, rng, count, start, span) -> None:
    for i in range(count):
        moment = start + span * (i / max(1, count))
        writer.add(
            Comment,
            {
                "proposal_id": rng.choice(org.last_proposals),
                "author_id": rng.choice(org.citizens),
                "body": "<p>Bonne idée, je soutiens.</p>",
                "status": ContentStatus.PUBLISHED,
                "created_at": moment,
                "updated_at": moment,
            },
        )


# --- AMI cohésion sociale and the associations' network --------------------------------------


def _ami(writer, org, scale, rng, now) -> None:
    themes = [
        writer.add(Theme, {"organisation_id": org.id, "name": t, "position": i})["id"]
        for i, t in enumerate(THEMES)
    ]
    qpv_communes = org.communes[: max(1, len(org.communes) // 8)]
    qpvs = [
        writer.add(
            Qpv,
            {"organisation_id": org.id, "name": f"QPV {i + 1}", "commune_id": commune_id},
        )["id"]
        for i, commune_id in enumerate(qpv_communes)
    ]
    associations = _associations(writer, org, scale, rng, now, themes, qpvs)
    _directory(writer, org, rng, now, associations)
    per_call = _shares(scale.applications, scale.calls)
    for n in range(scale.calls):
        year = now.year - scale.calls + 1 + n
        _call(writer, org, scale, rng, now, year, themes, associations, per_call[n])


def _associations(writer, org, scale, rng, now, themes, qpvs) -> list[int]:
    ids = []
    for n in range(scale.associations):
        commune_id = rng.choice(org.communes)
        association = writer.add(
            Association,
            {
                "organisation_id": org.id,
                "name": f"Association n° {n + 1} de {org.insee[commune_id]}",
                "rna_number": f"W{rng.randrange(10**9):09d}",
                "commune_id": commune_id,
                "contact_name": f"Président·e {n + 1}",
                "contact_email": f"asso-{n + 1}@concerto-bench.fr",
                "presentation": "Association de quartier : accompagnement et animation.",
            },
        )
        ids.append(association["id"])
        for theme in rng.sample(themes, 2):
            writer.add(association_theme, {"association_id": association["id"], "theme_id": theme})
        if rng.random() < 0.5:
            qpv = rng.choice(qpvs)
            writer.add(association_qpv, {"association_id": association["id"], "qpv_id": qpv})
        user = writer.add(
            User,
            {
                "organisation_id": org.id,
                "email": f"asso-{n + 1}@concerto-bench.fr",
                "display_name": f"Membre association {n + 1}",
                "password_hash": org.password,
                "email_confirmed_at": now,
            },
        )
        writer.add(
            Membership,
            {
                "user_id": user["id"],
                "role": Role.ASSOCIATION_MEMBER,
                "association_id": association["id"],
            },
        )
    return ids


def _directory(writer, org, rng, now, associations) -> None:
    tags = [
        writer.add(NetworkTag, {"organisation_id": org.id, "name": t, "position": i})["id"]
        for i, t in enumerate(TAGS)
    ]
    for association_id in associations:
        profile = writer.add(
            DirectoryProfile,
            {
                "association_id": association_id,
                "listed": True,
                "listed_at": now - timedelta(days=rng.randrange(700)),
                "offers_text": "Nous prêtons une salle le samedi.",
                "needs_text": "Nous cherchons des bénévoles.",
            },
        )
        offers = rng.sample(tags, 2)
        for tag in offers:
            writer.add(directory_offer, {"profile_id": profile["id"], "tag_id": tag})
        for tag in rng.sample([t for t in tags if t not in offers], 2):
            writer.add(directory_need, {"profile_id": profile["id"], "tag_id": tag})
        for commune_id in rng.sample(org.communes, min(3, len(org.communes))):
            writer.add(directory_commune, {"profile_id": profile["id"], "commune_id": commune_id})


def _call(writer, org, scale, rng, now, year, themes, associations, count) -> None:
    current = year == now.year
    opens = now.replace(year=year, month=1, day=15, hour=8, minute=0, second=0)
    call = writer.add(
        AmiCall,
        {
            "organisation_id": org.id,
            "year": year,
            "title": f"AMI cohésion sociale {year}",
            "specification": "<p>Cahier des charges de l'appel.</p>",
            "opens_at": opens,
            "closes_at": opens + timedelta(days=60),
            "budget_envelope_cents": 40_000_000,
            "base_rate": 50,
            "ceiling_cents": 1_500_000,
            "published_at": opens,
            "deliberation_opened_at": None if current else opens + timedelta(days=120),
            "created_by_id": org.admin_id,
        },
    )
    for theme in themes:
        writer.add(call_theme, {"call_id": call["id"], "theme_id": theme})
    criteria = [
        writer.add(
            Criterion,
            {"call_id": call["id"], "label": label, "weight": weight, "position": i},
        )["id"]
        for i, (label, weight) in enumerate(
            (("Pertinence", 2), ("Faisabilité", 1), ("Public touché", 1), ("Partenariats", 1))
        )
    ]
    jurors = []
    for n in range(scale.jurors):
        user = writer.add(
            User,
            {
                "organisation_id": org.id,
                "email": f"jury-{year}-{n + 1}@concerto-bench.fr",
                "display_name": f"Juré·e {year}-{n + 1}",
                "password_hash": org.password,
                "email_confirmed_at": now,
            },
        )
        writer.add(Membership, {"user_id": user["id"], "role": Role.JURY_MEMBER})
        jurors.append(
            writer.add(
                JuryMember,
                {"call_id": call["id"], "user_id": user["id"], "college": list(College)[n % 6]},
            )["id"]
        )
    for n in range(count):
        _application(writer, org, rng, call, year, n, themes, associations, criteria, jurors)


def _application(writer, org, rng, call, year, n, themes, associations, criteria, jurors):
    eligible = rng.random() < 0.85
    submitted = call["opens_at"] + timedelta(days=rng.randrange(1, 59))
    requested = rng.randrange(2_000, 15_000) * 100
    application = writer.add(
        Application,
        {
            "call_id": call["id"],
            "association_id": associations[n % len(associations)],
            "status": ApplicationStatus.ELIGIBLE if eligible else ApplicationStatus.INELIGIBLE,
            "number": f"AMI-{year}-{n + 1:03d}",
            "title": f"Projet {n + 1} : ateliers {rng.choice(WORDS)}",
            "theme_id": rng.choice(themes),
            "public": "Jeunes de 12 à 25 ans du quartier.",
            "beneficiaries": rng.randrange(10, 300),
            "women_share": rng.randrange(20, 80),
            "objectives": "Favoriser l'insertion et le lien social.",
            "actions": "Ateliers hebdomadaires, sorties, accompagnement individuel.",
            "budget_total_cents": requested * 2,
            "requested_cents": requested,
            "other_funding_cents": requested // 2,
            "submitted_at": submitted,
            "complete": True,
            "association_valid": True,
            "theme_in_call": eligible,
            "created_at": submitted,
            "updated_at": submitted,
        },
    )
    if not eligible:
        return
    for juror in jurors:
        conflict = rng.random() < 0.03
        writer.add(
            InterestDeclaration,
            {
                "jury_member_id": juror,
                "application_id": application["id"],
                "conflict_of_interest": conflict,
                "declared_at": submitted + timedelta(days=70),
            },
        )
        if conflict:
            continue
        for criterion in criteria:
            writer.add(
                Score,
                {
                    "jury_member_id": juror,
                    "application_id": application["id"],
                    "criterion_id": criterion,
                    "value": rng.randrange(0, 6),
                    "scored_at": submitted + timedelta(days=75),
                },
            )
    if call["deliberation_opened_at"] is not None:
        funded = rng.random() < 0.6
        writer.add(
            Decision,
            {
                "application_id": application["id"],
                "outcome": Outcome.FUNDED if funded else Outcome.NOT_FUNDED,
                "granted_cents": requested if funded else 0,
                "decided_by_id": org.admin_id,
            },
        )
