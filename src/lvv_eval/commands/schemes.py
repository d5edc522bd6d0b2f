"""``lvv-eval schemes``: list the classification schemes, show one, or compare them all."""

from __future__ import annotations

import argparse
import sys
import textwrap

import pandas as pd

from lvv_eval.commands._common import add_schemes_dir_option
from lvv_eval.commands._output import add_format_option, emit_json, emit_table
from lvv_eval.reference.schemes import SCHEMES_DIR_ENV, Scheme, crosswalk, disagreements, list_schemes, load_scheme


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``schemes`` subcommand."""
    parser = subparsers.add_parser(
        "schemes",
        help="list, show or compare the exit-reason classification schemes",
        description=(
            "List the classification schemes (which exit reasons count as durable, semi-durable, "
            "temporary or no solution in each published evaluation), show the full mapping of one "
            "scheme with --show, or compare all schemes code by code with --crosswalk. Extra "
            f"schemes are read from the directory in ${SCHEMES_DIR_ENV} or --schemes-dir."
        ),
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--show", metavar="NAME", help="show one scheme (a name from the list, or the path of a YAML file)"
    )
    group.add_argument(
        "--crosswalk",
        action="store_true",
        help="show the class every scheme gives every exit reason, and where they differ",
    )
    add_schemes_dir_option(parser)
    add_format_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """List, show or compare schemes; return the exit status."""
    if args.show:
        _show(load_scheme(args.show, args.schemes_dir), args.format)
    elif args.crosswalk:
        _crosswalk(args.schemes_dir, args.format)
    else:
        _list(args.schemes_dir, args.format)
    return 0


def _list(directory: str | None, fmt: str) -> None:
    schemes = [load_scheme(name, directory) for name in list_schemes(directory)]
    if fmt == "json":
        emit_json([s.to_dict() for s in schemes])
        return
    table = pd.DataFrame(
        [
            {
                "name": s.name,
                "title": s.title_en,
                "source": s.document,
                "peildatum": s.peildatum,
                "denominator": s.denominator,
                "classes": " | ".join(s.class_ids),
            }
            for s in schemes
        ],
        columns=["name", "title", "source", "peildatum", "denominator", "classes"],
    )
    emit_table(table, fmt, title=f"Classification schemes ({len(table)}); details: lvv-eval schemes --show NAME")


def _show(scheme: Scheme, fmt: str) -> None:
    if fmt == "json":
        emit_json(scheme.to_dict())
        return
    table = scheme.to_frame()
    if fmt == "csv":
        emit_table(table, fmt)
        return
    lines = [
        f"{scheme.name}: {scheme.title_en}",
        f"  ({scheme.title_nl})",
        "Source:",
        wrap(scheme.source),
        f"Peildatum: {scheme.peildatum or '-'}",
        f"Denominator: {scheme.denominator}",
        wrap(scheme.denominator_text),
    ]
    if scheme.description:
        lines += ["Description:", wrap(scheme.description)]
    lines += ["", "Classes (in order):"]
    lines += [f"  {c.id:<14} {c.name_en} ({c.name_nl})" for c in scheme.classes]
    lines += ["", "Mapping:", table[["code", "class", "label_nl"]].to_string(index=False)]
    if scheme.notes:
        lines += ["", "Notes:"]
        for code, note in scheme.notes.items():
            lines += [f"  {code}:", wrap(note, "    ")]
    sys.stdout.write("\n".join(lines) + "\n")


def wrap(text: str, indent: str = "  ") -> str:
    """Wrap text at 96 characters with a hanging indent."""
    return textwrap.fill(text, 96, initial_indent=indent, subsequent_indent=indent)


def _crosswalk(directory: str | None, fmt: str) -> None:
    table = crosswalk(directory=directory)
    differs_class = set(disagreements(directory=directory).index)
    differs_durable = set(disagreements(level="durable", directory=directory).index)
    out = table.reset_index()
    out.columns.name = None
    out["differs"] = [
        "durable" if code in differs_durable else "class" if code in differs_class else "" for code in out["code"]
    ]
    emit_table(
        out,
        fmt,
        title=(
            "Class per exit reason and scheme; differs: 'durable' = the schemes "
            "disagree on durable, 'class' = only the class ids differ"
        ),
    )
