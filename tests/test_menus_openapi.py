"""Schemathesis reaches the success path of every menu and switch operation: given state and
inputs that a real admin would send, each answers 2xx, as its OpenAPI document describes.
(tests/tickets/test_openapi.py explores every operation with random input: no 5xx.)"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.ivr_app import SMALL_MENU
from tests.test_menus_api import AUTH, NEW_PROMPT, OLD_PROMPT
from tests.test_switches_api import NEW_YORK, _app

MENUS, SWITCHES = "/api/v1/menus", "/api/v1/switches"


def _steps(source: str, first: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation with the fixed parts that make it succeed, in an order that builds the
    state the next one needs (a draft to publish, a version to roll back to)."""
    tech = {"category": "technical"}
    vip = {"number": "+14155550123"}
    return [
        ("GET", MENUS, {}),
        ("POST", f"{MENUS}/validate", {"body": {"source": source}}),
        ("PUT", f"{MENUS}/draft", {"body": {"source": source, "revision": 0}}),
        ("GET", f"{MENUS}/draft", {}),
        ("GET", f"{MENUS}/versions/{{name}}", {"path_parameters": {"name": "draft"}}),
        ("GET", f"{MENUS}/diff", {"query": {"from": "active", "to": "draft"}}),
        ("POST", f"{MENUS}/publish", {"body": {"revision": 1}}),
        ("POST", f"{MENUS}/rollback", {"body": {"version": first}}),
        ("GET", f"{MENUS}/history", {}),
        ("PUT", f"{SWITCHES}/hours/{{line}}",
         {"path_parameters": {"line": "default"}, "body": NEW_YORK}),
        ("DELETE", f"{SWITCHES}/hours/{{line}}",
         {"path_parameters": {"line": "default"}, "query": {}}),
        ("PUT", f"{SWITCHES}/outages/{{category}}",
         {"path_parameters": tech, "body": {"message": "The internet is down."}}),
        ("DELETE", f"{SWITCHES}/outages/{{category}}", {"path_parameters": tech, "query": {}}),
        ("PUT", f"{SWITCHES}/vip/{{number}}", {"path_parameters": vip, "query": {}}),
        ("DELETE", f"{SWITCHES}/vip/{{number}}", {"path_parameters": vip, "query": {}}),
        ("GET", SWITCHES, {}),
        ("GET", f"{SWITCHES}/history", {}),
    ]


def _explore(cases: SearchStrategy[schemathesis.Case[Any]], seen: Counter[int]) -> None:
    """Call one case drawn from `cases`, checking the answer against the document."""
    @given(case=cases)
    @settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def call(case: schemathesis.Case[Any]) -> None:
        # Without the probes of wrong tokens (tests/test_access.py covers who may call what):
        # after ten of them the throttle would hold back the rest.
        response = case.call_and_validate(headers=AUTH, excluded_checks=[
            positive_data_acceptance, ignored_auth])
        seen[response.status_code] += 1

    call()


def test_every_menu_and_switch_operation_succeeds_as_documented(
    redis_url: str, tmp_path: Path
) -> None:
    app = _app(redis_url, tmp_path)
    first = app.extensions["hotline.menus"].active_version()
    source = SMALL_MENU.read_text(encoding="utf-8").replace(OLD_PROMPT, NEW_PROMPT)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = {(op.method.upper(), op.path): op for op in
                  (result.ok() for result in schema.get_all_operations()
                   if isinstance(result, Ok))
                  if op.path.startswith((MENUS, SWITCHES))}
    steps = _steps(source, first)
    assert {(method, path) for method, path, _ in steps} == set(operations)
    statuses: dict[str, Counter[int]] = {}
    for method, path, fixed in steps:
        _explore(operations[(method, path)].as_strategy(**fixed),
                 statuses.setdefault(f"{method} {path}", Counter()))
    failed = {name: dict(found) for name, found in statuses.items()
              if not any(200 <= status < 300 for status in found)}
    assert failed == {}
