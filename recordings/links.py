"""Links to kept audio that expire: an HMAC of the file name and the expiry time, under a key
derived from the deployment's session secret, so any web process can make and check them."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from recordings.storage import checked_name

LINK_SECONDS = 15 * 60
"""How long a link on the agent's page plays: long enough to listen, short enough that a link
copied out of the page soon stops working."""

PATH = "/recordings/media/"


def link_key(session_secret: str) -> bytes:
    return hmac.new(session_secret.encode(), b"hotline-recording-links", hashlib.sha256).digest()


def signature(key: bytes, name: str, expires: int) -> str:
    return hmac.new(key, f"{name}\n{expires}".encode(), hashlib.sha256).hexdigest()


def signed_path(key: bytes, name: str, now: float, seconds: int = LINK_SECONDS) -> str:
    """The path of a link playing `name` until `seconds` after `now`."""
    expires = int(now) + seconds
    query = urlencode({"expires": expires, "sig": signature(key, checked_name(name), expires)})
    return f"{PATH}{name}?{query}"


def valid(key: bytes, name: str, expires: str, given: str, now: float) -> bool:
    """Whether a link for `name` with `expires` and signature `given` may play at `now`."""
    if not expires.isdigit() or int(expires) <= now:
        return False
    return hmac.compare_digest(signature(key, name, int(expires)), given)
