"""Process logging, set up once where a process starts: one JSON object (or a text line) per
record, with the CallSid of the webhook being served and phone numbers masked."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

from flask import Flask, Response, has_request_context, request
from werkzeug.exceptions import HTTPException

from core.card_data import mask

PHONE = re.compile(r"\+(\d{3,11})(\d{4})\b")
"""An E.164 number: all but its last four digits stay, so lines about one caller still group."""


def mask_phones(text: str) -> str:
    """`text` with every E.164 number's last four digits replaced by `*`."""
    return PHONE.sub(lambda m: f"+{m.group(1)}****", text)


def level_of(name: str) -> int:
    """The logging level named `name` (debug, info, warning, error)."""
    return logging.getLevelNamesMapping()[name.upper()]


def configure(log_format: str, stream: TextIO | None = None, level: int = logging.INFO) -> None:
    """Send every logger's records to `stream` (stderr) as `json` or `text` lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines() if log_format == "json" else TextLines())
    handler.addFilter(add_call_sid)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


WEBHOOKS = logging.getLogger("hotline.webhook")


def log_webhooks(app: Flask) -> None:
    """Log one line per answered request that carries a CallSid (route, status and caller), at
    debug level: at thousands of steps a second the lines cost the webhooks a share of their
    throughput (docs/BENCHMARKS.md), and the metrics already count and time every request."""
    app.after_request(_note_webhook)


def _note_webhook(response: Response) -> Response:
    if WEBHOOKS.isEnabledFor(logging.DEBUG) and _request_call_sid():
        caller = _form_field("From") or "unknown"
        WEBHOOKS.debug(
            "%s %s %s from %s", request.method, request.path, response.status_code, caller)
    return response


def add_call_sid(record: logging.LogRecord) -> bool:
    """Log filter: note on `record` the CallSid of the Twilio request being served, if any."""
    record.call_sid = _request_call_sid()
    return True


def _request_call_sid() -> str | None:
    if not has_request_context():
        return None
    return request.args.get("CallSid") or _form_field("CallSid")


def _form_field(name: str) -> str | None:
    # Only a form body within the size limit is read here: a log line must not consume a JSON
    # body a view reads, nor parse a body the app refuses as too large (413).
    limit = request.max_content_length
    if request.mimetype != "application/x-www-form-urlencoded" or (
            limit is not None and (request.content_length or 0) > limit):
        return None
    try:
        return request.form.get(name) or None
    except HTTPException:  # a body refused mid-read: the line goes out without it
        return None


class JsonLines(logging.Formatter):
    """One JSON object per record: at, level, logger, message, call_sid (when known), error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask_phones(mask(record.getMessage())),
        }
        call_sid = getattr(record, "call_sid", None)
        if call_sid:
            line["call_sid"] = call_sid
        if record.exc_info:
            line["error"] = mask_phones(mask(self.formatException(record.exc_info)))
        return json.dumps(line, ensure_ascii=False)


class TextLines(logging.Formatter):
    """`time level logger [CallSid] message`, numbers masked as in JSON."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        call_sid = getattr(record, "call_sid", None)
        text = super().format(record)
        return mask_phones(mask(f"[{call_sid}] {text}" if call_sid else text))
