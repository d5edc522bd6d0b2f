"""``lvv-eval validate``: check a person-level monitor file and report every problem."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from lvv_eval.commands._output import emit_json
from lvv_eval.errors import InputValidationError, Problem

_FIRST_ROWS = 5
_SHOWN_PER_RULE = 10


def _date(text: str) -> pd.Timestamp:
    """argparse type: an ISO date (YYYY-MM-DD)."""
    try:
        return pd.Timestamp(dt.date.fromisoformat(text.strip()))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    parser = subparsers.add_parser(
        "validate",
        help="check a person-level monitor file (CSV or .xlsx) against the monitor format",
        description=(
            "Read a person-level monitor file (CSV with comma or semicolon, UTF-8, English or "
            "Dutch headers, or Excel .xlsx) and check every rule of the monitor format "
            "(docs/data_dictionary.md). Prints the problems grouped by rule, with counts and "
            "the first rows (spreadsheet rows: the header is row 1), then the flow table: "
            "rows read, rows excluded per reason, rows analysed. The file is only read, "
            "never changed. Exit status: 0 valid, 1 the file has errors, 2 the file cannot "
            "be read (missing, empty, not UTF-8, not CSV or .xlsx)."
        ),
    )
    parser.add_argument("file", type=Path, help="monitor file (CSV or .xlsx)")
    parser.add_argument("--peildatum", type=_date, metavar="YYYY-MM-DD",
                        help="reference date of the file: any date after it is an error")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="a readable report (default) or JSON for scripts")
    parser.add_argument("--exclusions", type=Path, metavar="OUT.csv",
                        help="write the excluded rows (file, row, trajectory_id, reasons) "
                             "to this CSV file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``lvv-eval validate``; return the exit status (0 valid, 1 errors, 2 unreadable)."""
    from lvv_eval.monitor import UnreadableInputError, read_monitor

    if args.exclusions is not None and args.exclusions.resolve() == args.file.resolve():
        print("error: --exclusions must not be the input file (it is never overwritten)",
              file=sys.stderr)
        return 2
    try:
        data = read_monitor(args.file, peildatum=args.peildatum, strict=False)
    except (UnreadableInputError, OSError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    except InputValidationError as exc:  # problems with the columns: nothing can be checked
        if args.format == "json":
            emit_json({"file": str(args.file), "valid": False, "problems": _records(exc.problems),
                       "problems_by_rule": _by_rule(exc.problems), "flow": None, "notes": []})
        else:
            print(f"{args.file}: INVALID - the columns do not follow the monitor format\n")
            _print_problems(exc.problems)
        return 1

    if args.exclusions is not None:
        args.exclusions.parent.mkdir(parents=True, exist_ok=True)
        data.exclusions.to_csv(args.exclusions, index=False, lineterminator="\n")

    if args.format == "json":
        emit_json({
            "file": str(args.file),
            "sha256": data.source.sha256,
            "format": data.source.file_format,
            "peildatum": None if data.peildatum is None else data.peildatum.date().isoformat(),
            "valid": data.is_valid,
            "rows_read": data.source.n_rows,
            "rows_excluded": len(data.exclusions),
            "rows_analysed": len(data.frame),
            "problems_by_rule": _by_rule(data.problems),
            "problems": _records(data.problems),
            "flow": data.flow.to_dict(orient="records"),
            "notes": _records(data.notes),
        })
    else:
        _print_report(data)
    return 0 if data.is_valid else 1


def _records(problems: list[Problem]) -> list[dict]:
    return [asdict(p) for p in problems]


def _by_rule(problems: list[Problem]) -> list[dict]:
    from lvv_eval.monitor import summarise_problems

    table = summarise_problems(problems, first=_FIRST_ROWS)
    return [{"rule": r.rule, "problems": int(r.problems), "rows": int(r.rows),
             "first_rows": r.first_rows} for r in table.itertuples(index=False)]


def _print_problems(problems: list[Problem]) -> None:
    from lvv_eval.monitor_validate import rule_rank, rule_text

    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault(rule_text(p.rule), []).append(p)
    for rule in sorted(groups, key=lambda r: (rule_rank(r), r)):
        items = groups[rule]
        rows = sorted({p.row for p in items if p.row is not None})
        print(f"{rule}: {len(items)} problem(s)" + (f" in {len(rows)} row(s)" if rows else ""))
        for p in items[:_SHOWN_PER_RULE]:
            where = f"row {p.row}" if p.row is not None else "file"
            detail = p.rule[len(rule):].lstrip("; ")
            column = f", column {p.column!r}" if p.column else ""
            print(f"  {where}{column}: {p.value!r}" + (f" ({detail})" if detail else ""))
        if len(items) > _SHOWN_PER_RULE:
            print(f"  ... and {len(items) - _SHOWN_PER_RULE} more")
    print()


def _print_report(data) -> None:
    source = data.source
    peil = "" if data.peildatum is None else f", peildatum {data.peildatum.date().isoformat()}"
    status = "VALID" if data.is_valid else (
        f"INVALID - {len(data.problems)} problem(s) in {len(data.exclusions)} row(s)")
    print(f"{source.path}: {status}")
    print(f"  {source.file_format}, {source.n_rows} rows read, sha256 {source.sha256}{peil}\n")
    if data.problems:
        print("Problems by rule (rows as in a spreadsheet, header = row 1):")
        _print_problems(data.problems)
    print("Flow:")
    print(data.flow.to_string(index=False))
    if data.notes:
        print("\nNotes:")
        for note in data.notes:
            column = f"column {note.column!r}: " if note.column else ""
            value = f" ({note.value})" if note.value else ""
            print(f"  {column}{note.rule}{value}")
