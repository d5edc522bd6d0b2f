"""``lvv-eval aggregate``: person-level monitor file -> per-pilot evaluation table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lvv_eval.commands._common import existing_file, iso_date
from lvv_eval.commands._output import add_format_option, emit_table
from lvv_eval.commands.validate import (
    add_reading_options,
    reading_options,
    warn_identifiers,
)
from lvv_eval.errors import InputValidationError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``aggregate`` subcommand."""
    parser = subparsers.add_parser(
        "aggregate",
        help="count intake, presence, outflow and scenarios per pilot at a peildatum",
        description=(
            "Read a person-level monitor file (strict: an invalid file stops with every "
            "problem listed, exit status 1) and count, per pilot and in total, at the "
            "peildatum (inclusive): intake (intake_date <= peildatum), people present "
            "(no exit, or exit after the peildatum), outflow (exit on or before the "
            "peildatum) by outcome class of the chosen scheme, and scenarios set. "
            "Trajectories with intake after the peildatum are not counted; their number "
            "is reported on standard error."
        ),
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="monitor file (CSV or .xlsx)")
    parser.add_argument("--peildatum", type=iso_date, required=True, metavar="YYYY-MM-DD",
                        help="reference date; every comparison includes the day itself")
    parser.add_argument("--scheme", required=True, metavar="NAME",
                        help="classification scheme of exit reasons (see `lvv-eval schemes`)")
    parser.add_argument("--formal-only", action="store_true",
                        help="count only trajectories with formal LVV status (as the "
                             "Regioplan 2020 total and the 2020 monitor do)")
    parser.add_argument("--long", action="store_true",
                        help="long format (pilot, measure, category, value) with every "
                             "exit code, in the vocabulary of data/published/figures.csv")
    add_reading_options(parser)
    add_format_option(parser)
    parser.add_argument("--out", type=Path, metavar="FILE.csv",
                        help="write the table as CSV to this file instead of printing it")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``lvv-eval aggregate``; return the exit status."""
    from lvv_eval.aggregate import flow, pilot_table, to_figures
    from lvv_eval.monitor import read_monitor
    from lvv_eval.schemes import load_scheme

    scheme = load_scheme(args.scheme)
    existing_file(args.file)
    try:
        data = read_monitor(args.file, **reading_options(args))
    except InputValidationError as exc:
        warn_identifiers(getattr(exc, "identifiers", {}), args.file)
        print(f"error: {args.file}: the monitor file is invalid\n{exc}", file=sys.stderr)
        return 1
    warn_identifiers(data.identifiers, args.file)
    frame = data.frame
    peildatum = args.peildatum
    if args.long:
        table = to_figures(frame, peildatum, scheme=scheme, formal_only=args.formal_only)
    else:
        table = pilot_table(frame, peildatum, scheme=scheme, formal_only=args.formal_only)
    flows = flow(frame, peildatum, formal_only=args.formal_only)
    not_started = int(flows.loc[flows["line"] == "not_yet_started", "total"].iloc[0])
    iso = peildatum.date().isoformat()
    if not_started:
        print(f"note: {not_started} trajectories with intake after {iso} are not counted "
              "(not yet started)", file=sys.stderr)
    if args.out is not None:
        emit_table(table, "csv", out=args.out)
        print(f"wrote {len(table)} rows to {args.out}", file=sys.stderr)
        return 0
    title = (f"Person-level figures at peildatum {iso}, scheme {scheme.name}"
             + (", formal LVV status only" if args.formal_only else "")
             + f" ({args.file.name})")
    emit_table(table, args.format, title=title)
    return 0
