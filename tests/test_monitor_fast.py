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

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from lvv_eval.errors import LvvEvalError
from lvv_eval.reference import monitor_format as schema
from lvv_eval.sources import monitor_rules
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


@pytest.mark.parametrize("seed", range(0, 150, 10))
def test_the_rules_in_threads_give_what_they_give_one_after_another(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate_columns runs its parsers and checks in threads; one thread gives the same result."""
    path = _random_file(tmp_path / f"m{seed}.csv", seed)
    kind_threads, threads = _outcome(path, True, export_date="2020-06-30")
    monkeypatch.setattr(monitor_rules, "_WORKERS", 1)
    kind_one, one = _outcome(path, True, export_date="2020-06-30")
    assert kind_threads == kind_one
    if kind_one == "data":
        _assert_same_data(threads, one)
    else:
        assert type(threads) is type(one) and str(threads) == str(one)
        assert getattr(threads, "problems", None) == getattr(one, "problems", None)


def test_a_column_s_missing_mask_is_computed_once_and_cannot_be_changed() -> None:
    col = RawColumn.from_arrow(pa.array(["a", "", " ", "b", ""], pa.string()))
    assert col.missing.tolist() == [False, True, True, False, True]
    assert col.missing is col.missing
    with pytest.raises(ValueError):
        col.missing[0] = True
    kept = col.subset(np.array([True, False, True, True, False]))
    assert kept.missing.tolist() == [False, True, False]
    assert col.subset(np.ones(5, dtype=bool)).missing is col.missing


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


def test_identifier_cells_give_the_same_text_column_as_the_distinct_values() -> None:
    """A mostly distinct column keeps its cells; the text per row is the same as taken by code."""
    from lvv_eval.sources.monitor_rules import _string_array

    for values in (
        ["P3", "P1", "", "P2", "P1"],  # mostly distinct, an empty cell: NA
        ["T0000003", "T0000001", "T0000002"],  # one width, all distinct
        ["T1", "T2", "T3", "T4"],  # sorted: codes 0..n-1
        ["a ", "b", "c"],  # a value to strip: not the cells
    ):
        fast = RawColumn.from_arrow(pa.array(values, pa.string()))
        ref = RawColumn(pd.Series(values, dtype=object))
        pd.testing.assert_extension_array_equal(_string_array(fast, None), _string_array(ref, None))
    assert RawColumn.from_arrow(pa.array(["P3", "P1", "P2"])).row_cells is not None
    assert RawColumn.from_arrow(pa.array(["x", "x", "x", "y"])).row_cells is None  # few distinct values
    assert RawColumn.from_arrow(pa.array(["a ", "b", "c"])).row_cells is None  # stripped


# --------------------------------------------------------------------------- plain ASCII files
def _tables_equal(a, b) -> None:
    assert a.headers == b.headers and a.notes == b.notes and a.problems == b.problems
    assert (a.encoding, a.header_row, a.delimiter) == (b.encoding, b.header_row, b.delimiter)
    assert a.row_numbers.tolist() == b.row_numbers.tolist()
    assert a.raw_columns().keys() == b.raw_columns().keys()
    for pos, col in a.raw_columns().items():
        other = b.raw_columns()[pos]
        assert col.codes.tolist() == other.codes.tolist()
        assert col.uniques.tolist() == other.uniques.tolist()


@pytest.mark.parametrize(
    "text",
    [
        "trajectory_id,person_id,pilot\nT1,P1,utrecht\nT2,P2,amsterdam\n",  # plain
        "sep=;\ntrajectory_id;person_id;pilot\nT1;P1;utrecht\n",  # a sep= line
        "Monitor\n" * 60 + "trajectory_id,person_id,pilot\nT1,P1,utrecht\n",  # header beyond the scan
        ("x" * 3000 + "\n") * 55 + "trajectory_id,person_id,pilot\nT1,P1,utrecht\n",  # head > 64 KB
        "trajectory_id,person_id,pilot\rT1,P1,utrecht\rT2,P2,x\r",  # no \n at all
        'trajectory_id,person_id,pilot\nT1,"P1\nP2",utrecht\nT2,P2\n',  # a quoted line end, a short row
        "\n\ntrajectory_id,person_id,pilot\nT1,P1,utrecht\n",  # blank lines first
    ],
)
def test_a_plain_ascii_file_reads_the_same_from_the_buffer(tmp_path: Path, text: str) -> None:
    """ASCII files are read from pyarrow's buffer without decoding them whole; same table as from bytes."""
    from lvv_eval.sources.monitor import _read_ascii_csv, _read_file

    path = tmp_path / "m.csv"
    path.write_bytes(text.encode("ascii"))
    options = ReadOptions(known_headers=frozenset(HEADER_LOOKUP))
    buffer = _read_file(path)
    assert buffer.to_pybytes() == path.read_bytes()
    try:
        taken = _read_ascii_csv(path, buffer, options) is not None
    except LvvEvalError:  # read from the buffer, and refused as the general way refuses it
        taken = True
    assert taken == bool(text.strip())
    outcomes = []
    for data in (buffer, path.read_bytes()):
        try:
            outcomes.append(read_table(path, data, options, fast=True))
        except LvvEvalError as exc:
            outcomes.append(str(exc))
    if isinstance(outcomes[0], str):
        assert outcomes[0] == outcomes[1]
    else:
        _tables_equal(*outcomes)
    _assert_same(path)


@pytest.mark.parametrize(
    "data",
    [
        "trajectory_id,person_id\nT1,caf\u00e9\n".encode(),  # UTF-8, not ASCII
        b"trajectory_id,person_id\nT1,P\x001\n",  # a NUL byte
        b"PK\x03\x04 not a zip",  # the mark of a zip file
        b"",  # empty
        b"   \n  ",  # blank
    ],
)
def test_other_files_take_the_general_way(tmp_path: Path, data: bytes) -> None:
    from lvv_eval.sources.monitor import _read_ascii_csv, _read_file

    path = tmp_path / "m.csv"
    path.write_bytes(data)
    options = ReadOptions(known_headers=frozenset(HEADER_LOOKUP))
    assert _read_ascii_csv(path, _read_file(path), options) is None
    _assert_same(path)


# --------------------------------------------------------------------------- overlapping stays
def _day(text: str) -> dt.date | None:
    from lvv_eval.sources.monitor_rules import _INVALID, parse_date

    value = parse_date(text) if text.strip() else None
    return None if value is None or value is _INVALID else pd.Timestamp(value).date()


def _overlaps_by_hand(cells: dict[str, list[str]], rows: np.ndarray) -> dict[int, str]:
    """Row index -> detail of the overlapping-stays rule, from its definition (pairwise, per person).

    People and trajectories are told apart by their cells as written (``" P1 "``
    is not ``"P1"``), as the reader factorises them.
    """
    n = len(rows)
    seen: set[str] = set()
    stays: dict[str, list[tuple[dt.date, int, dt.date | None]]] = {}
    for i in range(n):
        traj, person = cells["trajectory_id"][i], cells["person_id"][i]
        first = not traj.strip() or traj not in seen
        seen.add(traj)
        start, exit_text = _day(cells["intake_date"][i]), cells["exit_date"][i].strip()
        end = _day(exit_text)
        if not person.strip() or start is None or not first or (exit_text and (end is None or end <= start)):
            continue
        stays.setdefault(person, []).append((start, i, end))

    def describe(stay: tuple[dt.date, int, dt.date | None]) -> str:
        start, i, end = stay
        return f"row {rows[i]} [{start.isoformat()}, {end.isoformat() if end else 'open'})"

    def ends(stay: tuple[dt.date, int, dt.date | None]) -> dt.date:
        return stay[2] or dt.date.max

    found = {}
    for person_stays in stays.values():
        ordered = sorted(person_stays, key=lambda s: (s[0], s[1]))
        for k, stay in enumerate(ordered):
            later = [s for s in ordered[k + 1 :] if s[0] < ends(stay)]
            partners = later[:3]
            if k:
                latest = max(range(k), key=lambda j: (ends(ordered[j]), j))
                if ends(ordered[latest]) > stay[0]:
                    partners.append(ordered[latest])
            if partners:
                more = len(later) - min(len(later), 3)
                found[stay[1]] = (
                    describe(stay)
                    + " overlaps "
                    + ", ".join(describe(s) for s in sorted(partners, key=lambda s: s[1]))
                    + (f" and {more} more" if more else "")
                )
    return found


@pytest.mark.parametrize("seed", range(40))
def test_overlapping_stays_match_their_definition(seed: int) -> None:
    from lvv_eval.reference import taxonomy
    from lvv_eval.sources.monitor_rules import validate_columns

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 80))
    days = ["2019-04-01", "2019-05-01", "01-06-2019", "2020-01-01", "1700-01-01", "2250-12-31", "x", "2021-02-30"]
    cells = {
        "trajectory_id": [
            str(rng.choice([f"T{i}", f"T{rng.integers(0, n)}", ""], p=[0.8, 0.15, 0.05])) for i in range(n)
        ],
        "person_id": [
            str(rng.choice([f"P{rng.integers(0, 1 + n // 4)}", " P1 ", ""], p=[0.9, 0.05, 0.05])) for _ in range(n)
        ],
        "intake_date": [str(rng.choice(days + [""])) for _ in range(n)],
        "exit_date": [str(rng.choice(days + ["", "", ""])) for _ in range(n)],
    }
    rows = np.arange(2, 2 + n)
    result = validate_columns(
        {name: pd.Series(values, dtype=object) for name, values in cells.items()},
        rows,
        pilots=["utrecht"],
        lookup_exit_reason=taxonomy.lookup_exit_reason,
        closest_exit_reasons=taxonomy.closest_exit_reasons,
        exit_reason_codes=taxonomy.EXIT_REASON_CODES,
    )
    found = {
        int(r): d for f in result.findings if f.rule == "overlapping_stays" for r, d in zip(f.rows, f.details or [])
    }
    assert found == _overlaps_by_hand(cells, rows)
