"""``lvv-eval classify``: count the exit reasons of a monitor file per class of a scheme."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from lvv_eval.commands._common import add_schemes_dir_option, existing_file, iso_date
from lvv_eval.commands._output import add_format_option, emit_json, emit_table
from lvv_eval.errors import InputValidationError, Problem
from lvv_eval.reference import monitor_format as schema
from lvv_eval.reference.schemes import Scheme, load_scheme
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES, label, to_codes
from lvv_eval.sources.monitor_rules import RULES, parse_date

EXIT_REASON_COLUMNS: tuple[str, ...] = ("exit_reason", "reden_uitstroom")
"""Accepted names of the exit-reason column (canonical, Dutch alias; see lvv_eval.reference.monitor_format)."""

IN_LVV = "in_lvv"
"""Key of the line for rows without an exit reason (still in the LVV)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``classify`` subcommand."""
    parser = subparsers.add_parser(
        "classify",
        help="count the exit reasons in a monitor file per class of a classification scheme",
        description=(
            "Read the exit-reason column (exit_reason or reden_uitstroom) of a monitor file "
            "(CSV with comma, semicolon or tab, UTF-8 with or without BOM, or .xlsx), translate every "
            "label to its code and count the rows per class of the scheme and per exit reason, "
            "with a line for the rows still in the LVV (empty exit reason) and the total. "
            "With --peildatum (as in `lvv-eval aggregate`), the file is counted as it stood "
            "on that day: an exit after it counts as still in the LVV, and trajectories "
            "with intake after it are left out (their number is reported on standard "
            "error); this needs the intake_date and exit_date columns. "
            "Exit status 1 lists every unknown exit reason with the closest known ones "
            "(and, with --peildatum, every missing or invalid date)."
        ),
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="monitor file (.csv or .xlsx)")
    parser.add_argument(
        "--peildatum",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="count the file as it stood on this day (inclusive): later exits "
        "count as still in the LVV, later intakes are left out",
    )
    parser.add_argument(
        "--scheme",
        required=True,
        metavar="NAME",
        help="scheme name (see `lvv-eval schemes`) or path of a YAML scheme file",
    )
    add_schemes_dir_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Classify the exit reasons of one file; return the exit status."""
    existing_file(args.file)
    scheme = load_scheme(args.scheme, args.schemes_dir)
    peildatum = getattr(args, "peildatum", None)
    not_started = 0
    try:
        table = read_table(args.file)
        _warn_identifiers(table, args.file)
        labels, column = exit_reason_column(table, args.file)
        label_error: InputValidationError | None = None
        try:
            codes = pd.Series(
                to_codes(labels, file=str(args.file), column=column, rows=_row_numbers(table)),  # type: ignore[arg-type]
                index=table.index,
                dtype="object",
            )
        except InputValidationError as exc:
            label_error, codes = exc, None
        if peildatum is not None:
            keep, still_in, date_problems = at_peildatum(table, labels, peildatum, args.file)
            if date_problems:
                problems = date_problems + (label_error.problems if label_error else [])
                raise InputValidationError(
                    problems,
                    summary=f"{args.file}: {len(problems)} problem(s) "
                    f"(dates needed for peildatum {peildatum.date().isoformat()}"
                    + (", exit reasons)" if label_error else ")"),
                )
        if label_error is not None:
            raise label_error
        if peildatum is not None:
            codes = codes.where(~still_in, None)[keep].reset_index(drop=True)
            not_started = int((~keep).sum())
    except InputValidationError as exc:
        print(f"error: {_shown(exc)}", file=sys.stderr)
        if args.format == "json":
            emit_json({"error": str(exc).splitlines()[0], "problems": exc.to_frame().to_dict("records")})
        return 1
    if not_started:
        print(
            f"note: {not_started} trajectories with intake after "
            f"{peildatum.date().isoformat()} are not counted (not yet started)",  # type: ignore[union-attr]
            file=sys.stderr,
        )
    by_class, by_code = count_classes(codes, scheme)
    _emit(args, scheme, column, by_class, by_code, not_started=not_started)
    return 0


def _warn_identifiers(table: pd.DataFrame, path: Path) -> None:
    """Warn on standard error about columns holding direct identifiers (values never shown)."""
    from lvv_eval.commands.validate import warn_identifiers
    from lvv_eval.sources.monitor import direct_identifier

    found = {str(c).strip(): direct_identifier(str(c)) for c in table.columns}
    warn_identifiers({h: k for h, k in found.items() if k is not None}, path)


SHOWN_PROBLEMS = 50
"""Problems printed on standard error (all of them are in ``--format json``)."""


def _shown(exc: InputValidationError) -> str:
    """The error's summary and its first :data:`SHOWN_PROBLEMS` problems, saying how many more there are."""
    lines = str(exc).splitlines()
    head, items = lines[0], exc.problems
    shown = [f"  - {p}" for p in items[:SHOWN_PROBLEMS]]
    if len(items) > SHOWN_PROBLEMS:
        shown.append(f"  ... and {len(items) - SHOWN_PROBLEMS} more (all of them with --format json)")
    return "\n".join([head, *shown])


