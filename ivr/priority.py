"""Priority from the tree's rules and what is known about the caller: a pure function."""

from __future__ import annotations

from collections.abc import Collection

from ivr.menu import PriorityPolicy


def prioritise(
    policy: PriorityPolicy, base: str, facts: Collection[str]
) -> tuple[str, list[str]]:
    """The call's priority level and the facts that raised it.

    Starts at `base` (the outcome's own level) or the policy default; each rule whose fact
    holds lifts the level to at least `at_least`, then by `raise_by`, capped at the top level.
    """
    levels = policy.levels
    index = levels.index(base or policy.default)
    reasons: list[str] = []
    for rule in policy.rules:
        if rule.fact not in facts:
            continue
        lifted = index
        if rule.at_least:
            lifted = max(lifted, levels.index(rule.at_least))
        lifted = min(lifted + rule.raise_by, len(levels) - 1)
        if lifted > index:
            reasons.append(rule.fact)
        index = lifted
    return levels[index], reasons
