"""Translation helpers and locale selection."""

from flask import current_app, has_request_context, session
from flask.globals import _cv_app
from flask_babel import get_locale
from flask_babel import get_translations as _babel_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user

__all__ = ["_", "_l", "locale_code", "ngettext", "select_locale", "translations"]


def _kept(name: str, compute):
    """`compute()` kept on Flask-Babel's context with the locale it is for (the same value
    while the locale is the same: `force_locale` and `refresh` change it); computed afresh
    outside a context that has chosen its locale."""
    app_ctx = _cv_app.get(None)
    state = app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return compute()
    kept = getattr(state, name, None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    value = compute()
    setattr(state, name, (locale, value))
    return value


def translations():
    """The current translations, as `flask_babel.get_translations()` gives them, kept per
    locale (see `_kept`). A page calls this hundreds of times; Flask-Babel's path reads `g`
    through its proxy nine times a call (~10 µs)."""
    return _kept("concerto_translations", _babel_translations)


def locale_code() -> str:
    """`str(flask_babel.get_locale())` ("fr", "en"), kept per locale as `translations` is:
    the date filters ask for it once per date."""
    return _kept("concerto_locale_code", lambda: str(get_locale()))


def _(string: str, **variables) -> str:
    """`flask_babel.gettext`, faster (see `translations`)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """`flask_babel.ngettext`, faster (see `translations`)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def install_template_callables(app) -> None:
    """Jinja's `_`, `gettext`, `ngettext`… through `translations` (Flask-Babel installs the
    same callables over its slower path)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def select_locale() -> str:
    """The locale chosen in this session, else the person's, else French."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    user = current_user
    if user and getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]
