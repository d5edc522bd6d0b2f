"""The pyarrow CSV reader of ``read_monitor`` gives exactly what the reference reader gives.

``read_monitor(path)`` reads the cells of a CSV file with pyarrow and factorises
them in Arrow (``fast=True``, the default); ``fast=False`` is the reference
reader (pandas' C parser, then :class:`~lvv_eval.sources.monitor_rules.RawColumn`
on pandas). Both must give the same :class:`MonitorData` (frame, exclusions,
problems, flow, notes, source, identifiers) or the same error with the same
problems and notes, on the committed fixtures and on seeded random files, valid
and invalid, in every dialect the reader accepts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from lvv_eval.errors import LvvEvalError
from lvv_eval.reference import monitor_format as schema
from lvv_eval.sources.monitor import HEADER_LOOKUP, MonitorData, ReadOptions, read_monitor, read_table
from lvv_eval.sources.monitor_rules import RawColumn

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "monitor").glob("*.csv"))
SYNTHETIC = ROOT / "data" / "synthetic" / "monitor_synthetic.csv"


def _outcome(path: Path, fast: bool, **kwargs: object) -> tuple[str, object]:
    try:
        return "data", read_monitor(path, strict=False, fast=fast, **kwargs)
    except LvvEvalError as exc:
        return "error", exc


def _assert_same_data(a: MonitorData, b: MonitorData) -> None:
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    pd.testing.assert_frame_equal(a.exclusions, b.exclusions, check_exact=True)
    pd.testing.assert_frame_equal(a.flow, b.flow, check_exact=True)
    assert a.problems == b.problems
    assert a.notes == b.notes
    assert a.source == b.source
    assert a.identifiers == b.identifiers
    assert a.export_date == b.export_date


def _assert_same(path: Path, **kwargs: object) -> str:
    kind_fast, fast = _outcome(path, True, **kwargs)
    kind_ref, ref = _outcome(path, False, **kwargs)
    assert kind_fast == kind_ref, (path, fast, ref)
    if kind_fast == "data":
        _assert_same_data(fast, ref)
    else:
        assert type(fast) is type(ref) and str(fast) == str(ref)
        for attribute in ("problems", "notes", "identifiers"):
            assert getattr(fast, attribute, None) == getattr(ref, attribute, None)
    return kind_fast


@pytest.mark.parametrize("path", FIXTURES + [SYNTHETIC], ids=lambda p: p.name)
def test_the_committed_files_read_the_same_both_ways(path: Path) -> None:
    assert _assert_same(path) == "data"
    assert _assert_same(path, export_date="2021-01-01") == "data"


# --------------------------------------------------------------------------- random files
_GOOD = {
    "trajectory_id": lambda r, i: f"T{i:07d}",
    "person_id": lambda r, i: f"P{r.integers(0, 40):03d}",
    "pilot": lambda r, i: r.choice(["amsterdam", "utrecht", "Eindhoven", " rotterdam"]),
    "intake_date": lambda r, i: r.choice(["2019-04-01", "15-06-2019", "2020-01-31"]),
    "exit_date": lambda r, i: r.choice(["", "2020-02-01", "01/03/2021"]),
    "exit_reason": lambda r, i: r.choice(["", "residence_permit", "MOB", "deceased"]),
    "formal_status": lambda r, i: r.choice(["true", "ja", "nee", "0"]),
    "scenario": lambda r, i: r.choice(["", "departure", "verblijf"]),
    "scenario_date": lambda r, i: r.choice(["", "2019-05-01"]),
    "sex": lambda r, i: r.choice(["m", "v", "X", ""]),
    "birth_year": lambda r, i: r.choice(["1980", "1990,0", ""]),
    "nationality": lambda r, i: r.choice(["IRQ", "eri", ""]),
    "family": lambda r, i: r.choice(["false", "yes"]),
    "safe_country": lambda r, i: r.choice(["false", "nee"]),
    "prior_departure_procedures": lambda r, i: r.choice(["0", "2", ""]),
    "mrt": lambda r, i: r.choice(["false", "1"]),
}
_BAD = [
    "",
    " ",
    "x",
    "2019-02-30",
    "Amsterdm",
    "1.000",
    "-3",
    "2,5",
    "?",
    "caf\u00e9",
    "\u00a0m\u00a0",
    "\u2013",
    "2035-01-01",
    "2010-01-01",
    "T0000001",
    "\ufffd",
    'with "quotes"',
    "a,b",
    "a;b",
    "line\nbreak",
    "  padded  ",
]


def _random_file(path: Path, seed: int) -> Path:
    """A monitor file in a random dialect, with random broken cells and odd rows."""
    rng = np.random.default_rng(seed)
    columns = list(schema.COLUMN_NAMES)
    if rng.random() < 0.3:
        columns = columns[:7] + list(rng.permutation(columns[7:])[: rng.integers(0, 9)])
    if rng.random() < 0.2:
        columns.append(str(rng.choice(["opmerking", "Naam", "BSN", "extra"])))
    delimiter = str(rng.choice([",", ";", "\t"]))
    newline = str(rng.choice(["\n", "\r\n", "\r"], p=[0.6, 0.35, 0.05]))
    odd = rng.random() < 0.4  # rows pyarrow does not read as pandas does: the reference reader
    rows = []
    for i in range(int(rng.integers(0, 40))):
        row = [_GOOD[c](rng, i) if c in _GOOD else str(rng.choice(["x", "", "Jan"])) for c in columns]
        for j in range(len(row)):
            if rng.random() < 0.04:
                row[j] = str(rng.choice(_BAD))
        shape = rng.random() if odd else 1.0
        if shape < 0.03 or rng.random() < 0.02:
            row = []  # a blank line
        elif shape < 0.05:
            row = row[: int(rng.integers(1, len(row)))]  # too few fields
        elif shape < 0.06:
            row = row + ["surplus"]  # too many fields
        elif shape < 0.08:
            row = [""] * len(row)  # a row of separators
        rows.append(row)

    def quote(cell: str) -> str:
        if any(ch in cell for ch in (delimiter, '"', "\n", "\r")) or rng.random() < 0.02:
            return '"' + cell.replace('"', '""') + '"'
        return cell

    lines = [delimiter.join(quote(c) for c in columns)]
    lines += [delimiter.join(quote(c) for c in row) for row in rows]
    if rng.random() < 0.2:
        lines = ["Monitor LVV, export", ""] + lines  # title rows above the header
    if rng.random() < 0.15:
        lines = [f"sep={delimiter}"] + lines
    text = newline.join(lines) + (newline if rng.random() < 0.8 else "")
    if rng.random() < 0.01:
        text += '"unclosed'
    encoding = str(rng.choice(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("seed", range(150))
def test_random_files_read_the_same_both_ways(tmp_path: Path, seed: int) -> None:
    path = _random_file(tmp_path / f"m{seed}.csv", seed)
    _assert_same(path, export_date="2024-12-31" if seed % 2 else None)


def test_the_random_files_take_both_readers_and_hold_problems(tmp_path: Path) -> None:
    """The generator makes files pyarrow reads, files it leaves to pandas, and invalid rows."""
    options = ReadOptions(known_headers=frozenset(HEADER_LOOKUP))
    kinds = {"pyarrow": 0, "reference": 0, "unreadable": 0, "problems": 0}
    for seed in range(150):
        path = _random_file(tmp_path / f"m{seed}.csv", seed)
        try:
            table = read_table(path, path.read_bytes(), options, fast=True)
        except LvvEvalError:
            kinds["unreadable"] += 1
            continue
        kinds["pyarrow" if table.columns is not None else "reference"] += 1
        kind, result = _outcome(path, True)
        kinds["problems"] += kind == "error" or bool(result.problems)
    assert kinds["pyarrow"] >= 60 and kinds["reference"] >= 10 and kinds["problems"] >= 60, kinds


# --------------------------------------------------------------------------- the factoriser
@pytest.mark.parametrize(
    "values",
    [
        ["T0000002", "T0000001", "T0000002", "T0000003"],  # one width: 64-bit keys
        ["b", " a", "a ", "", "b", "\u00a0c", "c\t", "x y"],  # strip, several widths
        ["A1", "A2", "B0", "B1"],  # one width, sorted: all distinct
        ["A1", "A2", "A2", "B1"],  # one width, sorted but repeated
        [" A1", " A2", "B 1"],  # one width, sorted, stripped
        ["abcdefghi", "abcdefghi", "z"],  # longer than 8 bytes
        ["\u00e9t\u00e9", "\u00e9t\u00e9", "\u00e0  "],  # multi-byte characters
        [],
    ],
)
def test_from_arrow_equals_the_pandas_factorisation(values: list[str]) -> None:
    for cells in (
        pa.array(values, pa.string()),
        pa.array(["head"] + values, pa.string()).slice(1),
        pa.chunked_array([pa.array(values[:2], pa.string()), pa.array(values[2:], pa.string())]),
    ):
        fast = RawColumn.from_arrow(cells)
        ref = RawColumn(pd.Series(values, dtype=object))
        assert fast.codes.tolist() == ref.codes.tolist()
        assert fast.uniques.tolist() == ref.uniques.tolist()
        assert fast.missing_unique.tolist() == ref.missing_unique.tolist()
