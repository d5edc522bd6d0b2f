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
            "Read a person-level monitor file (CSV with comma, semicolon or tab in UTF-8, "
            "UTF-16 with BOM or Windows-1252, English or Dutch headers, or Excel .xlsx) and "
            "check every rule of the monitor format "
            "(docs/data_dictionary.md). Prints the problems grouped by rule, with counts and "
            "the first rows (spreadsheet rows: the header is row 1), then the flow table: "
            "rows read, rows excluded (each row under its first reason; all its reasons "
            "are in the exclusions), rows analysed. With --export-date, any date after the "
            "day the file was exported is an error (it cannot have happened yet); to count "
            "a file at an earlier peildatum use `lvv-eval aggregate --peildatum`, which "
            "counts later intakes as not yet started. --format csv prints one line per "
            "problem (file, row, column, value, rule). The header row (title rows above "
            "it are skipped), the worksheet with the monitor columns and the encoding are "
            "found and named in the notes; --sheet and --header-row override them, and "
            "--profile maps a municipality's own column names and codes. Columns with "
            "direct identifiers (name, BSN, V-number, e-mail, phone, date of birth) are "
            "flagged and never read: such a file must not leave the municipality. The file "
            "is only read, never changed. Exit status: 0 valid, 1 the file has errors, 2 "
            "the file cannot be read (missing, empty, an unknown encoding, not CSV or "
            ".xlsx; --format json prints a JSON report then too)."
        ),
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="monitor file (CSV or .xlsx)")
    parser.add_argument(
        "--export-date",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="day the file was exported: any date after it is an error",
    )
    parser.add_argument(
        "--peildatum",
        dest="deprecated_peildatum",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="deprecated alias of --export-date (not a peildatum for counting)",
    )
    add_reading_options(parser)
    add_format_option(parser)
    parser.add_argument(
        "--exclusions",
        type=Path,
        metavar="OUT.csv",
        help="write the excluded rows (file, row, trajectory_id, reasons) to this CSV file",
    )
    parser.set_defaults(handler=run)


