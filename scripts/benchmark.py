"""Each step of the package at roll-out scale, against the same work done directly.

Generates about 1,000,000 SYNTHETIC trajectories (``lvv_eval.synthetic.generator.generate``
with a scale of rows / 2065) and times, in one process:

* ``generate``                         (target: <= 3 s at 1,000,000 rows);
* ``to_figures`` at the three peildata against the same counts written
  directly as DuckDB SQL over the same data, converted to Arrow once
  beforehand (target: <= 1.5x), and in Polars from the pandas frame when
  Polars is installed (for the engine choice only; not a dependency);
* the survival inputs (``time_to_event_frame``) against the same per-row
  columns from DuckDB;
* writing the canonical CSV (``write_synthetic``) against DuckDB's ``COPY``
  of the same frame (target: <= 2x); the csv-module writer
  ``lvv_eval.sources.monitor.write_monitor`` for reference;
* reading it back with validation (``read_monitor``: cells read by pyarrow and
  factorised in Arrow) against pyarrow's plain CSV read (target: <= 2x), the
  reference reader (``read_monitor(fast=False)``, pandas' C parser) for
  comparison, and a second read through the Parquet cache
  (``lvv_eval.sources.cache.read_monitor_cached``); ``read_monitor`` and
  pyarrow's read take turns, so both see the same load of the machine.
  The reference is pyarrow's read with its default options (types
  inferred), the read the target was set against; pyarrow's read with every
  column as text (the parse ``read_monitor`` itself does, since it needs the
  exact cells) takes the same turns and is printed beside it, as is the peak
  memory of one ``read_monitor`` in a new process (reading alone).

The package steps run first and the references after them, so the peak
memory printed for a package step is the package's own. Prints one line per
step: wall seconds, CPU seconds of the process (all its threads), the
reference and its seconds, the ratio of wall times,
the target, and the peak resident memory of the process so far
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``; target: <= 1 GB). Every
repeated step reports the best of ``--repeat`` runs. Not a test: timings depend
on the machine and on what else runs on it.

Usage::

    python scripts/benchmark.py [--rows 1000000] [--seed 20190401] [--repeat 3]
                                [--skip-reader] [--skip-csv-module] [--only-read]

``--rows 10000000`` shows how the cost grows; ``--skip-reader`` and
``--skip-csv-module`` leave out the slow row-by-row steps there;
``--only-read`` times the reading steps only (after generating the file).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.sources.cache import read_monitor_cached
from lvv_eval.sources.monitor import read_monitor, write_monitor
from lvv_eval.stats import engine
from lvv_eval.stats.counts import to_figures
from lvv_eval.stats.survival import time_to_event_frame
from lvv_eval.synthetic.generator import generate, write_synthetic

BASE_ROWS = 2065
"""Trajectories at scale 1 (participants by July 2022, source 004_b44b716732003f66.txt)."""

PEILDATA = (
    ("2019-12-31", "regioplan-2020", False),
    ("2020-11-01", "monitor-2020", True),
    ("2022-07-01", "regioplan-2022", False),
)


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


CPU: dict[str, float] = {}
"""Process CPU seconds of the best run of the last :func:`best_of` call (key ``last``)."""


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs of ``work`` and the last result.

    The CPU time of this process during the best run is left in ``CPU["last"]``
    (it includes DuckDB's and Arrow's worker threads).
    """
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        result = work()
        wall = time.perf_counter() - start
        if wall < best:
            best, CPU["last"] = wall, time.process_time() - cpu
    return best, result


# --------------------------------------------------------------------------- references


