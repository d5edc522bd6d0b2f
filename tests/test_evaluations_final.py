"""Tests of lvv_eval.evaluations.final (tables of notebook 03_final).

Known answers are from ``004_b44b716732003f66.txt`` (Regioplan 2022): 2065
participants, 1258 outflowed, 18 / 41 / 41 % durable / semi-durable / none of
the outflow; hand-computed ranges are written out below.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.errors import ConfigError
from lvv_eval.evaluations import common
from lvv_eval.evaluations import final as F
from lvv_eval.evaluations import report_cells as cells
from lvv_eval.reference.monitor_format import empty_monitor_frame
from lvv_eval.reference.pilots import pilot_codes
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.writer import ReportWriter


@pytest.fixture(scope="module")
def pub() -> F.PublishedFinal:
    return F.published_final()


@pytest.fixture(scope="module")
def scheme():
    return load_scheme("regioplan-2022")


def _frame(rows: list[tuple[str, str, str | None, str | None]]) -> pd.DataFrame:
    """Typed monitor frame from (pilot, intake, exit, exit_reason) tuples."""
    empty = empty_monitor_frame()
    data = {c: pd.Series([pd.NA] * len(rows), dtype=empty[c].dtype) for c in empty.columns}
    frame = pd.DataFrame(data)
    frame["trajectory_id"] = pd.Series([f"t{i:03d}" for i in range(len(rows))], dtype=empty["trajectory_id"].dtype)
    frame["person_id"] = pd.Series([f"p{i:03d}" for i in range(len(rows))], dtype=empty["person_id"].dtype)
    frame["pilot"] = pd.Series(pd.Categorical([r[0] for r in rows], categories=pilot_codes()))
    frame["intake_date"] = pd.to_datetime([r[1] for r in rows]).as_unit("us")
    frame["exit_date"] = pd.to_datetime([r[2] for r in rows]).as_unit("us")
    frame["exit_reason"] = pd.Series(pd.Categorical([r[3] for r in rows], categories=list(EXIT_REASON_CODES)))
    frame["formal_status"] = pd.Series([True] * len(rows), dtype="boolean")
    return frame[list(empty.columns)]


# --------------------------------------------------------------------------- published
def test_published_final_reads_the_seed_figures(pub):
    assert (pub.participants, pub.outflow) == (2065, 1258)
    assert pub.not_outflowed == 807  # 2065 - 1258
    assert pub.outflow_percent == 61.0  # 1258 / 2065 = 60.92 %
    assert pub.shares == {"durable": 18.0, "semi_durable": 41.0, "none": 41.0}
    assert pub.share_sum == 100.0
    assert pub.peildatum == "2022-07-01"
    assert pub.figure_ids["outflow"] == "r22-outflow-total"


def test_reconstructed_shares_ranges_and_closest(pub):
    t = F.reconstructed_shares(pub)
    # 17.5 % of 1258 = 220.15, 18.5 % = 232.73 -> 221..232; 40.5 % = 509.49, 41.5 % = 522.07 -> 510..522
    assert t["count_low"].tolist() == [221, 510, 510]
    assert t["count_high"].tolist() == [232, 522, 522]
    assert t["n_counts"].tolist() == [12, 13, 13]
    # exact targets 226.44 / 515.78 / 515.78 -> closest combination summing to 1258
    assert t["closest_count"].tolist() == [226, 516, 516]
    assert int(t["closest_count"].sum()) == 1258
    assert (t["ci_method"] == "wilson").all()
    assert t["note"].str.contains("reconstructed").all()


def test_reconstructed_shares_number_of_combinations(pub):
    # durable d in 221..232, semi s in 510..522, none = 1258 - d - s in 510..522:
    # d + s in 736..748; counted by hand per d: d=221..226 -> 13 - (226 - d) ... total 120
    expected = sum(1 for d in range(221, 233) for s in range(510, 523) if 510 <= 1258 - d - s <= 522)
    assert expected == 120
    assert F.reconstructed_shares(pub)["n_combinations"].unique().tolist() == [120]


def test_reconstructed_wilson_interval(pub):
    t = F.reconstructed_shares(pub)
    row = t.iloc[0]
    # Wilson 95 % for 226 / 1258: centre (226 + 1.92) / (1258 + 3.84)
    assert row["estimate"] == pytest.approx(226 / 1258)
    assert row["ci_low"] == pytest.approx(0.1594, abs=5e-4)
    assert row["ci_high"] == pytest.approx(0.2018, abs=5e-4)


def test_intake_denominator_ranges(pub):
    t = F.intake_denominator_ranges(pub).set_index("category")
    # 221 / 2065 = 10.70 %, 232 / 2065 = 11.23 %: both print as 11 %
    assert t.loc["durable", "share_of_intake_low"] == pytest.approx(0.10702, abs=1e-5)
    assert t.loc["durable", "share_of_intake_high"] == pytest.approx(0.11235, abs=1e-5)
    assert t.loc["durable", "percent_of_intake_low"] == 11.0
    assert t.loc["durable", "percent_of_intake_high"] == 11.0
    # 510 / 2065 = 24.70 %, 522 / 2065 = 25.28 %
    assert t.loc["none", "percent_of_intake_low"] == 25.0
    assert (t["participants"] == 2065).all() and (t["outflow"] == 1258).all()


def test_published_final_missing_figure_raises(pub):
    from lvv_eval.sources.published import load_figures

    figs = load_figures()
    figs = figs.loc[figs["figure_id"] != "r22-outflow-total"]
    with pytest.raises(ConfigError, match="outflow/all"):
        F.published_final(figs)


# --------------------------------------------------------------------------- helpers
def test_horizons_days():
    assert F.horizons_days([6, 12, 18]) == [183, 365, 548]
    assert F.horizons_days([1]) == [30]
    with pytest.raises(ConfigError):
        F.horizons_days([0])
    with pytest.raises(ConfigError):
        F.horizons_days([True])


def test_capacity_by_pilot_takes_latest_before_peildatum():
    cap = F.capacity_by_pilot("2022-07-01").set_index("pilot")
    assert cap.loc["utrecht", "capacity"] == 235  # 2020 monitor (002)
    assert int(cap["capacity"].sum()) == 1142
    early = F.capacity_by_pilot("2020-06-30").set_index("pilot")
    assert early.loc["utrecht", "capacity"] == 230  # Tabel S.1 (001)
    assert early.loc["utrecht", "source_id"] == "regioplan-2020"
    with pytest.raises(ConfigError):
        F.capacity_by_pilot("2019-06-01")


# --------------------------------------------------------------------------- person level
@pytest.fixture()
def small_frame() -> pd.DataFrame:
    rows = (
        [("utrecht", "2019-06-01", "2020-01-01", "residence_permit")] * 3
        + [("utrecht", "2019-06-01", "2020-02-01", "repeat_asylum_application")] * 12
        + [("utrecht", "2019-06-01", "2020-03-01", "left_unknown_destination")] * 15
        + [("utrecht", "2019-06-01", None, None)] * 20
        + [("groningen", "2019-07-01", "2019-12-01", "independent_return")] * 20
        + [("groningen", "2019-07-01", "2020-04-01", "repeat_asylum_application")] * 10
        + [("groningen", "2019-07-01", "2020-05-01", "stay_terminated")] * 10
        + [("groningen", "2019-07-01", None, None)] * 10
        + [("groningen", "2023-01-01", None, None)] * 2  # after the peildatum
    )
    return _frame(rows)


def test_flow_by_pilot_counts(small_frame, scheme):
    t = F.flow_by_pilot(small_frame, "2021-01-01", scheme, pilots=["groningen", "utrecht"])
    assert t.index.tolist() == ["groningen", "utrecht", "total"]
    assert t.loc["utrecht"].to_dict() == {
        "intake": 50,
        "present": 20,
        "durable": 3,
        "semi_durable": 12,
        "none": 15,
        "outflow": 30,
    }
    assert t.loc["groningen", "intake"] == 50  # the 2 intakes after the peildatum are not counted
    assert t.loc["total", "outflow"] == 70


def test_suppress_flow_hides_small_and_complementary_cells(small_frame, scheme):
    t = F.flow_by_pilot(small_frame, "2021-01-01", scheme, pilots=["groningen", "utrecht"])
    res = F.suppress_flow(t, threshold=10)
    assert pd.isna(res.table.loc["utrecht", "durable"])  # 3 < 10
    assert res.report["rule"].str.startswith("primary").sum() == 1
    # intake = present + classes (rows) and total = sum of pilots (columns): a line
    # with a hidden cell must hide at least two, or the hidden one can be recovered
    cells = res.mask.drop(columns="outflow")
    for _, row in cells.iterrows():
        assert int(row.sum()) != 1
    for column in cells.columns:
        assert int(cells[column].sum()) != 1
    # outflow is put back as intake - present and hidden only with one of them
    shown = ~(res.mask["intake"] | res.mask["present"])
    assert (res.table.loc[shown, "outflow"] == t.loc[shown, "outflow"]).all()
    assert res.table.loc["total", "outflow"] == 70
    assert list(res.table.columns) == list(t.columns)
    assert "eindhoven" not in res.table.index


def test_class_shares_and_hide_masked(small_frame, scheme):
    t = F.flow_by_pilot(small_frame, "2021-01-01", scheme, pilots=["groningen", "utrecht"])
    shares = F.class_shares_from_counts(t, scheme.class_ids)
    u = shares.loc[shares["pilot"] == "utrecht"].set_index("category")
    assert u.loc["none", "estimate"] == pytest.approx(15 / 30)
    assert (shares["denominator_label"] == "total outflow").all()
    res = F.suppress_flow(t, threshold=10)
    hidden = common.hide_masked_rates(shares, res.mask).set_index(["pilot", "category"])
    assert pd.isna(hidden.loc[("utrecht", "durable"), "estimate"])
    assert bool(hidden.loc[("utrecht", "durable"), "suppressed"])
    assert hidden.loc[("utrecht", "none"), "estimate"] == pytest.approx(0.5)


def test_denominator_contrast(small_frame, scheme):
    t = F.flow_by_pilot(small_frame, "2021-01-01", scheme, pilots=["groningen", "utrecht"])
    c = F.denominator_contrast(t).set_index(["pilot", "denominator_kind"])
    # Groningen: 20 durable of 50 intake (40 %) and of 40 outflow (50 %)
    assert c.loc[("groningen", "intake"), "estimate"] == pytest.approx(0.4)
    assert c.loc[("groningen", "outflow"), "estimate"] == pytest.approx(0.5)
    assert c.loc[("total", "intake"), "denominator"] == 100
    assert c.loc[("total", "outflow"), "denominator_label"] == "total outflow"
    assert (c["ci_method"] == "wilson").all()


def test_cif_at_horizons_adds_months(small_frame, scheme):
    t = F.cif_at_horizons(small_frame, "2021-01-01", scheme, [6, 12])
    assert sorted(t["horizon_months"].unique().tolist()) == [6, 12]
    g = t.loc[(t["pilot"] == "groningen") & (t["outcome"] == "durable")].set_index("horizon_months")
    # 20 of 50 left durable on day 153 (2019-07-01 -> 2019-12-01), nobody censored before
    assert g.loc[6, "estimate"] == pytest.approx(0.4)
    assert g.loc[6, "horizon_days"] == 183


def test_suppress_small_counts():
    t = pd.DataFrame({"n_events": pd.array([3, 12, 0], dtype="Int64"), "estimate": [0.1, 0.3, 0.0]})
    out = F.suppress_small_counts(t, 10, "n_events", ["estimate"])
    assert out["suppressed"].tolist() == [True, False, False]
    assert pd.isna(out.loc[0, "n_events"]) and out.loc[2, "estimate"] == 0.0


def test_occupancy_over_time(small_frame):
    occ = F.occupancy_over_time(small_frame, "2020-01-01", threshold=10)
    assert "total" not in set(occ["pilot"])
    u = occ.loc[occ["pilot"] == "utrecht"].set_index("date")
    assert u.loc[pd.Timestamp("2019-07-01"), "present"] == 50
    # the capacity in force on 2019-07-01 is Tabel S.1's 230 (001), not the 235 of November 2020 (002)
    assert u.loc[pd.Timestamp("2019-07-01"), "capacity"] == 230
    assert u.loc[pd.Timestamp("2019-07-01"), "occupancy_rate"] == pytest.approx(50 / 230)


def test_analysis_frame_restricts_pilots_in_any_case(small_frame):
    from lvv_eval.evaluations.common import analysis_frame

    assert len(analysis_frame(small_frame, [])) == len(small_frame)
    only = analysis_frame(small_frame, ["Utrecht"])
    assert set(only["pilot"].astype(str)) == {"utrecht"}


def test_denominator_contrast_suppressed_follows_the_flow_mask(small_frame, scheme):
    t = F.flow_by_pilot(small_frame, "2021-01-01", scheme, pilots=["groningen", "utrecht"])
    res = F.suppress_flow(t, threshold=10)
    c = F.denominator_contrast_suppressed(t, res.mask).set_index(["pilot", "denominator_kind"])
    # Utrecht's durable count (3) is hidden in the flow table, so both its rates are hidden
    assert c.loc[("utrecht", "intake"), "suppressed"] and c.loc[("utrecht", "outflow"), "suppressed"]
    assert pd.isna(c.loc[("utrecht", "outflow"), "estimate"])
    for (pilot, kind), row in c.iterrows():
        if res.mask.loc[pilot, kind]:
            assert pd.isna(row["denominator"])  # a hidden intake or outflow is not shown as a denominator


def test_suppress_scheme_sensitivity_protects_the_report_scheme(small_frame, scheme):
    from lvv_eval.evaluations import common as C

    extra = _frame(
        [("groningen", "2019-07-01", "2020-06-01", "forced_return")] * 5
        + [("amsterdam", "2019-07-01", "2020-06-01", "residence_permit")] * 12
        + [("amsterdam", "2019-07-01", "2020-06-01", "stay_terminated")] * 30
        + [("amsterdam", "2019-07-01", None, None)] * 30
    )
    frame = pd.concat([small_frame, extra], ignore_index=True)
    sens = C.scheme_sensitivity(frame, "2021-01-01", schemes=["monitor-2020", "regioplan-2022"])
    out = F.suppress_scheme_sensitivity(sens, frame, "2021-01-01", 10, protect=["regioplan-2022"])
    key = out.set_index(["scheme", "pilot", "denominator_kind"])
    # regioplan-2022: Groningen 20 durable of 55 entered, as in its flow table; monitor-2020 counts the
    # 5 forced returns as durable (25): that count is hidden, not the report scheme's
    assert key.loc[("regioplan-2022", "groningen", "intake"), "numerator"] == 20
    assert pd.isna(key.loc[("monitor-2020", "groningen", "intake"), "numerator"])
    # the report scheme's rows are hidden exactly where its own flow table hides the count
    mask = F.suppress_flow(F.flow_by_pilot(frame, "2021-01-01", scheme), 10).mask
    for pilot in mask.index:
        hidden = bool(mask.loc[pilot, "durable"] or mask.loc[pilot, "intake"])
        assert pd.isna(key.loc[("regioplan-2022", pilot, "intake"), "numerator"]) == hidden


def test_cif_at_horizons_suppressed_hides_a_complement(small_frame, scheme):
    from lvv_eval.evaluations.common import suppress_cif_table

    res = suppress_cif_table(F.cif_at_horizons(small_frame, "2021-01-01", scheme, [12]), 10)
    u = res.table.loc[res.table["pilot"] == "utrecht"].set_index("outcome")
    # Utrecht: 3 durable within 12 months (< 10) and at least one more outcome hidden
    assert pd.isna(u.loc["durable", "estimate"])
    assert int(u["suppressed"].sum()) >= 2


def test_published_rows_used_leaves_out_programme_dates():
    from lvv_eval.sources import published

    rows = F.published_rows_used(published.select(source=F.SOURCE_ID))
    # 004: 2065 participants, 1258 outflow, 18/41/41 % of the outflow; the pilot period end is not a figure
    assert sorted(rows["value"].astype(int).tolist()) == [18, 41, 41, 1258, 2065]


def test_class_shares_of_an_export_without_leavers_is_an_empty_table() -> None:
    # issue 11: 03 on a header-only export failed with "No objects to concatenate"
    counts = pd.DataFrame({"outflow": [0], "durable": [0], "other": [0]}, index=pd.Index(["total"], name="pilot"))
    out = F.class_shares_from_counts(counts, ["durable", "other"])
    assert out.empty and {"pilot", "category", "numerator", "denominator", "estimate"} <= set(out.columns)


# --------------------------------------------------------------------------- report cells
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_final.py"


def test_notebook_holds_no_text_pairs() -> None:
    """Every text of report 03 lives in texts/final.<lang>.yaml, none as an L("nl", "en") pair."""
    code = NOTEBOOK.read_text(encoding="utf-8")
    assert "final.texts(" in code
    assert re.findall(r"\bL\(", code) == []


def test_published_lines_repeat_the_published_figures(pub) -> None:
    nl = F.published_lines(Labels("nl"), pub)
    en = F.published_lines(Labels("en"), pub)
    assert nl[0] == f"deelnemers {pub.participants}" and en[0] == f"participants {pub.participants}"
    assert nl[2].endswith(str(pub.not_outflowed)) and en[2].endswith(str(pub.not_outflowed))
    ranges = F.range_lines(Labels("en"), pub)
    assert ranges[-2] == f"combinations summing to {pub.outflow} : {len(pub.ranges().combinations)}"
    assert ranges[-1].endswith(f"sum {pub.outflow}")


def test_published_captions_follow_the_figures(tmp_path: Path, pub) -> None:
    """Captions name the published totals they use: other totals give other captions (nothing typed)."""
    import dataclasses

    other = dataclasses.replace(pub, participants=3000, outflow=2000)
    for language in ("nl", "en"):
        L = Labels(language)
        for figures in (pub, other):
            W = ReportWriter(tmp_path / f"{language}{figures.outflow}", notebook="03_final", language=language)
            F.show_reconstructed(W, L, figures)
            line, _ = F.show_intake_denominator(W, L, figures)
            captions = {t["name"]: t["caption"] for t in W.manifest()["tables"]}
            assert L.number(figures.outflow) in captions["reconstructed_counts"]
            assert "/".join(str(int(v)) for v in figures.shares.values()) in captions["reconstructed_counts"]
            assert L.number(figures.participants) in captions["intake_denominator"]
            assert L.percent(figures.shares["durable"] / 100) in line
    assert "3.000" in captions["intake_denominator"] or "3,000" in captions["intake_denominator"]
    assert "2065" not in captions["intake_denominator"] and "2,065" not in captions["intake_denominator"]


def test_published_table_caption_names_source_and_peildatum(tmp_path: Path, pub) -> None:
    L = Labels("en")
    W = ReportWriter(tmp_path, notebook="03_final", language="en")
    shown = F.show_published(W, L)
    caption = W.manifest()["tables"][0]["caption"]
    assert L.date(pub.peildatum) in caption
    assert cells.source_record(F.SOURCE_ID).source_file in caption
    assert str(cells.source_record(F.SOURCE_ID).year) in shown.caption


def test_capacity_source_names_file_date_and_total() -> None:
    cap = F.capacity_by_pilot("2022-07-01")
    text = F.capacity_source(Labels("en"), cap)
    assert cells.source_record(str(cap["source_id"].iloc[0])).source_file in text
    assert Labels("en").number(int(cap["capacity"].sum())) in text
    with pytest.raises(ConfigError, match="several sources"):
        F.capacity_source(Labels("en"), cap.assign(source_id=["a", "b", "a", "a", "a"]))


def test_interval_phrase_from_the_result() -> None:
    T = F.texts("nl")
    L = Labels("nl")
    assert cells.interval_of(T, L, pd.DataFrame({"ci_method": ["wilson"], "ci_level": [0.9]})) == "90%-BI (Wilson)"
    assert cells.interval_of(T, L, pd.DataFrame({"x": [1]}), default_method="log-log") == "95%-BI (log-log)"
    mixed = pd.DataFrame({"ci_method": ["wilson", "none", "wilson"], "ci_level": [0.95, None, 0.99]})
    with pytest.raises(ConfigError, match="several values"):
        cells.interval_of(T, L, mixed)


def test_source_record_reads_sources_csv() -> None:
    record = cells.source_record("regioplan-2022")
    assert record.peildatum == pd.Timestamp(F.published_final().peildatum)
    with pytest.raises(ConfigError, match="unknown published source"):
        cells.source_record("nope")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_derived_tables_are_written_as_numbers(tmp_path: Path, pub, language: str) -> None:
    """The CSV holds numbers (1258), not their display text ('1.258' would be read back as 1.258 in the PDF)."""
    W = ReportWriter(tmp_path, notebook="03_final", language=language)
    F.show_reconstructed(W, Labels(language), pub)
    F.show_intake_denominator(W, Labels(language), pub)
    recon = pd.read_csv(tmp_path / "tables" / "reconstructed_counts.csv")
    den = pd.read_csv(tmp_path / "tables" / "intake_denominator.csv")
    assert recon["denominator"].tolist() == [pub.outflow] * 3
    assert den["participants"].tolist() == [pub.participants] * 3
    assert recon["estimate"].between(0, 1).all() and den["share_of_intake_low"].between(0, 1).all()
