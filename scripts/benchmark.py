"""Wall time of the synthetic generator and the aggregation at roll-out scale.

Generates about 1,000,000 SYNTHETIC trajectories (``lvv_eval.synthetic.generator.generate``
with a scale of 1e6 / 2065), counts the published measures at the three
peildata (``lvv_eval.stats.counts.to_figures``), writes the canonical CSV and
reads it back with validation (``lvv_eval.sources.monitor.read_monitor``). Prints one
line per step. Not a test: timings depend on the machine.

Usage: ``python scripts/benchmark.py [--rows 1000000] [--seed 20190401]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from lvv_eval.stats.counts import to_figures
from lvv_eval.sources.monitor import read_monitor
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.synthetic.generator import generate, write_synthetic

BASE_ROWS = 2065
"""Trajectories at scale 1 (participants by July 2022, source 004_b44b716732003f66.txt)."""

PEILDATA = (("2019-12-31", "regioplan-2020", False),
            ("2020-11-01", "monitor-2020", True),
            ("2022-07-01", "regioplan-2022", False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20190401)
    args = parser.parse_args()
    scale = args.rows / BASE_ROWS
    timings: list[tuple[str, float, int]] = []

    start = time.perf_counter()
    frame = generate(seed=args.seed, scale=scale)
    timings.append(("generate", time.perf_counter() - start, len(frame)))

    for peildatum, scheme, formal_only in PEILDATA:
        start = time.perf_counter()
        to_figures(frame, peildatum, scheme=load_scheme(scheme), formal_only=formal_only)
        timings.append((f"to_figures {peildatum} ({scheme})", time.perf_counter() - start, len(frame)))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "monitor_synthetic_1e6.csv"
        start = time.perf_counter()
        write_synthetic(frame, path)
        timings.append(("write_monitor", time.perf_counter() - start, len(frame)))
        start = time.perf_counter()
        data = read_monitor(path)
        timings.append(("read_monitor (with validation)", time.perf_counter() - start, len(data.frame)))

    table = pd.DataFrame(timings, columns=["step", "seconds", "rows"])
    table["seconds"] = table["seconds"].round(2)
    print(f"SYNTHETIC data, seed {args.seed}, scale {scale:.2f}")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
