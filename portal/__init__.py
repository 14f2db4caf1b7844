"""Statement Portal: one statement, many languages, translated by volunteers."""

import logging
import os
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import config as settings
from portal.database import configure_sqlite, engine_options
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.limits import check_limit_storage
from portal.urls import trusted_hosts


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = Flask(__name__, instance_path=os.environ.get("PORTAL_INSTANCE_PATH"),
                instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["PORTAL_URL"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_secret_key(app.instance_path)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"),
                     render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_time_zone)
    csrf.init_app(app)
    limiter.init_app(app)
    _check_limit_storage(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"],
                                x_proto=app.config["PROXY_HOPS"])
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    with app.app_context():
        configure_sqlite(db.engine)

    from portal import models  # noqa: F401  (registers every table on the metadata)
    from portal.api import bp as api_bp
    from portal.auth import bp as auth_bp
    from portal.caching import init_app as init_caching
    from portal.cli import portal_cli
    from portal.coordinate import bp as coordinate_bp
    from portal.desk import bp as desk_bp
    from portal.errors import register_error_handlers
    from portal.inputs import init_app as install_input_checks
    from portal.reader import bp as reader_bp
    from portal.security import register_security_headers
    from portal.templating import register_template_helpers

    install_input_checks(app)  # before the blueprints: it bounds their <int:…> converters
    for blueprint in (api_bp, auth_bp, coordinate_bp, desk_bp, reader_bp):
        app.register_blueprint(blueprint)
    app.cli.add_command(portal_cli)
    register_error_handlers(app)
    register_security_headers(app)
    init_caching(app)
    register_template_helpers(app)
    return app


def _check_limit_storage(app: Flask) -> None:
    """Counting rate limits per process is only right for one process (portal.limits)."""
    if app.debug or app.testing or not app.config["RATELIMIT_ENABLED"]:
        return
    check_limit_storage(int(os.environ.get("WEB_CONCURRENCY") or 1),
                        app.config["RATELIMIT_STORAGE_URI"])


@login_manager.user_loader
def _load_user(session_id: str):
    """The person of a session, unless it was ended since (portal.models.User.get_id)."""
    from portal.inputs import MAX_ID
    from portal.models import User

    user_id, _, generation = session_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and generation.isdigit()) \
            or int(user_id) > MAX_ID:
        return None
    user = db.session.get(User, int(user_id))
    # Signing out, a new password or deactivation raised the generation: this session ended.
    if user is None or not user.active or str(user.session_generation) != generation:
        return None
    return user


def select_time_zone() -> str:
    """Times are shown in the signed-in person's time zone, else in UTC."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.zone.key
    return "UTC"


def select_locale() -> str:
    """Interface language: the page's language, else the person's, cookie, browser, default."""
    from portal.models.languages import babel_name, best_match
    from portal.reader.negotiation import (
        LANGUAGE_COOKIE,
        accepted_languages,
        interface_languages,
    )

    page_language = getattr(g, "language", None)
    if page_language:
        return babel_name(page_language)
    if not has_request_context():  # the command line, jobs: the portal's default
        return babel_name(current_app.config["DEFAULT_LANGUAGE"])
    if current_user and current_user.is_authenticated and current_user.interface_language:
        return babel_name(current_user.interface_language)
    available = interface_languages()
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in available:
        return babel_name(chosen)
    best = best_match(accepted_languages(), available)
    return babel_name(best or current_app.config["DEFAULT_LANGUAGE"])
