"""``lvv-eval reports``: build every configured report and the index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``reports`` subcommand."""
    parser = subparsers.add_parser(
        "reports",
        help="build the reports listed in config/reports.yaml",
        description=(
            "Execute every notebook listed in config/reports.yaml with papermill (a few at a time), "
            "and write under reports/<id>/ the executed notebook, an HTML report without code, the "
            "tables and figures, and provenance.json; then write reports/index.html linking them. "
            "A failing notebook is kept as reports/<id>/<id>.failed.ipynb; the others still run. "
            "Exit status 1 when any report failed."
        ),
    )
    parser.add_argument(
        "--jobs", "-j", type=int, default=2, metavar="N", help="notebooks to run at the same time (default 2)"
    )
    parser.add_argument(
        "--only", nargs="+", metavar="ID", default=None, help="build only these report ids (the index still lists all)"
    )
    parser.add_argument("--config", type=Path, default=None, help="report configuration (default config/reports.yaml)")
    parser.add_argument("--reports-dir", type=Path, default=None, help="output folder (default reports/)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help="per-cell execution timeout (default from the configuration)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build the reports; 0 when all succeeded, 1 otherwise."""
    from lvv_eval.reporting.execute import build_all

    results = build_all(
        args.config,
        jobs=args.jobs,
        only=args.only,
        reports_dir=args.reports_dir,
        timeout=args.timeout,
        progress=sys.stderr,
    )
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(
            f"error: report {result.report_id} ({result.notebook}) failed: {result.describe_error()}", file=sys.stderr
        )
    return 1 if failed else 0
