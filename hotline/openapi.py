"""The OpenAPI description of Hotline's JSON API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

bp = Blueprint("openapi", __name__)

_ERROR = {"description": "The request was refused; `field` names the input at fault.",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ID = {"name": "ticket_id", "in": "path", "required": True,
       "schema": {"type": "string", "pattern": "^[0-9]{1,10}$"}}


def _ok(schema: str, status: str = "200") -> dict[str, Any]:
    return {status: {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
        "400": _ERROR, "401": _ERROR, "404": _ERROR}


_TRANSCRIPT_ENTRY = {
    "type": "object", "required": ["at", "kind", "text"],
    "properties": {
        "at": {"type": "string"},
        "kind": {"type": "string", "enum": ["call", "prompt", "dtmf", "speech", "decision",
                                            "queue", "agent", "callback", "recording",
                                            "transcription", "note"]},
        "text": {"type": "string"},
    },
}

_TICKET = {
    "type": "object",
    "required": ["id", "phone", "issue", "priority", "tier", "queue", "status", "assignee",
                 "tags", "calls", "callbacks", "recordings", "transcript"],
    "properties": {
        "id": {"type": "integer"}, "phone": {"type": "string", "nullable": True},
        "subject": {"type": "string"}, "issue": {"type": "string"},
        "priority": {"type": "string"}, "tier": {"type": "string"},
        "queue": {"type": "string"},
        "status": {"type": "string", "enum": ["new", "open", "pending", "solved"]},
        "assignee": {"type": "string", "nullable": True},
        "tags": {"type": "array", "items": {"type": "string"}},
        "calls": {"type": "array", "items": {"type": "object"}},
        "callbacks": {"type": "array", "items": {"type": "object"}},
        "recordings": {"type": "array", "items": {"type": "object"}},
        "transcript": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"}},
        "disposition": {"type": "string", "nullable": True},
        "resolved_first_contact": {"type": "boolean", "nullable": True},
        "csat": {"type": "integer", "minimum": 1, "maximum": 5, "nullable": True},
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Hotline API", "version": "1"},
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/calls/{call_sid}": {"get": {
            "summary": "A live or recent call: session, routing decision and transcript",
            "parameters": [{"name": "call_sid", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": _ok("Call")}},
        "/api/v1/tickets": {"get": {
            "summary": "Tickets, newest first, filtered by any of phone, status, queue, assignee",
            "parameters": [{"name": name, "in": "query", "required": False,
                            "schema": {"type": "string"}}
                           for name in ("phone", "status", "queue", "assignee")],
            "responses": _ok("TicketList")}},
        "/api/v1/tickets/{ticket_id}": {
            "get": {"summary": "One ticket with its transcript", "parameters": [_ID],
                    "responses": _ok("Ticket")},
            "patch": {"summary": "Wrap-up: status, assignee, disposition", "parameters": [_ID],
                      "requestBody": {"required": True, "content": {"application/json": {
                          "schema": {"$ref": "#/components/schemas/WrapUp"}}}},
                      "responses": _ok("Ticket")}},
        "/api/v1/agents/{agent_id}/screen-pop": {"get": {
            "summary": "The ticket of the call being routed to the agent",
            "parameters": [{"name": "agent_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": _ok("Ticket")}},
        "/api/v1/tickets/{ticket_id}/notes": {"post": {
            "summary": "Add an internal note (never shown to the caller side)",
            "parameters": [_ID],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Note"}}}},
            "responses": _ok("Entry", "201")}},
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message", "field"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "field": {"type": "string", "nullable": True}}}}},
            "Entry": _TRANSCRIPT_ENTRY,
            "Ticket": _TICKET,
            "TicketList": {"type": "object", "required": ["tickets"], "properties": {
                "tickets": {"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}}}},
            "Call": {"type": "object", "required": ["call", "transcript"], "properties": {
                "call": {"type": "object"},
                "transcript": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"}}}},
            "Note": {"type": "object", "required": ["text"], "properties": {
                "text": {"type": "string", "minLength": 1, "maxLength": 5000},
                "author": {"type": "string", "nullable": True}}},
            "WrapUp": {"type": "object", "minProperties": 1, "additionalProperties": False,
                       "properties": {
                           "status": {"type": "string",
                                      "enum": ["new", "open", "pending", "solved"]},
                           "assignee": {"type": "string", "nullable": True,
                                        "minLength": 1, "maxLength": 100},
                           "disposition": {"type": "string", "minLength": 1, "maxLength": 100},
                           "resolved_first_contact": {"type": "boolean"}}},
        },
    },
}


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    return jsonify(DOCUMENT)
