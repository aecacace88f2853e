"""The routing a menu outcome becomes: issue, priority, tier, queue, skills and why."""

from __future__ import annotations

from collections.abc import Sequence

from core.routing import GENERAL, Routing, category_of
from ivr import speech
from ivr.caller_facts import CallerFacts
from ivr.menu import Menu, Outcome
from ivr.priority import prioritise


def issue_for(menu: Menu, outcome: Outcome, path: Sequence[str]) -> str:
    """The outcome's own issue, else that of the deepest node passed that names one."""
    return outcome.issue or issue_on_path(menu, path)


def issue_on_path(menu: Menu, path: Sequence[str]) -> str:
    """The issue of the deepest node on `path` that names one, else `general`."""
    for node_id in reversed(path):
        node = menu.nodes.get(node_id)
        if node is not None and node.issue:
            return node.issue
    return GENERAL


def decide(
    menu: Menu,
    outcome: Outcome,
    path: Sequence[str],
    facts: CallerFacts,
    words: Sequence[str],
    now: float,
    repeat_window: int,
) -> Routing:
    """Turn a reached outcome plus what is known about the caller into the call's routing."""
    issue = issue_for(menu, outcome, path)
    holding = _facts_holding(menu, facts, issue, words, now - repeat_window)
    priority, reasons = prioritise(menu.priority, outcome.priority, holding)
    ticket = facts.open_tickets.get(issue, {})
    return Routing(
        outcome=outcome.kind.value,
        issue=issue,
        priority=priority,
        tier=outcome.tier,
        queue=outcome.queue,
        skills=outcome.skills,
        reasons=tuple(reasons),
        ticket=ticket.get("ticket_id"),
        preferred_agent=ticket.get("assignee"),
    )


def _facts_holding(menu: Menu, facts: CallerFacts, issue: str, words: Sequence[str],
                   since: float) -> set[str]:
    category = category_of(issue)
    holding: set[str] = set()
    if facts.vip:
        holding.add("vip")
    if facts.outage_for(issue) is not None:
        holding.add("outage")
    # A repeat call is one about the same category (the caller's problem may sit under another
    # leaf this time); it joins an open ticket only on the same issue (`decide`).
    if facts.last_call_at.get(category, float("-inf")) >= since or any(
            category_of(other) == category for other in facts.open_tickets):
        holding.add("repeat_call")
    urgent = [w for by_lang in menu.priority.urgent_words.values() for w in by_lang]
    if any(speech.contains_any(said, urgent) for said in words):
        holding.add("urgent_words")
    return holding
