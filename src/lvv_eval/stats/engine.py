"""Columnar counting engine (DuckDB) under the person-level counts of :mod:`lvv_eval.stats.counts`.

The counts at a peildatum (:func:`lvv_eval.stats.counts.to_figures`,
:func:`~lvv_eval.stats.counts.flow`, :func:`~lvv_eval.stats.counts.pilot_table`) are
group-by counts over up to millions of trajectories. This module hands the
columns they need to DuckDB as Arrow arrays (no copy of the string columns)
and counts per pilot in SQL; :mod:`lvv_eval.stats.counts` turns the small result
into the same pandas tables as before, so notebooks only ever see pandas.

The rules are those of :func:`lvv_eval.stats.counts.state_at` (every comparison
inclusive of the peildatum):

* in scope: ``intake_date <= peildatum``; not yet started otherwise;
* exited: in scope and ``exit_date <= peildatum``; present: in scope, not exited;
* scenario set: in scope, ``scenario`` present, ``scenario_date`` missing or
  ``<= peildatum``.

DuckDB was chosen over Polars by measurement (``scripts/benchmark.py``): on the
same pandas frame both count a million trajectories in about 0.15-0.25 s;
DuckDB is already a dependency and reads pandas' Arrow-backed columns without
a copy (see the README, Development/Benchmark).

:func:`supports` says when a frame can take this path; other frames (hand-made
frames with unusual dtypes, exit codes outside the taxonomy) go through the
pandas implementation, which also gives their error messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from lvv_eval.reference.monitor_format import SCENARIO_CODES
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES

__all__ = ["PilotCounts", "event_inputs", "pilot_counts", "supports"]

_STRING_KINDS = ("string", "str", "category", "object")
_COUNT_COLUMNS: tuple[str, ...] = (
    "persons",
    "intake",
    "intake_formal",
    "intake_informal",
    "present",
    "exited",
    "not_yet_started",
    "scenarios",
)


@dataclass(frozen=True)
class PilotCounts:
    """Counts per pilot at one peildatum (the selected rows only).

    Attributes
    ----------
    main
        Index: pilot labels (every requested pilot, zeros where it has no
        rows). Integer columns: ``persons`` (distinct ``person_id`` in scope),
        ``intake`` (in scope), ``intake_formal``, ``intake_informal``,
        ``present``, ``exited``, ``not_yet_started`` and ``scenarios``
        (scenario set). Counts of trajectories except ``persons``.
    total
        The same counts over all selected rows (``persons``: distinct people
        over all pilots, not the sum of the pilot rows).
    exits
        Index: pilot labels; columns: the exit-reason codes of
        :data:`lvv_eval.reference.taxonomy.EXIT_REASON_CODES`; values: exited
        trajectories with that code.
    scenarios
        Index: pilot labels; columns: :data:`lvv_eval.reference.monitor_format.SCENARIO_CODES`;
        values: trajectories with that scenario set.
    """

    main: pd.DataFrame
    total: pd.Series
    exits: pd.DataFrame
    scenarios: pd.DataFrame


def _is_text(series: pd.Series) -> bool:
    """Whether every value (every category of a categorical) is a ``str``."""
    kind = str(series.dtype)
    if kind == "category":
        return all(isinstance(c, str) for c in series.cat.categories)
    if kind in ("string", "str"):
        return True
    if kind != "object":
        return False
    values = series.dropna()
    return all(isinstance(value, str) for value in values)


def supports(frame: pd.DataFrame) -> bool:
    """Whether :func:`pilot_counts` gives exactly the pandas counts for ``frame``.

    True for typed monitor frames (as made by :mod:`lvv_eval.sources.monitor` and
    :mod:`lvv_eval.reference.monitor_format`): text columns hold text, dates are
    ``datetime64``, ``formal_status`` is boolean, and every exit reason is a
    code of the taxonomy. Other frames fall back to pandas.
    """
    for column in ("person_id", "pilot", "exit_reason", "scenario"):
        if column in frame.columns and not _is_text(frame[column]):
            return False
    for column in ("intake_date", "exit_date", "scenario_date"):
        if column in frame.columns and not str(frame[column].dtype).startswith("datetime64"):
            return False
    if str(frame["formal_status"].dtype) not in ("boolean", "bool"):
        return False
    reasons = frame["exit_reason"]
    if isinstance(reasons.dtype, pd.CategoricalDtype):
        used = np.unique(reasons.cat.codes.to_numpy())
        return {str(reasons.cat.categories[c]) for c in used if c >= 0} <= set(EXIT_REASON_CODES)
    found = set(pd.unique(reasons.dropna().astype("str")))
    return found <= set(EXIT_REASON_CODES)


def _arrow(series: pd.Series) -> pa.ChunkedArray | pa.Array:
    """One column as Arrow (zero-copy for Arrow-backed strings and datetimes)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        labels = pa.array([str(c) for c in series.cat.categories], type=pa.string())
        indices = pa.array(codes, mask=codes < 0, type=pa.int32() if len(labels) < 2**31 else None)
        return pa.DictionaryArray.from_arrays(indices, labels)
    if str(series.dtype).startswith("datetime64"):
        values = series.to_numpy(dtype="datetime64[us]")
        return pa.array(values, mask=np.isnat(values), type=pa.timestamp("us"))
    if str(series.dtype) in ("boolean", "bool"):
        values = series.to_numpy(dtype=bool, na_value=False)
        mask = series.isna().to_numpy()
        return pa.array(values, mask=mask if mask.any() else None, type=pa.bool_())
    if hasattr(series.array, "__arrow_array__"):
        return pa.array(series.array)
    return pa.array(series.astype("object").to_numpy(), type=pa.string(), from_pandas=True)


