"""``lvv-eval aggregate``: person-level monitor file -> per-pilot evaluation table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lvv_eval.commands._common import existing_file, iso_date
from lvv_eval.commands._output import add_format_option, emit_table
from lvv_eval.commands._safety import check_output_file
from lvv_eval.commands.validate import add_reading_options, reading_options, warn_identifiers
from lvv_eval.errors import ConfigError, InputValidationError

if TYPE_CHECKING:
    import pandas as pd


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
    parser.add_argument(
        "--peildatum",
        type=iso_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="reference date; every comparison includes the day itself",
    )
    parser.add_argument(
        "--scheme", required=True, metavar="NAME", help="classification scheme of exit reasons (see `lvv-eval schemes`)"
    )
    parser.add_argument(
        "--formal-only",
        action="store_true",
        help="count only trajectories with formal LVV status (as the Regioplan 2020 total and the 2020 monitor do)",
    )
    parser.add_argument(
        "--long",
        action="store_true",
        help="long format (pilot, measure, category, value) with every "
        "exit code, in the vocabulary of data/published/figures.csv",
    )
    add_reading_options(parser)
    add_format_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE.csv",
        help="write the table as CSV to this file instead of printing it (never onto the input, never into data/raw/)",
    )
    parser.add_argument(
        "--disclosure-threshold",
        type=int,
        metavar="N",
        default=None,
        help="hide counts 1..N-1 and the cells that would reveal them (primary and "
        "secondary suppression of lvv_eval.disclosure.suppression, per pilot and along the "
        "column totals); without it the output is person-level and not for release",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``lvv-eval aggregate``; return the exit status."""
    from lvv_eval.reference.schemes import load_scheme
    from lvv_eval.sources.monitor import read_monitor
    from lvv_eval.stats.counts import flow, pilot_table, to_figures

    scheme = load_scheme(args.scheme)
    existing_file(args.file)
    threshold = args.disclosure_threshold
    if threshold is not None and (threshold < 2 or args.long):
        raise ConfigError(
            "--disclosure-threshold needs N >= 2"
            if threshold < 2
            else "--disclosure-threshold works on the wide table; leave out --long"
        )
    if args.out is not None:
        check_output_file(args.out, [args.file], option="--out")
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
    if threshold is not None:
        table, hidden = suppress_pilot_table(table, threshold)
        print(
            f"note: disclosure control applied: {hidden} cell(s) hidden (counts below {threshold} and the "
            "cells that would reveal them)",
            file=sys.stderr,
        )
    else:
        print(
            "note: these counts are person-level and NOT for release: counts below the disclosure "
            "threshold are not suppressed (use --disclosure-threshold N to suppress them)",
            file=sys.stderr,
        )
    flows = flow(frame, peildatum, formal_only=args.formal_only)
    not_started = int(flows.loc[flows["line"] == "not_yet_started", "total"].iloc[0])
    iso = peildatum.date().isoformat()
    if not_started:
        print(
            f"note: {not_started} trajectories with intake after {iso} are not counted (not yet started)",
            file=sys.stderr,
        )
    if args.out is not None:
        emit_table(table, "csv", out=args.out)
        print(f"wrote {len(table)} rows to {args.out}", file=sys.stderr)
        return 0
    title = (
        f"Person-level figures at peildatum {iso}, scheme {scheme.name}"
        + (", formal LVV status only" if args.formal_only else "")
        + f" ({args.file.name})"
    )
    emit_table(table, args.format, title=title)
    return 0


def _families(columns: list[str]) -> list[tuple[list[str], str]]:
    """Groups of columns that add up to a total column: (parts, total).

    ``intake formal + intake informal = intake``, ``outflow <class> ... =
    outflow``, ``scenarios <kind> ... = scenarios``, and ``present + outflow =
    intake`` (everyone who entered is still in or has left).
    """
    families = []
    for base in ("intake", "outflow", "scenarios"):
        parts = [c for c in columns if c.startswith(base + " ")]
        if base in columns and parts:
            families.append((parts, base))
    if all(c in columns for c in ("present", "outflow", "intake")):
        families.append((["present", "outflow"], "intake"))
    return families  # type: ignore[return-value]


def suppress_pilot_table(table: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, int]:
    """Apply primary and secondary suppression to a per-pilot table (:func:`lvv_eval.stats.counts.pilot_table`).

    Every family of columns that adds up (:func:`_families`) is suppressed as
    a two-way table with the ``total`` row and its total column, and single
    columns along the pilots and the ``total`` row; cells hidden in one pass
    stay hidden in the next, until no pass hides more. ``persons`` is hidden
    wherever it equals a hidden ``intake``.

    Returns
    -------
    (pandas.DataFrame, int)
        The table with hidden counts as ``<NA>`` (nullable integers), and the number of hidden cells.
    """
    import pandas as pd

    from lvv_eval.disclosure.suppression import suppress

    out = table.copy()
    counts = [c for c in out.columns if c != "pilot"]
    for column in counts:
        out[column] = out[column].astype("Int64")
    families = _families(counts)
    in_family = {c for parts, total in families for c in (*parts, total)}
    passes = [(parts + [total], {"total_row": "total", "total_col": total}) for parts, total in families]
    passes += [([c], {"total_row": "total"}) for c in counts if c not in in_family]
    before = -1
    while int(out[counts].isna().sum().sum()) != before:
        before = int(out[counts].isna().sum().sum())
        for columns, margins in passes:
            result = suppress(
                out[["pilot", *columns]],
                columns,
                threshold=threshold,
                margins=margins,
                row_labels="pilot",
                missing="hidden",
            )
            for column in columns:
                out[column] = result.table[column].astype("Int64")
        if "persons" in out.columns and "intake" in out.columns:
            hidden_intake = out["intake"].isna() & (table["persons"] == table["intake"])
            out.loc[hidden_intake, "persons"] = pd.NA
    return out, int(out[counts].isna().sum().sum())
