"""The network's directory: an association's entry, the directory and its entries, and the
suggestions of associations to work with (the network's settings and tags: routes/settings.py)."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ami.messages import error_message
from ami.network import permissions, queries, rules
from ami.network.forms.directory import (
    DirectoryProfileForm,
    parse_filters,
)
from ami.network.routes.common import association_or_404
from ami.network.services import directory as services
from ami.network.services.common import NetworkError
from ami.routes import bp
from app.access import can, login_required, require
from app.db import db
from app.extensions import limiter
from app.i18n import _, ngettext
from app.organisations.queries import communes_of
from app.web.pagination import paginate

PER_PAGE = 20


# --- loading and access ----------------------------------------------------------------------


def _acts_or_runs(association) -> bool:
    """The association's own people, or the admins of its organisation."""
    return can(current_user, "network.act", association) or can(
        current_user, "network.manage", association
    )


def _require_directory_visible():
    """The directory's settings, when the visitor may read it; anonymous visitors of a
    directory that is not public are sent to the login page, others get 403."""
    settings = queries.settings_of(g.organisation)
    if permissions.directory_visible(current_user, settings):
        return settings
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    require(False)


# --- an association's entry ------------------------------------------------------------------


def _initial(profile) -> dict:
    if profile is None:
        return {"listed": False}
    return {
        "listed": profile.listed,
        "offer_ids": [t.id for t in profile.offers],
        "offers_text": profile.offers_text,
        "need_ids": [t.id for t in profile.needs],
        "needs_text": profile.needs_text,
        "commune_ids": [c.id for c in profile.communes],
        "website": profile.website,
    }


def _profile_data(form: DirectoryProfileForm, tags, communes) -> services.ProfileData:
    offers, needs = set(form.offer_ids.data or []), set(form.need_ids.data or [])
    chosen = set(form.commune_ids.data or [])
    return services.ProfileData(
        listed=bool(form.listed.data),
        offers=[t for t in tags if t.id in offers],
        offers_text=form.offers_text.data or "",
        needs=[t for t in tags if t.id in needs],
        needs_text=form.needs_text.data or "",
        communes=[c for c in communes if c.id in chosen],
        website=form.website.data or "",
    )


