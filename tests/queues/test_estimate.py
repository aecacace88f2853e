"""The wait estimate: the line's own recent service rate when it has one, the staffing picture
otherwise
(tests/test_spoken.py: how the wait is said)."""

from __future__ import annotations

from queues.estimate import expected_wait, service_rate

NOW = 1_800_000_000.0


def test_a_line_with_recent_departures_is_judged_by_its_own_rate() -> None:
    served = [NOW - 60 * n for n in range(1, 11)]  # one a minute for ten minutes
    rate = service_rate(served, NOW)
    assert rate is not None and abs(rate - 1 / 60) < 1e-9
    assert service_rate(served[:4], NOW) is None  # too little history
    assert service_rate([NOW - 7200 - n for n in range(10)], NOW) is None  # too old


def test_without_history_the_wait_follows_staffing_and_handle_time() -> None:
    assert expected_wait(6, 3, 240.0) == 480.0
    assert expected_wait(1, 0, 240.0) is None  # nobody on shift: no honest estimate
