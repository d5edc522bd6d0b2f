"""Tests of lvv_eval.evaluations.design_comparison (notebook 04_designs).

Expected numbers are written out from the seeds: 001 Tabel S.1/S.2 (peildatum
2019-12-31) and 002 "Voortgang LVV's" (monitor 2020-11-01).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lvv_eval.evaluations import design_comparison as dc
from lvv_eval.reporting.labels import Labels


def test_headline_eindhoven_against_the_others() -> None:
    h = dc.headline_figures()
    # 001 Tabel S.1: Eindhoven 130 places, intake 33, occupancy 30, 100 free (77 %)
    assert (h["eindhoven_capacity"], h["eindhoven_intake"], h["eindhoven_occupancy"], h["eindhoven_free"]) == (
        130,
        33,
        30,
        100,
    )
    assert h["eindhoven_free_rate"] == pytest.approx(100 / 130)
    assert h["eindhoven_free_rate_printed"] == 77
    # others: intake 363 + 302 + 129 + 268 = 1062; capacity 360 + 300 + 117 + 230 = 1007
    assert (h["others_intake"], h["others_capacity"]) == (1062, 1007)
    # free places: Utrecht has no count (only an estimate in percent): 69 + 99 + 44 = 212 of 777
    assert (h["others_free"], h["others_free_capacity"]) == (212, 777)
    assert h["others_free_pilots"] == "amsterdam,groningen,rotterdam"
    # 002: departure scenarios 75 + 98 + 36 + 10 = 219; departures 2 + 23 + 30 + 6 = 61; Eindhoven 17 / 0
    assert (h["eindhoven_departure_scenarios"], h["eindhoven_departures"]) == (17, 0)
    assert (h["others_departure_scenarios"], h["others_departures"]) == (219, 61)
    assert (h["min_p_1_of_5"], h["min_p_2_of_5"]) == (0.2, 0.1)


def test_design_long_cites_every_known_value() -> None:
    t = dc.design_long("2019-12-31")
    assert len(t) == 10 * 5
    known = t.loc[t["value"] != "unknown"]
    assert (known["source"].str.len() > 0).all()
    assert (t.loc[t["value"] == "unknown", "source"] == "").all()
    cap = t.loc[(t["attribute"] == "capacity") & (t["pilot"] == "utrecht"), "value"].item()
    assert cap == "230"  # 001 Tabel S.1; the 2020 letter gives 235


def test_unknown_attributes_24h_shelter_not_published() -> None:
    u = dc.unknown_attributes("2020-11-01").set_index("attribute")
    assert u.loc["shelter_24h", "n_unknown"] == 5
    assert u.loc["ngo_count", "pilots"] == "eindhoven,rotterdam,utrecht"


def test_design_matrix_translated() -> None:
    m = dc.design_matrix("2020-11-01", labels=Labels("nl"))
    assert m.loc["parallel_bbb", "Eindhoven"] == "ja"
    assert m.loc["shelter_24h", "Utrecht"] == "niet gepubliceerd"
    assert m.loc["capacity", "Utrecht"] == "235"


def test_departures_per_scenario_groups() -> None:
    d = dc.departures_per_scenario("parallel_bbb")
    grp = d.loc[d["level"] == "group"].set_index("group")
    assert grp.loc["no", "ratio"] == pytest.approx(61 / 219)
    assert grp.loc["yes", "ratio"] == 0.0
    assert grp.loc["no", "pilot"] == "amsterdam,groningen,rotterdam,utrecht"


def test_published_design_figures_groups_by_attribute() -> None:
    t = dc.published_design_figures("regie")
    ams = t.loc[t["pilot"] == "amsterdam", "group"].unique().tolist()
    assert ams == ["ngo_regiegroep"]
    intake = t.loc[(t["measure"] == "intake") & (t["pilot"] == "groningen"), "value"].item()
    assert intake == 302


def test_suppress_differences_hides_small_counts_on_either_side() -> None:
    d = pd.DataFrame(
        {
            "numerator_a": [96.0, 96.0, 50.0],
            "denominator_a": [580.0, 580.0, 55.0],
            "numerator_b": [2.0, 13.0, 30.0],
            "denominator_b": [20.0, 30.0, 60.0],
            "estimate": [0.1, 0.2, 0.3],
            "ci_low": [0.0, 0.1, 0.2],
            "ci_high": [0.2, 0.3, 0.4],
        }
    )
    out = dc.suppress_differences(d, 10)
    # row 0: numerator_b 2 < 10; row 1: 13 and 17 fine, 96 and 484 fine; row 2: 55 - 50 = 5 < 10
    assert out["suppressed"].tolist() == [True, False, True]
    assert np.isnan(out.loc[0, "estimate"]) and out.loc[1, "estimate"] == 0.2


def test_plottable_curves() -> None:
    inc = pd.DataFrame(
        {
            "g": ["a", "a", "b", "b"],
            "outcome": ["durable", "in_programme", "durable", "none"],
            "n_events": pd.array([12, pd.NA, 3, 0], dtype="Int64"),
            "estimate": [0.2, 0.7, 0.05, 0.0],
            "se": [0.01] * 4,
            "ci_low": [0.1] * 4,
            "ci_high": [0.3] * 4,
        }
    )
    curves = pd.DataFrame(
        {
            "g": ["a", "a", "b", "b"],
            "outcome": ["durable", "in_programme", "durable", "none"],
            "time_days": [0, 0, 0, 0],
        }
    )
    kept = dc.plottable_curves(curves, inc, "g", 10)
    assert list(zip(kept["g"], kept["outcome"])) == [("a", "durable")]
    # a curve whose horizon row is suppressed in the released table would draw the hidden value
    hidden = pd.Series([True, False, False, False])
    assert dc.plottable_curves(curves, inc, "g", 10, hidden=hidden).empty


def test_estimable_covariates_drops_separated_and_constant() -> None:
    d = pd.DataFrame(
        {
            "pilot": ["x"] * 6,
            "y": [1, 0, 1, 0, 0, 0],
            "sex": ["m", "v", "m", "v", "m", "v"],
            "family": [1, 1, 0, 0, 0, 0],
            "formal_status": [1, 1, 1, 1, 0, 0],
            "age_at_intake": [30, 40, 50, 60, 70, 20],
            "safe_country": [0] * 6,
        }
    )
    kept, dropped = dc.estimable_covariates(
        d, ["age_at_intake", "sex", "family", "formal_status", "safe_country"], penalised=False
    )
    # formal_status = 0: 0 of 2 durable -> separation; safe_country constant
    assert kept == ["age_at_intake", "sex", "family"]
    assert dropped["covariate"].tolist() == ["formal_status", "safe_country"]
    assert "separation" in dropped["reason"].iloc[0]


def test_count_tables_and_occupancy_on_a_tiny_frame() -> None:
    counts = pd.DataFrame(
        {
            "pilot": ["a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b"],
            "measure": ["capacity", "intake", "occupancy", "outflow", "outflow", "outflow"] * 2,
            "category": ["places", "all", "persons", "all", "durable", "none"] * 2,
            "value": [100.0, 50, 30, 20, 5, 15, 60, 40, 10, 30, 10, 20],
        }
    )
    up, out = dc.count_tables(counts, ["durable", "none"])
    assert up.loc["total"].tolist() == [160, 90, 40]
    assert out.loc["total"].tolist() == [15, 35, 50]
    assert list(out.columns) == ["durable", "none", "total"]


def test_occupancy_series_uses_capacity_valid_on_each_date() -> None:
    f = pd.DataFrame(
        {
            "pilot": pd.Categorical(["utrecht", "utrecht", "eindhoven"]),
            "intake_date": pd.to_datetime(["2020-09-15", "2020-10-15", "2020-09-20"]).astype("datetime64[us]"),
            "exit_date": pd.to_datetime([pd.NaT, "2020-10-20", pd.NaT]).astype("datetime64[us]"),
            "trajectory_id": pd.array(["T1", "T2", "T3"], dtype="string"),
            "person_id": pd.array(["P1", "P2", "P3"], dtype="string"),
            "exit_reason": pd.Categorical([None, "other", None]),
            "formal_status": pd.array([True, True, True], dtype="boolean"),
        }
    )
    occ = dc.occupancy_series(f, "parallel_bbb", "2020-11-01", start="2020-10-01")
    ut = occ.loc[(occ["level"] == "pilot") & (occ["unit"] == "utrecht")].set_index("date")
    assert ut.loc[pd.Timestamp("2020-10-01"), "capacity"] == 230  # period 1 (001 Tabel S.1)
    assert ut.loc[pd.Timestamp("2020-11-01"), "capacity"] == 235  # period 2 (002)
    assert ut.loc[pd.Timestamp("2020-11-01"), "present"] == 1
    grp = occ.loc[(occ["level"] == "group") & (occ["unit"] == "yes")].set_index("date")
    assert grp.loc[pd.Timestamp("2020-11-01"), "occupancy_rate"] == pytest.approx(1 / 130)


def test_plot_rows_and_readable_labels() -> None:
    from lvv_eval.stats.sites.compare import compare_groups

    res = compare_groups("regioplan-2020", "parallel_bbb")
    rows = dc.plot_rows(res.rates, "free_places_rate", "of_capacity", Labels("en"))
    assert rows["label"].tolist() == ["Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Group: no", "Group: yes"]
    r = dc.readable(res.rates.head(2), Labels("nl"))
    assert "Groep" in r.columns and r["Groep"].tolist() == ["nee", "nee"]


def test_suppress_shares() -> None:
    t = pd.DataFrame({"n": [20, 100, 15], "events": [2, 30, 12], "crude_share": [0.1, 0.3, 0.8]})
    out = dc.suppress_shares(t, 10)
    # 2 < 10; 15 - 12 = 3 < 10
    assert out["suppressed"].tolist() == [True, False, True]


def test_sensitivity_range() -> None:
    sens = pd.DataFrame(
        {
            "level": ["group", "group", "pilot"],
            "measure": ["m", "m", "m"],
            "group": ["no", "no", "no"],
            "estimate": [0.1, 0.3, 0.9],
        }
    )
    r = dc.sensitivity_range(sens)
    assert r[["n_variants", "min_estimate", "max_estimate"]].iloc[0].tolist() == [2, 0.1, 0.3]


def test_penalised_fit_keeps_separated_covariates() -> None:
    # Firth's penalised likelihood is finite under separation: formal_status (0 of 2 durable
    # among formal_status = 0) stays in; only the constant safe_country goes.
    d = pd.DataFrame(
        {"pilot": ["x"] * 6, "y": [1, 0, 1, 0, 0, 0], "formal_status": [1, 1, 1, 1, 0, 0], "safe_country": [0] * 6}
    )
    kept, dropped = dc.estimable_covariates(d, ["formal_status", "safe_country"])
    assert kept == ["formal_status"] and dropped["covariate"].tolist() == ["safe_country"]


def _one_pilot_case_mix() -> tuple[pd.DataFrame, pd.DataFrame]:
    from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE
    from lvv_eval.reference.schemes import load_scheme
    from lvv_eval.sources.monitor import read_monitor
    from lvv_eval.stats.sites.case_mix import casemix_data

    frame = read_monitor(DEFAULT_SYNTHETIC_FILE).frame
    frame = frame.loc[frame["pilot"].astype(str) == "utrecht"].reset_index(drop=True)
    return frame, casemix_data(frame, "2022-07-01", load_scheme("monitor-2020"), population="outflow").data


def test_comparison_needs_names_what_a_one_municipality_export_lacks() -> None:
    frame, _ = _one_pilot_case_mix()
    en = dc.comparison_needs(frame, "parallel_bbb", "2022-07-01", Labels("en"))
    assert en is not None and "at least two pilots (the data have only utrecht)" in en
    assert "both design groups of 'parallel_bbb'" in en
    nl = dc.comparison_needs(frame, "parallel_bbb", "2022-07-01", Labels("nl"), outcome=pd.Series([0, 0]))
    assert nl is not None and "minstens twee pilots" in nl and "met en zonder bestendige uitstroom" in nl
    both = pd.DataFrame({"pilot": ["eindhoven", "utrecht"]})
    assert dc.comparison_needs(both, "parallel_bbb", "2022-07-01", Labels("en"), outcome=pd.Series([0, 1])) is None


def test_partial_pooling_table_is_empty_with_a_reason_instead_of_a_model_error() -> None:
    # issue 11: statsmodels' raw "endog values must be 0 and 1, and not all identical" reached the report
    frame, data = _one_pilot_case_mix()
    table, needs = dc.partial_pooling_table(data.assign(y=0), frame, "parallel_bbb", "2022-07-01", Labels("en"))
    assert table.empty and list(table.columns) == list(dc.POOLING_COLUMNS)
    assert needs is not None and needs.startswith("Not computed")
    empty, needs = dc.partial_pooling_table(data.iloc[:0], frame.iloc[:0], "parallel_bbb", "2022-07-01", Labels("en"))
    assert empty.empty and "the data have none" in str(needs)


# --- report 04: texts, captions and the person-level tables through the gate --------------------

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_designs.py"


def _code_lines(path: Path) -> list[str]:
    """The code of a py:percent notebook (markdown cells and comments left out)."""
    lines, markdown = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            markdown = "[markdown]" in line
            continue
        if not markdown and not line.lstrip().startswith("#"):
            lines.append(line)
    return lines


def test_notebook_holds_no_text_pairs_and_only_known_text_keys() -> None:
    code = "\n".join(_code_lines(NOTEBOOK))
    assert re.search(r"(?<![\w.])L\(", code) is None, "a bilingual L(nl, en) pair is back in notebook 04"
    keys = set(re.findall(r"""(?<![\w.])T\(\s*["']([a-z_0-9]+)["']\s*[,)]""", code))
    assert len(keys) > 40
    for lang in ("nl", "en"):
        texts = dc.texts(lang)
        assert sorted(k for k in keys if k not in texts) == []


def test_caption_values_come_from_the_tables() -> None:
    nl = Labels("nl")
    rates = dc.compare_groups("regioplan-2020", "parallel_bbb", alpha=dc.ALPHA).rates
    assert dc.level_text(dc.ALPHA) == "95"
    assert dc.interval_methods(rates, nl) == "Wilson"
    assert dc.interval_methods(rates.loc[rates["measure"] == "free_places_rate"], nl, skip_none=False) == (
        "geen (plaatsen zijn geen steekproef)"
    )
    figures = dc.published_design_figures()
    assert dc.citation(figures.loc[figures["measure"] == "capacity"]).startswith("001 Tabel S.1; 002 ")
    assert dc.published_period(figures.loc[figures["source_id"] == "regioplan-2020"], nl).startswith(
        "31 december 2019 (001 Tabel S.1"
    )
    assert dc.no_exact_occupancy(figures.loc[figures["source_id"] == "regioplan-2020"]) == ["utrecht"]


def test_labelled_statement_names_pilots_and_attribute_in_the_report_language() -> None:
    res = dc.compare_groups("regioplan-2020", "parallel_bbb")
    nl = dc.evidence_statement(res, "nl", labelled=True)
    assert "'Parallelle BBB' (op 31 december 2019)" in nl and "'ja' = Eindhoven (1 van 5)" in nl
    assert "parallel_bbb" not in nl and "amsterdam" not in nl
    en = dc.evidence_statement(res, "en", labelled=True)
    assert "'yes' = Eindhoven (1 of 5)" in en and "1/5 = 0.20" in en


def test_differences_are_hidden_with_a_hidden_count_of_their_groups() -> None:
    diffs = pd.DataFrame(
        {
            "measure": ["m", "m"],
            "category": ["a", "b"],
            "group_a": ["no", "no"],
            "group_b": ["yes", "yes"],
            "numerator_a": [50.0, 60.0],
            "denominator_a": [200.0, 200.0],
            "numerator_b": [20.0, 30.0],
            "denominator_b": [80.0, 80.0],
            "estimate": [0.0, 0.075],
            "ci_low": [-0.1, -0.05],
            "ci_high": [0.1, 0.2],
            "suppressed": [False, False],
            "suppression_rule": ["", ""],
        }
    )
    rates = pd.DataFrame(
        {
            "level": ["group"] * 4,
            "group": ["no", "yes", "no", "yes"],
            "measure": ["m"] * 4,
            "category": ["a", "a", "b", "b"],
            "numerator": [50, None, 60, 30],
            "denominator": [200, 80, 200, 80],
        }
    )
    out = dc.differences_upstream(diffs, rates)
    assert out["estimate"].isna().tolist() == [True, False]
    assert out["suppressed"].tolist() == [True, False]
    assert out.loc[0, "suppression_rule"].startswith("secondary")


EINDHOVEN = {
    "eindhoven": {"residence_permit": 12, "repeat_asylum_application": 3, "left_unknown_destination": 12, "": 33}
}
"""Eindhoven, alone in its design group (parallel BBB): 3 semi-durable exits hide, with them, another class."""


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory):
    """Every person-level table of report 04 registered on the one_forced_return export, then released."""
    from disclosure_exports import SKEWED, write_export
    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.evaluations.common import analysis_frame, load_person_level
    from lvv_eval.reporting.parameters import validate_parameters

    export = write_export(
        tmp_path_factory.mktemp("export") / "export.csv", {**SKEWED["one_forced_return"], **EINDHOVEN}
    )
    P = validate_parameters(
        {"data_source": str(export), "peildatum": "2020-11-01", "scheme": "regioplan-2022", "pilots": []},
        notebook="04_designs",
    )
    data = load_person_level(P)
    assert data is not None
    gate = Gate(P.disclosure_threshold, kind="person-level")
    dc.register_person_tables(gate, data, analysis_frame(data.frame, P.pilots), P, "parallel_bbb")
    released = {name: gate.release(name).frame for name in dc.PERSON_TABLES}  # no DisclosureConflictError
    return released


def test_every_table_of_report_04_is_released_without_conflict(small_report) -> None:
    assert set(small_report) == set(dc.PERSON_TABLES)


def test_no_pilot_follows_from_its_group_row(small_report) -> None:
    rates = small_report["person_rates"]
    for _, sub in rates.groupby(["measure", "category", "group"]):
        pilots, group = sub.loc[sub["level"] == "pilot"], sub.loc[sub["level"] == "group"]
        for col in ("numerator", "denominator"):
            if len(pilots) >= 2 and group[col].notna().all():
                assert pilots[col].isna().sum() != 1, "a hidden pilot count = group row minus the other pilots"


def test_no_group_follows_from_a_total(small_report) -> None:
    # a total next to a group of one pilot (parallel BBB = Eindhoven) would give the other group back
    for name in ("person_length_of_stay", "person_cumulative_incidence"):
        assert "total" not in set(small_report[name][dc.GROUP_COLUMN])
    outflow = small_report["person_outflow_counts"].set_index("pilot")
    assert "total" not in outflow.index
    # the group row of the rates minus the other pilots' counts elsewhere gives no hidden pilot back
    rates = small_report["person_rates"]
    groups = rates.loc[(rates["level"] == "group") & (rates["measure"] == "outflow_share_of_outflow")]
    for row in groups.itertuples():
        members = str(row.pilot).split(",")
        if len(members) >= 2 and pd.notna(row.numerator) and row.category in outflow.columns:
            assert outflow.loc[members, row.category].isna().sum() != 1


def test_the_single_pilot_group_is_protected_like_its_pilot(small_report) -> None:
    # parallel BBB = Eindhoven alone: a count hidden for Eindhoven is hidden for the group 'yes' too
    counts = {"durable": 12, "semi_durable": 3, "none": 12}  # regioplan-2022 classes of EINDHOVEN
    outflow = small_report["person_outflow_counts"].set_index("pilot")
    hidden = {c: v for c, v in counts.items() if pd.isna(outflow.loc["eindhoven", c])}
    assert "semi_durable" in hidden and len(hidden) >= 2, "3 semi-durable exits hide a second class"
    cif = small_report["person_cumulative_incidence"]
    yes = cif.loc[cif[dc.GROUP_COLUMN] == "yes"]
    for outcome, value in hidden.items():
        assert value not in set(yes.loc[yes["outcome"] == outcome, "n_events"].dropna()), outcome
    rates = small_report["person_rates"]
    group_yes = rates.loc[(rates["level"] == "group") & (rates["group"] == "yes")]
    for outcome, value in hidden.items():
        assert value not in set(group_yes.loc[group_yes["category"] == outcome, "numerator"].dropna()), outcome
