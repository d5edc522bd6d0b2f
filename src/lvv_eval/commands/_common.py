"""Argument types and options shared by several subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from lvv_eval.errors import LvvEvalError
from lvv_eval.reference.schemes import SCHEMES_DIR_ENV


def iso_date(text: str) -> pd.Timestamp:
    """argparse type: an ISO date (YYYY-MM-DD) as a :class:`pandas.Timestamp`.

    Examples
    --------
    >>> iso_date(" 2020-11-01 ")
    Timestamp('2020-11-01 00:00:00')
    >>> iso_date("2022-02-30")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '2022-02-30' does not exist (no such day in the calendar)
    """
    try:
        return pd.Timestamp(dt.date.fromisoformat(text.strip()))
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise argparse.ArgumentTypeError(f"{text!r} does not exist (no such day in the calendar)") from exc
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


def existing_file(path: Path) -> Path:
    """Return ``path`` if it is a file; otherwise raise a short, readable error.

    Raises
    ------
    LvvEvalError
        ``file not found: PATH`` or ``not a file: PATH`` (the command line
        prints it after ``error:`` and exits with status 2).
    """
    path = Path(path)
    if not path.exists():
        raise LvvEvalError(f"file not found: {path}")
    if not path.is_file():
        raise LvvEvalError(f"not a file: {path}")
    return path


def add_schemes_dir_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--schemes-dir DIR`` (extra classification-scheme files) to a subparser."""
    parser.add_argument(
        "--schemes-dir", metavar="DIR", help=f"directory of extra scheme files (instead of ${SCHEMES_DIR_ENV})"
    )
