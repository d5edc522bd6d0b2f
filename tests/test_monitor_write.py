"""The fast canonical writer gives the bytes of lvv_eval.sources.monitor.write_monitor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lvv_eval.errors import InputValidationError
from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE
from lvv_eval.sources.monitor import read_monitor, write_monitor
from lvv_eval.sources.monitor_write import write_monitor_fast
from lvv_eval.synthetic.generator import generate
from test_engine import random_frame


def _same_bytes(frame: pd.DataFrame, tmp_path) -> bytes:
    slow = write_monitor(frame, tmp_path / "slow.csv").read_bytes()
    fast = write_monitor_fast(frame, tmp_path / "sub" / "fast.csv").read_bytes()
    assert fast == slow
    return fast


def test_committed_synthetic_file_is_rewritten_byte_for_byte(tmp_path):
    frame = read_monitor(DEFAULT_SYNTHETIC_FILE).frame
    assert _same_bytes(frame, tmp_path) == DEFAULT_SYNTHETIC_FILE.read_bytes()


def test_generated_frame_at_another_scale(tmp_path):
    _same_bytes(generate(seed=3, scale=2.5), tmp_path)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_frames_with_awkward_text(tmp_path, seed):
    rng = np.random.default_rng(seed)
    frame = random_frame(seed, 500)
    pieces = np.array(["a", ",", '"', "\n", "\r", " ", "é", "ß", "x,y", '""', "", "🙂"], dtype=object)
    text = ["".join(rng.choice(pieces, rng.integers(0, 4))) for _ in range(len(frame))]
    frame["nationality"] = pd.array(text, dtype="string")
    frame.loc[rng.random(len(frame)) < 0.1, "nationality"] = pd.NA
    ids = frame["trajectory_id"].astype(object).to_numpy().copy()
    ids[rng.random(len(frame)) < 0.05] = None
    ids[:3] = ["B,1", 'B"2', "B\n3"]
    frame["trajectory_id"] = pd.array(ids, dtype="string")
    frame["birth_year"] = pd.array(rng.integers(1940, 2010, len(frame)), dtype="Int64")
    frame.loc[rng.random(len(frame)) < 0.2, "birth_year"] = pd.NA
    frame["family"] = pd.array(rng.choice([True, False, None], len(frame)), dtype="boolean")
    frame["sex"] = pd.Categorical(rng.choice(["m", "f", None], len(frame)), categories=["m", "f", "x,y"])
    frame.index = rng.permutation(len(frame)) + 100
    frame["extra"] = "not written"
    _same_bytes(frame, tmp_path)


def test_object_columns_and_far_dates_take_the_python_rule(tmp_path):
    frame = random_frame(14, 60)
    frame["person_id"] = frame["person_id"].astype(object)
    frame.loc[0:5, "person_id"] = [1, 2.5, "3", None, "a,b", True]
    frame["prior_departure_procedures"] = pd.array(list(range(60)), dtype="Int64")
    frame["exit_date"] = frame["exit_date"].astype("datetime64[s]")
    frame.loc[1, "exit_date"] = pd.Timestamp("0999-12-31").as_unit("s")
    frame["nationality"] = frame["nationality"].astype(object)
    _same_bytes(frame, tmp_path)


def test_empty_frame(tmp_path):
    from lvv_eval.reference.monitor_format import empty_monitor_frame

    _same_bytes(empty_monitor_frame(), tmp_path)


def test_missing_column_is_named(tmp_path):
    frame = random_frame(15, 5).drop(columns=["pilot", "mrt"])
    with pytest.raises(InputValidationError) as info:
        write_monitor_fast(frame, tmp_path / "x.csv")
    text = str(info.value)
    assert "pilot" in text and "mrt" in text
    assert not (tmp_path / "x.csv").exists()


def test_rows_are_written_in_chunks_in_sorted_order(tmp_path, monkeypatch):
    from lvv_eval.sources import monitor_write

    monkeypatch.setattr(monitor_write, "_CHUNK_ROWS", 7)
    frame = random_frame(16, 100)
    _same_bytes(frame, tmp_path)  # unsorted ids
    ordered = frame.sort_values("trajectory_id", ignore_index=True)
    _same_bytes(ordered, tmp_path)  # already sorted: slices
