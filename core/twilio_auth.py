"""The one place where Twilio's request signatures are checked."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from urllib.parse import urlparse

from flask import abort, request
from twilio.request_validator import RequestValidator

from core.deps import deps

log = logging.getLogger(__name__)

MAX_TWILIO_BODY = 64 * 1024
"""Bytes a Twilio webhook's form may have: Twilio's posts are a few KB, so anything larger is
refused (413) before it is parsed or signed, and cannot hold a web thread."""


def signed_url(public_url: str, full_path: str) -> str:
    """The URL Twilio signed: the public base URL plus the request's path and query."""
    return public_url + full_path.rstrip("?")


def require_twilio_signature() -> None:
    """Blueprint hook: answer 413 for a body larger than Twilio sends, then 403 unless
    X-Twilio-Signature matches the auth token and URL.

    The URL is rebuilt from HOTLINE_PUBLIC_URL rather than the Host header, so it holds
    behind a proxy or tunnel that rewrites the host or scheme.
    """
    request.max_content_length = MAX_TWILIO_BODY
    settings = deps().settings
    signature = request.headers.get("X-Twilio-Signature", "")
    url = signed_url(settings.public_url, request.full_path)
    if not signature or not is_valid(settings.twilio_auth_token, url, request.form, signature):
        # The usual cause is a HOTLINE_PUBLIC_URL other than the URL Twilio called: say which
        # URL the signature was checked against, so a deployer can compare.
        log.warning("refused %s: X-Twilio-Signature %s for %s (HOTLINE_PUBLIC_URL plus the "
                    "path; Twilio signs the exact URL it calls, with TWILIO_AUTH_TOKEN)",
                    request.path, "does not match" if signature else "is missing", url)
        abort(403, description="X-Twilio-Signature is missing or does not match")


def is_valid(auth_token: str, url: str, form: Mapping[str, str], signature: str) -> bool:
    """`RequestValidator.validate`'s verdict, computing one signature instead of two when the
    request is genuine."""
    validator = RequestValidator(auth_token)
    # validate() signs the URL both with and without its port (Twilio signs either way); the URL
    # as parsed is one of the two, so a match here is a match there. Anything else gets the
    # full check.
    expected = validator.compute_signature(urlparse(url).geturl(), form)
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    return bool(validator.validate(url, form, signature))


def call_sid_of(form: Mapping[str, str]) -> str:
    """The request's CallSid; a 400 naming the field when it is missing or absurd."""
    call_sid = form.get("CallSid", "").strip()
    if not call_sid or len(call_sid) > 64:
        abort(400, description="CallSid: required, at most 64 characters")
    return call_sid
