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
        "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR, "429": _ERROR}


def _linked(responses: dict[str, Any], status: str, **links: dict[str, str]) -> dict[str, Any]:
    """`responses` whose `status` answer links on to other operations, by operationId with
    the parameters each takes from this request or answer (so a client, and schemathesis,
    can follow a real id from one call to the next)."""
    linked = {**responses[status], "links": {
        operation: {"operationId": operation, "parameters": parameters}
        for operation, parameters in links.items()}}
    return {**responses, status: linked}


_FIRST_TICKET = {"ticket_id": "$response.body#/tickets/0/id"}
_FIRST_CALLBACK = {"callback_id": "$response.body#/callbacks/0/id"}
_SAME_AGENT = {"agent_id": "$request.path.agent_id"}
_FIRST_CALL = {"call_sid": "$response.body#/tickets/0/calls/0/call_sid"}


_TRANSCRIPT_ENTRY = {
    "type": "object", "required": ["at", "kind", "text"],
    "properties": {
        "at": {"type": "string"},
        "kind": {"type": "string", "enum": ["call", "prompt", "dtmf", "speech", "decision",
                                            "queue", "agent", "callback", "recording",
                                            "transcription", "note", "sms"]},
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
        "calls": {"type": "array", "items": {
            "type": "object", "required": ["call_sid", "started_at", "kind"], "properties": {
                "call_sid": {"type": "string"}, "started_at": {"type": "string"},
                "kind": {"type": "string", "enum": ["inbound", "callback"]}}}},
        "callbacks": {"type": "array", "items": {
            "type": "object", "required": ["id", "state", "due_at", "attempts"], "properties": {
                "id": {"type": "string"}, "state": {"type": "string"},
                "due_at": {"type": "string", "nullable": True},
                "attempts": {"type": "integer", "minimum": 0}}}},
        "recordings": {"type": "array", "items": {"type": "object"}},
        "linked_tickets": {"type": "array", "description": "the caller's other open tickets",
                           "items": {"type": "object", "required": ["id", "issue", "status"],
                                     "properties": {"id": {"type": "integer"},
                                                    "issue": {"type": "string"},
                                                    "status": {"type": "string"},
                                                    "created_at": {"type": "string"}}}},
        "transcript": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"}},
        "disposition": {"type": "string", "nullable": True},
        "resolved_first_contact": {"type": "boolean", "nullable": True},
        "csat": {"type": "integer", "minimum": 1, "maximum": 5, "nullable": True},
    },
}

