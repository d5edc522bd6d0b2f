"""``lvv-eval published``: list the published figures or check their consistency."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from lvv_eval.commands._output import add_format_option, emit_table
from lvv_eval.errors import InputValidationError
from lvv_eval.sources.consistency import failures, load_checks, run_checks
from lvv_eval.sources.published import load_figures, select

DESCRIPTION = """\
List the figures published in the five source documents (data/published/figures.csv),
or, with --check, verify that they agree with each other (data/published/checks.csv):
totals equal the sum of their parts, printed percentages follow from the printed
counts at the printed rounding, free places equal capacity minus occupancy, and
counts implied by a percentage fit their bounds. --check also checks the sources'
quantitative statements in words (data/published/claims.csv): each claim holds,
holds only under a reading, is contradicted, or is not checkable, with the numbers.

Filters may be repeated or comma-separated; a value that does not occur is an
error with suggestions. Exit status: 0 success; 1 a check failed or an input file
has errors (every problem is listed); 2 wrong usage or an unreadable file.
"""

EPILOG = """\
examples:
  lvv-eval published --source regioplan-2020 --pilot utrecht
  lvv-eval published --measure outflow --format csv
  lvv-eval published --check
  lvv-eval published --check --format json
  lvv-eval published --check --claims --format csv   (only the claims)

A check whose failure is a documented inconsistency of the source itself
(known_discrepancy = true in checks.csv) is reported but does not fail the
run unless --strict is given. A claim whose verdict differs from its
expected_verdict in claims.csv fails the run.
"""

LIST_COLUMNS = [
    "figure_id",
    "source_id",
    "peildatum",
    "pilot",
    "measure",
    "category",
    "period",
    "value",
    "unit",
    "as_printed",
    "approximate",
    "locator",
]
CHECK_TEXT_COLUMNS = ["check_id", "kind", "expected", "computed", "difference", "status"]
"""Columns of the readable ``--check`` table (text forms; JSON/CSV keep the numbers)."""


def check_table(results: pd.DataFrame) -> pd.DataFrame:
    """The readable ``--check`` table: one row per check, every cell text.

    ``expected`` and ``computed`` are the text forms from
    :func:`lvv_eval.sources.consistency.run_checks` (``98 % of 230`` / ``count
    225..226`` for a count range, ``20 %`` / ``19.17 % (69 of 360)`` for a
    percentage); ``difference`` is computed minus expected, in percentage
    points (``pp``) for percentages and empty where no single difference
    applies (count ranges, shares).
    """

    def diff(kind: str, value: float) -> str:
        if kind in ("count_range", "shares") or pd.isna(value):
            return ""
        text = f"{value:+.2f}".rstrip("0").rstrip(".")
        text = "0" if text in ("+0", "-0") else text
        return f"{text} pp" if kind == "percent" else text

    return pd.DataFrame(
        {
            "check_id": results["check_id"].astype("str"),
            "kind": results["kind"].astype("str"),
            "expected": results["expected_text"].astype("str"),
            "computed": results["computed_text"].astype("str"),
            "difference": [diff(k, v) for k, v in zip(results["kind"], results["difference"])],
            "status": results["status"].astype("str"),
        },
        columns=CHECK_TEXT_COLUMNS,
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``published`` subcommand."""
    parser = subparsers.add_parser(
        "published",
        help="list the published figures, or check their consistency (--check)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--source",
        action="append",
        metavar="SOURCE_ID",
        help="only figures of this source, e.g. regioplan-2020, monitor-2020, "
        "verwey-jonker-2021, regioplan-2022, letter-2018",
    )
    parser.add_argument(
        "--measure",
        action="append",
        metavar="MEASURE",
        help="only this measure, e.g. intake, outflow, capacity, "
        "outflow_share_of_intake (see data/published/README.md)",
    )
    parser.add_argument(
        "--category", action="append", metavar="CATEGORY", help="only this category, e.g. durable, formal, departure"
    )
    parser.add_argument(
        "--pilot", action="append", metavar="PILOT", help="only this pilot code (amsterdam, ...) or 'total'"
    )
    parser.add_argument("--check", action="store_true", help="run the consistency checks instead of listing figures")
    parser.add_argument(
        "--strict", action="store_true", help="with --check: also fail on documented discrepancies of the sources"
    )
    parser.add_argument(
        "--figures",
        type=Path,
        metavar="CSV",
        help="figures file to use instead of data/published/figures.csv (sources.csv next to it is used if present)",
    )
    parser.add_argument(
        "--checks", type=Path, metavar="CSV", help="checks file to use instead of data/published/checks.csv"
    )
    parser.add_argument(
        "--claims", action="store_true", help="with --check: report only the claims of data/published/claims.csv"
    )
    parser.add_argument(
        "--claims-file", type=Path, metavar="CSV", help="claims file to use instead of data/published/claims.csv"
    )
    add_format_option(parser)
    parser.set_defaults(handler=run)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    """Handle ``lvv-eval published``; return the exit status."""
    try:
        figures = load_figures(args.figures)
        if args.check:
            return _check(args, figures)
    except InputValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    table = select(
        source=_split(args.source),
        measure=_split(args.measure),
        category=_split(args.category),
        pilot=_split(args.pilot),
        figures=figures,
    )
    table = table.loc[:, LIST_COLUMNS]
    if args.format == "text":
        table = table.assign(peildatum=table["peildatum"].dt.strftime("%Y-%m-%d").fillna(""))
    emit_table(table, args.format, title=f"{len(table)} published figure(s)")
    return 0


