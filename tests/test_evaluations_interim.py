"""Interim evaluation tables (peildatum 2020-11-01): monitor 2020 vs Verwey-Jonker 2021.

Expected numbers are from the seeds: 002_1f6dbbe6756677e4.txt (Voortgang LVV's) and
000_3514d6bc5a3a2801.txt (Effecten van de LVV).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.evaluations import common, interim
from lvv_eval.reporting.labels import Labels


@pytest.fixture(scope="module")
def head() -> dict[str, int]:
    return interim.headline()


def test_headline_monitor(head) -> None:
    # 002: 360 + 130 + 300 + 117 + 235 = 1142; 46 + 61 = 107; 2 + 0 + 23 + 30 + 6 = 61; 236 + 235 = 471
    assert head["capacity"] == 1142 == head["capacity_printed"]
    assert (head["granted"], head["departures"], head["durable"]) == (46, 61, 107)
    assert head["departures_pilot_sum"] == 61
    assert head["scenarios"] == 471
    # 1310 sheltered - 771 present
    assert head["left"] == 539
    # 46 + 61 + 164 + 25 + 95 + 7 + 84
    assert head["monitor_listed"] == 482


def test_headline_vji_and_class_differences(head) -> None:
    # 000: 43 + 50 + 2 = 95 durable; 537 in all
    assert head["vji_durable"] == 95
    assert head["vji_outflow"] == 537
    # VJI - monitor per class: durable 95 - 107; temporary 0 - (164 + 25); semi 170 + 20;
    # none (100 + 76 + 76) - (95 + 7 + 84)
    assert head["class_diff_durable"] == -12
    assert head["class_diff_temporary"] == -189
    assert head["class_diff_semi_durable"] == 190
    assert head["class_diff_none"] == 66
    assert head["class_diff_total"] == 55


def test_capacity_utrecht_differs_from_2019() -> None:
    t = interim.capacity_comparison().set_index("pilot")
    assert t.loc["utrecht", "capacity_2019"] == 230  # 001 Tabel S.1
    assert t.loc["utrecht", "capacity_2020"] == 235  # 002
    assert t.loc["total", "capacity_2019"] == 1137
    assert t.loc[["amsterdam", "eindhoven", "groningen", "rotterdam"], "difference"].tolist() == [0, 0, 0, 0]


def test_outflow_flow_lines() -> None:
    v = interim.outflow_flow().set_index("line")["value"].to_dict()
    assert v == {
        "sheltered": 1310,
        "present": 771,
        "left": 539,
        "monitor_listed": 482,
        "monitor_not_itemised": 57,
        "vji_outflow": 537,
        "vji_minus_left": -2,
    }


def test_outflow_counts_exclude_class_totals() -> None:
    m = interim.outflow_counts(interim.MONITOR)
    assert "durable" not in m.index
    assert m["departure_or_onward_migration"] == 61
    v = interim.outflow_counts(interim.VJI)
    assert v["other_non_durable"] == 76 and v["stay_terminated"] == 76


def test_reconciliation_explained_part() -> None:
    r = interim.interim_reconciliation()
    cat = r.categories.set_index("common_category")
    # departures 52 - 61 = -9: between 0 and 9 of it is the forced-departure reclassification
    # (size not published), so the unexplained part is a range, not 0
    dep = cat.loc["departure_or_onward_migration"]
    assert dep["difference"] == -9 and dep["explained"] == 0
    assert (dep["unexplained_low"], dep["unexplained_high"]) == (-9, 0)
    # other non-durable 76 - 7 = 69, of which 60 to 69 unexplained
    assert (cat.loc["other_non_durable", "unexplained_low"], cat.loc["other_non_durable", "unexplained_high"]) == (
        60,
        69,
    )
    cls = r.classes.set_index("class")
    # durable gap 12 = 3 unexplained (permits 46 vs 43) + 9 in departures
    assert (cls.loc["durable", "unexplained_low"], cls.loc["durable", "unexplained_high"]) == (-12, -3)
    assert cls.loc["semi_durable", "explained_classification"] == 189


def test_departures_by_pilot_per_100_places() -> None:
    t = interim.departures_by_pilot().set_index("pilot")
    assert t.loc["rotterdam", "departures"] == 30
    assert t.loc["rotterdam", "departures_per_100_places"] == pytest.approx(100 * 30 / 117)
    assert t.loc["utrecht", "departure_scenarios_per_100_places"] == pytest.approx(100 * 10 / 235)
    assert t.loc["total", "departure_scenarios"] == 236


def test_scenario_share_total_wilson() -> None:
    t = interim.scenario_share_total()
    assert t["denominator"].tolist() == [471, 471]
    assert t["ci_method"].tolist() == ["wilson", "wilson"]
    # Wilson 95% for 236/471, hand-checked: about 0.456 to 0.546
    assert t.loc[0, "ci_low"] == pytest.approx(0.4561, abs=5e-4)
    assert t.loc[0, "ci_high"] == pytest.approx(0.5459, abs=5e-4)


def test_interim_checks_all_ok() -> None:
    t = interim.interim_checks()
    assert {"m20-capacity-sum", "m20-outflow-bound", "vj21-outflow-bound"} <= set(t["check_id"])
    assert (t["status"] == "ok").all()


def _person_figures() -> pd.DataFrame:
    rows = []
    for pilot, (d, t, n, dep, res) in {"a": (3, 20, 30, 12, 4), "b": (15, 10, 25, 0, 20)}.items():
        rows += [
            (pilot, "outflow", "durable", d),
            (pilot, "outflow", "temporary", t),
            (pilot, "outflow", "none", n),
            (pilot, "outflow", "all", d + t + n),
            (pilot, "scenarios", "departure", dep),
            (pilot, "scenarios", "residence", res),
        ]
    frame = pd.DataFrame(rows, columns=["pilot", "measure", "category", "value"])
    total = frame.groupby(["measure", "category"], as_index=False)["value"].sum().assign(pilot="total")
    return pd.concat([frame, total[frame.columns]], ignore_index=True)


def test_class_count_table_and_shares() -> None:
    figs = _person_figures()
    t = interim.class_count_table(figs, "monitor-2020")
    assert list(t.columns) == ["durable", "temporary", "none", "total"]
    assert list(t.index) == ["a", "b", "total"]
    assert t.loc["total"].tolist() == [18, 30, 55, 103]
    s = interim.class_shares_by_pilot(figs, "monitor-2020")
    a = s.loc[s["pilot"] == "a"].set_index("category")
    assert a.loc["durable", "estimate"] == pytest.approx(3 / 53)
    assert (s["denominator_label"] == "total outflow").all()


def test_scenario_shares_by_pilot() -> None:
    s = interim.scenario_shares_by_pilot(_person_figures())
    b = s.loc[s["pilot"] == "b"].set_index("category")
    assert b.loc["departure", "estimate"] == 0
    assert b.loc["residence", "denominator"] == 20


def test_mask_shares_hides_secondary_cells() -> None:
    from lvv_eval.disclosure import suppression as disclosure

    figs = _person_figures()
    counts = interim.class_count_table(figs, "monitor-2020")
    sup = disclosure.suppress(counts, threshold=10)
    shares = common.hide_masked_rates(interim.class_shares_by_pilot(figs, "monitor-2020"), sup.mask)
    hidden = shares.loc[shares["suppressed"], ["pilot", "category"]].apply(tuple, axis=1).tolist()
    # a/durable = 3 is primary; at least one more cell in row a and in column durable protects it
    assert ("a", "durable") in hidden
    assert len(hidden) >= 3
    assert shares.loc[shares["suppressed"], "estimate"].isna().all()


def test_flow_count_table_margins() -> None:
    flow = pd.DataFrame(
        {
            "line": ["intake", "exited", "exited:durable", "exited:none", "present", "not_yet_started"],
            "description": [""] * 6,
            "b": [10, 4, 1, 3, 6, 2],
            "a": [7, 2, 2, 0, 5, 0],
            "total": [17, 6, 3, 3, 11, 2],
        }
    )
    t = interim.flow_count_table(flow)
    assert list(t.index) == ["a", "b", "total"]
    assert list(t.columns) == ["durable", "none", "present", "total"]
    assert (t.drop(columns="total").sum(axis=1) == t["total"]).all()


def test_suppress_long_hides_value_and_difference() -> None:
    table = pd.DataFrame(
        {
            "pilot": ["a", "b", "total"],
            "measure": "outflow",
            "category": "durable",
            "published": [2.0, 20.0, 22.0],
            "person_level": [3, 19, 22],
            "difference": [1.0, -1.0, 0.0],
        }
    )
    res = interim.suppress_long(table, threshold=10)
    assert res.table["person_level"].isna().tolist() == [True, True, False]  # primary a, secondary b
    assert res.table["difference"].isna().tolist() == [True, True, False]
    assert res.table["published"].tolist() == [2.0, 20.0, 22.0]


def test_scheme_shift_and_largest() -> None:
    sens = pd.DataFrame(
        {
            "scheme": ["m"] * 3 + ["v"] * 3,
            "pilot": ["a", "b", "total"] * 2,
            "denominator_kind": "outflow",
            "numerator": [30, 12, 42, 18, 11, 29],
            "denominator": [100, 50, 150] * 2,
            "estimate": [0.30, 0.24, 0.28, 0.18, 0.22, 29 / 150],
        }
    )
    shift = interim.scheme_shift(sens, "m", "v")
    assert shift["shift_pp"].round(6).tolist() == [12.0, 2.0, pytest.approx(100 * 13 / 150)]
    assert shift["moved"].tolist() == [12, 1, 13]
    assert interim.largest_shift(shift) == "a"
    # With disclosure control, b's 1 moved person is hidden, and so is a second cell (else
    # 13 - 12 = 1 gives it back: secondary suppression picks the smallest other cell, a's 12),
    # with every column a hidden count could be recomputed from.
    protected = interim.scheme_shift(sens, "m", "v", threshold=10)
    assert protected["moved"].isna().tolist() == [True, True, False]
    assert protected.loc[[0, 1], ["durable_b", "estimate_b", "shift_pp"]].isna().all().all()
    assert interim.largest_shift(protected) is None


def test_category_labels_languages() -> None:
    en = interim.category_labels(Labels("en"), ["other_non_durable", "residence_permit", "semi_durable"])
    nl = interim.category_labels(Labels("nl"), ["other_non_durable"])
    assert en["other_non_durable"] != nl["other_non_durable"]
    assert all(isinstance(v, str) and v for v in en.values())


def test_suppress_long_links_classes_to_outflow_all() -> None:
    # Eindhoven: durable 4 hidden; all 100, semi 50, none 46 shown would give 100 - 50 - 46 = 4.
    table = pd.DataFrame(
        {
            "pilot": ["eindhoven"] * 4 + ["groningen"] * 4 + ["utrecht"] * 4 + ["total"] * 4,
            "measure": "outflow",
            "category": ["all", "durable", "semi_durable", "none"] * 4,
            "person_level": [100, 4, 50, 46, 100, 30, 30, 40, 120, 40, 40, 40, 320, 74, 120, 126],
        }
    )
    res = interim.suppress_long(table, threshold=10)
    wide = res.table.pivot(index="pilot", columns="category", values="person_level")
    for pilot, row in wide.iterrows():
        parts = row[["durable", "semi_durable", "none"]]
        assert parts.isna().sum() != 1, pilot  # never exactly one unknown term of all = sum(classes)
    for col in ("durable", "semi_durable", "none"):
        assert wide[col].isna().sum() != 1, col  # nor of total = sum(pilots)
    assert pd.isna(wide.loc["eindhoven", "durable"])


def test_suppress_flow_and_classes_consistent_across_tables() -> None:
    # intake 1310, present 771 and the monitor classes 107/189/243 as in source 002 (total only);
    # two pilots made up around them; verwey-jonker-2021 moves 4 forced returns of g from durable to none
    flow = pd.DataFrame(
        {
            "durable": [26, 81, 107],
            "temporary": [73, 116, 189],
            "none": [77, 166, 243],
            "present": [210, 561, 771],
            "total": [386, 924, 1310],
        },
        index=pd.Index(["g", "u", "total"], name="pilot"),
    )
    mon = flow.drop(columns=["present"]).assign(total=lambda d: d["total"] - flow["present"])
    vji = mon.rename(columns={"temporary": "semi_durable"}).copy()
    vji["durable"] = [22, 81, 103]
    vji["none"] = [81, 166, 247]
    flow_sup, classes = interim.suppress_flow_and_classes(
        flow, {"monitor-2020": mon, "verwey-jonker-2021": vji}, threshold=10
    )
    # the monitor's class counts are shown in both tables alike
    for col in ("durable", "temporary", "none"):
        assert flow_sup.mask[col].tolist() == classes["monitor-2020"].mask[col].tolist()
    v = classes["verwey-jonker-2021"].table
    # 26 - 22 = 4 must not be readable: g's durable (and none, 81 - 77) are hidden in the second table
    assert pd.isna(v.loc["g", "durable"]) and pd.isna(v.loc["g", "none"])
    sens = pd.DataFrame(
        {
            "scheme": ["verwey-jonker-2021"] * 2,
            "pilot": ["g", "u"],
            "denominator_kind": ["outflow"] * 2,
            "numerator": [22, 81],
            "denominator": [176, 363],
            "estimate": [22 / 176, 81 / 363],
        }
    )
    shown = interim.hide_shown_counts(sens, classes, flow_sup.mask)
    assert pd.isna(shown.loc[0, "numerator"]) == bool(classes["verwey-jonker-2021"].mask.loc["g", "durable"])


# --------------------------------------------------------------------------- report 02 as a whole
NOTEBOOK_02 = Path(__file__).resolve().parents[1] / "notebooks" / "02_interim.py"


def test_notebook_02_holds_no_bilingual_text_pair() -> None:
    # texts live in texts/interim.<language>.yaml; the notebook asks for them by key
    source = NOTEBOOK_02.read_text(encoding="utf-8")
    pairs = re.findall(r"\bL\(\s*(?:f?[\"']|\*)", source)
    assert pairs == [], f"{len(pairs)} L(...) text pair(s) left in {NOTEBOOK_02.name}"
    assert 'Texts("interim", P.language)' in source


def _parameters(tmp_path: Path, **overrides: object):
    from lvv_eval.reporting.parameters import validate_parameters

    values: dict[str, object] = {
        "data_source": "synthetic",
        "peildatum": "2020-11-01",
        "scheme": "monitor-2020",
        "pilots": [],
        "language": "nl",
        "output_dir": str(tmp_path),
        "disclosure_threshold": 10,
        "formal_only": True,
        "comparison_scheme": "verwey-jonker-2021",
    }
    values.update(overrides)
    return validate_parameters(values, notebook="02_interim")


def _registered(P):
    from lvv_eval.disclosure.gate import Gate

    gate = Gate(P.disclosure_threshold, kind="synthetic", report="02_interim", aliases=common.total_aliases(P))
    tables = interim.register_person_tables(gate, common.load_person_level(P), P)
    return gate, tables


def _outputs(tables: interim.PersonTables) -> list[str]:
    return [
        interim.VALIDATION,
        interim.FLOW,
        interim.LATE_INTAKE,
        interim.COMPARISON,
        *tables.class_tables.values(),
        interim.CLASS_SHARES,
        interim.SCENARIOS,
        interim.CIF,
        interim.STAY,
        interim.SENSITIVITY,
        interim.SHIFT,
    ]


def _small_counts_shown(table) -> list[str]:
    found = []
    for column in common.count_columns(table.frame):
        values = pd.to_numeric(table.frame[column], errors="coerce")
        small = values[(values >= 1) & (values < 10)]
        found += [f"{table.output_id}:{column}={int(v)}" for v in small]
    return found


@pytest.fixture(scope="module")
def default_gate(tmp_path_factory: pytest.TempPathFactory):
    return _registered(_parameters(tmp_path_factory.mktemp("nb02")))


def test_person_tables_are_registered_before_any_release_and_release_in_any_order(default_gate) -> None:
    gate, tables = default_gate
    assert gate.released == {}  # registering releases nothing
    names = _outputs(tables)
    released = [gate.release(name) for name in reversed(names)]  # no DisclosureConflictError
    assert [t.output_id for t in released] == list(reversed(names))
    assert [leak for t in released for leak in _small_counts_shown(t)] == []


def test_default_scheme_sensitivity_is_shown_nationally_and_every_blank_is_marked(default_gate) -> None:
    gate, _ = default_gate
    sens = gate.release(interim.SENSITIVITY)
    national = sens.frame.loc[(sens.frame["pilot"] == "total") & (sens.frame["denominator_kind"] == "outflow")]
    assert national["estimate"].notna().all()  # issue 9: visible at least nationally
    # a missing numerator is a suppressed one (shown as the mark), never a silent blank
    blank = sens.frame["numerator"].isna().to_numpy()
    assert blank.any() and sens.mask["numerator"].to_numpy()[blank].all()


def test_a_count_hidden_in_one_table_is_hidden_in_the_others(default_gate) -> None:
    gate, tables = default_gate
    flow = gate.release(interim.FLOW)
    classes = gate.release(tables.class_tables["monitor-2020"])
    for pilot in flow.frame["pilot"]:
        f = flow.frame["pilot"] == pilot
        c = classes.frame["pilot"] == pilot
        for cls in ("durable", "temporary", "none"):
            assert bool(flow.mask.loc[f, cls].iloc[0]) == bool(classes.mask.loc[c, cls].iloc[0]), (pilot, cls)


def test_one_pilot_report_registers_and_releases_without_conflict(tmp_path: Path) -> None:
    # with one pilot the national rows are that pilot's rows (the gate's alias): the tables released
    # one after another used to stop with DisclosureConflictError
    gate, tables = _registered(_parameters(tmp_path, pilots=["eindhoven"]))
    released = [gate.release(name) for name in _outputs(tables)]
    assert [leak for t in released for leak in _small_counts_shown(t)] == []
    sens = gate.release(interim.SENSITIVITY).frame
    assert set(sens["pilot"]) == {"eindhoven", "total"}
    # every table's total is the total of the selected pilot, as the gate's alias assumes
    stay = gate.release(interim.STAY).frame.set_index("pilot")
    assert stay.loc["total", "n"] == stay.loc["eindhoven", "n"]


def test_published_part_lines_and_captions_come_from_the_figures() -> None:
    h = interim.headline()
    nl = interim.capacity_lines(h, Labels("nl"))
    en = interim.capacity_lines(h, Labels("en"))
    assert nl[0] == f"Capaciteit, som van de pilots: {h['capacity']} (gedrukt {h['capacity_printed']})"
    assert en[1] == f"Durable = granted + departure: {h['durable']} = {h['granted']} + {h['departures']} " + (
        f"(printed {h['durable_printed']})"
    )
    vji = interim.outflow_counts(interim.VJI)
    line = interim.reconciliation_lines(h, Labels("nl"))[0]
    parts = [int(vji[c]) for c in ("residence_permit", "independent_return", "onward_migration")]
    assert line == f"Verwey-Jonker bestendig = {' + '.join(map(str, parts))}: {sum(parts)}"
    assert interim.citation(interim.MONITOR, "outflow").startswith("002, Voortgang LVV")
