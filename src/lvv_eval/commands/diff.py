"""``lvv-eval diff RUN_A RUN_B``: what changed between two report builds."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``diff`` subcommand."""
    parser = subparsers.add_parser(
        "diff",
        help="show what changed between two report builds (tables and figures)",
        description=(
            "Compare two build folders (e.g. reports/01_plan_process and reports/01_plan_process-1a2b3c4d): "
            "tables by value (rows added or removed by key, changed cells with old and new value) and "
            "figures by their data file or image hash. Prints the differences; --html also writes them as "
            "a self-contained HTML page. Exit status 0 when the builds are identical, 1 when they differ."
        ),
    )
    parser.add_argument("run_a", type=Path, metavar="RUN_A", help="the old build folder")
    parser.add_argument("run_b", type=Path, metavar="RUN_B", help="the new build folder")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.0,
        metavar="X",
        help="numbers differing by at most X (absolute) count as equal (default 0)",
    )
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="TABLE=COL[,COL...]",
        help="key columns of a table, where the automatic key is not the wanted one (repeatable)",
    )
    parser.add_argument(
        "--html", type=Path, default=None, metavar="FILE", help="also write the differences as an HTML page to FILE"
    )
    parser.set_defaults(handler=run)


def _keys(items: list[str]) -> dict[str, list[str]]:
    from lvv_eval.errors import ConfigError

    out: dict[str, list[str]] = {}
    for item in items:
        name, sep, cols = item.partition("=")
        if not sep or not name.strip() or not cols.strip():
            raise ConfigError(f"--key {item!r}: use TABLE=COLUMN[,COLUMN...]")
        out[name.strip()] = [c.strip() for c in cols.split(",") if c.strip()]
    return out


def run(args: argparse.Namespace) -> int:
    """Print the differences; 0 when identical, 1 when different."""
    from lvv_eval.reporting.diff import diff_builds

    result = diff_builds(args.run_a, args.run_b, tolerance=args.tolerance, keys=_keys(args.key))  # type: ignore[arg-type]
    print(result.to_text(), end="")
    if args.html is not None:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(result.to_html(), encoding="utf-8", newline="\n")
    return 0 if result.identical else 1
