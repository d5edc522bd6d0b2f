"""The command line: every subcommand answers --help; `python -m lvv_eval` works."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lvv_eval.cli import build_parser, main

EXPECTED_COMMANDS = {"aggregate", "classify", "published", "release", "reports", "run", "schemes", "synth", "validate"}


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_expected_subcommands_are_registered() -> None:
    assert EXPECTED_COMMANDS <= set(_subcommands())


@pytest.mark.parametrize("command", _subcommands())
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: lvv-eval " + command)
    assert len(out.splitlines()) > 3


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: lvv-eval" in capsys.readouterr().out


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "lvv_eval", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("lvv-eval ")


@pytest.mark.parametrize("command", ["validate", "aggregate", "classify"])
def test_file_commands_share_the_positional_name_and_formats(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    usage = out.split("\n\n", 1)[0]
    assert usage.rstrip().endswith("FILE") and " file" not in usage
    assert "--format {text,json,csv}" in usage


def test_peildatum_options_agree(capsys: pytest.CaptureFixture[str]) -> None:
    """aggregate and classify count at a peildatum; validate checks against the export date."""
    for command in ("aggregate", "classify"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--peildatum YYYY-MM-DD" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    out = capsys.readouterr().out
    assert "--export-date YYYY-MM-DD" in out and "deprecated alias of --export-date" in out


def test_missing_input_file_is_one_short_line(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    absent = tmp_path / "absent.csv"
    for argv in (
        ["validate", str(absent)],
        ["aggregate", str(absent), "--peildatum", "2020-11-01", "--scheme", "monitor-2020"],
        ["classify", str(absent), "--scheme", "monitor-2020"],
    ):
        assert main(argv) == 2
        assert capsys.readouterr().err == f"error: file not found: {absent}\n"
