"""Cooperation tracking: the EPCI's view of the year's cooperation network (counts, picture,
table, CSV) and its declarations; an association's cooperations and its declarations."""

from __future__ import annotations

from types import SimpleNamespace

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ami import queries as ami_queries
from ami.messages import error_message
from ami.network import cooperation_rules, graph
from ami.network.forms.cooperation import (
    AdminCooperationForm,
    CooperationForm,
    DeleteCooperationForm,
)
from ami.network.routes.common import load_acting
from ami.network.services import cooperation as services
from ami.network.services.common import NetworkError
from ami.routes import bp
from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.extensions import limiter
from app.i18n import _
from app.paris import to_paris
from app.tabular import to_csv
from app.web.converters import year_int
from app.web.routes import safe_next

CSV_MIMETYPE = "text/csv"


def origin_labels() -> dict[str, str]:
    return {
        cooperation_rules.HEARING: _("après une audition commune"),
        cooperation_rules.MATCH: _("après une mise en relation"),
        cooperation_rules.ESSAIMAGE: _("après une table partagée à une journée d'essaimage"),
        cooperation_rules.OTHER: _("autre origine"),
    }


def origins_text(row) -> str:
    labels = origin_labels()
    return ", ".join(labels[o] for o in cooperation_rules.ORIGINS if o in row.origins)


def _this_year() -> int:
    return to_paris(utcnow()).year


def _require_manage() -> None:
    require(can(current_user, "network.manage", SimpleNamespace(organisation_id=g.organisation.id)))


def _year(years: list[int]) -> int:
    year = request.args.get("year", type=year_int)
    if year in years:
        return year
    return years[0] if years else _this_year()


def _review_link(application_id: int | None) -> str | None:
    """The admin's page of the application (when that page exists)."""
    if application_id is None or "ami.review_application" not in current_app.view_functions:
        return None
    return url_for("ami.review_application", application_id=application_id)


def _picture(rows, year: int):
    nodes = {}
    edges = []
    for row in rows:
        for a in (row.first, row.second):
            nodes[a.id] = graph.Node(a.id, a.name)
        edges.append(
            graph.Edge(
                row.first.id,
                row.second.id,
                row.main_origin,
                _(
                    "%(first)s et %(second)s : %(origins)s",
                    first=row.first.name,
                    second=row.second.name,
                    origins=origins_text(row),
                ),
            )
        )
    return graph.render_svg(
        list(nodes.values()),
        edges,
        _("Réseau des coopérations %(year)s", year=year),
        _(
            "Chaque point est une association, chaque trait une coopération ; la couleur et le "
            "type de trait disent son origine principale. Le tableau qui suit donne les mêmes "
            "informations."
        ),
        legend={
            cooperation_rules.HEARING: _("née après une audition commune (tirets)"),
            cooperation_rules.MATCH: _("née après une mise en relation (trait plein)"),
            cooperation_rules.ESSAIMAGE: _("née après l'essaimage (pointillés)"),
            cooperation_rules.OTHER: _("autre origine (trait mixte)"),
        },
        empty_text=_("Aucune coopération cette année."),
        id_prefix="cooperation-graph",
    )


def _render_network(year: int, years: list[int], form: AdminCooperationForm, status: int = 200):
    rows = services.network_of_year(g.organisation, year)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return (
        render_template(
            "ami/network/cooperation/network.html",
            year=year,
            years=years,
            rows=rows,
            counts=cooperation_rules.counts(rows),
            picture=_picture(rows, year),
            origins_text=origins_text,
            review_link=_review_link,
            form=form,
            delete_form=DeleteCooperationForm(),
        ),
        status,
    )


def _admin_form() -> AdminCooperationForm:
    form = AdminCooperationForm()
    form.fill_choices(ami_queries.associations_of(g.organisation))
    return form


@bp.get("/gestion/reseau/cooperations")
@permission_required("network.manage")
def cooperation_network():
    _require_manage()
    years = services.years_of(g.organisation)
    year = _year(years)
    form = _admin_form()
    if form.year.data is None:
        form.year.data = year
    return _render_network(year, years, form)