_AGENT_ID = {"name": "agent_id", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"}}

_AGENT = {
    "type": "object",
    "required": ["id", "name", "reach", "tier", "skills", "wrap_up_seconds", "status"],
    "properties": {
        "id": {"type": "string"}, "name": {"type": "string"},
        "reach": {"type": "string", "description": "E.164 number or client:<identity>"},
        "tier": {"type": "string", "enum": ["L1", "L2", "L3"]},
        "skills": {"type": "array", "items": {"type": "string"}},
        "wrap_up_seconds": {"type": "integer"},
        "status": {"type": "string", "enum": ["available", "busy", "wrap-up", "offline"]},
        "since": {"type": "number", "nullable": True},
        "reason": {"type": "string"},
        "call": {"type": "string", "nullable": True},
    },
}

_AGENT_IN = {
    "type": "object", "required": ["name", "reach", "tier"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "reach": {"type": "string", "example": "+14155550100"},
        "tier": {"type": "string", "enum": ["L1", "L2", "L3"]},
        "skills": {"type": "array",
                   "items": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"}},
        "wrap_up_seconds": {"type": "integer", "minimum": 0, "maximum": 3600},
    },
}


def _with(responses: dict[str, Any], *statuses: str) -> dict[str, Any]:
    return {**responses, **{status: _ERROR for status in statuses}}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_CALLBACK_ID = {"name": "callback_id", "in": "path", "required": True,
                "schema": {"type": "string", "maxLength": 64}}
_CALLBACK_STATES = ["scheduled", "dialing", "connected", "completed", "retry_wait", "failed",
                    "cancelled"]
_CALLBACK = {
    "type": "object",
    "required": ["id", "phone", "issue", "queue", "tier", "state", "mode", "promised_at",
                 "due_at", "attempts", "follow_up"],
    "properties": {
        "id": {"type": "string"}, "phone": {"type": "string"}, "issue": {"type": "string"},
        "queue": {"type": "string"}, "tier": {"type": "string"},
        "skills": {"type": "array", "items": {"type": "string"}},
        "priority": {"type": "string"}, "language": {"type": "string"},
        "state": {"type": "string", "enum": _CALLBACK_STATES},
        "mode": {"type": "string", "enum": ["asap", "slot"]},
        "promised_at": {"type": "string"}, "due_at": {"type": "string"},
        "next_try": {"type": "string", "nullable": True},
        "attempts": {"type": "integer"},
        "last_result": {"type": "string", "nullable": True},
        "agent": {"type": "string", "nullable": True}, "call": {"type": "string"},
        "connected_at": {"type": "string", "nullable": True},
        "finished_at": {"type": "string", "nullable": True},
        "follow_up": {"type": "boolean"},
        "log": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"}},
    },
}
_MENU_NAME = {"name": "name", "in": "path", "required": True,
              "description": "a published version, `active` or `draft`",
              "schema": {"type": "string", "maxLength": 64}}
_MENU_SOURCE: dict[str, Any] = {"source": {"type": "string", "minLength": 1},
                                "tree": {"type": "object"}}
_MENU_IN = {"type": "object", "description": "the tree as `source` (YAML text) or `tree`",
            "properties": _MENU_SOURCE}
_REVISION = {"type": "integer", "minimum": 0,
             "description": "the draft's revision the change starts from (0: no draft yet)"}
_PROBLEMS = {"type": "array", "items": {"$ref": "#/components/schemas/MenuProblem"}}
_MENU_SCHEMAS: dict[str, Any] = {
    "MenuProblem": {"type": "object", "required": ["node", "path", "rule", "message"],
                    "properties": {name: {"type": "string"}
                                   for name in ("node", "path", "rule", "message")}},
    "MenuList": {"type": "object", "required": ["active", "draft", "versions"], "properties": {
        "active": {"type": "string", "nullable": True},
        "draft": {"type": "object", "nullable": True},
        "versions": {"type": "array", "items": {
            "type": "object", "required": ["version", "published_at", "active"],
            "properties": {"version": {"type": "string"}, "published_at": {"type": "string"},
                           "active": {"type": "boolean"}}}}}},
    "MenuHistory": {"type": "object", "required": ["entries"], "properties": {
        "entries": {"type": "array", "items": {
            "type": "object", "required": ["at", "by", "action"],
            "properties": {"at": {"type": "string"}, "by": {"type": "string"},
                           "action": {"type": "string"},
                           "version": {"type": "string", "nullable": True},
                           "revision": {"type": "integer", "nullable": True}}}}}},
    "MenuTree": {"type": "object", "required": ["version", "tree"],
                 "properties": {"version": {"type": "string"}, "tree": {"type": "object"}}},
    "MenuDraft": {"type": "object",
                  "required": ["source", "revision", "saved_by", "saved_at", "problems"],
                  "properties": {"source": {"type": "string"}, "revision": {"type": "integer"},
                                 "saved_by": {"type": "string"},
                                 "saved_at": {"type": "string"}, "problems": _PROBLEMS}},
    "MenuDraftIn": {**_MENU_IN, "required": ["revision"], "properties": {
        **_MENU_SOURCE, "revision": _REVISION}},
    "MenuIn": _MENU_IN,
    "MenuCheck": {"type": "object", "required": ["valid", "version", "problems"],
                  "properties": {"valid": {"type": "boolean"},
                                 "version": {"type": "string", "nullable": True},
                                 "problems": _PROBLEMS}},
    "MenuDiff": {"type": "object", "required": ["from", "to", "lines"], "properties": {
        "from": {"type": "string"}, "to": {"type": "string"},
        "lines": {"type": "array", "items": {"type": "string"}}}},
    "PublishIn": {"type": "object", "required": ["revision"],
                  "properties": {"revision": _REVISION}},
    "RollbackIn": {"type": "object", "required": ["version"], "properties": {
        "version": {"type": "string", "minLength": 1, "maxLength": 64},
        "expected_active": {"type": "string"}}},
    "MenuPublished": {"type": "object", "required": ["version", "name", "nodes"],
                      "properties": {"version": {"type": "string"}, "name": {"type": "string"},
                                     "nodes": {"type": "integer"}}},
}
_MENU_REFUSED = {"description": "The tree breaks rules: `problems` lists each.",
                 "content": {"application/json": {"schema": {
                     "allOf": [{"$ref": "#/components/schemas/Error"}, {
                         "type": "object", "properties": {"problems": _PROBLEMS}}]}}}}
_MENU_PATHS: dict[str, Any] = {
    "/api/v1/menus": {"get": {
        "summary": "The active menu version, the draft and every published version",
        "responses": _ok("MenuList")}},
    "/api/v1/menus/history": {"get": {
        "summary": "The audit log: who saved, published or rolled back what, and when",
        "responses": _ok("MenuHistory")}},
    "/api/v1/menus/versions/{name}": {"get": {
        "summary": "A version's tree: YAML source (format=yaml) or parsed (format=json)",
        "parameters": [_MENU_NAME, {"name": "format", "in": "query", "required": False,
                                    "schema": {"type": "string", "enum": ["yaml", "json"]}}],
        "responses": {**_ok("MenuTree"), "200": {"description": "OK", "content": {
            "application/yaml": {"schema": {
                "description": "the tree's YAML source, as saved (any YAML: a draft may be "
                               "broken)"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/MenuTree"}}}},
            "422": _ERROR}}},
    "/api/v1/menus/draft": {
        "get": {"summary": "The draft with its problems", "responses": _ok("MenuDraft")},
        "put": {"summary": "Create or update the draft (409 when `revision` is stale)",
                "requestBody": _body("MenuDraftIn"),
                "responses": _with(_ok("MenuDraft"), "409")}},
    "/api/v1/menus/validate": {"post": {
        "summary": "Check a tree without saving it", "requestBody": _body("MenuIn"),
        "responses": _ok("MenuCheck")}},
    "/api/v1/menus/diff": {"get": {
        "summary": "Unified diff between two versions (`active`, `draft` or a version)",
        "parameters": [{"name": name, "in": "query", "required": False,
                        "schema": {"type": "string", "maxLength": 64}}
                       for name in ("from", "to")],
        "responses": _ok("MenuDiff")}},
    "/api/v1/menus/publish": {"post": {
        "summary": "Publish the draft at `revision`: new calls get it at once, calls under "
                   "way keep the version they started on",
        "requestBody": _body("PublishIn"),
        "responses": {**_with(_ok("MenuPublished"), "409"), "422": _MENU_REFUSED}}},
    "/api/v1/menus/rollback": {"post": {
        "summary": "Make an earlier published version the one new calls get",
        "requestBody": _body("RollbackIn"),
        "responses": _with(_ok("MenuPublished"), "409")}},
}
_LINE = {"name": "line", "in": "path", "required": True,
         "description": "the number called (E.164), or `default` for every other line",
         "schema": {"type": "string", "maxLength": 32}}
_CATEGORY = {"name": "category", "in": "path", "required": True,
             "description": "an issue or its prefix (technical, billing/dispute), or *",
             "schema": {"type": "string", "maxLength": 64}}
_NUMBER = {"name": "number", "in": "path", "required": True,
           "schema": {"type": "string", "maxLength": 32}}
_HOURS = {"type": "object", "required": ["timezone", "open"], "properties": {
    "timezone": {"type": "string", "example": "America/New_York"},
    "open": {"type": "string", "example": "08:00-20:00"},
    "days": {"type": "string", "example": "mon-fri"},
    "holidays": {"type": "string", "description": "country[-subdivision] or none",
                 "example": "US"},
    "closures": {"type": "array", "items": {"type": "string", "format": "date"}}}}
_SWITCH_SCHEMAS: dict[str, Any] = {
    "Switches": {"type": "object", "required": ["hours", "outages", "vip"], "properties": {
        "hours": {"type": "object", "additionalProperties": {"type": "object"}},
        "outages": {"type": "array", "items": {
            "type": "object", "required": ["category", "language", "message"], "properties": {
                "category": {"type": "string"},
                "language": {"type": "string", "nullable": True},
                "message": {"type": "string"}}}},
        "vip": {"type": "array", "items": {"type": "string"}}}},
    "SwitchHistory": {"type": "object", "required": ["entries"], "properties": {
        "entries": {"type": "array", "items": {
            "type": "object", "required": ["at", "by", "action", "target"], "properties": {
                name: {"type": "string"} for name in ("at", "by", "action", "target")}}}}},
    "LineHoursIn": _HOURS,
    "LineHours": {"type": "object", "required": ["line", "hours"], "properties": {
        "line": {"type": "string"}, "hours": {"type": "object", "nullable": True}}},
    "OutageIn": {"type": "object", "required": ["message"], "properties": {
        "message": {"type": "string", "minLength": 1, "maxLength": 500},
        "language": {"type": "string", "description": "one of the menu's languages"}}},
    "Outage": {"type": "object", "required": ["category", "language", "message"],
               "properties": {"category": {"type": "string"},
                              "language": {"type": "string", "nullable": True},
                              "message": {"type": "string", "nullable": True}}},
    "Vip": {"type": "object", "required": ["number", "vip"],
            "properties": {"number": {"type": "string"}, "vip": {"type": "boolean"}}},
}
_SWITCH_PATHS: dict[str, Any] = {
    "/api/v1/switches": {"get": {
        "summary": "Opening hours per line, outage notices, the VIP list",
        "responses": _ok("Switches")}},
    "/api/v1/switches/history": {"get": {
        "summary": "Who changed which switch, and when", "responses": _ok("SwitchHistory")}},
    "/api/v1/switches/hours/{line}": {
        "put": {"summary": "Set a line's opening hours (over the menu's), from the next call",
                "parameters": [_LINE], "requestBody": _body("LineHoursIn"),
                "responses": _ok("LineHours")},
        "delete": {"summary": "Clear a line's own opening hours",
                   "parameters": [_LINE], "responses": _ok("LineHours")}},
    "/api/v1/switches/outages/{category}": {
        "put": {"summary": "Flag an outage with its notice in one language",
                "parameters": [_CATEGORY], "requestBody": _body("OutageIn"),
                "responses": _ok("Outage")},
        "delete": {"summary": "Clear an outage (every notice, or the one in `language`)",
                   "parameters": [_CATEGORY,
                                  {"name": "language", "in": "query", "required": False,
                                   "schema": {"type": "string"}}],
                   "responses": _ok("Outage")}},
    "/api/v1/switches/vip/{number}": {
        "put": {"summary": "Put a number on the VIP list", "parameters": [_NUMBER],
                "responses": _ok("Vip")},
        "delete": {"summary": "Take a number off the VIP list",
                   "parameters": [_NUMBER], "responses": _ok("Vip")}},
}
_SPREAD = {"type": "object", "properties": {
    name: {"type": "number", "nullable": True} for name in ("p50", "p90", "mean")}}

_GRANT: dict[str, Any] = {
    "type": "object", "required": ["id", "role", "name", "created_at"],
    "properties": {"id": {"type": "string"},
                   "role": {"type": "string", "enum": ["admin", "agent", "report"]},
                   "name": {"type": "string"}, "created_at": {"type": "number"}}}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True}
_SECONDS = {"type": "number", "nullable": True}
_KPIS = {
    "type": "object", "description": "Every figure of docs/KPIS.md; null when nothing counts",
    "required": ["calls_received", "ivr_completion", "abandoned_in_menu_rate",
                 "abandoned_on_hold_rate", "average_speed_of_answer", "service_level",
                 "average_handle_time", "callback_success", "time_to_callback",
                 "first_contact_resolution", "csat_average", "sla_overdue", "sla_at_risk",
                 "sla_watch"],
    "properties": {
        **{name: {"type": "integer", "minimum": 0} for name in (
            "calls_received", "abandoned_in_menu", "offered_to_queue", "answered",
            "abandoned_on_hold", "service_level_threshold", "callbacks_promised",
            "tickets_worked", "csat_answers", "sla_first_response_breached",
            "sla_resolution_breached", "sla_overdue", "sla_at_risk")},
        **{name: _SHARE for name in (
            "ivr_completion", "abandoned_in_menu_rate", "abandoned_on_hold_rate",
            "service_level", "callback_success", "first_contact_resolution",
            "csat_satisfied")},
        **{name: _SECONDS for name in (
            "average_speed_of_answer", "average_handle_time", "time_to_callback")},
        "csat_average": {"type": "number", "minimum": 1, "maximum": 5, "nullable": True},
        "sla_watch": {"type": "array", "items": {
            "type": "object", "required": ["ticket", "target", "due", "state"], "properties": {
                "ticket": {"type": "integer"},
                "target": {"type": "string", "enum": ["first_response", "resolution"]},
                "due": {"type": "string"},
                "state": {"type": "string", "enum": ["overdue", "at_risk"]},
                "seconds_left": {"type": "integer"}, "issue": {"type": "string"},
                "queue": {"type": "string"}, "priority": {"type": "string"},
                "assignee": {"type": "string"}}}},
    },
}
_REPORT = {
    "type": "object", "required": ["from", "to", "at", "totals", "menu", "waits", "hours"],
    "properties": {
        "from": {"type": "string"}, "to": {"type": "string"}, "at": {"type": "string"},
        "totals": {"$ref": "#/components/schemas/Kpis"},
        "menu": {"type": "array", "items": {
            "type": "object", "required": ["node", "reached", "hung_up", "pressed_0"],
            "properties": {"node": {"type": "string"}, "reached": {"type": "integer"},
                           "hung_up": {"type": "integer"}, "pressed_0": {"type": "integer"}}}},
        "waits": {"type": "array", "items": {
            "type": "object", "required": ["up_to", "calls"],
            "properties": {"up_to": {"type": "integer", "nullable": True},
                           "calls": {"type": "integer"}}}},
        "hours": {"type": "array", "items": {
            "type": "object", "required": ["hour", "calls", "abandoned"],
            "properties": {"hour": {"type": "string"}, "calls": {"type": "integer"},
                           "abandoned": {"type": "integer"}}}},
        "by": {"type": "string", "enum": ["line", "tier", "issue", "agent", "hour"]},
        "groups": {"type": "object",
                   "additionalProperties": {"$ref": "#/components/schemas/Kpis"}},
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Hotline API", "version": "1"},
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/calls/{call_sid}": {"get": {
            "operationId": "getCall",
            "summary": "A live or recent call: session, routing decision and transcript",
            "parameters": [{"name": "call_sid", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": _ok("Call")}},
        "/api/v1/tickets": {"get": {
            "summary": "Tickets, newest first, filtered by any of phone, status, queue, assignee",
            "parameters": [{"name": name, "in": "query", "required": False,
                            "schema": {"type": "string"}}
                           for name in ("phone", "status", "queue", "assignee")],
            "responses": _linked(_ok("TicketList"), "200", getTicket=_FIRST_TICKET,
                                 addNote=_FIRST_TICKET, wrapUp=_FIRST_TICKET,
                                 getCall=_FIRST_CALL)}},
        "/api/v1/tickets/{ticket_id}": {
            "get": {"operationId": "getTicket", "summary": "One ticket with its transcript",
                    "parameters": [_ID],
                    "responses": _ok("Ticket")},
            "patch": {"operationId": "wrapUp", "summary": "Wrap-up: status, assignee, disposition",
                      "parameters": [_ID],
                      "requestBody": {"required": True, "content": {"application/json": {
                          "schema": {"$ref": "#/components/schemas/WrapUp"}}}},
                      "responses": _ok("Ticket")}},
        "/api/v1/agents/{agent_id}/screen-pop": {"get": {
            "operationId": "screenPop",
            "summary": "The ticket of the call being routed to the agent",
            "parameters": [{"name": "agent_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": _ok("Ticket")}},
        "/api/v1/agents/{agent_id}/voice-token": {"get": {
            "operationId": "voiceToken",
            "summary": "A Twilio Voice access token for the agent's softphone (their "
                       "client:<identity>; incoming calls only, valid an hour)",
            "parameters": [_AGENT_ID],
            "responses": {**_ok("VoiceToken"), "409": _ERROR}}},
        "/api/v1/agents": {"get": {
            "summary": "Every registered agent with their status",
            "responses": _linked(_ok("AgentList"), "200",
                                 getAgent={"agent_id": "$response.body#/agents/0/id"})}},
        "/api/v1/agents/{agent_id}": {
            "get": {"operationId": "getAgent", "summary": "One agent", "parameters": [_AGENT_ID],
                    "responses": _ok("Agent")},
            "put": {"summary": "Register an agent or change their profile (new agents start "
                               "offline)", "parameters": [_AGENT_ID],
                    "requestBody": _body("AgentIn"),
                    "responses": _linked(
                        {**_ok("Agent"), "201": _ok("Agent")["200"]}, "201",
                        getAgent=_SAME_AGENT, setAgentStatus=_SAME_AGENT,
                        screenPop=_SAME_AGENT)}},
        "/api/v1/agents/{agent_id}/status": {"post": {
            "operationId": "setAgentStatus",
            "summary": "Set an agent's status; an agent made available is given the next call",
            "parameters": [_AGENT_ID], "requestBody": _body("StatusIn"),
            "responses": _with(_ok("Agent"), "409")}},
        "/api/v1/calls/{call_sid}/escalate": {"post": {
            "summary": "Move a call that is with an agent to another tier, queue or skills",
            "parameters": [{"name": "call_sid", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "requestBody": _body("EscalationIn"),
            "responses": _with(_ok("Escalation"), "409", "502")}},
        "/api/v1/queues/stats": {"get": {
            "summary": "Waiting tasks per line, agents by status, the wait estimate's error",
            "responses": _ok("QueueStats")}},
        "/api/v1/callbacks": {"get": {
            "summary": "Callbacks, newest first, filtered by phone and state",
            "parameters": [{"name": name, "in": "query", "required": False,
                            "schema": {"type": "string"}} for name in ("phone", "state")],
            "responses": _linked(_ok("CallbackList"), "200", getCallback=_FIRST_CALLBACK,
                                 rescheduleCallback=_FIRST_CALLBACK,
                                 cancelCallback=_FIRST_CALLBACK)}},
        "/api/v1/callbacks/stats": {"get": {
            "summary": "Callback KPIs (apart from the live queues'): promise to connect, "
                       "connect rate, attempts per callback",
            "responses": _ok("CallbackStats")}},
        "/api/v1/callbacks/{callback_id}": {"get": {
            "operationId": "getCallback",
            "summary": "One callback with every state change",
            "parameters": [_CALLBACK_ID], "responses": _ok("Callback")}},
        "/api/v1/callbacks/{callback_id}/cancel": {"post": {
            "operationId": "cancelCallback",
            "summary": "Cancel a callback not yet being dialled",
            "parameters": [_CALLBACK_ID], "responses": {**_ok("Callback"), "409": _ERROR}}},
        "/api/v1/callbacks/{callback_id}/reschedule": {"post": {
            "operationId": "rescheduleCallback",
            "summary": "Move a callback to another time inside the caller's allowed hours",
            "parameters": [_CALLBACK_ID],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Reschedule"}}}},
            "responses": {**_ok("Callback"), "409": _ERROR}}},
        "/api/v1/reports": {"get": {
            "summary": "KPIs of a period (default: today, UTC), optionally per line, tier, "
                       "issue, agent or hour, with the SLA watch list (docs/KPIS.md)",
            "parameters": [
                {"name": "from", "in": "query", "required": False,
                 "schema": {"type": "string", "example": "2026-11-24T00:00:00Z"}},
                {"name": "to", "in": "query", "required": False,
                 "schema": {"type": "string", "example": "2026-11-25T00:00:00Z"}},
                {"name": "by", "in": "query", "required": False, "schema": {
                    "type": "string", "enum": ["line", "tier", "issue", "agent", "hour"]}},
                {"name": "threshold", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 3600}}],
            "responses": _ok("Report")}},
        "/api/v1/tickets/{ticket_id}/notes": {"post": {
            "operationId": "addNote",
            "summary": "Add an internal note (never shown to the caller side)",
            "parameters": [_ID],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Note"}}}},
            "responses": _ok("Entry", "201")}},
        "/api/v1/tokens": {
            "get": {"summary": "Issued tokens (never their secrets)",
                    "responses": _linked(_ok("TokenList"), "200",
                                         revokeToken={"token_id": "$response.body#/tokens/0/id"})},
            "post": {"summary": "Issue a token for an agent or a report reader, shown once",
                     "requestBody": _body("TokenIn"),
                     "responses": _linked(_ok("IssuedToken", "201"), "201",
                                          revokeToken={"token_id": "$response.body#/id"})}},
        "/api/v1/tokens/{token_id}": {"delete": {
            "operationId": "revokeToken",
            "summary": "Revoke a token; it stops working at once",
            "parameters": [{"name": "token_id", "in": "path", "required": True,
                            "schema": {"type": "string", "maxLength": 64}}],
            "responses": _ok("Grant")}},
        **_MENU_PATHS,
        **_SWITCH_PATHS,
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
            "Agent": _AGENT,
            "AgentIn": _AGENT_IN,
            "VoiceToken": {"type": "object", "required": ["token", "identity", "expires_in"],
                           "properties": {"token": {"type": "string"},
                                          "identity": {"type": "string"},
                                          "expires_in": {"type": "integer"}}},
            "AgentList": {"type": "object", "required": ["agents"], "properties": {
                "agents": {"type": "array", "items": {"$ref": "#/components/schemas/Agent"}}}},
            "StatusIn": {"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string", "enum": ["available", "wrap-up", "offline"]},
                "reason": {"type": "string", "maxLength": 200}}},
            "EscalationIn": {"type": "object", "properties": {
                "tier": {"type": "string", "enum": ["L1", "L2", "L3"]},
                "queue": {"type": "string", "minLength": 1, "maxLength": 64},
                "skills": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "note": {"type": "string", "maxLength": 500}}},
            "Escalation": {"type": "object", "required": ["call_sid", "tier", "queue", "skills"],
                           "properties": {"call_sid": {"type": "string"},
                                          "tier": {"type": "string"},
                                          "queue": {"type": "string"},
                                          "skills": {"type": "array",
                                                     "items": {"type": "string"}},
                                          "escalation_note": {"type": "string"}}},
            "QueueStats": {"type": "object", "required": ["waiting", "agents", "wait_estimate"],
                           "properties": {
                               "waiting": {"type": "object",
                                           "additionalProperties": {"type": "integer"}},
                               "agents": {"type": "object",
                                          "additionalProperties": {"type": "integer"}},
                               "wait_estimate": {"type": "object", "properties": {
                                   "callers": {"type": "integer"},
                                   "mean_absolute_error": {"type": "number"},
                                   "mean_error": {"type": "number"},
                                   "mean_actual_wait": {"type": "number"}}}}},
            "Callback": _CALLBACK,
            "CallbackList": {"type": "object", "required": ["callbacks"], "properties": {
                "callbacks": {"type": "array",
                              "items": {"$ref": "#/components/schemas/Callback"}}}},
            "CallbackStats": {"type": "object", "required": [
                "promised", "by_state", "connect_rate", "attempts_per_callback",
                "seconds_from_promise_to_connect"], "properties": {
                "promised": {"type": "integer"},
                "by_state": {"type": "object", "additionalProperties": {"type": "integer"}},
                "connect_rate": {"type": "number", "nullable": True},
                "attempts_per_callback": {"type": "number", "nullable": True},
                "seconds_from_promise_to_connect": _SPREAD,
                "seconds_after_due_to_connect": _SPREAD}},
            "Grant": _GRANT,
            "TokenList": {"type": "object", "required": ["tokens"], "properties": {
                "tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Grant"}}}},
            "IssuedToken": {**_GRANT, "required": [*_GRANT["required"], "token"],
                            "properties": {**_GRANT["properties"],
                                           "token": {"type": "string"}}},
            "TokenIn": {"type": "object", "required": ["role", "name"], "properties": {
                "role": {"type": "string", "enum": ["admin", "agent", "report"]},
                "name": {"type": "string", "minLength": 1, "maxLength": 64,
                         "description": "the agent's id for the agent role"}}},
            "Reschedule": {"type": "object", "required": ["at"], "properties": {
                "at": {"type": "string", "format": "date-time"}}},
            "Kpis": _KPIS,
            "Report": _REPORT,
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
            **_MENU_SCHEMAS,
            **_SWITCH_SCHEMAS,
        },
    },
}


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    return jsonify(DOCUMENT)