def add_reading_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--sheet``, ``--header-row`` and ``--profile`` (how to read the file)."""
    parser.add_argument(
        "--sheet",
        metavar="NAME|NUMBER",
        help="worksheet of an .xlsx file: its name or number (1 = first); "
        "default: the first sheet with the monitor columns",
    )
    parser.add_argument(
        "--header-row",
        type=_row_number,
        metavar="N",
        help="row holding the column names (1 = first row); default: the first row with known column names",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="PROFILE.yaml",
        help="mapping profile with the municipality's own column names, "
        "spellings and codes (see `lvv-eval profile draft`)",
    )


def reading_options(args: argparse.Namespace) -> dict:
    """Keyword arguments of :func:`lvv_eval.sources.monitor.read_monitor` from the reading options."""
    sheet = getattr(args, "sheet", None)
    if sheet is not None and sheet.strip().isdigit():
        sheet = sheet.strip()  # a name or a number: resolved against the workbook's sheets
    return {"sheet": sheet, "header_row": getattr(args, "header_row", None), "profile": getattr(args, "profile", None)}


def _row_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a row number (1 = first row): {text!r}")
    return value


def warn_identifiers(identifiers: dict[str, str], file: Path) -> None:
    """Print the direct-identifier warning on standard error (nothing without identifiers)."""
    if identifiers:
        shown = ", ".join(f"{h!r} ({k})" for h, k in identifiers.items())
        print(
            f"WARNING: {file} holds direct identifiers: {shown}. These columns are not "
            "read and their values are never shown, but this file must not leave the "
            "municipality; export the monitor columns only.",
            file=sys.stderr,
        )


def _unreadable(args: argparse.Namespace, message: str, notes: list[Problem] | None = None) -> int:
    """Report a file that cannot be read (exit status 2), as JSON too when asked."""
    print(f"error: {message}", file=sys.stderr)
    if args.format == "json":
        emit_json(
            {
                "file": str(args.file),
                "readable": False,
                "valid": False,
                "error": message,
                "problems": [],
                "problems_by_rule": [],
                "flow": None,
                "notes": _records(notes or []),
                "direct_identifiers": {},
            }
        )
    return 2


def run(args: argparse.Namespace) -> int:
    """Run ``lvv-eval validate``; return the exit status (0 valid, 1 errors, 2 unreadable)."""
    from lvv_eval.sources.monitor import UnreadableInputError, read_monitor

    export_date = args.export_date
    if args.deprecated_peildatum is not None:
        if export_date is not None:
            print("error: give --export-date only (--peildatum is its deprecated alias)", file=sys.stderr)
            return 2
        print(
            "warning: `validate --peildatum` is deprecated; it means the export date of the "
            "file (any later date is an error): use --export-date. To count a file at a "
            "peildatum, use `lvv-eval aggregate --peildatum`.",
            file=sys.stderr,
        )
        export_date = args.deprecated_peildatum
    if args.exclusions is not None:
        check_output_file(args.exclusions, [args.file], option="--exclusions")
    try:
        data = read_monitor(args.file, export_date=export_date, strict=False, **reading_options(args))
    except FileNotFoundError:
        return _unreadable(args, f"file not found: {args.file}")
    except UnreadableInputError as exc:  # the message starts with the path
        return _unreadable(args, f"cannot read {exc}", getattr(exc, "notes", []))
    except IsADirectoryError:
        return _unreadable(args, f"cannot read {args.file}: it is a folder, not a file")
    except OSError as exc:
        return _unreadable(args, f"cannot read {args.file}: {exc.strerror or exc}")
    except InputValidationError as exc:  # problems with the file's structure
        notes = getattr(exc, "notes", [])
        identifiers = getattr(exc, "identifiers", {})
        warn_identifiers(identifiers, args.file)
        if args.format == "json":
            emit_json(
                {
                    "file": str(args.file),
                    "readable": True,
                    "valid": False,
                    "problems": _records(exc.problems),
                    "problems_by_rule": _by_rule(exc.problems),
                    "flow": None,
                    "notes": _records(notes),
                    "direct_identifiers": identifiers,
                }
            )
        elif args.format == "csv":
            _emit_csv(exc.problems)
        else:
            print(
                f"{args.file}: INVALID - the columns, cells or the number of fields in a row "
                "do not follow the monitor format (every problem found is listed)\n"
            )
            _print_problems(exc.problems)
            _print_notes(notes)
        return 1

    warn_identifiers(data.identifiers, args.file)
    if args.exclusions is not None:
        args.exclusions.parent.mkdir(parents=True, exist_ok=True)
        write_csv(data.exclusions, args.exclusions)

    if args.format == "json":
        emit_json(
            {
                "file": str(args.file),
                "sha256": data.source.sha256,
                "format": data.source.file_format,
                "readable": True,
                "encoding": data.source.encoding,
                "sheet": data.source.sheet,
                "header_row": data.source.header_row,
                "profile": data.source.profile,
                "direct_identifiers": data.identifiers,
                "export_date": (None if data.export_date is None else data.export_date.date().isoformat()),
                "valid": data.is_valid,
                "rows_read": data.source.n_rows,
                "rows_excluded": len(data.exclusions),
                "rows_analysed": len(data.frame),
                "problems_by_rule": _by_rule(data.problems),
                "problems": _records(data.problems),
                "flow": data.flow.to_dict(orient="records"),
                "notes": _records(data.notes),
            }
        )
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
    return [
        {"rule": r.rule, "problems": int(r.problems), "rows": int(r.rows), "first_rows": r.first_rows}
        for r in table.itertuples(index=False)
    ]


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
            detail = p.rule[len(rule) :].lstrip("; ")
            column = f", column {p.column!r}" if p.column else ""
            print(f"  {where}{column}: {p.value!r}" + (f" ({detail})" if detail else ""))
        if len(items) > _SHOWN_PER_RULE:
            print(f"  ... and {len(items) - _SHOWN_PER_RULE} more")
    print()


def _print_report(data) -> None:
    source = data.source
    peil = "" if data.export_date is None else f", export date {data.export_date.date().isoformat()}"
    status = (
        "VALID" if data.is_valid else (f"INVALID - {len(data.problems)} problem(s) in {len(data.exclusions)} row(s)")
    )
    print(f"{source.path}: {status}")
    if data.identifiers:
        print(
            "  WARNING: direct identifiers in "
            + ", ".join(f"{h!r} ({k})" for h, k in data.identifiers.items())
            + ": not read, values never shown; this file must not leave the municipality"
        )
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
        print()
    _print_notes(data.notes)


def _print_notes(notes: list[Problem]) -> None:
    if not notes:
        return
    print("Notes:")
    for note in notes:
        column = f"column {note.column!r}: " if note.column else ""
        value = f" ({note.value})" if note.value else ""
        print(f"  {column}{note.rule}{value}")
