"""Shared output helpers for subcommands: text tables, JSON, CSV."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--format {text,json,csv}`` to a subparser."""
    parser.add_argument(
        "--format", choices=("text", "json", "csv"), default="text",
        help="output format: a readable table (default), JSON for scripts, or CSV",
    )


def emit_table(table: pd.DataFrame, fmt: str, *, title: str | None = None,
               out: Path | None = None) -> None:
    """Print (or write to ``out``) a table in the requested format.

    JSON is a list of records with ISO dates; CSV uses a comma and no index.
    """
    if fmt == "json":
        text = table.to_json(orient="records", date_format="iso", indent=2, force_ascii=False)
    elif fmt == "csv":
        text = table.to_csv(index=False, lineterminator="\n")
    else:
        body = table.to_string(index=False) if len(table) else "(no rows)"
        text = f"{title}\n{body}" if title else body
    if out is not None:
        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def emit_json(obj: Any) -> None:
    """Print a JSON document (UTF-8, indented, keys sorted)."""
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n")