def duckdb_counts(
    con: duckdb.DuckDBPyConnection, frame: pa.Table, peildatum: str, formal_only: bool
) -> tuple[pd.DataFrame, ...]:
    """The counts of ``to_figures`` written directly as DuckDB SQL over the frame (as Arrow)."""
    con.register("f", frame)
    day = f"TIMESTAMP '{peildatum}'"
    where = "WHERE formal_status" if formal_only else ""
    base = f"""
        SELECT pilot, person_id, formal_status, exit_reason, scenario,
               intake_date <= {day} AS in_scope,
               intake_date <= {day} AND exit_date <= {day} AS exited,
               intake_date <= {day} AND scenario IS NOT NULL
                   AND (scenario_date IS NULL OR scenario_date <= {day}) AS scenario_set
        FROM f {where}"""
    main = con.execute(f"""
        WITH s AS ({base})
        SELECT pilot, count(*) FILTER (WHERE in_scope) AS intake,
               count(*) FILTER (WHERE in_scope AND formal_status) AS intake_formal,
               count(*) FILTER (WHERE in_scope AND NOT formal_status) AS intake_informal,
               count(*) FILTER (WHERE in_scope AND NOT coalesce(exited, FALSE)) AS present,
               count(*) FILTER (WHERE exited) AS outflow,
               count(*) FILTER (WHERE scenario_set) AS scenarios
        FROM s GROUP BY GROUPING SETS ((pilot), ())""").df()
    persons = con.execute(f"""
        WITH s AS ({base})
        SELECT pilot, count(DISTINCT person_id) AS persons FROM s WHERE in_scope
        GROUP BY GROUPING SETS ((pilot), ())""").df()
    by_code = con.execute(f"""
        WITH s AS ({base})
        SELECT pilot, exit_reason, count(*) AS n FROM s WHERE exited
        GROUP BY GROUPING SETS ((pilot, exit_reason), (exit_reason))""").df()
    by_scenario = con.execute(f"""
        WITH s AS ({base})
        SELECT pilot, scenario, count(*) AS n FROM s WHERE scenario_set
        GROUP BY GROUPING SETS ((pilot, scenario), (scenario))""").df()
    con.unregister("f")
    return main, persons, by_code, by_scenario


def polars_counts(frame: Any, peildatum: str, formal_only: bool) -> tuple[Any, ...]:
    """The same counts in Polars (``frame`` is a polars DataFrame)."""
    import polars as pl

    day = pd.Timestamp(peildatum).to_pydatetime()
    rows = frame.filter(pl.col("formal_status")) if formal_only else frame
    s = rows.with_columns(
        in_scope=pl.col("intake_date") <= day,
        exited=(pl.col("intake_date") <= day) & (pl.col("exit_date") <= day).fill_null(False),
        scenario_set=(pl.col("intake_date") <= day)
        & pl.col("scenario").is_not_null()
        & (pl.col("scenario_date").is_null() | (pl.col("scenario_date") <= day)),
    )
    aggregations = [
        pl.col("in_scope").sum().alias("intake"),
        (pl.col("in_scope") & pl.col("formal_status")).sum().alias("intake_formal"),
        (pl.col("in_scope") & ~pl.col("formal_status")).sum().alias("intake_informal"),
        (pl.col("in_scope") & ~pl.col("exited")).sum().alias("present"),
        pl.col("exited").sum().alias("outflow"),
        pl.col("scenario_set").sum().alias("scenarios"),
        pl.col("person_id").filter(pl.col("in_scope")).n_unique().alias("persons"),
    ]
    per_pilot = s.group_by("pilot").agg(aggregations)
    total = s.select(aggregations)
    by_code = s.filter(pl.col("exited")).group_by(["pilot", "exit_reason"]).len()
    by_scenario = s.filter(pl.col("scenario_set")).group_by(["pilot", "scenario"]).len()
    return per_pilot, total, by_code, by_scenario


def duckdb_events(con: duckdb.DuckDBPyConnection, frame: pa.Table, peildatum: str) -> pd.DataFrame:
    """Per in-scope trajectory: id, pilot, days to exit or peildatum, exit code, in DuckDB."""
    con.register("f", frame)
    d = f"DATE '{peildatum}'"
    codes = ", ".join(f"'{c}'" for c in EXIT_REASON_CODES)
    out = con.execute(f"""
        SELECT trajectory_id, CAST(pilot AS VARCHAR) AS pilot,
               CASE WHEN exit_date <= {d} THEN date_diff('day', CAST(intake_date AS DATE),
                                                         CAST(exit_date AS DATE))
                    ELSE date_diff('day', CAST(intake_date AS DATE), {d}) END AS time_days,
               CASE WHEN exit_date <= {d}
                    THEN list_position([{codes}], CAST(exit_reason AS VARCHAR)) ELSE 0 END
                    AS event_code
        FROM f WHERE intake_date <= {d}""").df()
    con.unregister("f")
    return out


def best_of_turns(repeat: int, works: Sequence[Callable[[], Any]]) -> tuple[list[float], list[float], Any]:
    """Best wall times of ``works`` run in turns, their CPU times, and the last result of the last one.

    Taking turns exposes every one of them to the same load of a shared
    machine. The CPU time of each is that of its best run.
    """
    best = [float("inf")] * len(works)
    cpu = [float("nan")] * len(works)
    result = None
    for _ in range(max(1, repeat)):
        for i, work in enumerate(works):
            seconds, result = best_of(1, work)
            if seconds < best[i]:
                best[i], cpu[i] = seconds, CPU["last"]
    return best, cpu, result


