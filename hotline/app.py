"""The Flask app factory: wires settings and shared clients, registers each feature's blueprint."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core import deps as deps_module
from core.clock import Clock
from core.settings import Settings
from core.webhook_safety import APOLOGIES, apologies_in
from hotline.browser_safety import protect
from hotline.cookie_sessions import CookieSessions

MAX_REQUEST_BODY = 1024 * 1024
"""Bytes any request body may have (the API's JSON, the agent page's forms); larger ones get
413 before they are read. Twilio's webhooks have a tighter limit of their own."""


def create_app(settings: Settings, redis_url: str, clock: Clock | None = None) -> Flask:
    """A Hotline web app for `settings`, talking to the Redis at `redis_url`."""
    from agent_desk.current_call import routed_ticket_id
    from agent_desk.page import bp as agent_bp
    from agent_desk.screen_pop import bp as agents_api_bp
    from agent_desk.softphone import bp as softphone_api_bp
    from callbacks.api import bp as callbacks_api_bp
    from callbacks.webhooks import bp as callbacks_bp
    from hotline import logs, metrics
    from hotline.health import bp as health_bp
    from hotline.openapi import bp as openapi_bp
    from hotline.server import WORKER_QUEUES
    from hotline.tokens_api import bp as tokens_api_bp
    from ivr.calls_api import bp as calls_api_bp
    from ivr.menu_store import MenuStore
    from ivr.menu_versions import MenuVersions
    from ivr.menus_api import EXTENSION as MENU_VERSIONS
    from ivr.menus_api import bp as menus_api_bp
    from ivr.phrase_book import book_of
    from ivr.switches import Switches
    from ivr.switches_api import EXTENSION as SWITCHES
    from ivr.switches_api import bp as switches_api_bp
    from ivr.webhooks import bp as voice_bp
    from menu_editor.page import bp as menu_editor_bp
    from menu_editor.switches_page import bp as switches_page_bp
    from messaging.webhooks import ACTIVE_BOOK
    from messaging.webhooks import bp as messaging_bp
    from queues.agents_api import api as queues_api_bp
    from queues.webhooks import bp as queues_bp
    from recordings.media import bp as recording_media_bp
    from recordings.webhooks import bp as recordings_bp
    from reports.api import bp as reports_api_bp
    from reports.page import bp as reports_page_bp
    from simulator.network_api import bp as sim_network_bp
    from standing.webhooks import bp as standing_bp
    from tickets_bridge.api import BRIDGES, ROUTED
    from tickets_bridge.api import EXTENSION as TICKETS
    from tickets_bridge.api import bp as tickets_api_bp
    from tickets_bridge.jobs import configured_bridges
    from tickets_bridge.schema import database_url, open_engine, upgrade
    from tickets_bridge.store import TicketStore

    settings.refuse_public_dev_credentials()
    app = Flask("hotline")
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BODY
    deps = deps_module.build(settings, redis_url, clock)
    deps_module.install(app, deps)
    app.extensions["hotline.menus"] = MenuStore(deps.redis)
    versions = MenuVersions(deps.redis, deps.clock, app.extensions["hotline.menus"])
    app.extensions[MENU_VERSIONS] = versions
    menu = versions.seed(settings.menu_file)
    app.extensions[SWITCHES] = Switches(deps.redis, deps.clock)
    app.extensions[APOLOGIES] = apologies_in(book_of(menu))
    menus = app.extensions["hotline.menus"]
    app.extensions[ACTIVE_BOOK] = lambda: book_of(menus.active())
    engine = open_engine(database_url(settings.database_url, settings.data_dir))
    upgrade(engine)
    # gunicorn forks after this: no pooled connection may cross into the workers.
    engine.dispose()
    app.extensions[TICKETS] = TicketStore(engine)
    app.extensions[BRIDGES] = list(configured_bridges(settings))
    app.extensions[ROUTED] = routed_ticket_id
    app.secret_key = settings.session_secret
    protect(app, settings)
    if settings.trusted_proxies:
        # The client's own address, for the wrong-token throttle and the logs, as the
        # deployment's proxies report it (and nobody else: the count says how many to trust).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    app.session_interface = CookieSessions()
    for blueprint in (voice_bp, queues_bp, callbacks_bp, calls_api_bp, tickets_api_bp,
                      openapi_bp, agent_bp, agents_api_bp, queues_api_bp, callbacks_api_bp,
                      sim_network_bp, health_bp, standing_bp, messaging_bp,
                      tokens_api_bp, reports_api_bp, reports_page_bp, menus_api_bp,
                      menu_editor_bp, switches_api_bp, switches_page_bp, recordings_bp,
                      recording_media_bp, softphone_api_bp):
        app.register_blueprint(blueprint)
    metrics.install(app, engine, WORKER_QUEUES, open_scrape=settings.metrics_open)
    logs.log_webhooks(app)
    return app
