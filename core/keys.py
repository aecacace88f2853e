"""Every Redis key Hotline uses, in one place, under the `hotline:` namespace."""

from __future__ import annotations

PREFIX = "hotline"


def call(call_sid: str) -> str:
    """Hash: the call session (caller, language, menu version, node, path, decision)."""
    return f"{PREFIX}:call:{call_sid}"


def call_events(call_sid: str) -> str:
    """List: the call's append-only event log (JSON entries), i.e. its transcript."""
    return f"{PREFIX}:call:{call_sid}:events"


def call_replies(call_sid: str) -> str:
    """Hash: step key -> TwiML already answered, so a retried webhook gets the same reply."""
    return f"{PREFIX}:call:{call_sid}:replies"


def menu(version: str) -> str:
    """String: a published menu tree (YAML source), content-addressed by version."""
    return f"{PREFIX}:menu:{version}"


def menu_phrases(version: str) -> str:
    """String: a published menu version's phrase book (JSON, `core.phrases.PhraseBook`)."""
    return f"{PREFIX}:menu-phrases:{version}"


def active_menu() -> str:
    """String: the version new calls are served with."""
    return f"{PREFIX}:menu:active"


def vip_numbers() -> str:
    """Set: E.164 numbers whose calls get VIP priority."""
    return f"{PREFIX}:vip"


def outages() -> str:
    """Hash: issue category prefix (`technical`, or `technical@es` for a notice in that
    language) -> message, set by admins while an outage lasts."""
    return f"{PREFIX}:outages"


def caller_issues(e164: str) -> str:
    """Hash: issue -> epoch seconds of this caller's last routed call about it."""
    return f"{PREFIX}:caller:{e164}:issues"


def call_event_stream() -> str:
    """Stream: one entry per committed step (call, first, count), for consumers such as tickets."""
    return f"{PREFIX}:call-events"


def caller_open_tickets(e164: str) -> str:
    """Hash: issue -> JSON {ticket_id, issue, assignee, updated_at, story} of the caller's open
    tickets (one per issue), kept by the tickets bridge so the IVR can attach a repeat caller
    and the whisper can repeat what they told earlier (`story`: [{call, said}]) without SQL."""
    return f"{PREFIX}:caller:{e164}:open-tickets"


def queue_waiting(waiting_set: str) -> str:
    """Sorted set: tasks (CallSids, `cb:<id>`) waiting in a set (`queue:tier:skills`), scored
    by their rank (arrival less their priority's head start)."""
    return f"{queue_waiting_prefix()}{waiting_set}:waiting"


def queue_waiting_prefix() -> str:
    return f"{PREFIX}:queue:"


def queue_sets() -> str:
    """Set: every waiting set's name, for agents to look through."""
    return f"{PREFIX}:queue-sets"


def queue_set(waiting_set: str) -> str:
    """Hash: a waiting set's tier and skills."""
    return f"{PREFIX}:queue-set:{waiting_set}"


def waiting_caller(task: str) -> str:
    """Hash: a waiting task's set, queue, tier, skills, priority, arrival and rank."""
    return f"{PREFIX}:waiting:{task}"


def assigned(task: str) -> str:
    """Hash: the agent a task was given to, the assignment's number, when, and when it ended."""
    return f"{PREFIX}:assigned:{task}"


def assignment_seq() -> str:
    """Counter numbering assignments."""
    return f"{PREFIX}:assignment-seq"


def agents() -> str:
    """Set: ids of every registered agent."""
    return f"{PREFIX}:agents"


def agents_available() -> str:
    """Sorted set: available agent ids, scored by when they became idle (longest idle first)."""
    return f"{PREFIX}:agents:available"


def agent(agent_id: str) -> str:
    """Hash: an agent's name, reach, tier, wrap-up time, status (since when, why) and task."""
    return f"{PREFIX}:agent:{agent_id}"


def agent_skills(agent_id: str) -> str:
    """Set: an agent's skills."""
    return f"{PREFIX}:agent:{agent_id}:skills"


def simulated_calls() -> str:
    """List: outbound calls placed while no Twilio is configured, for the caller simulator."""
    return f"{PREFIX}:sim:calls"


def simulated_redirects(call_sid: str) -> str:
    """List: redirects of a live simulated call (URLs its TwiML should be fetched from)."""
    return f"{PREFIX}:sim:call:{call_sid}:redirects"


def simulated_recording(call_sid: str) -> str:
    """List: a simulated call's recording as it was started, paused and resumed (JSON)."""
    return f"{PREFIX}:sim:recording:{call_sid}"


def simulated_messages() -> str:
    """List: SMS sent while no Twilio is configured."""
    return f"{PREFIX}:sim:messages"


def handle_times(queue: str) -> str:
    """List: the most recent handle times (seconds) of a queue's calls, newest first."""
    return f"{PREFIX}:handle-times:{queue}"


def wait_prediction(task: str) -> str:
    """Hash: the wait first predicted for a waiting task, and when."""
    return f"{PREFIX}:wait-prediction:{task}"


def wait_accuracy() -> str:
    """Hash: settled callers and their summed (absolute) prediction errors and waits."""
    return f"{PREFIX}:wait-accuracy"