def read_exit_reasons(path: Path) -> tuple[pd.Series, str]:
    """Read the exit-reason column of a monitor file as text.

    Parameters
    ----------
    path
        CSV (comma, semicolon or tab separated, as counted in the header line;
        UTF-8 with or without BOM) or .xlsx (first worksheet).

    Returns
    -------
    (pandas.Series, str)
        The labels as written (blank = still in the LVV), in file order, and the
        column name as written in the file.

    Raises
    ------
    InputValidationError
        No exit-reason column, or both the English and the Dutch name.
    LvvEvalError
        The file is not UTF-8 text.
    """
    return exit_reason_column(read_table(path), path)


def read_table(path: Path) -> pd.DataFrame:
    """Read a monitor file as text cells (every column, blank = ``""``), as ``validate`` does.

    Parameters
    ----------
    path
        CSV (comma, semicolon or tab separated; UTF-8 with or without BOM) or
        .xlsx (first worksheet), read by :func:`lvv_eval.sources.monitor.read_cells`:
        empty rows (every cell blank) are skipped, and the index is the
        spreadsheet row number (header = row 1).

    Raises
    ------
    LvvEvalError
        The file cannot be read (not UTF-8 text, not CSV or .xlsx).
    InputValidationError
        A row has more fields than the header.
    """
    from lvv_eval.sources.monitor import read_cells

    return read_cells(path)


def exit_reason_column(table: pd.DataFrame, path: Path) -> tuple[pd.Series, str]:
    """Return the exit-reason column of a table read by :func:`read_table`.

    Returns
    -------
    (pandas.Series, str)
        The labels as written (blank = still in the LVV) and the column name as
        written in the file.

    Raises
    ------
    InputValidationError
        No exit-reason column, or both the English and the Dutch name.
    """
    found = [c for c in table.columns if _canonical(c) in EXIT_REASON_COLUMNS]
    if len(found) != 1:
        rule = (
            "no exit-reason column; expected one named 'exit_reason' or 'reden_uitstroom'"
            if not found
            else "two exit-reason columns; keep one of 'exit_reason' and 'reden_uitstroom'"
        )
        raise InputValidationError(
            [Problem(str(path), 1, None, ", ".join(map(str, table.columns)), rule)],
            summary=f"{path}: cannot find the exit reasons",
        )
    return table[found[0]], str(found[0])


_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    name: (name, schema.MONITOR_COLUMNS[schema.COLUMN_NAMES.index(name)].alias_nl)
    for name in ("intake_date", "exit_date")
}
"""Accepted names of the date columns needed with ``--peildatum`` (canonical, Dutch alias)."""


def at_peildatum(
    table: pd.DataFrame, labels: pd.Series, peildatum: pd.Timestamp, path: Path
) -> tuple[pd.Series, pd.Series, list[Problem]]:
    """Place every row relative to a peildatum, as :mod:`lvv_eval.stats.counts` does.

    Parameters
    ----------
    table
        The file as text cells (:func:`read_table`).
    labels
        Its exit-reason column.
    peildatum
        Reference date; comparisons include the day itself.
    path
        The file, for the problems.

    Returns
    -------
    (pandas.Series, pandas.Series, list of Problem)
        ``keep``: intake on or before the peildatum (a later intake is not yet
        started and is left out); ``still_in``: an exit after the peildatum
        (the person was still in the LVV on that day); and every problem that
        prevents placing a row: a missing date column, a missing or invalid
        intake date, an invalid exit date, an exit reason without exit date.
        Rows are spreadsheet rows (header = 1). With problems, ``keep`` and
        ``still_in`` are not meaningful.
    """
    file = str(path)
    problems: list[Problem] = []
    found: dict[str, str] = {}
    for name, accepted in _DATE_COLUMNS.items():
        matches = [c for c in table.columns if _canonical(c) in accepted]
        if len(matches) == 1:
            found[name] = matches[0]
        else:
            rule = (
                f"no {name} column (or Dutch {accepted[1]!r}); it is needed with --peildatum"
                if not matches
                else f"two {name} columns; keep one of {accepted[0]!r} and {accepted[1]!r}"
            )
            problems.append(Problem(file, 1, None, ", ".join(map(str, table.columns)), rule))
    n = len(table)
    if problems:
        return pd.Series(np.ones(n, dtype=bool)), pd.Series(np.zeros(n, dtype=bool)), problems
    rows = _row_numbers(table)
    limit = np.datetime64(peildatum.date(), "us")
    parsed: dict[str, np.ndarray] = {}
    for name, column in found.items():
        text = table[column].astype(str).str.strip()
        codes, uniques = pd.factorize(text)
        values_u = [parse_date(u) if u else None for u in uniques]
        bad_u = np.array([not isinstance(v, np.datetime64) and v is not None for v in values_u], dtype=bool)
        dates_u = np.array(
            [v if isinstance(v, np.datetime64) else np.datetime64("NaT", "us") for v in values_u],
            dtype="datetime64[us]",
        )
        parsed[name] = dates_u[codes]
        for i in np.flatnonzero(bad_u[codes]):
            problems.append(Problem(file, int(rows[i]), column, text.iloc[i], RULES["invalid_date"]))
        if name == "intake_date":
            for i in np.flatnonzero((text == "").to_numpy()):
                problems.append(
                    Problem(
                        file, int(rows[i]), column, "", f"{RULES['required_value_missing']}; needed with --peildatum"
                    )
                )
        else:
            no_date = (text == "").to_numpy() & (labels.astype(str).str.strip() != "").to_numpy()
            for i in np.flatnonzero(no_date):
                problems.append(
                    Problem(
                        file,
                        int(rows[i]),
                        column,
                        "",
                        f"{RULES['exit_reason_without_exit_date']}; cannot tell "
                        "whether the exit was before the peildatum",
                    )
                )
    keep = pd.Series(parsed["intake_date"] <= limit, index=table.index)
    still_in = pd.Series(parsed["exit_date"] > limit, index=table.index)
    return keep, still_in, problems


