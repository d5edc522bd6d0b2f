"""The DuckDB engine gives exactly the pandas results (lvv_eval.stats.engine).

Every public count of :mod:`lvv_eval.stats.counts` and the survival inputs of
:mod:`lvv_eval.stats.survival` are computed twice: through the engine (typed frames
take it) and through the pandas implementation (forced by making
``engine.supports`` refuse every frame). The two must be equal in values,
dtypes, row order and column order, on the committed synthetic data at the
three peildata under every scheme, and on random frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lvv_eval.errors import ConfigError
from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE
from lvv_eval.reference.monitor_format import COLUMN_NAMES, SCENARIO_CODES, empty_monitor_frame
from lvv_eval.reference.schemes import list_schemes, load_scheme
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.sources.monitor import read_monitor
from lvv_eval.stats import counts as aggregate
from lvv_eval.stats import engine, survival

PEILDATA = ("2019-12-31", "2020-11-01", "2022-07-01")
SCHEMES = [None, *list_schemes()]
_LOADED = {name: load_scheme(name) for name in SCHEMES if name}


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return read_monitor(DEFAULT_SYNTHETIC_FILE).frame


def _both(monkeypatch: pytest.MonkeyPatch, compute):
    """(engine result, pandas result) of ``compute()``."""
    with monkeypatch.context() as patch:
        fast = compute()
        patch.setattr(engine, "supports", lambda frame: False)
        slow = compute()
    return fast, slow


def _equal(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    assert list(fast.columns) == list(slow.columns)
    assert list(fast.dtypes.astype(str)) == list(slow.dtypes.astype(str))
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def _all_outputs(
    frame: pd.DataFrame, peildatum: str, scheme_name: str | None, formal_only: bool, pilots=None
) -> dict[str, pd.DataFrame]:
    scheme = _LOADED[scheme_name] if scheme_name else None
    out = {
        "to_figures": aggregate.to_figures(frame, peildatum, scheme=scheme, formal_only=formal_only, pilots=pilots),
        "pilot_table": aggregate.pilot_table(frame, peildatum, scheme=scheme, formal_only=formal_only, pilots=pilots),
        "flow": aggregate.flow(frame, peildatum, scheme=scheme, formal_only=formal_only, pilots=pilots),
        "events": survival._event_frame(
            frame, peildatum, scheme, formal_only, extra=["intake_date", "sex", "birth_year"]
        ),
    }
    if scheme is not None:
        out["time_to_event"] = survival.time_to_event_frame(frame, peildatum, scheme, formal_only=formal_only)
    return out


def _assert_same(monkeypatch, frame, peildatum, scheme_name, formal_only, pilots=None):
    fast, slow = _both(monkeypatch, lambda: _all_outputs(frame, peildatum, scheme_name, formal_only, pilots))
    assert fast.keys() == slow.keys()
    for name in fast:
        _equal(fast[name], slow[name])


def test_synthetic_frame_takes_the_engine(synthetic):
    assert engine.supports(synthetic)


@pytest.mark.parametrize("peildatum", PEILDATA)
@pytest.mark.parametrize("scheme_name", SCHEMES)
@pytest.mark.parametrize("formal_only", [False, True])
def test_engine_equals_pandas_on_committed_synthetic(monkeypatch, synthetic, peildatum, scheme_name, formal_only):
    _assert_same(monkeypatch, synthetic, peildatum, scheme_name, formal_only)


def test_survival_estimates_equal_on_committed_synthetic(monkeypatch, synthetic):
    scheme = load_scheme("verwey-jonker-2021")
    fast, slow = _both(
        monkeypatch,
        lambda: (
            survival.cumulative_incidence(synthetic, "2022-07-01", scheme),
            survival.length_of_stay(synthetic, "2020-11-01"),
            survival.fixed_horizon_shares(synthetic, "2022-07-01", scheme),
        ),
    )
    for a, b in zip(fast, slow):
        _equal(a, b)


def random_frame(seed: int, n: int) -> pd.DataFrame:
    """A typed monitor frame with random values, missing values and ties on the peildata."""
    rng = np.random.default_rng(seed)
    template = empty_monitor_frame()
    pilots = list(template["pilot"].cat.categories)
    days = pd.to_datetime(["2019-12-31", "2020-11-01", "2022-07-01"]).to_numpy("datetime64[D]")
    base = np.datetime64("2019-03-01")
    intake = base + rng.integers(0, 1300, n).astype("timedelta64[D]")
    on_peil = rng.random(n) < 0.1
    intake[on_peil] = rng.choice(days, on_peil.sum())
    length = rng.integers(0, 600, n).astype("timedelta64[D]")
    exit_ = intake + length
    open_ = rng.random(n) < 0.35
    exit_on_peil = (rng.random(n) < 0.1) & ~open_
    exit_[exit_on_peil] = np.maximum(rng.choice(days, exit_on_peil.sum()), intake[exit_on_peil])
    reason = rng.integers(0, len(EXIT_REASON_CODES), n)
    reason[open_] = -1
    scenario = rng.integers(-1, len(SCENARIO_CODES), n)
    sdate = intake + rng.integers(0, 400, n).astype("timedelta64[D]")
    sdate_missing = rng.random(n) < 0.3
    formal = rng.random(n) < 0.8
    frame = pd.DataFrame(
        {
            "trajectory_id": pd.array([f"T{i:05d}" for i in rng.permutation(n)], dtype="string"),
            "person_id": pd.array([f"P{i:04d}" for i in rng.integers(0, max(n // 2, 1), n)], dtype="string"),
            "pilot": pd.Categorical.from_codes(rng.integers(0, len(pilots), n), categories=pilots),
            "intake_date": pd.Series(intake.astype("datetime64[us]")),
            "exit_date": pd.Series(np.where(open_, np.datetime64("NaT"), exit_).astype("datetime64[us]")),
            "exit_reason": pd.Categorical.from_codes(reason, categories=list(EXIT_REASON_CODES)),
            "formal_status": pd.array(formal, dtype="boolean"),
            "scenario": pd.Categorical.from_codes(scenario, categories=list(SCENARIO_CODES)),
            "scenario_date": pd.Series(np.where(sdate_missing, np.datetime64("NaT"), sdate).astype("datetime64[us]")),
        }
    )
    missing_person = rng.random(n) < 0.05
    frame.loc[missing_person, "person_id"] = pd.NA
    for column in COLUMN_NAMES:
        if column not in frame.columns:
            frame[column] = template[column].reindex(range(n))
    return frame[list(COLUMN_NAMES)]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("scheme_name", SCHEMES)
def test_engine_equals_pandas_on_random_frames(monkeypatch, seed, scheme_name):
    frame = random_frame(seed, 400 + 150 * seed)
    assert engine.supports(frame)
    for peildatum in PEILDATA:
        for formal_only in (False, True):
            _assert_same(monkeypatch, frame, peildatum, scheme_name, formal_only)


@pytest.mark.parametrize("seed", [5, 6])
def test_engine_equals_pandas_with_chosen_pilots_and_index(monkeypatch, seed):
    frame = random_frame(seed, 300)
    frame.index = frame.index * 3 + 7  # not a range index: row labels must not matter
    frame = frame.iloc[::-1]
    _assert_same(monkeypatch, frame, "2020-11-01", "regioplan-2020", False, pilots=["Utrecht ", "groningen", "nowhere"])


def test_engine_equals_pandas_without_optional_columns(monkeypatch):
    frame = random_frame(7, 300).drop(columns=["scenario_date"])
    _assert_same(monkeypatch, frame, "2020-11-01", None, False)
    frame = frame.drop(columns=["scenario"])
    _assert_same(monkeypatch, frame, "2022-07-01", None, True)


def test_engine_equals_pandas_on_empty_frame(monkeypatch):
    frame = empty_monitor_frame()
    _assert_same(monkeypatch, frame, "2020-11-01", "monitor-2020", False)


def test_engine_refuses_unknown_codes_so_pandas_reports_them():
    frame = random_frame(8, 50)
    frame["exit_reason"] = frame["exit_reason"].astype("string")
    frame.loc[frame["exit_reason"].notna().to_numpy().nonzero()[0][0], "exit_reason"] = "gone"
    assert not engine.supports(frame)
    assert engine.supports(random_frame(8, 50))


def test_scheme_without_a_code_raises_the_same_error(monkeypatch):
    frame = random_frame(9, 200)

    class Partial:
        name = "partial"
        class_ids = ("durable", "none")

        def classify(self, codes: pd.Series) -> pd.Series:
            mapping = {c: "none" for c in EXIT_REASON_CODES if c != "deceased"}
            mapping["residence_permit"] = "durable"
            return codes.astype("string").map(mapping)

    messages = []
    for refuse in (False, True):
        with monkeypatch.context() as patch:
            if refuse:
                patch.setattr(engine, "supports", lambda f: False)
            for call in (
                lambda: aggregate.to_figures(frame, "2022-07-01", scheme=Partial()),
                lambda: aggregate.flow(frame, "2022-07-01", scheme=Partial()),
                lambda: survival.time_to_event_frame(frame, "2022-07-01", Partial()),
            ):
                with pytest.raises(ConfigError) as info:
                    call()
                messages.append(str(info.value))
    assert messages[:3] == messages[3:]
    assert "deceased" in messages[0]


def test_engine_equals_pandas_with_many_pilots(monkeypatch):
    """More than 63 pilots: distinct people are counted per pilot, not by bit mask."""
    frame = random_frame(10, 600)
    names = np.array([f"site{i:02d}" for i in range(70)], dtype=object)
    frame["pilot"] = pd.Categorical(np.random.default_rng(10).choice(names, len(frame)))
    _assert_same(monkeypatch, frame, "2020-11-01", "regioplan-2022", False)
    _assert_same(monkeypatch, frame, "2022-07-01", None, True, pilots=list(names[:64]))


def test_non_text_categories_take_the_pandas_path(monkeypatch):
    frame = random_frame(17, 80)
    codes = frame["person_id"].astype("string").str[1:].astype(float).astype("Int64")
    frame["person_id"] = pd.Categorical(codes.astype(object).where(codes.notna(), None))
    assert not engine.supports(frame)
    fast, slow = _both(monkeypatch, lambda: aggregate.to_figures(frame, "2022-07-01"))
    _equal(fast, slow)