# Callbacks


def callback(callback_id: str) -> str:
    """Hash: one callback record (number, issue, state, due time, attempts, agent)."""
    return f"{PREFIX}:callback:{callback_id}"


def callback_log(callback_id: str) -> str:
    """List: the callback's state changes (JSON events), copied onto the original call's log."""
    return f"{PREFIX}:callback:{callback_id}:log"


def callbacks_all() -> str:
    """Sorted set: every callback id, scored by when it was promised."""
    return f"{PREFIX}:callbacks:all"


def callbacks_for_phone(e164: str) -> str:
    """Set: ids of the callbacks promised to one number."""
    return f"{PREFIX}:callbacks:phone:{e164}"


def callback_dedupe(e164: str, issue: str) -> str:
    """String: the id of the pending callback for one number and one issue."""
    return f"{PREFIX}:callbacks:pending:{e164}:{issue}"


def callbacks_pending_phone(e164: str) -> str:
    """Set: ids of a number's callbacks not yet finished (the IVR asks a repeat caller)."""
    return f"{PREFIX}:callbacks:pending-phone:{e164}"


def callbacks_due() -> str:
    """Sorted set: callbacks Hotline must dial itself, scored by due time (the sweep's view)."""
    return f"{PREFIX}:callbacks:due"


def callbacks_dialing() -> str:
    """Sorted set: callbacks with an attempt under way, scored by when its lease expires."""
    return f"{PREFIX}:callbacks:dialing"


def callback_attempt(attempt_id: str) -> str:
    """String: an attempt's idempotency guard (`placing`, then `placed:<CallSid>`)."""
    return f"{PREFIX}:callback-attempt:{attempt_id}"


def callback_pacing() -> str:
    """String: the next free outbound-call slot (epoch seconds) shared by every worker."""
    return f"{PREFIX}:callbacks:pacing"


def callbacks_placed() -> str:
    """Sorted set: attempt id -> when its REST call went out (audit, KPIs and the benchmark)."""
    return f"{PREFIX}:callbacks:placed"


def callback_capacity_lock(queue: str, tier: str) -> str:
    """String: held while a customer-first callback checks for a free agent and starts."""
    return f"{PREFIX}:callbacks:capacity:{queue}:{tier}"


def delivery_lock(bridge: str, ticket_id: int) -> str:
    """String: held (and renewed) while a worker sends one ticket's changes to one helpdesk."""
    return f"{PREFIX}:delivery:{bridge}:{ticket_id}"


def access_tokens() -> str:
    """Hash: token id -> JSON {digest, role, name, created_at} of every issued API token (the
    token itself is never stored, only its SHA-256 digest)."""
    return f"{PREFIX}:access-tokens"


def refused_credentials(address: str) -> str:
    """String with a TTL: how many wrong tokens (sign-ins and bearer tokens) came from an
    address in the current throttling window."""
    return f"{PREFIX}:refused-credentials:{address}"


def sms_opted_out() -> str:
    """Set: numbers that replied STOP: no text message of any kind goes to them."""
    return f"{PREFIX}:sms:opted-out"


def sms_replies(e164: str) -> str:
    """String: how many text messages from a number were answered in the current window."""
    return f"{PREFIX}:sms:replies:{e164}"


def sms_offer(e164: str) -> str:
    """String (JSON): the times offered to a number that replied LATER, awaiting its choice."""
    return f"{PREFIX}:sms:offer:{e164}"


def sms_answered(message_sid: str) -> str:
    """String: the TwiML answer given to an inbound text, for Twilio's retries of it."""
    return f"{PREFIX}:sms:answered:{message_sid}"


# Menu versions (ivr.menu_versions)


def menu_draft() -> str:
    """Hash: the menu draft admins are editing (source, revision, who saved it and when)."""
    return f"{PREFIX}:menu:draft"


def menu_history() -> str:
    """List: the menu's audit log, oldest first (JSON: at, by, action, version, revision)."""
    return f"{PREFIX}:menu:history"


def menu_published() -> str:
    """Sorted set: every menu version ever published, scored by when it first was."""
    return f"{PREFIX}:menu:published"


def menu_seeded() -> str:
    """String: the version of the menu file a server last published at start, so a restart
    with the same file leaves an admin's later publication alone."""
    return f"{PREFIX}:menu:seeded"


def line_hours() -> str:
    """Hash: called number (E.164, or `default` for every other line) -> JSON opening hours
    (timezone, open, days, holidays, closures) set by admins, over the menu's own hours."""
    return f"{PREFIX}:line-hours"


def switches_history() -> str:
    """List: the audit log of the operational switches (JSON: at, by, action, target)."""
    return f"{PREFIX}:switches:history"


def recording_taken(recording_sid: str) -> str:
    """String: set once a recording's processing was enqueued, so a status callback Twilio
    sends again does not process it twice."""
    return f"{PREFIX}:recording:{recording_sid}:taken"


def call_recording(call_sid: str) -> str:
    """Hash: the call's own recording (`sid`, `paused` 0/1), once recording it began."""
    return f"{PREFIX}:call:{call_sid}:recording"