@bp.route("/reseau/<int:association_id>/annuaire", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute;300 per day", methods=["POST"])
def directory_profile_edit(association_id: int):
    org = g.organisation
    association = association_or_404(association_id)
    require(_acts_or_runs(association))
    profile = queries.profile_of(association)
    tags, communes = queries.tags_of(org), communes_of(org)
    if request.method == "GET":
        form = DirectoryProfileForm(data=_initial(profile))
    else:
        form = DirectoryProfileForm()
    form.fill_choices(tags, communes)
    if form.validate_on_submit():
        try:
            profile = services.save_profile(
                current_user, org, association, _profile_data(form, tags, communes)
            )
            db.session.commit()
        except NetworkError as exc:
            db.session.rollback()
            target = form.website if exc.code == "website_invalid" else None
            (target.errors if target else form.form_errors).append(error_message(exc))
        else:
            if profile.listed:
                flash(_("Votre fiche est enregistrée et apparaît dans l'annuaire."), "success")
            else:
                flash(
                    _("Votre fiche est enregistrée ; elle n'apparaît pas dans l'annuaire."),
                    "success",
                )
            return redirect(url_for("ami.directory_profile_edit", association_id=association.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "ami/network/directory/profile_edit.html",
            form=form,
            association=association,
            profile=queries.profile_of(association),
        ),
        status,
    )


# --- the directory ---------------------------------------------------------------------------


@bp.get("/annuaire")
def directory():
    org = g.organisation
    _require_directory_visible()
    filters = parse_filters(request.args)
    page = paginate(services.directory_query(org, filters), PER_PAGE)
    return render_template(
        "ami/network/directory/directory.html",
        page=page,
        filters=filters,
        choices=services.filter_choices(org),
        acting=queries.acting_associations(current_user, org),
    )


def _may_see_contact(association, acting) -> bool:
    if _acts_or_runs(association):
        return True
    return any(association.id in queries.active_match_ids(mine.id) for mine in acting)


@bp.get("/annuaire/<int:association_id>")
def directory_entry(association_id: int):
    org = g.organisation
    _require_directory_visible()
    association = association_or_404(association_id)
    profile = queries.profile_of(association)
    listed = profile is not None and profile.listed
    if not listed and not _acts_or_runs(association):
        abort(404)
    acting = queries.acting_associations(current_user, org) if listed else []
    return render_template(
        "ami/network/directory/entry.html",
        entry=association,
        profile=profile,
        listed=listed,
        show_contact=_may_see_contact(association, acting),
        acting=acting,
        states=queries.interest_states([a.id for a in acting], [association.id]),
    )


# --- suggestions -----------------------------------------------------------------------------


def _points(number: int) -> str:
    return ngettext("%(num)d point", "%(num)d points", number)


def _join(ids, names: dict) -> str:
    return ", ".join(names[i] for i in ids if i in names)


def _hearing_label(title: str, year: int) -> str:
    if str(year) in title:
        return title
    return _("%(title)s (%(year)s)", title=title, year=year)


def _reason_text(reason: rules.Reason, names: services.SuggestionNames, other) -> str:
    code, items = reason.code, reason.items
    if code == "same_theme":
        return _("Même thématique : %(items)s", items=_join(items, names.themes))
    if code == "same_qpv":
        return _("Même QPV : %(items)s", items=_join(items, names.qpvs))
    if code == "they_offer":
        commune = names.communes.get(getattr(other, "commune_id", None))
        if commune:
            return _(
                "Propose ce dont vous avez besoin : %(items)s à %(commune)s",
                items=_join(items, names.tags),
                commune=commune,
            )
        return _("Propose ce dont vous avez besoin : %(items)s", items=_join(items, names.tags))
    if code == "you_offer":
        return _("Recherche ce que vous proposez : %(items)s", items=_join(items, names.tags))
    if code == "same_commune":
        return _("Agit dans la même commune : %(items)s", items=_join(items, names.communes))
    if code == "neighbour":
        places = _join(items, names.communes)
        if places:
            return _("Commune voisine (même code postal ou même secteur) : %(items)s", items=places)
        return _("Commune voisine (même code postal ou même secteur)")
    if code == "heard_together":
        labels = [_hearing_label(*names.hearings[i]) for i in items if i in names.hearings]
        return _("Auditionnées ensemble : %(items)s", items=", ".join(dict.fromkeys(labels)))
    return code


def _weights_explained() -> list[str]:
    """The score's rules in words, in the order of rules.WEIGHTS."""
    w = {code: _points(points) for code, points in rules.WEIGHTS.items()}
    sentences = {
        "same_theme": lambda: _(
            "Même thématique : %(points)s par thématique que vous partagez.",
            points=w["same_theme"],
        ),
        "same_qpv": lambda: _(
            "Même QPV : %(points)s par quartier prioritaire où vous agissez toutes les deux.",
            points=w["same_qpv"],
        ),
        "they_offer": lambda: _(
            "Propose ce dont vous avez besoin : %(points)s par étiquette qu'elle propose et que "
            "vous recherchez.",
            points=w["they_offer"],
        ),
        "you_offer": lambda: _(
            "Recherche ce que vous proposez : %(points)s par étiquette que vous proposez et "
            "qu'elle recherche.",
            points=w["you_offer"],
        ),
        "same_commune": lambda: _(
            "Agit dans la même commune (siège ou communes d'action) : %(points)s, comptés une "
            "seule fois.",
            points=w["same_commune"],
        ),
        "neighbour": lambda: _(
            "Commune voisine (même code postal ou même secteur) : %(points)s, seulement quand "
            "vous ne partagez aucune commune.",
            points=w["neighbour"],
        ),
        "heard_together": lambda: _(
            "Auditionnées ensemble : %(points)s par groupe d'audition où vous avez été "
            "entendues ensemble.",
            points=w["heard_together"],
        ),
    }
    return [sentences[code]() for code in rules.WEIGHTS if code in sentences]


@bp.get("/reseau/<int:association_id>/suggestions")
@login_required
def network_suggestions(association_id: int):
    org = g.organisation
    association = association_or_404(association_id)
    require(can(current_user, "network.act", association))
    ranked, names = services.suggestions_for(org, association)
    rows = []
    for rank, suggestion in enumerate(ranked, start=1):
        other = names.associations.get(suggestion.association_id)
        if other is None:
            continue
        reasons = [
            (_reason_text(reason, names, other), _points(reason.points))
            for reason in suggestion.reasons
        ]
        rows.append((rank, suggestion, other, reasons))
    acting = queries.acting_associations(current_user, org)
    return render_template(
        "ami/network/directory/suggestions.html",
        association=association,
        listed=queries.is_listed(association),
        rows=rows,
        points=_points,
        weights=_weights_explained(),
        acting=acting,
        states=queries.interest_states([a.id for a in acting], [s.association_id for s in ranked]),
    )
