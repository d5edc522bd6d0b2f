"""Argument types and options shared by several subcommands."""

from __future__ import annotations

import argparse
import datetime as dt

import pandas as pd

from lvv_eval.schemes import SCHEMES_DIR_ENV


def iso_date(text: str) -> pd.Timestamp:
    """argparse type: an ISO date (YYYY-MM-DD) as a :class:`pandas.Timestamp`.

    Examples
    --------
    >>> iso_date(" 2020-11-01 ")
    Timestamp('2020-11-01 00:00:00')
    """
    try:
        return pd.Timestamp(dt.date.fromisoformat(text.strip()))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


def add_schemes_dir_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--schemes-dir DIR`` (extra classification-scheme files) to a subparser."""
    parser.add_argument("--schemes-dir", metavar="DIR",
                        help=f"directory of extra scheme files (instead of ${SCHEMES_DIR_ENV})")