def count_classes(codes: pd.Series, scheme: Scheme) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count rows per class and per exit reason.

    Parameters
    ----------
    codes
        Exit-reason codes, missing for rows still in the LVV.
    scheme
        The classification scheme.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Per class (scheme order, then ``in_lvv`` and ``total``): ``class,
        name_en, name_nl, count``. Per exit reason (all fifteen codes in
        order): ``exit_reason, label_nl, class, count``.
    """
    classes = scheme.classify(codes)
    class_counts = classes.value_counts(sort=False, dropna=True)
    in_lvv = int(codes.isna().sum())
    rows = [
        {"class": c.id, "name_en": c.name_en, "name_nl": c.name_nl, "count": int(class_counts[c.id])}
        for c in scheme.classes
    ]
    rows.append(
        {"class": IN_LVV, "name_en": "still in the LVV (no exit reason)", "name_nl": "nog in de LVV", "count": in_lvv}
    )
    rows.append({"class": "total", "name_en": "all rows", "name_nl": "totaal", "count": len(codes)})
    by_class = pd.DataFrame(rows, columns=["class", "name_en", "name_nl", "count"])
    code_counts = codes.dropna().value_counts()
    by_code = pd.DataFrame(
        {
            "exit_reason": list(EXIT_REASON_CODES),
            "label_nl": [label(c) for c in EXIT_REASON_CODES],
            "class": [scheme.mapping[c] for c in EXIT_REASON_CODES],
            "count": [int(code_counts.get(c, 0)) for c in EXIT_REASON_CODES],
        }
    )
    return by_class, by_code


def _row_numbers(table: pd.DataFrame) -> np.ndarray:
    """Spreadsheet row of every data row: the index of :func:`read_table`, else 2, 3, ..."""
    if pd.api.types.is_integer_dtype(table.index) and table.index.name == "row":
        return table.index.to_numpy(dtype=np.int64)
    return np.arange(2, len(table) + 2, dtype=np.int64)


def _canonical(name: object) -> str:
    return "_".join(str(name).strip().casefold().replace("-", " ").split())


def _emit(
    args: argparse.Namespace,
    scheme: Scheme,
    column: str,
    by_class: pd.DataFrame,
    by_code: pd.DataFrame,
    *,
    not_started: int = 0,
) -> None:
    counts = dict(zip(by_class["class"], by_class["count"]))
    peildatum = getattr(args, "peildatum", None)
    iso = None if peildatum is None else peildatum.date().isoformat()
    if args.format == "json":
        emit_json(
            {
                "scheme": scheme.name,
                "file": str(args.file),
                "column": column,
                "peildatum": iso,
                "not_yet_started": not_started,
                "total": counts["total"],
                "still_in_lvv": counts[IN_LVV],
                "exited": counts["total"] - counts[IN_LVV],
                "by_class": by_class[~by_class["class"].isin([IN_LVV, "total"])].to_dict("records"),
                "by_exit_reason": by_code.to_dict("records"),
            }
        )
    elif args.format == "csv":
        long = pd.concat(
            [
                pd.DataFrame(
                    {"level": "class", "key": by_class["class"], "class": by_class["class"], "count": by_class["count"]}
                ),
                pd.DataFrame(
                    {
                        "level": "exit_reason",
                        "key": by_code["exit_reason"],
                        "class": by_code["class"],
                        "count": by_code["count"],
                    }
                ),
            ],
            ignore_index=True,
        )
        long.loc[long["key"].isin([IN_LVV, "total"]), "level"] = long["key"]
        long.loc[long["key"].isin([IN_LVV, "total"]), "class"] = ""
        emit_table(long, "csv")
    else:
        sys.stdout.write(
            f"Scheme {scheme.name}: {scheme.title_en}\n"
            f"File {args.file}: column {column!r}, {counts['total']} rows, "
            f"{counts['total'] - counts[IN_LVV]} exited, {counts[IN_LVV]} still in the LVV"
            + (f" at peildatum {iso} ({not_started} with a later intake left out)" if iso is not None else "")
            + "\n\n"
        )
        emit_table(by_class[["class", "name_en", "count"]], "text", title="Rows per class")
        sys.stdout.write("\n")
        emit_table(by_code, "text", title="Rows per exit reason")
