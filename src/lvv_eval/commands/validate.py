"""``lvv-eval validate``: check a person-level monitor file and report every problem."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from lvv_eval.commands._common import iso_date
from lvv_eval.commands._output import add_format_option, emit_json, emit_table, write_csv
from lvv_eval.commands._safety import check_output_file
from lvv_eval.errors import InputValidationError, Problem

PROBLEM_COLUMNS: tuple[str, ...] = ("file", "row", "column", "value", "rule")
"""Columns of ``--format csv``: one line per problem."""

_FIRST_ROWS = 5
_SHOWN_PER_RULE = 10


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
            "rows read, rows excluded (each row under its first reason; all its reasons "
            "are in the exclusions), rows analysed. With --export-date, any date after the "
            "day the file was exported is an error (it cannot have happened yet); to count "
            "a file at an earlier peildatum use `lvv-eval aggregate --peildatum`, which "
            "counts later intakes as not yet started. --format csv prints one line per "
            "problem (file, row, column, value, rule). The file is only read, never "
            "changed. Exit status: 0 valid, 1 the file has errors, 2 the file cannot be "
            "read (missing, empty, not UTF-8, not CSV or .xlsx)."
        ),
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="monitor file (CSV or .xlsx)")
    parser.add_argument("--export-date", type=iso_date, metavar="YYYY-MM-DD",
                        help="day the file was exported: any date after it is an error")
    parser.add_argument("--peildatum", dest="deprecated_peildatum", type=iso_date,
                        metavar="YYYY-MM-DD",
                        help="deprecated alias of --export-date (not a peildatum for counting)")
    add_format_option(parser)
    parser.add_argument("--exclusions", type=Path, metavar="OUT.csv",
                        help="write the excluded rows (file, row, trajectory_id, reasons) "
                             "to this CSV file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``lvv-eval validate``; return the exit status (0 valid, 1 errors, 2 unreadable)."""
    from lvv_eval.sources.monitor import UnreadableInputError, read_monitor

    export_date = args.export_date
    if args.deprecated_peildatum is not None:
        if export_date is not None:
            print("error: give --export-date only (--peildatum is its deprecated alias)",
                  file=sys.stderr)
            return 2
        print("warning: `validate --peildatum` is deprecated; it means the export date of the "
              "file (any later date is an error): use --export-date. To count a file at a "
              "peildatum, use `lvv-eval aggregate --peildatum`.", file=sys.stderr)
        export_date = args.deprecated_peildatum
    if args.exclusions is not None:
        check_output_file(args.exclusions, [args.file], option="--exclusions")
    try:
        data = read_monitor(args.file, export_date=export_date, strict=False)
    except FileNotFoundError:
        print(f"error: file not found: {args.file}", file=sys.stderr)
        return 2
    except UnreadableInputError as exc:  # the message starts with the path
        print(f"error: cannot read {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except InputValidationError as exc:  # problems with the file's structure
        if args.format == "json":
            emit_json({"file": str(args.file), "valid": False, "problems": _records(exc.problems),
                       "problems_by_rule": _by_rule(exc.problems), "flow": None, "notes": []})
        elif args.format == "csv":
            _emit_csv(exc.problems)
        else:
            print(f"{args.file}: INVALID - the columns or the number of fields in a row do not "
                  "follow the monitor format (every problem found is listed)\n")
            _print_problems(exc.problems)
        return 1

    if args.exclusions is not None:
        args.exclusions.parent.mkdir(parents=True, exist_ok=True)
        write_csv(data.exclusions, args.exclusions)

    if args.format == "json":
        emit_json({
            "file": str(args.file),
            "sha256": data.source.sha256,
            "format": data.source.file_format,
            "export_date": (None if data.export_date is None
                            else data.export_date.date().isoformat()),
            "valid": data.is_valid,
            "rows_read": data.source.n_rows,
            "rows_excluded": len(data.exclusions),
            "rows_analysed": len(data.frame),
            "problems_by_rule": _by_rule(data.problems),
            "problems": _records(data.problems),
            "flow": data.flow.to_dict(orient="records"),
            "notes": _records(data.notes),
        })
    elif args.format == "csv":
        _emit_csv(data.problems)
    else:
        _print_report(data)
    return 0 if data.is_valid else 1


def _emit_csv(problems: list[Problem]) -> None:
    """Print one CSV line per problem (only the header when there is none)."""
    table = pd.DataFrame([asdict(p) for p in problems], columns=list(PROBLEM_COLUMNS))
    table["row"] = table["row"].astype("Int64")
    emit_table(table, "csv")


def _records(problems: list[Problem]) -> list[dict]:
    return [asdict(p) for p in problems]


def _by_rule(problems: list[Problem]) -> list[dict]:
    from lvv_eval.sources.monitor import summarise_problems

    table = summarise_problems(problems, first=_FIRST_ROWS)
    return [{"rule": r.rule, "problems": int(r.problems), "rows": int(r.rows),
             "first_rows": r.first_rows} for r in table.itertuples(index=False)]


def _print_problems(problems: list[Problem]) -> None:
    from lvv_eval.sources.monitor_rules import rule_rank, rule_text

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
    peil = ("" if data.export_date is None
            else f", export date {data.export_date.date().isoformat()}")
    status = "VALID" if data.is_valid else (
        f"INVALID - {len(data.problems)} problem(s) in {len(data.exclusions)} row(s)")
    print(f"{source.path}: {status}")
    print(f"  {source.file_format}, {source.n_rows} rows read, sha256 {source.sha256}{peil}\n")
    if data.problems:
        print("Problems by rule (rows as in a spreadsheet, header = row 1):")
        _print_problems(data.problems)
    print("Flow (an excluded row is counted once, under the first rule it breaks):")
    width = int(data.flow["step"].str.len().max())
    digits = len(str(int(data.flow["rows"].max())))
    for step, rows in zip(data.flow["step"], data.flow["rows"]):
        print(f"  {step:<{width}}  {int(rows):>{digits}}")
    if data.notes:
        print("\nNotes:")
        for note in data.notes:
            column = f"column {note.column!r}: " if note.column else ""
            value = f" ({note.value})" if note.value else ""
            print(f"  {column}{note.rule}{value}")