def _table(frame: pd.DataFrame, columns: Sequence[str]) -> pa.Table:
    return pa.table({c: _arrow(frame[c]) for c in columns if c in frame.columns})


def _codes(series: pd.Series, labels: Sequence[str], other: int = -2) -> np.ndarray:
    """Position of each value's text in ``labels``; -1 where missing, ``other`` if not listed."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        categories = [str(c) for c in series.cat.categories]
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        categories = [str(u) for u in np.asarray(uniques, dtype=object)]
    where = {label: i for i, label in enumerate(labels)}
    lookup = np.array([where.get(c, other) for c in categories] + [-1], dtype=np.int16)
    return lookup[np.where(codes < 0, len(categories), codes)]


def _coded_table(frame: pd.DataFrame, pilots: Sequence[str]) -> pa.Table:
    """The columns the counts need, text columns as small integer codes.

    ``pilot``: position in ``pilots`` (-2 for other pilots); ``reason``:
    position in :data:`EXIT_REASON_CODES`; ``scenario``: position in
    :data:`SCENARIO_CODES` (-2 for another value); -1 = missing.
    """
    n = len(frame)
    columns = {
        "pilot": pa.array(_codes(frame["pilot"], pilots)),
        "person_id": _arrow(frame["person_id"]),
        "formal": _arrow(frame["formal_status"]),
        "intake_date": _arrow(frame["intake_date"]),
        "exit_date": _arrow(frame["exit_date"]),
        "reason": pa.array(_codes(frame["exit_reason"], EXIT_REASON_CODES)),
        "scenario": pa.array(
            _codes(frame["scenario"], SCENARIO_CODES) if "scenario" in frame else np.full(n, -1, dtype=np.int16)
        ),
        "scenario_date": (
            _arrow(frame["scenario_date"]) if "scenario_date" in frame else pa.nulls(n, pa.timestamp("us"))
        ),
    }
    return pa.table(columns)


def _states_sql(day: dt.date, formal_only: bool) -> str:
    """SELECT of the selected rows of the coded table with their state at the peildatum."""
    d = f"TIMESTAMP '{day.isoformat()}'"
    formal = " AND formal IS TRUE" if formal_only else ""
    return f"""
        SELECT pilot, person_id, formal,
               intake_date <= {d} AS in_scope,
               coalesce(intake_date <= {d} AND exit_date <= {d}, FALSE) AS exited,
               reason, scenario,
               (intake_date <= {d} AND scenario <> -1
                AND coalesce(scenario_date <= {d}, TRUE)) AS scenario_set
        FROM t WHERE pilot >= 0{formal}
    """


_DATABASE: list[duckdb.DuckDBPyConnection] = []


def _connect(table: pa.Table) -> duckdb.DuckDBPyConnection:
    """A cursor on the process's in-memory database with ``table`` registered as ``t``.

    Each call gets its own cursor (its own temporary views and registrations),
    so calls do not see each other's tables; opening a cursor is much cheaper
    than opening a database.
    """
    if not _DATABASE:
        _DATABASE.append(duckdb.connect(":memory:"))
    con = _DATABASE[0].cursor()
    con.register("t", table)
    return con


def _sums(where: np.ndarray, n: np.ndarray, size: int, mask: np.ndarray) -> np.ndarray:
    """Sum of ``n`` per pilot position ``where`` (-1: not a chosen pilot) over ``mask``."""
    keep = mask & (where >= 0)
    return np.bincount(where[keep], weights=n[keep], minlength=size).astype(np.int64)


def _positions(cells: pd.DataFrame, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Pilot position (the code of the coded table) and count ``n`` of each cell."""
    return cells["pilot"].to_numpy(dtype=np.int64), cells["n"].to_numpy(dtype=np.int64)


