"""Tests of lvv_eval.evaluations.final_person: report 03's person-level tables, registered before any is released."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from disclosure_exports import SKEWED, write_export
from lvv_eval.disclosure.checked import SUPPRESSION_MARK
from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common, final, three_evaluations
from lvv_eval.evaluations import final_person as FP
from lvv_eval.evaluations.showing import formatted_view
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters

THRESHOLD = 10


def _parameters(data_source: str, pilots: list[str]) -> object:
    """Report 03's default parameters with another data source and pilot selection."""
    return validate_parameters(
        {
            "data_source": data_source,
            "peildatum": "2022-07-01",
            "scheme": "regioplan-2022",
            "pilots": pilots,
            "language": "nl",
            "output_dir": "",
            "disclosure_threshold": THRESHOLD,
            "formal_only": False,
            "horizons_months": [6, 12, 18],
        },
        notebook="03_final",
    )


def _registered(tmp_path: Path, export: str, pilots: list[str] | None = None) -> tuple[Gate, object]:
    """A gate with every person-level table of report 03 on a skewed export registered (nothing released)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = write_export(tmp_path / f"{export}.csv", SKEWED[export])
    P = _parameters(str(data), pilots or [])
    md = common.load_person_level(P)
    frame = common.analysis_frame(md.frame, P.pilots)
    three = three_evaluations.three_evaluations(
        frame, schemes=FP.sensitivity_schemes(P), formal_only=P.formal_only, pilots=list(P.pilots)
    )
    gate = Gate(THRESHOLD, kind="synthetic", report="03_final", aliases=common.total_aliases(P))
    FP.register_person_tables(gate, md, frame, P, three)
    return gate, P


OUTPUTS = (
    FP.VALIDATION,
    FP.FLOW,
    FP.COMPARISON,
    FP.SHARES,
    FP.CONTRAST,
    FP.CIF,
    FP.FIXED,
    FP.STAY,
    FP.OCCUPANCY,
    FP.SENSITIVITY,
    FP.THREE,
    "flow_intake_scenario_outcome",
    "durable_outflow_per_quarter",
    "capacity_and_occupancy",
)


@pytest.mark.parametrize("export", ["two_small_pilots", "three_leavers"])
def test_every_table_is_registered_before_the_first_release(tmp_path: Path, export: str) -> None:
    """After registration every output of report 03 can be released, in any order, without a conflict."""
    gate, _ = _registered(tmp_path, export)
    assert all(gate.registered(name) for name in OUTPUTS)
    for name in reversed(OUTPUTS):
        gate.release(name)


def test_no_released_count_is_below_the_threshold(tmp_path: Path) -> None:
    gate, _ = _registered(tmp_path, "two_small_pilots")
    counts = {
        FP.VALIDATION: ["rows"],
        FP.FLOW: ["intake", "present", "durable", "semi_durable", "none", "outflow"],
        FP.COMPARISON: ["person_level"],
        FP.CIF: ["n", "n_at_risk", "n_events"],
        FP.STAY: ["n", "n_events", "n_censored"],
        FP.OCCUPANCY: ["present"],
        "capacity_and_occupancy": ["present"],
    }
    rates = [FP.SHARES, FP.CONTRAST, FP.FIXED, FP.SENSITIVITY, FP.THREE, "flow_intake_scenario_outcome"]
    counts.update({name: ["numerator", "denominator"] for name in rates})
    for name, columns in counts.items():
        table = gate.release(name)
        for col in columns:
            values = pd.to_numeric(table.frame[col], errors="coerce")
            small = values[(values >= 1) & (values < THRESHOLD)]
            assert small.empty, f"{name}.{col} shows {small.tolist()}"
    # the flow table's outflow (intake - present) is checked too: Eindhoven's 7 leavers
    flow = gate.release(FP.FLOW).frame.set_index("pilot")
    assert pd.isna(flow.loc["eindhoven", "outflow"]) or pd.isna(flow.loc["eindhoven", "present"])


def test_at_risk_counts_of_the_cumulative_incidence_are_checked(tmp_path: Path) -> None:
    """The displayed 'number still in the LVV' is a count of persons: small ones are hidden."""
    gate, _ = _registered(tmp_path, "two_small_pilots")
    cif = gate.release(FP.CIF)
    at_risk = pd.to_numeric(cif.frame["n_at_risk"], errors="coerce")
    assert not ((at_risk >= 1) & (at_risk < THRESHOLD)).any()
    assert cif.mask["n_at_risk"].any()  # Eindhoven: 15 entered, fewer than 10 still in at 18 months


def test_a_count_hidden_in_one_table_is_hidden_in_the_others(tmp_path: Path) -> None:
    """A count the flow table hides only for its own margins is hidden wherever else it is shown."""
    gate, _ = _registered(tmp_path, "two_small_pilots")
    flow = gate.release(FP.FLOW)
    rules = flow.report().set_index("cell")["rule"]
    # Utrecht's 22 leavers: hidden by the flow table's own secondary rule (no small count in itself)
    assert rules["utrecht/outflow"].startswith("derived") and rules["utrecht/present"].startswith("secondary")
    stay = gate.release(FP.STAY).frame.set_index("pilot")
    shares = gate.release(FP.SHARES).frame
    assert pd.isna(stay.loc["utrecht", "n_events"]) and pd.isna(stay.loc["utrecht", "n_censored"])
    assert shares.loc[shares["pilot"] == "utrecht", "denominator"].isna().all()


def test_the_national_sensitivity_is_released_on_the_default_data() -> None:
    """Issue 9: the scheme-sensitivity result stays visible at least for the national total."""
    P = _parameters("synthetic", [])
    md = common.load_person_level(P)
    three = three_evaluations.three_evaluations(md.frame, schemes=FP.sensitivity_schemes(P))
    gate = Gate(THRESHOLD, kind="synthetic", report="03_final")
    FP.register_person_tables(gate, md, md.frame, P, three)
    sens = gate.release(FP.SENSITIVITY).frame
    national = sens.loc[(sens["pilot"] == "total") & (sens["denominator_kind"] == "outflow")]
    assert len(national) == len(FP.sensitivity_schemes(P))
    assert national["estimate"].notna().all()


def test_formatted_view_marks_hidden_cells_and_flags_their_rows() -> None:
    gate = Gate(THRESHOLD, kind="synthetic")
    raw = pd.DataFrame(
        {
            "pilot": ["utrecht", "eindhoven", "total"],
            "n": [30, 4, 34],
            "estimate": [0.5, 0.25, 0.47],
            "suppressed": False,
        }
    )
    gate.register("t", raw, counts=["n"], derived={"estimate": ("n",)}, margins={"total_row": "total"})
    table = gate.release("t")
    view = formatted_view(table, Labels("en"), percent=["estimate"])
    assert view.attrs["checked_view"] == "t"
    rows = view.set_index(view.columns[0])
    assert rows.loc["Eindhoven"].tolist()[:2] == [SUPPRESSION_MARK, SUPPRESSION_MARK]
    flags = dict(zip(rows.index, rows[rows.columns[-1]]))
    # Utrecht's count is hidden too (else total - Utrecht gives Eindhoven back): its row is flagged
    assert flags["Eindhoven"] == "yes" and flags["Utrecht"] == "yes" and flags["Total"] == "no"
    assert "4" not in view.to_numpy().ravel().tolist()


def test_a_small_outflow_hides_the_persons_present() -> None:
    """Intake 50 and 45 present would give the 5 leavers (the sum of the hidden classes) back."""
    t = pd.DataFrame(
        {"intake": [50, 60, 110], "present": [45, 40, 85], "durable": [3, 10, 13], "none": [2, 10, 12]},
        index=pd.Index(["a", "b", "total"], name="pilot"),
    ).assign(outflow=lambda d: d["durable"] + d["none"])
    res = final.suppress_flow(t, THRESHOLD)
    assert res.mask.loc["a", "present"] and res.mask.loc["a", "outflow"]
    rules = dict(zip(res.report["cell"], res.report["rule"]))
    assert rules["a/present"] == f"primary: outflow (intake - present) < {THRESHOLD}"
    # the column relation: a second pilot's present is hidden too
    assert res.mask.loc["b", "present"]


def test_sensitivity_denominators_follow_the_report_scheme(tmp_path: Path) -> None:
    """Intake and outflow count the same people under every scheme: hidden only as the report's flow table does."""
    gate, P = _registered(tmp_path, "one_forced_return")
    sens = gate.release(FP.SENSITIVITY).frame
    flow = gate.release(FP.FLOW)
    for pilot, kind in [(p, k) for p in flow.frame["pilot"] for k in ("intake", "outflow")]:
        shown = flow.frame.set_index("pilot").loc[pilot, kind]
        rows = sens.loc[(sens["pilot"] == pilot) & (sens["denominator_kind"] == kind), "denominator"]
        if pd.notna(shown) and pilot != "total":
            assert rows.notna().all() and (rows == shown).all(), (pilot, kind, rows.tolist())
