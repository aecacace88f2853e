"""The `hotline` command line: menu validate, the call inputs, and the admin switches."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import redis
from click.testing import CliRunner

from hotline.call_command import parse_steps
from hotline.cli import main
from ivr.menu_loader import example_menu_path
from simulator.inputs import Press, Say, Silence


def test_menu_validate_prints_a_summary_of_a_valid_tree() -> None:
    result = CliRunner().invoke(main, ["menu", "validate", str(example_menu_path())])
    assert result.exit_code == 0, result.output
    assert "Example Telecom support" in result.output
    assert "1 Billing -> [billing]" in result.output
    assert "1 Wrong charge -> route billing/dispute -> billing L1 needing billing\n" \
        in result.output
    assert "2 Payment arrangement -> callback billing/payment-arrangement -> billing L1 " \
        "needing billing, payments\n" in result.output


def test_menu_validate_lists_problems_and_exits_1(tmp_path: Path) -> None:
    broken = example_menu_path().read_text().replace("goto: billing", "goto: bills")
    path = tmp_path / "broken.yaml"
    path.write_text(broken)
    result = CliRunner().invoke(main, ["menu", "validate", str(path)])
    assert result.exit_code == 1
    assert "node 'main': unknown-target: goto names no node: 'bills'" in result.output
    assert "node 'billing': unreachable-node" in result.output


def test_menu_validate_refuses_a_callbacks_section_the_offer_could_not_use(
    tmp_path: Path
) -> None:
    path = tmp_path / "mars.yaml"
    path.write_text(example_menu_path().read_text() + "callbacks: {timezone: Mars/Olympus}\n")
    result = CliRunner().invoke(main, ["menu", "validate", str(path)])
    assert result.exit_code == 1
    assert "node '(menu)': invalid-field: callbacks.timezone: 'Mars/Olympus' is not an IANA " \
        "time zone" in result.output


def test_menu_validate_names_a_message_missing_in_spanish(tmp_path: Path) -> None:
    source = example_menu_path().read_text()
    line = next(ln for ln in source.splitlines() if ln.startswith("  hold_position:"))
    path = tmp_path / "untranslated.yaml"
    path.write_text(source.replace(line + "\n", ""))
    result = CliRunner().invoke(main, ["menu", "validate", str(path)])
    assert result.exit_code == 1
    assert "messages.hold_position: no text for language es" in result.output


def test_menu_validate_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["menu", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "unreadable-file" in result.output and "Traceback" not in result.output


def test_call_inputs_keep_their_command_line_order() -> None:
    steps = ["--press", "1", "--say", "billing please", "--silence", "--press=2"]
    assert parse_steps(steps, 0.8) == [Press("1"), Say("billing please", 0.8), Silence(),
                                       Press("2")]


def test_call_inputs_refuse_what_is_not_a_key() -> None:
    with pytest.raises(Exception, match="keys are 0-9"):
        parse_steps(["--press", "x"], 0.9)


def test_outage_and_vip_switches(redis_url: str, redis_client: redis.Redis) -> None:
    runner = CliRunner()
    env = {"REDIS_URL": redis_url}
    flagged = runner.invoke(main, ["outage", "set", "technical", "Outage north"], env=env)
    assert flagged.exit_code == 0
    assert runner.invoke(main, ["vip", "add", "(415) 555-0123"], env=env).exit_code == 0
    assert redis_client.hget("hotline:outages", "technical") == b"Outage north"
    assert redis_client.sismember("hotline:vip", "+14155550123")
    listed = runner.invoke(main, ["vip", "list"], env=env)
    assert listed.output.strip() == "+14155550123"
    spanish = ["outage", "set", "technical", "Interrupción en el norte", "--language", "es"]
    assert runner.invoke(main, spanish, env=env).exit_code == 0
    listed = runner.invoke(main, ["outage", "list"], env=env)
    assert listed.output.splitlines() == ["technical\tOutage north",
                                          "technical (es)\tInterrupción en el norte"]
    assert runner.invoke(main, ["outage", "clear", "technical"], env=env).exit_code == 0
    assert redis_client.hlen("hotline:outages") == 0
    again = runner.invoke(main, ["outage", "clear", "technical"], env=env)
    assert again.exit_code == 1 and "no outage is flagged" in again.output
    bad = runner.invoke(main, ["vip", "add", "hello"], env=env)
    assert bad.exit_code == 2 and "not a phone number" in bad.output
    logged = [orjson.loads(entry) for entry in redis_client.lrange("hotline:switches:history",
                                                                    0, -1)]
    assert [(e["by"], e["action"], e["target"]) for e in logged] == [
        ("command line", "flagged outage", "technical"),
        ("command line", "added VIP", "+14155550123"),
        ("command line", "flagged outage", "technical@es"),
        ("command line", "cleared outage", "technical")]


def test_menu_publish_versions_diff_and_rollback(redis_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"REDIS_URL": redis_url}
    first = runner.invoke(main, ["menu", "publish", str(example_menu_path()), "--by", "ana"],
                          env=env)
    assert first.exit_code == 0, first.output
    old_version = first.output.split()[-1]
    edited = tmp_path / "edited.yaml"
    edited.write_text(example_menu_path().read_text().replace("goto: billing", "goto: bills"))
    refused = runner.invoke(main, ["menu", "publish", str(edited)], env=env)
    assert refused.exit_code == 1 and "unknown-target" in refused.output
    edited.write_text(example_menu_path().read_text().replace(
        "Tell me in a few words", "Please tell me in a few words"))
    second = runner.invoke(main, ["menu", "publish", str(edited), "--by", "ben"], env=env)
    new_version = second.output.split()[-1]
    diff = runner.invoke(main, ["menu", "diff", old_version, "active"], env=env)
    changed = [line for line in diff.output.splitlines() if line[:1] in "+-"]
    assert [line[:30] for line in changed[2:]] == ["-      en: Tell me in a few wo",
                                                   "+      en: Please tell me in a"]
    back = runner.invoke(main, ["menu", "rollback", old_version, "--by", "cy"], env=env)
    assert back.exit_code == 0 and back.output.strip().endswith(old_version)
    listed = runner.invoke(main, ["menu", "versions"], env=env).output.splitlines()
    assert listed[0].startswith(f"  {new_version}") and listed[1].startswith(f"* {old_version}")
    assert [line.split(maxsplit=1)[1] for line in listed[3:6]] == [
        f"cy: rolled back {old_version}", f"ben: published {new_version}",
        f"ana: published {old_version}"]
    unknown = runner.invoke(main, ["menu", "rollback", "nope"], env=env)
    assert unknown.exit_code == 1 and "never published" in unknown.output