def _from_cells(cells: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Counts per pilot (all of :data:`_COUNT_COLUMNS` but ``persons``) from the state cells."""
    where, n = _positions(cells, index)
    flag = {c: cells[c].to_numpy(dtype=bool) for c in ("formal", "informal", "in_scope", "exited", "scenario_set")}
    scope = flag["in_scope"]
    masks = {
        "intake": scope,
        "intake_formal": scope & flag["formal"],
        "intake_informal": scope & flag["informal"],
        "present": scope & ~flag["exited"],
        "exited": flag["exited"],
        "not_yet_started": ~scope,
        "scenarios": flag["scenario_set"],
    }
    columns = {"persons": np.zeros(len(index), dtype=np.int64)}
    columns.update({k: _sums(where, n, len(index), m) for k, m in masks.items()})
    return pd.DataFrame(columns, index=index)


def _per(cells: pd.DataFrame, flag: str, key: str, codes: list[int], index: pd.Index) -> pd.DataFrame:
    """Pilot x code sums of ``n`` over the cells where ``flag`` holds (codes in the given order)."""
    where, n = _positions(cells, index)
    chosen = cells[flag].to_numpy(dtype=bool)
    values = cells[key].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {code: _sums(where, n, len(index), chosen & (values == code)) for code in codes}, index=index, columns=codes
    )


def pilot_counts(frame: pd.DataFrame, day: pd.Timestamp, formal_only: bool, pilots: Sequence[str]) -> PilotCounts:
    """Count the states at the peildatum per pilot, in DuckDB.

    Parameters
    ----------
    frame
        Typed monitor frame that passed :func:`lvv_eval.stats.counts.check_frame`
        and :func:`supports`.
    day
        Peildatum (day precision).
    formal_only
        Keep only rows with ``formal_status`` True.
    pilots
        Pilots to count (rows of other pilots are in no count, nor in the total).

    Returns
    -------
    PilotCounts
    """
    con = _connect(_coded_table(frame, pilots))
    try:
        con.execute(f"CREATE TEMP VIEW s AS {_states_sql(day.date(), formal_only)}")
        cells = con.execute("""
            SELECT pilot, formal IS TRUE AS formal, formal IS FALSE AS informal, in_scope,
                   exited, reason, scenario_set, scenario, count(*) AS n
            FROM s GROUP BY ALL
        """).df()
        persons = _persons(con, len(pilots))
    finally:
        con.close()
    index = pd.Index(list(pilots), dtype=object)
    main = _from_cells(cells, index)
    main["persons"] = persons[:-1]
    codes = list(EXIT_REASON_CODES)
    exits = _per(cells, "exited", "reason", list(range(len(codes))), index).set_axis(codes, axis=1)
    scenarios = _per(cells, "scenario_set", "scenario", list(range(len(SCENARIO_CODES))), index).set_axis(
        list(SCENARIO_CODES), axis=1
    )
    per_pilot = main[list(_COUNT_COLUMNS)]
    total = per_pilot.sum().astype("int64")
    total["persons"] = int(persons[-1])
    return PilotCounts(per_pilot, total, exits, scenarios)


def _persons(con: duckdb.DuckDBPyConnection, n_pilots: int) -> np.ndarray:
    """Distinct ``person_id`` in scope per pilot position, then over all pilots (last entry).

    With at most 63 pilots one pass groups by person and marks the pilots
    each person was in (a bit mask); otherwise per pilot and in total.
    """
    out = np.zeros(n_pilots + 1, dtype=np.int64)
    if n_pilots <= 63:
        masks = con.execute("""
            SELECT m, count(*) AS n FROM (
                SELECT bit_or(CAST(1 AS UBIGINT) << CAST(pilot AS UBIGINT)) AS m FROM s
                WHERE in_scope AND person_id IS NOT NULL GROUP BY person_id)
            GROUP BY m
        """).fetchall()
        for mask, n in masks:
            bits = [i for i in range(n_pilots) if (int(mask) >> i) & 1]
            out[bits] += int(n)
            out[-1] += int(n)
        return out
    rows = con.execute("""
        SELECT pilot, count(DISTINCT person_id) FROM s WHERE in_scope GROUP BY pilot
        UNION ALL SELECT -1, count(DISTINCT person_id) FROM s WHERE in_scope
    """).fetchall()
    for pilot, n in rows:
        out[int(pilot) if pilot >= 0 else -1] = int(n)
    return out


def event_inputs(frame: pd.DataFrame, day: pd.Timestamp, formal_only: bool) -> dict[str, np.ndarray]:
    """Per in-scope trajectory: row position, exited flag, days to exit or peildatum, exit code.

    The inputs of the survival estimators (:mod:`lvv_eval.stats.survival`), in
    frame order.

    Parameters
    ----------
    frame
        Typed monitor frame that passed :func:`supports`.
    day
        Peildatum (day precision); trajectories still present are censored there.
    formal_only
        Keep only rows with ``formal_status`` True.

    Returns
    -------
    dict
        ``position`` (int64, row position in ``frame``), ``exited`` (bool),
        ``time_days`` (int64: exit_date - intake_date for exits, peildatum -
        intake_date otherwise, whole days) and ``exit_code`` (int64 index into
        :data:`lvv_eval.reference.taxonomy.EXIT_REASON_CODES`, -1 when not exited).
    """
    table = pa.table(
        {
            "pos": pa.array(np.arange(len(frame), dtype=np.int64)),
            "intake_date": _arrow(frame["intake_date"]),
            "exit_date": _arrow(frame["exit_date"]),
            "reason": pa.array(_codes(frame["exit_reason"], EXIT_REASON_CODES)),
            "formal": _arrow(frame["formal_status"]),
        }
    )
    d = f"DATE '{day.date().isoformat()}'"
    stamp = f"TIMESTAMP '{day.date().isoformat()}'"
    where = f"intake_date <= {stamp}"
    if formal_only:
        where += " AND formal IS TRUE"
    con = _connect(table)
    try:
        out = con.execute(f"""
            WITH r AS (
                SELECT pos, CAST(intake_date AS DATE) AS i, CAST(exit_date AS DATE) AS e,
                       coalesce(exit_date <= {stamp}, FALSE) AS exited, reason
                FROM t WHERE {where}
            )
            SELECT pos, exited,
                   CASE WHEN exited THEN date_diff('day', i, e)
                        ELSE date_diff('day', i, {d}) END AS time_days,
                   CASE WHEN exited THEN reason ELSE -1 END AS exit_code
            FROM r ORDER BY pos
        """).fetchnumpy()
    finally:
        con.close()
    return {
        "position": np.asarray(out["pos"], dtype=np.int64),
        "exited": np.asarray(out["exited"], dtype=bool),
        "time_days": np.asarray(out["time_days"], dtype=np.int64),
        "exit_code": np.asarray(out["exit_code"], dtype=np.int64),
    }
