"""Concerto: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as config_module
from app.logs import init_logging

TEMPLATE_DIR = config_module.PROJECT_ROOT / "templates"
STATIC_DIR = config_module.PROJECT_ROOT / "static"
MIGRATIONS_DIR = config_module.PROJECT_ROOT / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides what the environment gives."""
    instance = Path((config or {}).get("INSTANCE_PATH") or config_module.instance_path())
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(TEMPLATE_DIR),
        static_folder=str(STATIC_DIR),
    )
    from app.web.requests import ConcertoRequest

    app.request_class = ConcertoRequest
    app.config.update(config_module.FIXED)
    app.config.update(config_module.from_environment(instance))
    if config:
        app.config.update(config)
    config_module.check_production(app.config)
    init_logging(app)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_FIX"]:
        n = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    if app.config.get("BENCH_INSTRUMENTATION"):
        from bench.instrument import init_app as init_bench

        init_bench(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import i18n
    from app.db import db, import_all_models
    from app.extensions import babel, csrf, limiter, login_manager, migrate
    from app.translations import compile_catalogues
    from app.web.sessions import HttpsAwareSessionInterface
    from app.web.sqlite import enable_sqlite_pragmas

    import_all_models()
    db.init_app(app)
    with app.app_context():
        enable_sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=compile_catalogues(Path(app.instance_path)),
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    app.session_interface = HttpsAwareSessionInterface()


def _register_blueprints(app: Flask) -> None:
    import ami
    import consultations
    import decisions
    import opendata
    import participation
    from app.audit.routes import bp as audit_bp
    from app.auth.routes import bp as auth_bp
    from app.auth.two_factor import bp as two_factor_bp
    from app.organisations.routes import bp as organisations_bp
    from app.users import home, permissions  # noqa: F401  (register panels and rules)
    from app.users.routes import bp as users_bp
    from app.web import init_web
    from app.web.routes import bp as web_bp

    init_web(app)
    for blueprint in (
        web_bp,
        auth_bp,
        two_factor_bp,
        users_bp,
        organisations_bp,
        audit_bp,
        *consultations.blueprints,
        *participation.blueprints,
        *ami.blueprints,
        *decisions.blueprints,
        *opendata.blueprints,
    ):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from app.backup import backup_command, restore_command
    from app.cli import demo_command, translations_cli, user_cli
    from app.mail.cli import outbox
    from app.organisations.cli import territory
    from bench.cli import bench_cli
    from consultations.saisines.cli import saisines_cli
    from participation.citizen.cli import participation_cli

    for command in (
        territory,
        outbox,
        user_cli,
        demo_command,
        translations_cli,
        saisines_cli,
        participation_cli,
        bench_cli,
    ):
        app.cli.add_command(command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