@bp.post("/gestion/reseau/cooperations/declarer")
@permission_required("network.manage")
@limiter.limit("30 per minute;300 per day", methods=["POST"])
def cooperation_declare_admin():
    _require_manage()
    form = _admin_form()
    years = services.years_of(g.organisation)
    if form.validate_on_submit():
        first = ami_queries.association_in(g.organisation, form.first_id.data)
        second = ami_queries.association_in(g.organisation, form.second_id.data)
        if first is None or second is None:
            abort(404)
        try:
            services.declare(
                current_user, g.organisation, first, second, form.year.data, form.description.data
            )
            db.session.commit()
        except (NetworkError, IntegrityError) as exc:
            db.session.rollback()
            form.second_id.errors.append(_refused(exc, form.year.data))
        else:
            flash(
                _(
                    "La coopération entre %(first)s et %(second)s en %(year)s est enregistrée ; "
                    "leurs personnes sont prévenues.",
                    first=first.name,
                    second=second.name,
                    year=form.year.data,
                ),
                "success",
            )
            return redirect(url_for("ami.cooperation_network", year=form.year.data))
    year = form.year.data if form.year.data in years else _year(years)
    return _render_network(year, years, form, 422)


def _refused(exc, year) -> str:
    if isinstance(exc, IntegrityError):  # declared at the same time by someone else
        return error_message(NetworkError("cooperation_exists", year=year))
    return error_message(exc)


@bp.get("/gestion/reseau/cooperations.csv")
@permission_required("network.manage")
def cooperation_network_csv():
    _require_manage()
    years = services.years_of(g.organisation)
    year = _year(years)
    rows = services.network_of_year(g.organisation, year)
    labels = origin_labels()
    headers = [
        _("Année"),
        _("Association"),
        _("Association partenaire"),
        _("Date"),
        _("Candidatures communes"),
        _("Coopérations déclarées"),
        _("Origines"),
        labels[cooperation_rules.HEARING],
        labels[cooperation_rules.MATCH],
        labels[cooperation_rules.ESSAIMAGE],
    ]
    table = [
        [
            row.year,
            row.first.name,
            row.second.name,
            to_paris(row.date).date().isoformat(),
            " ; ".join(f"{s.number} {s.title}".strip() for s in row.applications),
            " ; ".join(s.description for s in row.declared),
            origins_text(row),
            cooperation_rules.HEARING in row.origins,
            cooperation_rules.MATCH in row.origins,
            cooperation_rules.ESSAIMAGE in row.origins,
        ]
        for row in rows
    ]
    response = Response(to_csv(headers, table), mimetype=CSV_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=f"cooperations-{year}.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the association's side -----------------------------------------------------------------


@bp.route("/reseau/<int:association_id>/cooperations", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute;50 per day", methods=["POST"])
def cooperations_mine(association_id: int):
    mine = load_acting(association_id)
    associations = ami_queries.associations_of(g.organisation)
    form = CooperationForm()
    form.fill_choices(associations, mine)
    if request.method == "GET":
        form.year.data = _this_year()
    if form.validate_on_submit():
        partner = next((a for a in associations if a.id == form.partner_id.data), None)
        if partner is None:
            abort(404)
        try:
            services.declare(
                current_user,
                g.organisation,
                mine,
                partner,
                form.year.data,
                form.description.data,
                by=mine,
            )
            db.session.commit()
        except (NetworkError, IntegrityError) as exc:
            db.session.rollback()
            form.partner_id.errors.append(_refused(exc, form.year.data))
        else:
            flash(
                _(
                    "La coopération avec %(name)s en %(year)s est enregistrée ; ses personnes "
                    "en sont prévenues.",
                    name=partner.name,
                    year=form.year.data,
                ),
                "success",
            )
            return redirect(url_for("ami.cooperations_mine", association_id=mine.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "ami/network/cooperation/mine.html",
            association=mine,
            rows=services.cooperations_of(g.organisation, mine),
            form=form,
            delete_form=DeleteCooperationForm(),
        ),
        status,
    )


@bp.post("/reseau/cooperations/<int:cooperation_id>/supprimer")
@login_required
@limiter.limit("30 per minute;300 per day", methods=["POST"])
def cooperation_delete(cooperation_id: int):
    cooperation = services.cooperation_in(g.organisation, cooperation_id)
    if cooperation is None:
        abort(404)
    first, second = cooperation.first_association, cooperation.second_association
    admin = can(current_user, "network.manage", cooperation)
    require(
        admin or can(current_user, "network.act", first) or can(current_user, "network.act", second)
    )
    form = DeleteCooperationForm()
    if not form.validate_on_submit():
        abort(400)
    year = cooperation.year
    services.delete(current_user, g.organisation, cooperation)
    db.session.commit()
    flash(
        _(
            "La coopération entre %(first)s et %(second)s en %(year)s est retirée.",
            first=first.name,
            second=second.name,
            year=year,
        ),
        "success",
    )
    target = safe_next(form.next.data)
    if target:
        return redirect(target)
    if admin:
        return redirect(url_for("ami.cooperation_network", year=year))
    mine = first if can(current_user, "network.act", first) else second
    return redirect(url_for("ami.cooperations_mine", association_id=mine.id))
