"""Tests of the synthetic monitor generator and its calibration report.

Published numbers are written here as literals with their seed citation; they
are not read from the files under test.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lvv_eval.cli import main
from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE, SYNTHETIC_DIR
from lvv_eval.reference.monitor_format import COLUMN_NAMES
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.sources import rounding
from lvv_eval.sources.monitor import read_monitor
from lvv_eval.stats.counts import to_figures
from lvv_eval.synthetic.calibration import OK_STATUSES, calibration_report
from lvv_eval.synthetic.generator import generate, scale_counts, write_synthetic
from lvv_eval.synthetic.targets import largest_remainder

DEFAULT_SEED = 20190401


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate(seed=DEFAULT_SEED, scale=1.0)


@pytest.fixture(scope="module")
def report(frame: pd.DataFrame) -> pd.DataFrame:
    return calibration_report(frame)


def _fig(
    frame: pd.DataFrame, peildatum: str, scheme: str | None = None, formal_only: bool = False
) -> dict[tuple[str, str, str], int]:
    sch = load_scheme(scheme) if scheme else None
    tf = to_figures(frame, peildatum, scheme=sch, formal_only=formal_only)
    return {(p, m, c): int(v) for p, m, c, v in tf.itertuples(index=False, name=None)}


def _bytes(tmp_path: Path, name: str, seed: int, scale: float = 1.0) -> bytes:
    path = write_synthetic(generate(seed=seed, scale=scale), tmp_path / name)
    return path.read_bytes()


# ---------------------------------------------------------------- determinism


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    assert _bytes(tmp_path, "a.csv", 7) == _bytes(tmp_path, "b.csv", 7)


def test_different_seed_different_bytes(tmp_path: Path) -> None:
    assert _bytes(tmp_path, "a.csv", 7) != _bytes(tmp_path, "b.csv", 8)


def test_committed_file_equals_fresh_generation(tmp_path: Path) -> None:
    fresh = _bytes(tmp_path, "fresh.csv", DEFAULT_SEED)
    committed = DEFAULT_SYNTHETIC_FILE.read_bytes()
    assert hashlib.sha256(fresh).hexdigest() == hashlib.sha256(committed).hexdigest(), (
        "data/synthetic/monitor_synthetic.csv is stale: run `make synth`"
    )


def test_committed_report_equals_fresh_report(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        calibration_report(frame).to_csv(handle, index=False, lineterminator="\n")
    assert path.read_bytes() == (SYNTHETIC_DIR / "calibration_report.csv").read_bytes()


# ---------------------------------------------------------------- format


def test_output_passes_read_monitor_validation(tmp_path: Path) -> None:
    path = write_synthetic(generate(seed=DEFAULT_SEED), tmp_path / "m.csv")
    data = read_monitor(path, export_date="2022-07-01")
    assert data.is_valid and data.problems == []
    # 004 counts 2065 migrants (persons); 30 of them re-entered, so 2095 trajectories
    assert len(data.frame) == 2095 and data.frame["person_id"].nunique() == 2065
    assert list(data.frame.columns) == list(COLUMN_NAMES)


def test_canonical_header_and_sorted(tmp_path: Path, frame: pd.DataFrame) -> None:
    path = write_synthetic(frame, tmp_path / "m.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(COLUMN_NAMES)
    ids = [line.split(",", 1)[0] for line in lines[1:]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_no_overlapping_stays_and_some_reentries(frame: pd.DataFrame) -> None:
    end = frame["exit_date"].fillna(pd.Timestamp("2262-01-01"))
    df = pd.DataFrame({"p": frame["person_id"], "s": frame["intake_date"], "e": end})
    df = df.sort_values(["p", "s"], kind="stable")
    same = df["p"].eq(df["p"].shift())
    assert not (same & (df["s"] < df["e"].shift())).any()
    assert 20 <= int(same.sum()) <= 40  # re-entries of the same person_id


def test_dates_within_programme_and_not_on_peildata(frame: pd.DataFrame) -> None:
    assert frame["intake_date"].min() >= pd.Timestamp("2019-03-01")  # source 000: from March 2019
    assert frame["exit_date"].max() <= pd.Timestamp("2022-07-01")
    assert ((frame["exit_date"] >= frame["intake_date"]) | frame["exit_date"].isna()).all()
    starts = frame.groupby("pilot", observed=True)["intake_date"].min()
    assert (starts <= pd.Timestamp("2019-08-31")).all()  # source 000: by August 2019
    for day in ("2019-12-31", "2020-11-01", "2022-07-01"):
        for col in ("intake_date", "exit_date", "scenario_date"):
            assert not (frame[col] == pd.Timestamp(day)).any()


# ---------------------------------------------------------------- 2019-12-31 (source 001)


def test_regioplan_2019_tables(frame: pd.DataFrame) -> None:
    f = _fig(frame, "2019-12-31", "regioplan-2020")
    intake = {"amsterdam": 363, "eindhoven": 33, "groningen": 302, "rotterdam": 129, "utrecht": 268}
    occupancy = {"amsterdam": 291, "eindhoven": 30, "groningen": 201, "rotterdam": 73}
    durable = {"amsterdam": 3, "eindhoven": 1, "groningen": 10, "rotterdam": 12, "utrecht": 33}
    for pilot, n in intake.items():  # Tabel S.1
        assert f[(pilot, "intake", "all")] == n
    for pilot, n in occupancy.items():  # Tabel S.1
        assert f[(pilot, "occupancy", "persons")] == n
    for pilot, n in durable.items():  # Tabel S.2
        assert f[(pilot, "outflow", "durable")] == n
    assert f[("amsterdam", "intake", "formal")] == 287
    assert f[("amsterdam", "intake", "informal")] == 76
    assert f[("total", "intake", "formal")] == 1019
    # other outflow as share of intake (paragraph after Tabel S.2)
    assert rounding.rounds_to(f[("groningen", "outflow", "repeat_asylum_application")], 302, 16)
    assert rounding.rounds_to(f[("utrecht", "outflow", "repeat_asylum_application")], 268, 10)
    assert rounding.rounds_to(f[("groningen", "outflow", "left_unknown_destination")], 302, 8)
    assert rounding.rounds_to(f[("rotterdam", "outflow", "left_unknown_destination")], 129, 18)


# ---------------------------------------------------------------- 2020-11-01 (source 002, 000)


def test_monitor_2020(frame: pd.DataFrame) -> None:
    f = _fig(frame, "2020-11-01", "monitor-2020", formal_only=True)
    assert f[("total", "intake", "formal")] == 1310
    assert f[("total", "occupancy", "persons")] == 771
    assert f[("total", "outflow", "durable")] == 107
    assert f[("total", "outflow", "residence_permit")] == 46
    assert f[("total", "outflow", "departure_or_onward_migration")] == 61
    departures = {"amsterdam": 2, "eindhoven": 0, "groningen": 23, "rotterdam": 30, "utrecht": 6}
    for pilot, n in departures.items():
        assert f[(pilot, "outflow", "departure_or_onward_migration")] == n
    assert f[("total", "outflow", "repeat_asylum_application")] == 164
    assert f[("total", "outflow", "departure_postponed_art64")] == 25
    assert f[("total", "outflow", "left_unknown_destination")] == 95
    assert f[("total", "outflow", "returned_to_bbb")] == 7
    assert f[("total", "outflow", "stay_terminated")] == 84
    assert f[("total", "scenarios", "departure")] == 236
    assert f[("total", "scenarios", "residence")] == 235
    scen = {"amsterdam": 75, "eindhoven": 17, "groningen": 98, "rotterdam": 36, "utrecht": 10}
    for pilot, n in scen.items():
        assert f[(pilot, "scenarios", "departure")] == n


def test_verwey_jonker_departure_split(frame: pd.DataFrame) -> None:
    f = _fig(frame, "2020-11-01", "verwey-jonker-2021", formal_only=True)
    assert f[("total", "outflow", "independent_return")] == 50  # source 000
    assert f[("total", "outflow", "onward_migration")] == 2  # source 000
    assert f[("total", "outflow", "forced_return")] == 61 - 50 - 2  # the cause named in 000


def test_2020_people(frame: pd.DataFrame) -> None:
    formal = frame[frame["formal_status"]]
    in_scope = formal["intake_date"] <= pd.Timestamp("2020-11-01")
    assert int((in_scope & formal["mrt"]).sum()) == 10  # source 002: 10 MRT cases
    more5 = (formal.loc[in_scope, "prior_departure_procedures"] > 5).mean()
    assert 0.10 < more5 < 0.15  # source 002: 'ruim 10%'
    assert (formal.loc[in_scope, "prior_departure_procedures"] >= 1).mean() > 0.5
    present = in_scope & ((formal["exit_date"] > pd.Timestamp("2020-11-01")) | formal["exit_date"].isna())
    utrecht_families = int((present & formal["family"] & (formal["pilot"] == "utrecht")).sum())
    assert 15 <= utrecht_families <= 25  # source 002: 'ca. 20 personen'
    returned = formal[
        in_scope
        & formal["exit_reason"].isin(["independent_return", "forced_return"])
        & (formal["exit_date"] <= pd.Timestamp("2020-11-01"))
    ]
    counts = returned["nationality"].value_counts()
    assert counts["ARM"] == 7 and counts["CHN"] == 5 and counts["NGA"] == 4  # source 002
    assert counts.drop(["ARM", "CHN", "NGA"]).max() < 4


# ---------------------------------------------------------------- 2022-07-01 (source 004)


def test_final_evaluation_2022(frame: pd.DataFrame) -> None:
    f = _fig(frame, "2022-07-01", "regioplan-2022")
    # seed 004: 'namen 2065 migranten deel' counts people; the calibrated unit is persons
    assert f[("total", "persons", "all")] == 2065
    assert f[("total", "intake", "all")] == 2065 + 30  # plus the re-entries (config reentries.count)
    assert f[("total", "outflow", "all")] == 1258
    assert rounding.rounds_to(f[("total", "outflow", "durable")], 1258, 18)
    assert rounding.rounds_to(f[("total", "outflow", "semi_durable")], 1258, 41)
    assert rounding.rounds_to(f[("total", "outflow", "none")], 1258, 41)
    # also when forced return counts as durable (programme monitor reading)
    g = _fig(frame, "2022-07-01", "monitor-2020")
    assert rounding.rounds_to(g[("total", "outflow", "durable")], 1258, 18)


# ---------------------------------------------------------------- demographics


def test_demographics_plausible(frame: pd.DataFrame) -> None:
    early = frame[frame["intake_date"] <= pd.Timestamp("2019-12-31")]
    male = early.groupby("pilot", observed=True)["sex"].apply(lambda s: (s == "m").mean())
    assert (male > 0.5).all()  # source 001
    assert male.idxmin() == "utrecht"  # source 001: most women
    age = early["intake_date"].dt.year - early["birth_year"]
    assert 37 <= age.mean() <= 43  # source 001: around forty
    top2019 = early["nationality"].value_counts().index[:3]
    assert set(top2019) == {"IRN", "ERI", "AFG"}  # source 001
    fam = frame[frame["family"]]
    assert (fam["pilot"] == "utrecht").mean() > 0.8  # seeds 001, 002
    safe = frame[frame["safe_country"]]
    assert not safe["pilot"].isin(["amsterdam", "utrecht"]).any()  # source 002
    assert (safe.loc[safe["pilot"] == "groningen", "intake_date"] <= pd.Timestamp("2019-12-31")).all()
    rot = early[early["pilot"] == "rotterdam"]
    assert 0.175 <= rot["safe_country"].mean() <= 0.225  # source 002: about 20 %


# ---------------------------------------------------------------- calibration report


def test_report_every_constraint_ok(report: pd.DataFrame) -> None:
    bad = report[~report["status"].isin(OK_STATUSES)]
    assert bad.empty, bad[["constraint_id", "target", "achieved"]].to_string()


def test_report_unavoidable_ones_are_the_documented_conflicts(report: pd.DataFrame) -> None:
    unavoidable = set(report.loc[report["status"] == "unavoidable difference", "figure_ids"])
    assert unavoidable == {
        "r20-occupancy-rate-utrecht",
        "r20-free-rate-utrecht",
        "r20-free-rate-amsterdam",
        "vj21-granted-total",
        "vj21-azc-total",
        "vj21-art64-total",
        "vj21-mob-total",
        "vj21-terminated-total",
        "vj21-other-total",
    }
    assert (report.loc[report["status"] == "unavoidable difference", "reason"].str.len() > 20).all()
    vj = report[report["source_id"] == "verwey-jonker-2021"]
    assert not vj.loc[vj["status"] == "unavoidable difference", "primary"].any()


@pytest.mark.parametrize(
    "figure_id, achieved",
    [
        ("r20-intake-amsterdam", 363),  # source 001, Tabel S.1
        ("r20-occupancy-groningen", 201),  # source 001, Tabel S.1
        ("m20-present-total", 771),  # source 002
        ("m20-sheltered-total", 1310),  # source 002
        ("r22-outflow-total", 1258),  # source 004
    ],
)
def test_report_counts(report: pd.DataFrame, figure_id: str, achieved: int) -> None:
    row = report[report["figure_ids"] == figure_id].iloc[0]
    assert row["achieved"] == achieved and row["status"] == "met"


def test_report_rounded_share(report: pd.DataFrame) -> None:
    row = report[report["figure_ids"] == "r22-durable-share-total"].iloc[0]
    assert row["denominator"] == 1258 and row["status"] == "within rounding range"
    assert round(row["numerator"] / 1258 * 100) == 18  # source 004: 18 %


# ---------------------------------------------------------------- scale


def test_scaled_generation_keeps_shares() -> None:
    big = generate(seed=3, scale=3.0)
    assert abs(big["person_id"].nunique() - 3 * 2065) <= 3
    f = _fig(big, "2022-07-01", "regioplan-2022")
    out = f[("total", "outflow", "all")]
    assert abs(out - 3 * 1258) <= 3
    assert rounding.rounds_to(f[("total", "outflow", "durable")], out, 18)
    assert rounding.rounds_to(f[("total", "outflow", "semi_durable")], out, 41)
    g = _fig(big, "2020-11-01", "monitor-2020", formal_only=True)
    assert abs(g[("total", "occupancy", "persons")] / g[("total", "intake", "formal")] - 771 / 1310) < 0.005
    rep = calibration_report(big, scale=3.0)
    assert rep["status"].isin(OK_STATUSES).all()


def test_scale_counts_and_largest_remainder() -> None:
    assert scale_counts(np.array([3, 5, 2]), 1.0).tolist() == [3, 5, 2]
    assert scale_counts(np.array([3, 5, 2]), 0.5).sum() == 5
    assert largest_remainder(7, {"a": 1, "b": 1}, caps={"a": 2}) == {"a": 2, "b": 5}


# ---------------------------------------------------------------- command line


def test_cli_writes_file_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, rep = tmp_path / "m.csv", tmp_path / "r.csv"
    assert main(["synth", "--seed", str(DEFAULT_SEED), "--out", str(out), "--report", str(rep)]) == 0
    assert out.read_bytes() == DEFAULT_SYNTHETIC_FILE.read_bytes()
    table = pd.read_csv(rep)
    assert "not met" not in set(table["status"])
    assert "SYNTHETIC" in capsys.readouterr().out
    assert main(["synth", "--report-only", str(out)]) == 0
