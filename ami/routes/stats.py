"""Follow-up and statistics: per call and per year, the exports, and the funded actions that
entered the contrat de ville."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import NumberRange, Optional

from ami import exports, queries
from ami.messages import error_message, error_messages
from ami.routes import bp
from ami.routes.common import load_application, load_call
from ami.services import stats as service
from ami.services.common import AmiError
from app.access import can, permission_required, require
from app.db import db
from app.i18n import _, _l
from app.web.converters import db_int, year_int


@error_messages
def _messages(params) -> dict[str, str]:
    return {
        "city_contract_not_funded": _("Seule une action financée peut entrer au contrat de ville."),
        "city_contract_year_range": _("Indiquez une année entre 2015 et 2100."),
    }


class CityContractForm(FlaskForm):
    """The year a funded action entered the contrat de ville (empty: not, or not yet)."""

    year = IntegerField(
        _l("Année d'entrée au contrat de ville"),
        validators=[
            Optional(),
            NumberRange(
                min=service.FIRST_CITY_CONTRACT_YEAR,
                max=service.LAST_CITY_CONTRACT_YEAR,
                message=_l("Indiquez une année entre 2015 et 2100."),
            ),
        ],
    )
    #: the year page to come back to (empty: the call's page)
    annee = HiddenField()


def _require_admin() -> None:
    require(can(current_user, "ami.manage", SimpleNamespace(organisation_id=g.organisation.id)))


def _render(stats, *, call=None, year=None, years=(), calls=(), errors=None, status=200):
    chart = service.bar_chart(stats.by_theme)
    if call is not None:
        title = _("Statistiques — %(title)s", title=call.title)
        export_args = {"appel": call.id}
    elif year is not None:
        title = _("Statistiques de l'AMI cohésion sociale %(year)s", year=year)
        export_args = {"annee": year}
    else:
        title, export_args = _("Statistiques de l'AMI cohésion sociale"), {}
    return (
        render_template(
            "ami/stats/stats.html",
            page_title=title,
            export_args=export_args,
            link=url_for,
            stats=stats,
            call=call,
            year=year,
            years=years,
            calls=calls,
            chart=chart,
            form=CityContractForm(),
            errors=errors or {},
        ),
        status,
    )


@bp.get("/gestion/appels/<int:call_id>/statistiques")
@permission_required("ami.manage")
def call_stats(call_id: int):
    call = load_call(call_id)
    return _render(service.compute(g.organisation, call=call), call=call)


def _year_arg(years: list[int]) -> int | None:
    year = request.args.get("annee", type=year_int)
    if year in years:
        return year
    return years[0] if years else None


@bp.get("/gestion/statistiques")
@permission_required("ami.manage")
def stats():
    _require_admin()
    years = service.years_of(g.organisation)
    year = _year_arg(years)
    if year is None:
        return _render(service.Stats(totals=service.Counts()), years=years)
    return _render(
        service.compute(g.organisation, year=year),
        year=year,
        years=years,
        calls=[c for c in queries.calls_of(g.organisation) if c.year == year],
    )


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    # associations' identifiers and amounts: kept by no shared cache
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/gestion/statistiques/export.<fmt>")
@permission_required("ami.manage")
def stats_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _require_admin()
    call_id = request.args.get("appel", type=db_int)
    year = request.args.get("annee", type=year_int)
    if call_id is not None:
        call = load_call(call_id)
        applications = service.submitted_applications(g.organisation, call=call)
        title, name = call.title, f"ami-appel-{call.id}-candidatures"
    elif year is not None:
        applications = service.submitted_applications(g.organisation, year=year)
        title = _("AMI cohésion sociale %(year)s", year=year)
        name = f"ami-{year}-candidatures"
    else:
        abort(404)
    head, rows = exports.table(applications)
    if fmt == "csv":
        return _download(exports.to_csv(head, rows), exports.CSV_MIMETYPE, f"{name}.csv")
    return _download(exports.to_xlsx(head, rows, title), exports.XLSX_MIMETYPE, f"{name}.xlsx")


@bp.post("/gestion/candidatures/<int:application_id>/contrat-de-ville")
@permission_required("ami.manage")
def city_contract(application_id: int):
    application = load_application(application_id, "ami.manage")
    form = CityContractForm()
    year_page = form.annee.data if (form.annee.data or "").isdigit() else None
    if form.validate_on_submit():
        try:
            service.set_city_contract_year(current_user, application, form.year.data)
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            if form.year.data:
                flash(
                    _(
                        "Entrée au contrat de ville en %(year)s enregistrée pour %(number)s.",
                        year=form.year.data,
                        number=application.number or application.title,
                    ),
                    "success",
                )
            else:
                flash(_("Année d'entrée au contrat de ville effacée."), "success")
        return redirect(_back(application, year_page))
    errors = {
        application.id: (
            request.form.get("year", ""),
            [str(e) for e in form.year.errors]
            or [_("La demande n'a pas pu être vérifiée. Réessayez.")],
        )
    }
    if year_page:
        year = int(year_page)
        return _render(
            service.compute(g.organisation, year=year),
            year=year,
            years=service.years_of(g.organisation),
            errors=errors,
            status=422,
        )
    call = application.call
    return _render(service.compute(g.organisation, call=call), call=call, errors=errors, status=422)


def _back(application, year_page: str | None) -> str:
    anchor = f"candidature-{application.id}"
    if year_page:
        return url_for("ami.stats", annee=year_page, _anchor=anchor)
    return url_for("ami.call_stats", call_id=application.call_id, _anchor=anchor)
