"""The wait estimate: the line's own recent service rate when it has one, the staffing picture
otherwise
(tests/test_spoken.py: how the wait is said)."""

from __future__ import annotations

from queues.estimate import expected_wait, service_rate, wait_bounds

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


def test_the_range_narrows_as_the_caller_moves_up_from_far_back() -> None:
    # The middle 85% of a Gamma(n) wait, relative to its mean (exact: n = 2, 0.449 / 2 to
    # 4.25 / 2, from 1 - e^-x (1 + x) = 0.075 and 0.925; n = 10, chi-square with 20 degrees
    # of freedom between its 7.5% and 92.5% points, about 11.7 / 20 to 29.7 / 20).
    low2, high2 = wait_bounds(600.0, 2)
    assert 0.21 < low2 / 600 < 0.235 and 2.05 < high2 / 600 < 2.2
    low10, high10 = wait_bounds(600.0, 10)
    assert 0.57 < low10 / 600 < 0.6 and 1.46 < high10 / 600 < 1.51
    assert wait_bounds(0.0, 3) == (0.0, 0.0)