CLAIM_TEXT_COLUMNS = ["claim_id", "source_file", "verdict", "holds_under", "status"]
"""Columns of the readable claims table of ``--check``."""


def _claims(args: argparse.Namespace, figures) -> int:
    """Report every claim's verdict; return 1 when a verdict is not the expected one."""
    from lvv_eval.sources.claims import check_claims, load_claims

    results = check_claims(load_claims(args.claims_file, figures=figures), figures)
    counts = results["verdict"].value_counts()
    unexpected = int((results["status"] != "ok").sum())
    summary = (
        f"{len(results)} claims: "
        + ", ".join(
            f"{counts.get(v, 0)} {v}" for v in ("holds", "holds only under a reading", "contradicted", "not checkable")
        )
        + f"; {unexpected} with an unexpected verdict"
    )
    if args.format == "text":
        emit_table(results.loc[:, CLAIM_TEXT_COLUMNS], "text", title=summary)
        print()
        for rec in results.to_dict("records"):
            print(f"{rec['claim_id']}: {rec['verdict']} ({rec['source_file']}, {rec['paragraph']})")
            print(f'    "{rec["quote"]}"')
            print(f"    {rec['numbers']}")
    else:
        emit_table(results, args.format)
        print(summary, file=sys.stderr)
    return 1 if unexpected else 0


def _check(args: argparse.Namespace, figures) -> int:
    if getattr(args, "claims", False):
        return _claims(args, figures)
    checks = load_checks(args.checks)
    if any(v for v in (args.source, args.measure, args.category, args.pilot)):
        print("note: --source/--measure/--category/--pilot are ignored with --check", file=sys.stderr)
    results = run_checks(figures, checks)
    bad = failures(results)
    if args.strict:
        bad = results.loc[results["status"] != "ok"]
    counts = results["status"].value_counts()
    summary = (
        f"{len(results)} checks: {counts.get('ok', 0)} ok, "
        f"{counts.get('known_discrepancy', 0)} known discrepancies, "
        f"{counts.get('FAILED', 0)} failed, {counts.get('unexpected_pass', 0)} "
        f"unexpected passes"
    )
    if args.format == "text":
        emit_table(check_table(results), "text", title=summary)
        notable = results.loc[results["status"] != "ok"]
        if len(notable):
            print()
            for rec in notable.to_dict("records"):
                print(f"{rec['status']}: {rec['check_id']}: {rec['message']}")
                print(f"    {rec['explanation']} ({rec['citation']})")
    else:
        emit_table(results, args.format)
        print(summary, file=sys.stderr)
    status = 1 if len(bad) else 0
    if args.format == "text":  # JSON/CSV keep one table per run: use --claims for the claims
        print()
        status = max(status, _claims(args, figures))
    return status
