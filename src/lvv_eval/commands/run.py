"""``lvv-eval run``: execute one notebook with chosen parameters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="run one notebook with parameters (like papermill -p)",
        description=(
            "Execute one notebook with papermill after checking its parameters, and write the executed "
            "notebook and an HTML report (named after the notebook, e.g. 03_final.html), tables, figures and "
            "provenance.json. Values are read like "
            "papermill -p: 5 -> int, 0.5 -> float, True/False -> bool, None -> None, [a, b] -> list; "
            "dates stay text. Default output folder: reports/<notebook>-<hash of the parameters>/, so "
            "the default reports are never overwritten. Example: "
            "lvv-eval run 02_interim -p peildatum 2020-11-01 -p pilots '[amsterdam, utrecht]'"
        ),
    )
    parser.add_argument("notebook", help="notebook path, or its name in notebooks/ (e.g. 01_plan_process)")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter (repeatable)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder: a new or empty one, or one an earlier run wrote (never a folder "
        "holding other files, notebooks/ or data/); same as -p output_dir DIR",
    )
    parser.add_argument(
        "--timeout", type=int, default=None, metavar="SECONDS", help="per-cell execution timeout (default 1200)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the notebook; 0 on success, 1 when it failed."""
    from lvv_eval.errors import ConfigError
    from lvv_eval.reporting.build_config import DEFAULT_TIMEOUT
    from lvv_eval.reporting.execute import run_one
    from lvv_eval.reporting.run_params import parse_parameter_value

    parameters = {}
    for name, value in args.parameter:
        if name in parameters:
            raise ConfigError(f"parameter {name!r} given twice")
        parameters[name] = parse_parameter_value(value)
    result = run_one(args.notebook, parameters, args.out, timeout=args.timeout or DEFAULT_TIMEOUT)
    if result.note:
        print(f"note: {result.note}", file=sys.stderr)
    if not result.ok:
        failed = Path(result.output_dir) / (result.file_stem + ".failed.ipynb")
        kept = (
            f"failed notebook kept: {failed}"
            if failed.is_file()
            else f"no notebook was executed; the failure is recorded in {Path(result.output_dir) / 'provenance.json'}"
        )
        print(f"error: {result.notebook} failed: {result.describe_error()}\n  {kept}", file=sys.stderr)
        return 1
    print(f"{result.report_id}: done in {result.elapsed:.1f} s -> {result.output_dir}")
    return 0
