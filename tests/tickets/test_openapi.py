"""Schemathesis explores the API from its own OpenAPI document: no 5xx, answers as described."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.callbacks.test_offer import to_offer
from tests.ivr_app import ADMIN_TOKEN
from tests.tickets.test_projection import billing_call, drain
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def api_routes(app: Flask) -> set[tuple[str, str]]:
    """The app's /api/v1 routes in OpenAPI's spelling, but for the document itself and the
    simulator's side door (a test aid, not part of the API)."""
    return {(method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") and not rule.rule.startswith(
                ("/api/v1/openapi.json", "/api/v1/simulator/"))
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def test_api_answers_as_its_openapi_document_says(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    app.extensions[EXTENSION] = store
    billing_call(app)
    drain(projector)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)  # every operation of the document could be read
    assert {(op.method.upper(), op.path) for op in operations} == api_routes(app)

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        def explore(case: schemathesis.Case[Any]) -> None:
            # Every default check but one: a schema cannot say "a real phone number", so a
            # well-formed but impossible number is rightly refused with a 400 naming `phone`.
            case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance])

        explore()


SOURCES = [
    ("PUT", "/api/v1/agents/{agent_id}", {"agent_id": "eve"},
     {"name": "Eve", "reach": "client:eve", "tier": "L1", "skills": ["billing"]}),
    ("GET", "/api/v1/agents", {}, None),
    ("GET", "/api/v1/tickets", {}, None),
    ("GET", "/api/v1/callbacks", {}, None),
    ("POST", "/api/v1/tokens", {}, {"role": "report", "name": "finance"}),
    ("GET", "/api/v1/tokens", {}, None),
]
"""Where the walk starts: one request per operation that links on to others."""

BODIES = {"addNote": {"text": "Called back; the refund is on its way."},
          "wrapUp": {"status": "open"}, "setAgentStatus": {"status": "offline"},
          "rescheduleCallback": {"at": "2026-11-25T18:00:00Z"}}
"""A valid body for each linked operation that takes one."""

EXPECTED_REFUSALS = {"screenPop": 404}
"""Linked operations whose right answer here is not a success: a new agent has no call yet."""


def test_every_link_of_the_document_leads_to_an_answer_as_described(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    # Real things for the links to carry ids between: a ticket with its call, a booked
    # callback, an issued token.
    app.extensions[EXTENSION] = store
    billing_call(app)
    booked = to_offer(app)
    for key in ("1", "1", "1"):
        booked.press(key)
    drain(projector)
    app.test_client().post("/api/v1/tokens", headers=AUTH, json={"role": "report", "name": "a"})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = {(op.method.upper(), op.path): op for op in
                  (result.ok() for result in schema.get_all_operations()
                   if isinstance(result, Ok))}
    by_id = {op.definition.raw["operationId"]: op for op in operations.values()
             if "operationId" in op.definition.raw}
    followed = set()
    for method, path, parameters, body in SOURCES:
        source = operations[(method, path)]
        case, answer = _call(source, parameters, body)
        # What ends a thing (cancel, revoke) last, so the others find it still there.
        for name, link in sorted(_links(source, answer.status_code).items(),
                                 key=lambda item: item[0].startswith(("cancel", "revoke"))):
            target = by_id[link["operationId"]]
            values = {param: _resolve(expression, case, answer.json())
                      for param, expression in link["parameters"].items()}
            _, reached = _call(target, values, BODIES.get(name))
            expected = EXPECTED_REFUSALS.get(name)
            assert reached.status_code == expected if expected else \
                200 <= reached.status_code < 300, (name, values, reached.text)
            followed.add(f"{source.label} -> {name}")
    documented = {f"{op.label} -> {name}" for op in operations.values()
                  for status in op.definition.raw["responses"]
                  for name in _links(op, int(status))}
    assert followed == documented == {
        "PUT /api/v1/agents/{agent_id} -> getAgent",
        "PUT /api/v1/agents/{agent_id} -> setAgentStatus",
        "PUT /api/v1/agents/{agent_id} -> screenPop", "GET /api/v1/agents -> getAgent",
        "GET /api/v1/tickets -> getTicket", "GET /api/v1/tickets -> addNote",
        "GET /api/v1/tickets -> wrapUp", "GET /api/v1/tickets -> getCall",
        "GET /api/v1/callbacks -> getCallback", "GET /api/v1/callbacks -> rescheduleCallback",
        "GET /api/v1/callbacks -> cancelCallback", "POST /api/v1/tokens -> revokeToken",
        "GET /api/v1/tokens -> revokeToken"}


def _call(operation: Any, parameters: dict[str, Any],
          body: Any) -> tuple[schemathesis.Case[Any], Any]:
    case = operation.Case(path_parameters=parameters,
                          **({"body": body, "media_type": "application/json"} if body else {}))
    answer = case.call(headers=AUTH)
    # Without the probes of wrong tokens (tests/test_access.py covers who may call what):
    # after ten of them the throttle would hold back the rest of the walk.
    case.validate_response(answer, headers=AUTH,
                           excluded_checks=[positive_data_acceptance, ignored_auth])
    return case, answer


def _links(operation: Any, status: int) -> dict[str, Any]:
    links: dict[str, Any] = operation.definition.raw["responses"].get(str(status), {}).get(
        "links", {})
    return links


def _resolve(expression: str, case: schemathesis.Case[Any], body: Any) -> Any:
    """An OpenAPI runtime expression: `$request.path.NAME` or `$response.body#/json/pointer`."""
    if expression.startswith("$request.path."):
        return case.path_parameters[expression.removeprefix("$request.path.")]
    value = body
    for step in expression.removeprefix("$response.body#/").split("/"):
        value = value[int(step)] if isinstance(value, list) else value[step]
    return value
