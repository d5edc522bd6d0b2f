"""``lvv-eval notebooks``: keep committed notebooks clean (strip, check, refresh)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``notebooks`` subcommand with its actions."""
    parser = subparsers.add_parser(
        "notebooks",
        help="strip, check or refresh the committed notebooks' outputs",
        description=(
            "Committed notebooks keep outputs only in cells containing '# NBVAL_CHECK_OUTPUT' (these "
            "keep their execution count too, so nbval compares them); all other cells are stored "
            "without outputs, and the metadata is normalised (kernel python3). "
            "strip: apply that in place. check: exit 1 listing notebooks that are not clean. "
            "refresh: execute each notebook with its defaults and store the checked cells' new outputs. "
            "FILES default to notebooks/*.ipynb."
        ),
    )
    parser.add_argument("action", choices=("strip", "check", "refresh"), help="what to do")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILES", help="notebooks (default notebooks/*.ipynb)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="per-cell execution timeout for refresh (default 600)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Apply the action; 0 on success, 1 when check finds dirty notebooks or refresh fails."""
    from lvv_eval.reporting import notebook_hygiene as nbhygiene

    files = list(args.files) or nbhygiene.default_notebooks()
    if not files:
        print("no notebooks found", file=sys.stderr)
        return 0
    if args.action == "strip":
        for path in nbhygiene.strip(files):
            print(f"stripped {path}")
        return 0
    if args.action == "check":
        dirty = nbhygiene.check(files)
        for path, problems in dirty.items():
            print(f"{path}:")
            for problem in problems:
                print(f"  - {problem}")
        if dirty:
            print(
                f"{len(dirty)} notebook(s) not clean; run `lvv-eval notebooks strip` "
                "(or `refresh` for missing checked outputs)",
                file=sys.stderr,
            )
            return 1
        print(f"{len(files)} notebook(s) clean")
        return 0
    try:
        for path in nbhygiene.refresh(files, timeout=args.timeout):
            print(f"refreshed {path}")
    except nbhygiene.NotebookExecutionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
