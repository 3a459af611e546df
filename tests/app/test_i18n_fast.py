"""The faster gettext (app.i18n.translations) gives what Flask-Babel gives, follows
`force_locale` and `refresh`, and the templates use it."""

from __future__ import annotations

import flask_babel
from flask import render_template_string, session
from flask_babel import force_locale

from app import i18n


def test_the_same_text_as_flask_babel_and_it_follows_force_locale(app):
    with app.test_request_context("/"):
        assert i18n._("Décider") == flask_babel.gettext("Décider")
        french = i18n.translations()
        with force_locale("en"):
            assert i18n._("Décider") == flask_babel.gettext("Décider") == "Decide"
            assert i18n.translations() is not french
            assert i18n.ngettext("%(num)d point", "%(num)d points", 3) == "3 points"
            assert render_template_string("{{ _('Décider') }}") == "Decide"
        assert i18n._("Décider") == "Décider"
        assert i18n.translations() is french
        assert render_template_string("{{ _('Décider') }}") == "Décider"
        assert i18n.ngettext("%(num)d point", "%(num)d points", 1) == "1 point"
        assert i18n._("Délibération : %(title)s", title="AMI") == "Délibération : AMI"


def test_a_new_locale_after_refresh(app):
    with app.test_request_context("/"):
        assert i18n._("Décider") == "Décider"
        session["locale"] = "en"
        flask_babel.refresh()
        assert i18n._("Décider") == "Decide"
        assert render_template_string("{{ _('Décider') }}") == "Decide"


def test_outside_a_request_the_default_language(app):
    with app.app_context():
        assert i18n._("Décider") == flask_babel.gettext("Décider")


def test_the_locale_code_follows_force_locale(app):
    with app.test_request_context("/"):
        assert i18n.locale_code() == str(flask_babel.get_locale()) == "fr"
        with force_locale("en"):
            assert i18n.locale_code() == "en"
        assert i18n.locale_code() == "fr"
    with app.app_context():
        assert i18n.locale_code() == str(flask_babel.get_locale())
