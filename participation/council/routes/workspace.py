"""The council's workspace: overview, members and offices, referrals, annual report."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.i18n import _
from app.uploads import services as uploads
from app.web.converters import year_int
from participation.council import queries, rules, services
from participation.council.forms import OfficesForm, ReferralForm
from participation.council.messages import error_message
from participation.council.models import ReferralKind
from participation.council.report_pdf import annual_report_pdf
from participation.council.routes import bp
from participation.council.routes.common import case_of, load_referral, referral_data, store_uploads

# --- the workspace --------------------------------------------------------------------------


@bp.get("/espace")
@permission_required("council.view")
def index():
    now = utcnow()
    council = queries.council_of(g.organisation)
    return render_template(
        "participation/council/index.html",
        council=council,
        referrals=queries.referrals_of(g.organisation),
        contributions=queries.contributions_of(g.organisation),
        open_votes=queries.open_votes_for(g.organisation, current_user),
        now=now,
        years=range(rules.paris_date(now).year, rules.paris_date(now).year - 6, -1),
    )


@bp.get("/espace/membres")
@permission_required("council.view")
def members():
    council = queries.council_of(g.organisation)
    return render_template(
        "participation/council/members.html",
        council=council,
        members=queries.members_of(g.organisation),
    )


@bp.route("/espace/bureau", methods=["GET", "POST"])
@permission_required("council.manage")
def offices():
    members = queries.members_of(g.organisation)
    council = queries.council_of(g.organisation)
    form = OfficesForm()
    form.fill_choices(members)
    if request.method == "GET":
        form.president_id.data = council.president_id
        form.bureau_ids.data = sorted(council.bureau_ids)
    if form.validate_on_submit():
        by_id = {m.id: m for m in members}
        try:
            services.set_offices(
                current_user,
                g.organisation,
                by_id.get(form.president_id.data),
                [by_id[i] for i in form.bureau_ids.data or [] if i in by_id],
            )
        except services.CouncilError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Président(e) et bureau enregistrés."), "success")
            return redirect(url_for("council.members"))
    return render_template("participation/council/offices.html", form=form)


# --- referrals ------------------------------------------------------------------------------


def _referral_form_page(kind: ReferralKind):
    form = ReferralForm()
    if form.validate_on_submit():
        stored = store_uploads(form.documents)
        if not form.documents.errors:
            referral = services.create_referral(
                current_user, g.organisation, kind, referral_data(form), stored
            )
            db.session.commit()
            flash(
                _("Saisine enregistrée : les membres du conseil sont prévenus par e-mail.")
                if kind is ReferralKind.REFERRAL
                else _(
                    "Auto-saisine enregistrée : les membres et l'EPCI sont prévenus par e-mail."
                ),
                "success",
            )
            return redirect(url_for("council.referral", referral_id=referral.id))
        db.session.rollback()
    return render_template(
        "participation/council/referral_form.html", form=form, referral=None, kind=kind
    )


@bp.route("/espace/saisines/nouvelle", methods=["GET", "POST"])
@permission_required("council.manage")
def referral_create():
    return _referral_form_page(ReferralKind.REFERRAL)


@bp.route("/espace/auto-saisine", methods=["GET", "POST"])
@permission_required("council.contribute")
def own_initiative():
    require(can(current_user, "council.lead", queries.council_of(g.organisation)))
    return _referral_form_page(ReferralKind.OWN_INITIATIVE)


@bp.get("/espace/saisines/<int:referral_id>")
@login_required
def referral(referral_id: int):
    referral = load_referral(referral_id)
    return render_template(
        "participation/council/referral_detail.html",
        referral=referral,
        case=case_of(referral),
        contributions=queries.contributions_on(referral),
    )


@bp.route("/espace/saisines/<int:referral_id>/modifier", methods=["GET", "POST"])
@login_required
def referral_edit(referral_id: int):
    referral = load_referral(referral_id)
    require(can(current_user, "council.referral.edit", case_of(referral)))
    form = ReferralForm(obj=referral)
    if request.method == "GET" and referral.deadline:
        deadline = rules.to_paris(referral.deadline)
        form.deadline_on.data, form.deadline_time.data = deadline.date(), deadline.time()
    if form.validate_on_submit():
        stored = store_uploads(form.documents)
        if not form.documents.errors:
            services.update_referral(current_user, referral, referral_data(form), stored)
            db.session.commit()
            flash(_("Saisine mise à jour."), "success")
            return redirect(url_for("council.referral", referral_id=referral.id))
        db.session.rollback()
    return render_template(
        "participation/council/referral_form.html", form=form, referral=referral, kind=referral.kind
    )


@bp.get("/espace/saisines/<int:referral_id>/documents/<int:document_id>")
@login_required
def referral_document(referral_id: int, document_id: int):
    referral = load_referral(referral_id)
    document = next((d for d in referral.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    return uploads.send(document.file)


# --- annual report --------------------------------------------------------------------------


@bp.get("/espace/rapport-annuel")
@permission_required("council.view")
def report():
    now = utcnow()
    year = request.args.get("annee", type=year_int) or rules.paris_date(now).year
    if not 2000 <= year <= 2100:
        abort(404)
    data = queries.annual_report(g.organisation, year, now)
    response = Response(annual_report_pdf(data), mimetype="application/pdf")
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"conseil-de-developpement-{year}.pdf"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
