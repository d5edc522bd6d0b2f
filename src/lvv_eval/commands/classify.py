"""``lvv-eval classify``: count the exit reasons of a monitor file per class of a scheme."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pandas as pd

from lvv_eval.commands._common import add_schemes_dir_option
from lvv_eval.commands._output import add_format_option, emit_json, emit_table
from lvv_eval.errors import InputValidationError, LvvEvalError, Problem
from lvv_eval.schemes import Scheme, load_scheme
from lvv_eval.taxonomy import EXIT_REASON_CODES, label, to_codes

EXIT_REASON_COLUMNS: tuple[str, ...] = ("exit_reason", "reden_uitstroom")
"""Accepted names of the exit-reason column (canonical, Dutch alias; see lvv_eval.schema)."""

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
            "Exit status 1 lists every unknown exit reason with the closest known ones."
        ),
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="monitor file (.csv or .xlsx)")
    parser.add_argument("--scheme", required=True, metavar="NAME",
                        help="scheme name (see `lvv-eval schemes`) or path of a YAML scheme file")
    add_schemes_dir_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Classify the exit reasons of one file; return the exit status."""
    scheme = load_scheme(args.scheme, args.schemes_dir)
    try:
        labels, column = read_exit_reasons(args.file)
        codes = to_codes(labels, file=str(args.file), column=column)
    except InputValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.format == "json":
            emit_json({"error": str(exc).splitlines()[0], "problems": exc.to_frame().to_dict("records")})
        return 1
    by_class, by_code = count_classes(pd.Series(codes, dtype="object"), scheme)
    _emit(args, scheme, column, by_class, by_code)
    return 0


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
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = pd.read_excel(path, dtype="str", keep_default_na=False)
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise LvvEvalError(f"{path}: cannot read input: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        header = next((line for line in text.splitlines() if line.strip()), "")
        sep = max((",", ";", "\t"), key=header.count)  # ties go to the comma
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype="str", keep_default_na=False)
    found = [c for c in table.columns if _canonical(c) in EXIT_REASON_COLUMNS]
    if len(found) != 1:
        rule = ("no exit-reason column; expected one named 'exit_reason' or 'reden_uitstroom'" if not found
                else "two exit-reason columns; keep one of 'exit_reason' and 'reden_uitstroom'")
        raise InputValidationError(
            [Problem(str(path), 1, None, ", ".join(map(str, table.columns)), rule)],
            summary=f"{path}: cannot find the exit reasons",
        )
    return table[found[0]], str(found[0])


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
    rows.append({"class": IN_LVV, "name_en": "still in the LVV (no exit reason)",
                 "name_nl": "nog in de LVV", "count": in_lvv})
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


def _canonical(name: object) -> str:
    return "_".join(str(name).strip().casefold().replace("-", " ").split())


def _emit(args: argparse.Namespace, scheme: Scheme, column: str,
          by_class: pd.DataFrame, by_code: pd.DataFrame) -> None:
    counts = dict(zip(by_class["class"], by_class["count"]))
    if args.format == "json":
        emit_json({
            "scheme": scheme.name,
            "file": str(args.file),
            "column": column,
            "total": counts["total"],
            "still_in_lvv": counts[IN_LVV],
            "exited": counts["total"] - counts[IN_LVV],
            "by_class": by_class[~by_class["class"].isin([IN_LVV, "total"])].to_dict("records"),
            "by_exit_reason": by_code.to_dict("records"),
        })
    elif args.format == "csv":
        long = pd.concat(
            [
                pd.DataFrame({"level": "class", "key": by_class["class"], "class": by_class["class"],
                              "count": by_class["count"]}),
                pd.DataFrame({"level": "exit_reason", "key": by_code["exit_reason"],
                              "class": by_code["class"], "count": by_code["count"]}),
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
            f"{counts['total'] - counts[IN_LVV]} exited, {counts[IN_LVV]} still in the LVV\n\n"
        )
        emit_table(by_class[["class", "name_en", "count"]], "text", title="Rows per class")
        sys.stdout.write("\n")
        emit_table(by_code, "text", title="Rows per exit reason")
