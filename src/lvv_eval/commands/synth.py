"""``lvv-eval synth``: write synthetic monitor data calibrated to the published figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from lvv_eval.commands._common import existing_file
from lvv_eval.commands._safety import check_output_file
from lvv_eval.errors import ConfigError
from lvv_eval.sources.monitor import read_monitor
from lvv_eval.synthetic.calibration import OK_STATUSES, calibration_report, summary
from lvv_eval.synthetic.generator import generate, write_synthetic
from lvv_eval.synthetic.targets import DEFAULT_CONFIG, load_config


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``synth`` subcommand."""
    parser = subparsers.add_parser(
        "synth",
        help="generate SYNTHETIC person-level monitor data calibrated to the published figures",
        description=(
            "Generate SYNTHETIC person-level monitor data (not real people) whose counts "
            "reproduce the published figures of 2019-12-31, 2020-11-01 and 2022-07-01 "
            "(data/published/figures.csv), using the assumptions in config/synth.yaml. "
            "The same seed and scale always give the same bytes. With --report-only FILE, "
            "read an existing monitor file and print its calibration summary instead."
        ),
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: 'seed' in the config, 20190401)")
    parser.add_argument("--out", type=Path, default=None, help="output CSV in the canonical monitor format")
    parser.add_argument(
        "--report", type=Path, default=None, help="also write the calibration report (CSV, one row per constraint)"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=None,
        help="multiply every count (1.0 = the published size, about 2,100 "
        "trajectories; shares are kept at other scales)",
    )
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help="generator settings (default: config/synth.yaml)"
    )
    parser.add_argument(
        "--report-only",
        type=Path,
        default=None,
        metavar="FILE",
        help="do not generate: check FILE against the published figures",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate (or check) and report; exit 1 if a constraint is not met."""
    inputs = [args.config, args.report_only]
    if args.out is not None and args.report_only is None:
        check_output_file(args.out, inputs, option="--out")
    if args.report is not None:
        check_output_file(args.report, [*inputs, args.out], option="--report")
    config = load_config(args.config)
    scale = float(args.scale if args.scale is not None else config.get("scale", 1.0))
    if args.report_only is not None:
        frame = read_monitor(existing_file(args.report_only)).frame
    else:
        if args.out is None:
            raise ConfigError("give --out FILE (or --report-only FILE)")
        frame = generate(seed=args.seed, scale=scale, config=config)
        write_synthetic(frame, args.out)
        print(f"wrote {len(frame)} SYNTHETIC trajectories to {args.out}")
    report = calibration_report(frame, scale=scale, config=config)
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        with args.report.open("w", encoding="utf-8", newline="") as handle:
            report.to_csv(handle, index=False, lineterminator="\n")
        print(f"wrote calibration report ({len(report)} constraints) to {args.report}")
    table = summary(report)
    sys.stdout.write(table.to_string(index=False) + "\n")
    failed = report[~report["status"].isin(OK_STATUSES)]
    if len(failed):
        with pd.option_context("display.width", 200):
            sys.stdout.write(
                "constraints not met:\n" + failed[["constraint_id", "target", "achieved"]].to_string(index=False) + "\n"
            )
        return 1
    return 0
