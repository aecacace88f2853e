"""`./dev`'s Debian installs: said before they start, patient with apt's lock, clear on failure.

apt-get is stood in for by a script on PATH that answers as apt-get 2.6 does while another
process holds its lock: the real one would need root, the network and a lock held elsewhere.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAKE_APT_GET = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$*" in
  *update*)
    if [ "$(cat "$FREE_AFTER")" -gt 0 ]; then
      echo $(( $(cat "$FREE_AFTER") - 1 )) > "$FREE_AFTER"
      echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
      exit 100
    fi ;;
esac
exit 0
"""


Run = subprocess.CompletedProcess[str]


def _install(tmp_path: Path, busy_updates: int, wait: int) -> tuple[Run, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("apt-get", FAKE_APT_GET), ("sudo", '#!/bin/sh\nexec "$@"\n')):
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(stat.S_IRWXU)
    calls, free_after = tmp_path / "calls", tmp_path / "free_after"
    free_after.write_text(str(busy_updates))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CALLS": str(calls),
           "FREE_AFTER": str(free_after), "HOTLINE_APT_LOCK_WAIT": str(wait)}
    result = subprocess.run(["bash", "-c", ". ./dev && apt_install espeak-ng"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    return result, calls.read_text().splitlines() if calls.exists() else []


def test_an_install_says_what_it_installs_and_waits_for_a_busy_apt_lock(tmp_path: Path) -> None:
    result, calls = _install(tmp_path, busy_updates=1, wait=60)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("./dev: installing espeak-ng with apt-get")
    assert "waiting for apt's lock" in lines[1] and "held by process 4242" in lines[1]
    assert [c for c in calls if "update" in c] == ["update -qq", "update -qq"]
    install = next(c for c in calls if "install" in c)
    assert "DPkg::Lock::Timeout=60" in install and install.endswith("espeak-ng")


def test_a_lock_that_stays_busy_ends_with_what_could_not_be_installed(tmp_path: Path) -> None:
    result, calls = _install(tmp_path, busy_updates=1000, wait=1)
    assert result.returncode == 1
    assert "Could not get lock" in result.stderr
    assert result.stderr.rstrip().endswith(
        "./dev: could not install espeak-ng (apt-get's message is above); install it "
        "(apt-get install espeak-ng) and run ./dev again")
    assert not any("install" in c for c in calls)


def test_dev_test_stopped_by_an_install_says_so_last(tmp_path: Path) -> None:
    script = ". ./dev && trap 'summary $? \"installing what the tests need\"' EXIT && false"
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith(
        "./dev test failed while installing what the tests need (exit 1); no check ran. "
        "The cause is above.")
