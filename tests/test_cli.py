"""The command line: every subcommand answers --help; `python -m lvv_eval` works."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lvv_eval.cli import build_parser, main

EXPECTED_COMMANDS = {"aggregate", "classify", "published", "reports", "run", "schemes", "synth", "validate"}


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
