"""What the admin pages' forms need: room for a large tree's many fields. (Their CSRF token
is Flask-WTF's, `csrf_token()` in templates, checked by core.page_access on every post: a
form field, or the `X-CSRF-Token` header of the editor's fetches.)"""

from __future__ import annotations

from flask import request

MAX_FORM_PARTS = 100_000


def allow_large_forms() -> None:
    """Blueprint hook: the editor's form has a field per prompt, key, label and phrase list,
    more than werkzeug's default of 1,000 parts for a tree of a hundred nodes. The app's body
    size limit still bounds it."""
    request.max_form_parts = MAX_FORM_PARTS
