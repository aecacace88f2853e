"""Schemathesis explores the API from its own OpenAPI document: no 5xx, answers as described."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.ivr_app import ADMIN_TOKEN
from tests.tickets.test_projection import billing_call, drain
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


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
    assert len(operations) == 34

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        def explore(case: schemathesis.Case[Any]) -> None:
            # Every default check but one: a schema cannot say "a real phone number", so a
            # well-formed but impossible number is rightly refused with a 400 naming `phone`.
            case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance])

        explore()
