"""The ``lvv-eval`` command line.

Each subcommand lives in its own module under :mod:`lvv_eval.commands` and
exposes ``register(subparsers)``; this module only discovers and dispatches.
Exit status: 0 success, 1 the input has errors, 2 the input cannot be read or
the command was called wrongly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from lvv_eval import __version__, commands
from lvv_eval.errors import LvvEvalError


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand in :mod:`lvv_eval.commands`."""
    parser = argparse.ArgumentParser(
        prog="lvv-eval",
        description="Reproducible evaluation of the Dutch LVV pilot (2019-2022).",
    )
    parser.add_argument("--version", action="version", version=f"lvv-eval {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except LvvEvalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: file not found: {exc.filename or exc}", file=sys.stderr)
        return 2
    except (IsADirectoryError, PermissionError) as exc:
        reason = exc.strerror or str(exc)
        print(f"error: cannot read {exc.filename or 'input'}: {reason.lower()}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