def read_text_columns(path: Path, names: Sequence[str]) -> pa.Table:
    """pyarrow's read of ``path`` with every column (``names``) as text, no cell missing: the reader's own parse."""
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


READ_IN_CHILD = """
import sys
from lvv_eval.sources.monitor import read_monitor
read_monitor(sys.argv[1])
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""
"""One ``read_monitor`` in a new Python process; prints the process's peak resident memory in KiB."""


def peak_of_read_in_child(path: Path) -> float | None:
    """Peak resident memory (MB) of a new process that imports the package and reads ``path`` once.

    Read from ``/proc/self/status`` (``VmHWM``, which starts anew with the
    program; ``getrusage`` would count the parent's memory at the fork);
    ``None`` where there is no ``/proc``.
    """
    if not Path("/proc/self/status").exists():
        return None
    done = subprocess.run([sys.executable, "-c", READ_IN_CHILD, str(path)], check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024


def measure_reading(path: Path, n: int, args: argparse.Namespace, line: Callable[..., None]) -> None:
    """Time ``read_monitor`` and the cache against pyarrow's plain read of ``path``.

    ``read_monitor`` and pyarrow's ``read_csv`` run in turns (best of
    ``--repeat`` each), so both see the same load.
    """
    if args.skip_reader:
        ref, _ = best_of(args.repeat, lambda: pacsv.read_csv(path))
        line("pyarrow read_csv (reference only)", ref)
        return
    names = pacsv.open_csv(path).schema.names  # (reads the first block only)
    (ref, text, ours), cpu, data = best_of_turns(
        args.repeat,
        [lambda: pacsv.read_csv(path), lambda: read_text_columns(path, names), lambda: read_monitor(path)],
    )
    line("read_monitor (pyarrow reader, validation)", ours, "pyarrow read_csv", ref, "<= 2x", cpu=cpu[2])
    line("  pyarrow read_csv (the reference)", ref, cpu=cpu[0])
    line("  pyarrow read_csv, every column as text", text, cpu=cpu[1])
    line("  read_monitor against the text read", ours, "read_csv as text", text, cpu=cpu[2])
    alone = peak_of_read_in_child(path)
    if alone is not None:
        line("  read_monitor in a new process (peak_MB: its own)", ours, cpu=cpu[2], peak=alone)
    if len(data.frame) != n:
        raise RuntimeError(f"read back {len(data.frame)} rows of {n}")
    del data
    old, _ = best_of(1, lambda: read_monitor(path, fast=False))
    line("  read_monitor(fast=False) (reference reader)", old, "pyarrow read_csv", ref)
    cache_dir = path.parent.parent / "report" / "cache"
    first, _ = best_of(1, lambda: read_monitor_cached(path, cache_dir=cache_dir))
    line("  read_monitor_cached, first (read + store)", first, "pyarrow read_csv", ref)
    hit, _ = best_of(args.repeat, lambda: read_monitor_cached(path, cache_dir=cache_dir))
    line("  read_monitor_cached, hit (Parquet)", hit, "pyarrow read_csv", ref, "<= 2x")


def measure_references(
    frame: pd.DataFrame,
    tmp: Path,
    args: argparse.Namespace,
    against: Callable[..., None],
    line: Callable[..., None],
    pl: Any,
) -> None:
    """The same counts, survival inputs and CSV written directly in DuckDB (and Polars), after the package steps."""
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    arrow = pa.Table.from_pandas(frame, preserve_index=False)  # the references read this
    for peildatum, scheme_name, formal_only in PEILDATA:
        ref, _ = best_of(args.repeat, lambda d=peildatum, f=formal_only: duckdb_counts(con, arrow, d, f))
        against(peildatum, f"to_figures {peildatum} ({scheme_name})", "DuckDB SQL", ref, "<= 1.5x")
        if pl is not None:
            pol, _ = best_of(args.repeat, lambda d=peildatum, f=formal_only: polars_counts(pl.from_pandas(frame), d, f))
            line(f"  same counts in Polars {peildatum}", pol, "DuckDB SQL", ref)
    ref, _ = best_of(args.repeat, lambda: duckdb_events(con, arrow, "2022-07-01"))
    against("events", "time_to_event_frame 2022-07-01", "DuckDB SQL", ref)
    con.register("f", arrow)
    copy_to = tmp / "duckdb_copy.csv"
    ref, _ = best_of(
        args.repeat, lambda: con.execute(f"COPY (SELECT * FROM f ORDER BY trajectory_id) TO '{copy_to}' (HEADER)")
    )
    con.unregister("f")
    against("write", "write canonical CSV (write_synthetic)", "DuckDB COPY", ref, "<= 2x")
    if not args.skip_csv_module:
        old, _ = best_of(1, lambda: write_monitor(frame, tmp / "csv_module.csv"))
        line("  write_monitor (csv module)", old, "DuckDB COPY", ref)
        (tmp / "csv_module.csv").unlink()
    copy_to.unlink()
    con.close()


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20190401)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed step (best kept)")
    parser.add_argument(
        "--skip-reader", action="store_true", help="leave out read_monitor and the cache (slow at 10,000,000 rows)"
    )
    parser.add_argument("--skip-csv-module", action="store_true", help="leave out the csv-module writer write_monitor")
    parser.add_argument(
        "--only-read",
        action="store_true",
        help="generate and write the file, then time only the reading steps (no counts, no DuckDB)",
    )
    args = parser.parse_args()
    scale = args.rows / BASE_ROWS
    lines: list[dict[str, Any]] = []
    pending: dict[str, dict[str, Any]] = {}

    def line(
        step: str,
        seconds: float,
        reference: str = "",
        ref_seconds: float | None = None,
        target: str = "",
        cpu: float | None = None,
        peak: float | None = None,
    ) -> None:
        ratio = seconds / ref_seconds if ref_seconds else None
        lines.append(
            {
                "step": step,
                "seconds": round(seconds, 2),
                "cpu_s": round(CPU.get("last", float("nan")) if cpu is None else cpu, 2),
                "reference": reference,
                "ref_seconds": None if ref_seconds is None else round(ref_seconds, 2),
                "ratio": None if ratio is None else round(ratio, 2),
                "target": target,
                "peak_MB": round(peak_mb() if peak is None else peak),
            }
        )

    def ours(key: str, repeat: int, work: Callable[[], Any]) -> Any:
        """Time a package step now; its line is written when its reference is known."""
        seconds, result = best_of(repeat, work)
        pending[key] = {"seconds": seconds, "cpu": CPU["last"], "peak": peak_mb()}
        return result

    def against(key: str, step: str, reference: str, ref_seconds: float | None, target: str = "") -> None:
        mine = pending.pop(key)
        line(step, mine["seconds"], reference, ref_seconds, target, mine["cpu"], mine["peak"])

    # the package steps first, so that peak_MB is the package's own peak (references later)
    frame = ours("generate", 1, lambda: generate(seed=args.seed, scale=scale))
    n = len(frame)
    if not engine.supports(frame):
        raise RuntimeError("the generated frame does not take the engine path")
    schemes = {name: load_scheme(name) for _, name, _ in PEILDATA}
    counting = not args.only_read
    for peildatum, scheme_name, formal_only in PEILDATA if counting else ():
        ours(
            peildatum,
            args.repeat,
            lambda d=peildatum, s=schemes[scheme_name], f=formal_only: to_figures(frame, d, scheme=s, formal_only=f),
        )
    if counting:
        ours("events", args.repeat, lambda: time_to_event_frame(frame, "2022-07-01", schemes["regioplan-2022"]))
    pl = None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in" / "monitor_synthetic.csv"
        ours("write", args.repeat if counting else 1, lambda: write_synthetic(frame, path))
        package_peak = peak_mb()
        against("generate", "generate", "", None, "<= 3 s")
        if counting:
            try:
                import polars as pl
            except ImportError:  # pragma: no cover - depends on the environment
                pl = None
            measure_references(frame, Path(tmp), args, against, line, pl)
        else:
            pending.pop("write")
        frame = None  # free it before reading the file back
        gc.collect()
        measure_reading(path, n, args, line)

    table = pd.DataFrame(lines)
    print(
        f"SYNTHETIC data, seed {args.seed}, {n:,} trajectories, best of {args.repeat}; "
        f"duckdb {duckdb.__version__}, pyarrow {pa.__version__}, pandas {pd.__version__}"
        + (f", polars {pl.__version__}" if pl is not None else "")
        + "; load average at the end {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    )
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table.to_string(index=False, na_rep=""))
    print(
        f"peak memory of the package steps (generate to write): {package_peak:.0f} MB; "
        f"of the whole run: {peak_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
