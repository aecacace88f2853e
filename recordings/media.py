"""Playing kept audio in a browser: only for a signed-in agent or admin, only through a signed
link that has not expired (given on a ticket page they may see), only names the store holds
(so no path reaches outside it)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from core.access import Role
from core.deps import deps
from core.page_access import page_allow
from recordings.errors import NotStored
from recordings.jobs import audio_store
from recordings.links import link_key, valid
from recordings.storage import checked_name, media_type

bp = Blueprint("recording_media", __name__, url_prefix="/recordings/media")


@bp.get("/<path:name>")
@page_allow(Role.ADMIN, Role.AGENT)
def play(name: str) -> Response:
    d = deps()
    try:
        checked_name(name)
    except NotStored:
        abort(404, description="no such recording")
    if not valid(link_key(d.settings.session_secret), name, request.args.get("expires", ""),
                 request.args.get("sig", ""), d.clock.now().timestamp()):
        abort(403, description="this link has expired or is not valid: reload the ticket page")
    try:
        audio = audio_store(d.settings).read(name)
    except NotStored:
        abort(404, description="no such recording")
    response = Response(audio, mimetype=media_type(name))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
