"""Request set-up, error pages, template filters and security headers."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, abort, g, render_template, request
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from app.access import can
from app.db import db
from app.extensions import login_manager
from app.i18n import _, _l, install_template_callables, locale_code
from app.sanitize import clean_html
from app.web import datefmt, humandates
from app.web.home import badge_count
from app.web.security import init_security

PARIS = ZoneInfo("Europe/Paris")

# Blueprints whose pages need no organisation (health check, static files).
ORGANISATION_FREE_ENDPOINTS = {"web.healthz", "static"}


def init_web(app: Flask) -> None:
    from app.web.converters import init_converters

    init_converters(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    app.before_request(resolve_organisation)
    init_security(app)
    app.teardown_appcontext(lambda _exc: None)
    _register_errors(app)
    _register_template_helpers(app)


def load_user(identifier: str):
    """The signed-in person, if their session token still matches and they are active."""
    from app.users.models import User

    user_id, _sep, token = identifier.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.active:
        return None
    org = g.get("organisation")
    if org is None or user.organisation_id != org.id:
        return None
    return user


def resolve_organisation():
    from app.organisations.queries import organisation_for_host

    if request.endpoint in ORGANISATION_FREE_ENDPOINTS:
        return None
    g.organisation = organisation_for_host(request.host)
    if g.organisation is None:
        return render_template("errors/no_organisation.html"), 404
    return None


def _error_page(code: int, title, message):
    def handler(error):
        if code == 500:
            db.session.rollback()
        return (
            render_template("errors/error.html", code=code, title=title, message=message),
            code,
        )

    return handler


def _register_errors(app: Flask) -> None:
    pages = {
        400: (_l("Requête incorrecte"), _l("La demande n'a pas pu être comprise.")),
        403: (
            _l("Accès refusé"),
            _l("Vous n'avez pas le droit de faire cette action ou de voir cette page."),
        ),
        404: (_l("Page introuvable"), _l("Cette page n'existe pas ou n'existe plus.")),
        405: (_l("Méthode non autorisée"), _l("Cette adresse ne s'utilise pas ainsi.")),
        413: (
            _l("Fichier trop volumineux"),
            _l("Le fichier envoyé dépasse la taille autorisée."),
        ),
        429: (
            _l("Trop de tentatives"),
            _l("Trop de tentatives en peu de temps. Patientez quelques minutes."),
        ),
        500: (
            _l("Erreur du serveur"),
            _l("Une erreur inattendue s'est produite. L'équipe technique en est informée."),
        ),
    }
    for code, (title, message) in pages.items():
        app.register_error_handler(code, _error_page(code, title, message))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return (
            render_template(
                "errors/error.html",
                code=400,
                title=_("Formulaire expiré"),
                message=_(
                    "Le formulaire a expiré ou n'a pas été envoyé depuis cette plateforme. "
                    "Rechargez la page et recommencez."
                ),
            ),
            400,
        )


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC datetime shown in Europe/Paris time, in the current language."""
    if value is None:
        return ""
    code = locale_code()
    if fmt == "full":
        # weekday, day, month, year and time, without seconds or time-zone name
        fmt = "EEEE d MMMM y, HH:mm" if code == "fr" else "EEEE d MMMM y, h:mm a"
    # the same text as Babel's, a field formatted once per locale and value (datefmt)
    fast = datefmt.format_datetime(value, fmt, code)
    return fast if fast is not None else format_datetime(value, fmt)


def sort_key(text: str) -> str:
    """Alphabetical order as a French reader expects it (É with E, case ignored)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def local_date(value, fmt: str = "long") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date()
    fast = datefmt.format_date(value, fmt, locale_code())
    return fast if fast is not None else format_date(value, fmt)


def _register_template_helpers(app: Flask) -> None:
    from app.users.models import Role

    app.jinja_env.add_extension("jinja2.ext.do")
    install_template_callables(app)
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["human_datetime"] = lambda value: humandates.human_datetime(
        value, str(get_locale() or "fr")
    )
    app.jinja_env.filters["from_now"] = lambda value: humandates.from_now(
        value, datetime.now(UTC), str(get_locale() or "fr")
    )
    # clean_html is the one sanitiser (bleach): what it returns is safe to mark as markup
    app.jinja_env.filters["rich"] = lambda html: Markup(clean_html(html or ""))  # nosec B704
    app.jinja_env.filters["number"] = lambda n: f"{n:,}".replace(",", "\u202f")
    app.jinja_env.filters["dict_without_page"] = lambda d: {
        k: v for k, v in d.items() if k != "page"
    }

    @app.context_processor
    def globals_():
        return {
            "organisation": g.get("organisation"),
            "can": lambda action, obj=None: can(current_user, action, obj),
            "menu_badge": lambda endpoint: badge_count(
                endpoint, current_user, g.get("organisation"), datetime.now(UTC)
            ),
            "current_locale": str(get_locale() or "fr"),
            "role_label": role_label,
            "Role": Role,
        }


def role_label(role) -> str:
    from app.users.models import Role

    labels = {
        Role.ADMIN: _("Agent de l'EPCI (administration)"),
        Role.MAYOR: _("Maire"),
        Role.COMMUNE_STAFF: _("Services de la commune (DGS, secrétaire de mairie)"),
        Role.VICE_PRESIDENT: _("Vice-président(e)"),
        Role.DEVELOPMENT_COUNCIL_MEMBER: _("Membre du conseil de développement"),
        Role.ASSOCIATION_MEMBER: _("Membre d'une association"),
        Role.JURY_MEMBER: _("Membre du jury"),
        Role.CITIZEN: _("Habitant(e)"),
    }
    return labels.get(Role(role), str(role))


def not_found():
    abort(404)
