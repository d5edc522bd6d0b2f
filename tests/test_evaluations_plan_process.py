"""Tests of lvv_eval.evaluations.plan_process (Regioplan 2020, source 001_08a3e7995258f26d.txt).

Expected numbers are hand-checked against Tabel S.1 and Tabel S.2 of the seed.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from lvv_eval.evaluations import plan_process as pp
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.writer import ReportWriter


@pytest.fixture(scope="module")
def rates() -> pd.DataFrame:
    return pp.durable_rates()


def test_table_s1_printed_matches_seed() -> None:
    t = pp.table_s1_printed().set_index("pilot")
    assert t["capacity:places"].tolist() == [360, 130, 300, 117, 230]
    assert t["occupancy:persons"].tolist()[:4] == [291, 30, 201, 73]
    assert pd.isna(t.loc["utrecht", "occupancy:persons"])
    assert t.loc["utrecht", "occupancy_rate:of_capacity"] == 98
    assert t.loc["amsterdam", "free_places_rate:of_capacity"] == 20


def test_free_place_check_flags_amsterdam_only() -> None:
    t = pp.free_place_check().set_index("pilot")
    # 69 / 360 = 19.17 %, printed 20 %; 100 / 130 = 76.9 %, printed 77 %
    assert t.loc["amsterdam", "free_places_rate_pct"] == pytest.approx(19.1667, abs=1e-3)
    assert t.loc["amsterdam", "difference_pp"] == pytest.approx(-0.8333, abs=1e-3)
    assert t.loc["eindhoven", "occupancy_rate_pct"] == pytest.approx(23.0769, abs=1e-3)
    assert t["check_status"].tolist() == ["known_discrepancy", "ok", "ok", "ok", ""]
    assert (t.loc[["amsterdam", "eindhoven", "groningen", "rotterdam"], "free_places"] == [69, 100, 99, 44]).all()


def test_utrecht_estimate_exceeds_bound() -> None:
    t = pp.utrecht_estimate().set_index("check_id")
    # 98 % of 230 = 225.4 -> 225 or 226 people present
    assert t.loc["r20-utrecht-occupancy-count", ["count_low", "count_high"]].tolist() == [225, 226]
    assert t.loc["r20-occupancy-utrecht-bound", "status"] == "ok"  # <= 268 - 33 = 235
    # 268 - 33 - 10 % of 268 (26.8) = 208.2; 225.4 exceeds it by 17.2
    assert t.loc["r20-occupancy-utrecht-azc-bound", "status"] == "known_discrepancy"
    assert t.loc["r20-occupancy-utrecht-azc-bound", "difference"] == pytest.approx(17.2)


def test_capacity_parts_sum_to_capacity() -> None:
    t = pp.capacity_parts()
    sums = t.groupby("pilot")["places"].sum()
    assert sums.round(6).tolist() == [360, 130, 300, 117, 230]
    utrecht = t.loc[t["pilot"] == "utrecht"].set_index("part")
    assert utrecht.loc["occupancy", "places"] == pytest.approx(225.4)
    assert bool(utrecht["approximate"].all())


def test_formal_intake_sums_to_1019() -> None:
    s = pp.formal_intake_by_pilot()
    assert s["amsterdam"] == 287
    assert int(s.sum()) == 1019


def test_durable_rates_amsterdam_two_denominators(rates: pd.DataFrame) -> None:
    t = rates.set_index("row")
    assert t.loc["amsterdam-formal", "denominator"] == 287
    assert t.loc["amsterdam-all", "denominator"] == 363
    assert t.loc["utrecht", "estimate"] == pytest.approx(33 / 268)
    assert bool(t["matches_printed"].all())
    assert set(t["ci_method"]) == {"wilson"}
    # Wilson 95 % for 33 / 268, hand-checked: 8.90 % to 16.79 %
    assert t.loc["utrecht", "ci_low"] == pytest.approx(0.08904, abs=1e-4)
    assert t.loc["utrecht", "ci_high"] == pytest.approx(0.16788, abs=1e-4)


def test_target_attainment_not_reached_at_peildatum(rates: pd.DataFrame) -> None:
    t = pp.target_attainment(rates).set_index("row")
    assert t.loc["rotterdam", "target_pct"] == 60
    assert t.loc["groningen", "target_pct"] == 40
    assert set(t["status"]) == {"not reached"}


def test_other_outflow_ranges() -> None:
    t = pp.other_outflow_ranges().set_index(["category", "pilot"])
    # 18 % of 129: only 23 prints as 18 %; 16 % of 302: 47..49; 10 % of 268: 26..28
    assert t.loc[("left_unknown_destination", "rotterdam"), ["count_low", "count_high"]].tolist() == [23, 23]
    assert t.loc[("repeat_asylum_application", "groningen"), ["count_low", "count_high"]].tolist() == [47, 49]
    assert t.loc[("repeat_asylum_application", "utrecht"), ["count_low", "count_high"]].tolist() == [26, 28]


def test_headline() -> None:
    h = pp.headline()
    assert h["intake_total"] == 1019 == h["intake_total_printed"]
    assert h["capacity_total"] == 1137  # 360 + 130 + 300 + 117 + 230
    assert h["durable_pct"] == [1, 3, 3, 9, 12] == h["durable_pct_printed"]
    assert h["checks"]["failed"] == 0
    # 69/360 printed 20 % and Utrecht's 98 % estimate; Amsterdam's occupancy against the 287 with
    # formal status is a wrong reading documented by a passing check, not a discrepancy
    assert h["checks"]["known_discrepancy"] == 2
    assert h["checks"]["ok"] + 2 == h["checks"]["total"]


def test_check_summary_counts_failures() -> None:
    s = pp.check_summary(pd.DataFrame({"status": ["ok", "FAILED", "unexpected_pass"]}))
    assert s == {"total": 3, "ok": 1, "known_discrepancy": 0, "failed": 2}


def test_person_durable_rates_both_denominators() -> None:
    person = pd.DataFrame(
        {
            "pilot": ["a"] * 3 + ["total"] * 3,
            "measure": ["intake", "outflow", "outflow"] * 2,
            "category": ["all", "all", "durable"] * 2,
            "value": [100, 40, 10, 100, 40, 10],
        }
    )
    t = pp.person_durable_rates(person)
    assert t["pilot"].tolist() == ["a", "a", "total", "total"]
    assert t["denominator_kind"].tolist() == ["intake", "outflow"] * 2
    assert t["estimate"].tolist() == pytest.approx([0.10, 0.25, 0.10, 0.25])
    assert t["denominator_label"].tolist()[:2] == ["total intake", "total outflow"]


def test_suppress_comparison_hides_small_person_counts() -> None:
    t = pd.DataFrame(
        {
            "pilot": ["a", "b"],
            "measure": ["outflow", "outflow"],
            "category": ["durable", "durable"],
            "published": [3.0, 33.0],
            "person_level": [3, 30],
            "difference": [0.0, -3.0],
        }
    )
    res = pp.suppress_comparison(t, 10)
    assert res.table["person_level"].isna().tolist() == [True, False]
    assert res.table["difference"].isna().tolist() == [True, False]
    assert res.table["published"].tolist() == [3.0, 33.0]  # published figures stay
    assert len(res.report) == 1


def test_suppress_length_of_stay_secondary() -> None:
    los = pd.DataFrame(
        {
            "pilot": ["a", "b", "total"],
            "n": [33, 300, 333],
            "n_events": [3, 100, 103],
            "n_censored": [30, 200, 230],
            "median_days": [float("nan"), 200.0, 220.0],
            "ci_low": [float("nan"), 150.0, 180.0],
            "ci_high": [float("nan"), 250.0, 260.0],
        }
    )
    res = pp.suppress_length_of_stay(los, 10)
    assert pd.isna(res.table.loc[0, "n_events"])
    assert pd.isna(res.table.loc[0, "n_censored"])  # else recoverable as n - n_censored
    assert res.table.loc[1, "median_days"] == 200.0
    assert "n" in res.table.columns and len(res.report) >= 2


# --------------------------------------------------------------------------- report cells
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_plan_process.py"


def test_notebook_holds_no_text_pairs() -> None:
    """Every text of report 01 lives in texts/plan_process.<lang>.yaml, none as an L("nl", "en") pair."""
    code = NOTEBOOK.read_text(encoding="utf-8")
    assert "Texts(" in code or "pp.texts(" in code
    assert re.findall(r"\bL\(", code) == []


def _captions(writer: ReportWriter) -> dict[str, str]:
    return {t["name"]: t["caption"] for t in writer.manifest()["tables"]}


@pytest.fixture(params=["nl", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _write_published(tmp_path: Path, language: str) -> tuple[ReportWriter, Labels]:
    L = Labels(language)
    W = ReportWriter(tmp_path, notebook="01_plan_process", language=language)
    pp.show_tabel_s1(W, L)
    pp.show_tabel_s1_recomputed(W, L)
    pp.show_utrecht_estimate(W, L)
    pp.show_tabel_s2(W, L)
    pp.show_other_outflow(W, L)
    pp.show_source_checks(W, L)
    return W, L


def test_published_captions_are_filled_from_the_data(tmp_path: Path, language: str) -> None:
    W, L = _write_published(tmp_path, language)
    captions = _captions(W)
    peildatum = L.date(pp.published_peildatum())
    assert peildatum in captions["tabel_s1_published"]
    assert peildatum in captions["tabel_s2_recomputed"]
    level = round(float(pp.durable_rates()["ci_level"].iloc[0]) * 100)
    assert f"{level}%" in captions["tabel_s2_recomputed"] and "Wilson" in captions["tabel_s2_recomputed"]
    assert L.number(pp.tabel_s1_capacity()["utrecht"]) in captions["utrecht_estimate"]
    assert str(pp.published_peildatum().year) in captions["other_outflow_ranges"]
    assert all("{" not in c and "}" not in c for c in captions.values())


def test_published_captions_follow_another_peildatum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is typed: the same tables with another source peildatum name that date, not 31 December 2019."""
    monkeypatch.setattr(pp, "published_peildatum", lambda: pd.Timestamp("2020-03-31"))
    W, _ = _write_published(tmp_path, "nl")
    captions = _captions(W)
    for name in ("tabel_s1_published", "tabel_s2_recomputed"):
        assert "31 maart 2020" in captions[name]
        assert "2019" not in captions[name]
    assert "2020" in captions["other_outflow_ranges"]


