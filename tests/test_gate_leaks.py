"""Each leak found in the reports as a test: small exports must not show suppressed or small counts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.disclosure.gate import Gate
from lvv_eval.errors import InputValidationError
from lvv_eval.evaluations import common
from lvv_eval.reporting.parameters import validate_parameters

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "monitor_synthetic.csv"


def test_suppress_long_hides_small_counts_of_a_pilot_row_with_a_missing_measure():
    # eindhoven has no departure-scenario figure: before, dropna(how="any") left its row out entirely
    t = pd.DataFrame(
        {
            "pilot": ["e", "e", "e", "g", "g", "g", "total", "total", "total"],
            "measure": ["outflow", "outflow", "scenarios"] * 3,
            "category": ["all", "durable", "departure"] * 3,
            "person_level": [2, 1, None, 40, 20, 30, 42, 21, 30],
        }
    )
    t = t.dropna().reset_index(drop=True)
    out = common.suppress_long(t, 10).table
    e = out.loc[out["pilot"] == "e", "person_level"]
    assert e.isna().all()


def _params(tmp_path: Path, source: str, pilots: list[str] | None = None):
    return validate_parameters(
        {
            "data_source": source,
            "peildatum": "2020-11-01",
            "scheme": "monitor-2020",
            "pilots": pilots or [],
            "language": "nl",
            "output_dir": str(tmp_path / "out"),
            "disclosure_threshold": 10,
            "formal_only": False,
        },
        notebook="01_plan_process",
    )


def test_a_structurally_broken_file_is_reported_without_its_values(tmp_path):
    lines = SYNTHETIC.read_text(encoding="utf-8").splitlines()
    row = lines[3] + ",extra,fields"
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join([*lines[:3], row]) + "\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as info:
        common.load_person_level(_params(tmp_path, str(broken)))
    message = str(info.value)
    assert "row 4" in message and "fields" in message
    for value in row.split(",")[:6]:
        if value:
            assert value not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def _small_export(tmp_path: Path) -> Path:
    frame = pd.read_csv(SYNTHETIC, dtype=str)
    keep = [
        frame.loc[frame["pilot"] == p].head(n)
        for p, n in [("eindhoven", 8), ("utrecht", 60), ("rotterdam", 70), ("groningen", 80), ("amsterdam", 90)]
    ]
    path = tmp_path / "small.csv"
    pd.concat(keep).to_csv(path, index=False)
    return path


def test_report_01_person_tables_show_no_count_below_the_threshold_nor_a_suppressed_one(tmp_path):
    from lvv_eval.evaluations import plan_process as pp

    P = _params(tmp_path, str(_small_export(tmp_path)))
    data = common.load_person_level(P)
    frame = common.analysis_frame(data.frame, P.pilots, P.formal_only)
    gate = Gate(10, kind="person-level")
    pp.register_person_tables(gate, data, frame, P)
    tables = {
        name: gate.release(name)
        for name in [
            "published_vs_person",
            "durable_rate_person",
            "length_of_stay",
            "scheme_sensitivity",
            "cumulative_incidence_curves",
        ]
    }
    hidden: set[tuple[str, float]] = set()
    shown: set[tuple[str, float]] = set()
    for name, table in tables.items():
        counts = gate._specs[name].counts
        raw = gate._raw[name]
        for col in counts:
            form = table.frame["release_form"] if "release_form" in table.frame else pd.Series(["exact"] * len(raw))
            for p, v, h, f in zip(raw["pilot"], raw[col], table.mask[col], form):
                if pd.isna(v) or v < 1 or f != "exact":
                    continue
                (hidden if h else shown).add((str(p), float(v)))
    assert not {x for x in shown if x[1] < 10}, "a count below the threshold is shown"
    assert not hidden & shown, f"a count suppressed in one table is shown in another: {sorted(hidden & shown)}"


def test_a_design_group_of_one_pilot_is_protected_like_that_pilot():
    gate = Gate(10, kind="synthetic", aliases={"parallel_bbb=yes": "eindhoven", "parallel_bbb=no": "utrecht"})
    gate.register(
        "flow",
        pd.DataFrame({"pilot": ["eindhoven", "utrecht", "total"], "outflow": [2, 30, 32], "intake": [30, 40, 70]}),
        counts=["outflow", "intake"],
        margins={"total_row": "total"},
    )
    groups = gate.check(
        "design",
        pd.DataFrame({"group": ["parallel_bbb=yes", "parallel_bbb=no"], "n": [30, 40], "events": [2, 30]}),
        counts=["n", "events"],
        key="group",
    )
    # Utrecht's 30 exits protect Eindhoven's 2 in the flow table: the group of Utrecht alone hides them too
    assert groups.frame["events"].isna().tolist() == [True, True]


def test_validation_flow_hides_small_exclusions_and_what_gives_them_back() -> None:
    # 2 of 2065 rows excluded: "rows read" 2065 and "rows analysed" 2063 would give the 2 back.
    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.evaluations.common import suppress_validation_flow

    flow = pd.DataFrame(
        {
            "step": [
                "data rows in file",
                "empty rows skipped",
                "rows read",
                "excluded, first reason: unknown pilot",
                "excluded, first reason: exit before intake",
                "rows excluded",
                "rows analysed",
            ],
            "rows": [2065, 0, 2065, 1, 1, 2, 2063],
        }
    )
    shown = suppress_validation_flow(flow, 10).set_index("step")["rows"]
    assert shown["rows read"] == 2065
    assert shown[["rows excluded", "rows analysed"]].isna().all()
    assert shown[shown.index.str.startswith("excluded")].isna().all()
    gate = Gate(10)
    table = gate.check("validation_flow", flow, counts=["rows"], key=None, upstream=suppress_validation_flow(flow, 10))
    released = table.frame.set_index("step")["rows"]
    assert released[["rows excluded", "rows analysed"]].isna().all()


def test_validation_flow_keeps_large_exclusions_but_hides_a_single_small_reason() -> None:
    from lvv_eval.evaluations.common import suppress_validation_flow

    flow = pd.DataFrame(
        {
            "step": [
                "rows read",
                "excluded, first reason: a",
                "excluded, first reason: b",
                "rows excluded",
                "rows analysed",
            ],
            "rows": [500, 3, 40, 43, 457],
        }
    )
    shown = suppress_validation_flow(flow, 10).set_index("step")["rows"]
    assert shown["rows excluded"] == 43 and shown["rows analysed"] == 457
    # reason b (40) would give reason a (3) back from the total 43: both reasons hidden
    assert shown[["excluded, first reason: a", "excluded, first reason: b"]].isna().all()


def test_default_interim_sensitivity_is_visible_nationally_in_rounded_form() -> None:
    # On the default synthetic data the schemes differ nationally by fewer than 10 persons, so the
    # exact national rows would be blank; the gate releases them rounded to base 5 instead.
    from lvv_eval.evaluations import interim
    from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE
    from lvv_eval.reporting.labels import Labels
    from lvv_eval.sources.monitor import read_monitor

    frame = read_monitor(DEFAULT_SYNTHETIC_FILE).frame
    raw = common.scheme_sensitivity(frame, "2020-11-01")
    protected = common.suppress_scheme_differences(raw, 10, protect=[interim.MONITOR, interim.VJI]).table
    gate = Gate(10, kind="synthetic")
    sens = interim.check_scheme_sensitivity(gate, raw, protected)
    total = sens.frame.loc[(sens.frame["pilot"] == "total") & (sens.frame["denominator_kind"] == "outflow")]
    assert total["estimate"].notna().all()
    assert set(total["release_form"]) == {"rounded to base 5"}
    assert (total["numerator"].astype(int) % 5 == 0).all()
    text = interim.national_shift_text(gate, sens, Labels("nl")).text
    assert "afgerond" in text and "%" in text


def test_hidden_classes_that_add_up_to_a_small_count_get_a_shown_class_hidden_too() -> None:
    # 02 class_shares_by_pilot: durable 3 and temporary 4 hidden, "none" 13 of 20 shown, so the
    # hidden classes add up to 20 - 13 = 7 persons: a small count by subtraction.
    import numpy as np

    from lvv_eval.disclosure.suppression import secondary_in_group

    hidden, den_hidden, rules = secondary_in_group(
        np.array([3.0, 4.0, 13.0]), 20.0, np.array([True, True, False]), 10, True
    )
    assert hidden.tolist() == [True, True, True] or den_hidden
    assert "add up to fewer than 10" in rules[2]
    # two hidden classes that add up to 10 or more need nothing more
    hidden, den_hidden, _ = secondary_in_group(
        np.array([6.0, 5.0, 30.0]), 41.0, np.array([True, True, False]), 10, True
    )
    assert hidden.tolist() == [True, True, False] and not den_hidden


def test_a_count_column_made_float_by_suppression_is_still_checked() -> None:
    # 04 sensitivity: numerators 105 / 96 (a difference of 9 between schemes) arrived as floats with
    # missing cells and passed the gate unchecked.
    table = pd.DataFrame(
        {
            "scheme": ["a", "b"],
            "pilot": ["g", "g"],
            "numerator": [105.0, 96.0],
            "denominator": [1321.0, 1321.0],
            "estimate": [105 / 1321, 96 / 1321],
        }
    )
    assert common.count_columns(table) == ["numerator", "denominator"]
    gate = Gate(10, kind="synthetic")
    out = common.checked(gate, "sensitivity", table, rates=True, versions="scheme", version_key=[], protect=["a"])
    assert out.frame["numerator"].isna().tolist() == [False, True]
    assert common.count_columns(pd.DataFrame({"estimate": [0.0, 1.0], "ci_low": [0.0, 1.0]})) == []


def test_a_table_without_rows_passes_every_rule() -> None:
    """Margins, groups and versions on a table without rows (an export without leavers) release it empty."""
    gate = Gate(10, kind="synthetic")
    empty = pd.DataFrame(
        {
            "scheme": pd.Series([], dtype=str),
            "pilot": pd.Series([], dtype=str),
            "numerator": pd.Series([], dtype="int64"),
            "denominator": pd.Series([], dtype="int64"),
        }
    )
    gate.register(
        "empty",
        empty,
        counts=["numerator", "denominator"],
        rates=True,
        group="pilot",
        versions="scheme",
        margins={"total_row": "total"},
    )
    table = gate.release("empty")
    assert table.frame.empty and list(table.frame.columns) == list(empty.columns)
