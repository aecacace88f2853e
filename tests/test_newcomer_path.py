"""A newcomer's first steps, as real processes: `serve` on a port of their choosing, the
commands beside it run from another folder, and a menu file that will not load."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ivr.menu_loader import example_menu_path
from tests.processes import HOTLINE, answers, free_port, hotline_env, wait_for


def _newcomer_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of someone who set nothing: no data directory, no public URL."""
    env = hotline_env(tmp_path / "repo" / "var", 0, **extra)
    for name in ("HOTLINE_DATA_DIR", "HOTLINE_PUBLIC_URL", "HOTLINE_BIND"):
        env.pop(name)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HOTLINE, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


def test_commands_from_another_folder_find_a_serve_bound_to_its_own_port(
    tmp_path: Path
) -> None:
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    repo.mkdir()
    elsewhere.mkdir()
    env = _newcomer_env(tmp_path)
    port = free_port()
    serve = subprocess.Popen([HOTLINE, "serve", "--bind", f"127.0.0.1:{port}"], cwd=repo,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    try:
        wait_for(lambda: answers(port) or serve.poll() is not None, "serve to listen")
        assert serve.poll() is None, serve.communicate()[0]

        call = _run(["call", "--press", "1", "--press", "1", "--press", "1"], elsewhere, env)
        assert call.returncode == 0, call.stdout + call.stderr
        assert "billing/dispute" in call.stdout

        # A second serve that cannot start must not take the first one's pointer with it.
        refused = _run(["serve"], elsewhere, {**env, "HOTLINE_DATA_DIR": str(tmp_path / "other"),
                                              "HOTLINE_PUBLIC_URL": "https://hotline.example.com"})
        assert refused.returncode == 1 and "TWILIO_AUTH_TOKEN" in refused.stderr

        added = _run(["vip", "add", "+14155550123"], elsewhere, env)
        assert added.returncode == 0, added.stderr
        listed = _run(["vip", "list"], elsewhere, env)
        assert "+14155550123" in listed.stdout
        report = _run(["report", "--format", "json"], elsewhere, env)
        assert report.returncode == 0, report.stderr
        assert '"calls"' in report.stdout
    finally:
        serve.terminate()
        output, _ = serve.communicate(timeout=30)
    assert f"public URL http://127.0.0.1:{port}" in output


def test_a_command_with_no_server_to_find_names_what_to_set(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    result = _run(["vip", "list"], tmp_path / "repo", _newcomer_env(tmp_path))
    assert result.returncode == 1
    assert "no running Hotline found" in result.stderr
    assert "set HOTLINE_DATA_DIR" in result.stderr and "REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_with_a_broken_menu_prints_its_problems_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(example_menu_path().read_text().replace("goto: billing", "goto: bills"))
    env = hotline_env(tmp_path / "var", free_port(), HOTLINE_MENU=str(broken))
    result = _run(["serve"], tmp_path, env)
    assert result.returncode == 1
    assert "node 'main': unknown-target: goto names no node: 'bills'" in result.stderr
    assert f"HOTLINE_MENU={broken}: 2 problem(s); Hotline did not start" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.splitlines()) <= 5


def test_serve_with_a_missing_or_unparsable_menu_says_which_file(tmp_path: Path) -> None:
    unparsable = tmp_path / "menu.yaml"
    unparsable.write_text("name: x\nroot: [\n")
    for path, said in ((tmp_path / "nope.yaml", "No such file or directory"),
                       (unparsable, f'in "{unparsable}", line 3')):
        env = hotline_env(tmp_path / "var", free_port(), HOTLINE_MENU=str(path))
        result = _run(["serve"], tmp_path, env)
        assert result.returncode == 1
        assert said in result.stderr and "<unicode string>" not in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert not os.path.exists(tmp_path / "var" / "redis.url")