def test_published_figures_are_written(tmp_path: Path, language: str) -> None:
    import matplotlib.pyplot as plt

    L = Labels(language)
    W = ReportWriter(tmp_path, notebook="01_plan_process", language=language)
    for draw in (pp.capacity_figure, pp.durable_rate_figure):
        fig = draw(W, L)
        texts = [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
        plt.close(fig)
        assert any(L.date(pp.published_peildatum()) in t for t in texts)
    assert [f["name"] for f in W.manifest()["figures"]] == ["capacity_occupancy", "durable_rate_published"]


def test_headline_lines_in_both_languages() -> None:
    h = pp.headline()
    nl, en = pp.headline_lines(Labels("nl")), pp.headline_lines(Labels("en"))
    assert len(nl) == len(en) == 4
    for lines in (nl, en):
        assert f" {h['intake_total']} / " in lines[0] and lines[0].endswith(f" {h['intake_total_printed']}")
        assert lines[1].endswith(str(h["capacity_total"]))
        assert str(len(pp.tabel_s1_capacity())) in lines[1]
    assert "gepubliceerd" in nl[0] and "printed" in en[0]
    assert "bekende afwijking" in nl[3] and "known discrepancy" in en[3]


def test_person_source_names_the_run_peildatum() -> None:
    P = SimpleNamespace(is_synthetic=True, peildatum="2021-06-30")
    assert pp.person_source(Labels("nl"), P) == "Bron: synthetische gegevens, peildatum 30 juni 2021"  # type: ignore[arg-type]
    P = SimpleNamespace(is_synthetic=False, peildatum="2021-06-30")
    assert "monitor file" in pp.person_source(Labels("en"), P)  # type: ignore[arg-type]
