"""The disclosure gate refuses unchecked output and applies its rules across the tables of a report."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lvv_eval.disclosure.checked import SUPPRESSION_MARK, CheckedText
from lvv_eval.disclosure.gate import LINKED_RULE, Gate, UndeclaredCountWarning
from lvv_eval.errors import ConfigError, DisclosureConflictError, UncheckedOutputError
from lvv_eval.reporting.writer import ReportWriter, say, show_table


def _rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pilot": ["a", "b", "total"],
            "numerator": [3, 40, 43],
            "denominator": [30, 80, 110],
            "estimate": [0.1, 0.5, 43 / 110],
        }
    )


def test_writer_refuses_a_raw_person_level_table(tmp_path):
    with pytest.raises(UncheckedOutputError, match="table 'durable_rate'"):
        ReportWriter(tmp_path, notebook="t").table("durable_rate", _rates(), kind="person-level")


def test_writer_refuses_a_figure_from_unchecked_counts(tmp_path):
    fig, ax = plt.subplots()
    ax.bar(["a"], [3])
    with pytest.raises(UncheckedOutputError, match="figure 'bars'"):
        ReportWriter(tmp_path, notebook="t").figure("bars", fig, kind="synthetic")
    plt.close(fig)


def test_raw_counts_cannot_be_printed_or_shown():
    with pytest.raises(UncheckedOutputError, match="part 2"):
        say("outflow", 26)
    with pytest.raises(UncheckedOutputError, match="field 'n'"):
        CheckedText.compose("van {n}", "synthetic", n=26)
    with pytest.raises(UncheckedOutputError, match="Flow"):
        show_table(_rates(), "Flow")


def test_checked_output_is_written_with_the_mark(tmp_path):
    gate = Gate(10, kind="synthetic")
    table = gate.check("durable_rate", _rates(), counts=["numerator", "denominator"], rates=True)
    assert table.frame["numerator"].isna().tolist() == [True, False, False]
    assert pd.isna(table.frame["estimate"].iloc[0])
    assert table.view()["estimate"].iloc[0] == SUPPRESSION_MARK
    ReportWriter(tmp_path, notebook="t").table("durable_rate", table)
    assert (tmp_path / "tables" / "durable_rate.csv").read_text().splitlines()[1].startswith("a,,30,")
    text = gate.text(
        "{share} van {n}",
        share=(table.value("estimate", pilot="a"), lambda x: f"{x:.0%}"),
        n=table.value("denominator", pilot="a"),
    )
    assert str(text) == f"{SUPPRESSION_MARK} van 30.0"


def test_a_count_suppressed_in_one_table_is_suppressed_in_its_siblings():
    gate = Gate(10, kind="synthetic")
    los = pd.DataFrame(
        {
            "pilot": ["e", "r", "g", "total"],
            "n": [40, 68, 50, 158],
            "n_events": [3, 12, 20, 35],
            "n_censored": [37, 56, 30, 123],
        }
    )
    gate.register(
        "length_of_stay", los, counts=["n", "n_events", "n_censored"], margins={"total_row": "total", "total_col": "n"}
    )
    rates = pd.DataFrame(
        {
            "pilot": ["e", "r", "g"],
            "numerator": [1, 2, 11],
            "denominator": [3, 12, 20],
            "estimate": [1 / 3, 2 / 12, 11 / 20],
        }
    )
    out = gate.check("durable_rate_outflow", rates, counts=["numerator", "denominator"], rates=True)
    los_out = gate.release("length_of_stay").frame
    hidden_in_los = {
        (p, v)
        for p, col in zip(los["pilot"], ["n_events"] * 4)
        for v in [los.set_index("pilot").at[p, col]]
        if pd.isna(los_out.set_index("pilot").at[p, col])
    }
    shown = {(p, v) for p, v in zip(out.frame["pilot"], out.frame["denominator"]) if not pd.isna(v)}
    assert not hidden_in_los & shown


def test_releasing_before_a_conflicting_table_fails_loudly():
    gate = Gate(10, kind="synthetic")
    gate.check(
        "rates",
        pd.DataFrame({"pilot": ["r"], "numerator": [20], "denominator": [36]}),
        counts=["numerator", "denominator"],
    )
    with pytest.raises(DisclosureConflictError, match="'rates'"):  # 36 = 40 - 4 exits is hidden there
        gate.register(
            "los",
            pd.DataFrame({"pilot": ["r"], "n": [40], "n_events": [4], "n_censored": [36]}),
            counts=["n", "n_events", "n_censored"],
            margins={"total_col": "n"},
        )


def test_national_total_is_released_rounded_when_it_would_be_blank():
    sens = pd.DataFrame(
        {
            "scheme": ["x", "x", "x", "y", "y", "y"],
            "pilot": ["a", "b", "total"] * 2,
            "denominator_kind": "outflow",
            "numerator": [50, 52, 102, 46, 50, 96],
            "denominator": [200, 210, 410] * 2,
            "estimate": [0.25, 52 / 210, 102 / 410, 0.23, 50 / 210, 96 / 410],
        }
    )
    out = Gate(10, kind="synthetic").check(
        "scheme_sensitivity",
        sens,
        counts=["numerator", "denominator"],
        rates=True,
        versions="scheme",
        version_key=["denominator_kind"],
        margins={"total_row": "total"},
        fallback="round5",
    )
    total = out.frame.loc[out.frame["pilot"] == "total"]
    # y differs from x by 6 persons, so the exact totals are blank: both versions rounded instead (an
    # exact 102 beside a rounded 95 would narrow the difference down to 5..9 again)
    assert total["numerator"].tolist() == [100, 95] and total["denominator"].tolist() == [410, 410]
    assert total["release_form"].tolist() == ["rounded to base 5"] * 2 and "rounded" in out.choice
    assert total["estimate"].notna().all()
    assert total["ci_low"].isna().all() if "ci_low" in total.columns else True


def test_published_figures_pass_as_exempt():
    table = Gate(10).exempt("tabel_s1", pd.DataFrame({"pilot": ["e"], "intake": [3]}))
    assert table.frame["intake"].tolist() == [3] and table.rules == ("published figure, exempt",)


def test_an_empty_table_with_a_key_passes_the_gate() -> None:
    # issue 11: a header-only export gave "'DataFrame' object has no attribute 'tolist'" in 04
    gate = Gate(10, kind="person-level", report="t")
    empty = pd.DataFrame({"pilot": pd.Series(dtype="str"), "n": pd.Series(dtype="int64")})
    table = gate.check("empty", empty, counts=["n"], key="pilot")
    assert table.frame.empty and list(table.frame.columns)[:2] == ["pilot", "n"]


# ------------------------------------------------ linked tables: declared identity, not equal values
LOS_MEASURES = {"n": "intake", "n_events": "outflow", "n_censored": "present"}


def _los_gate(**declared) -> tuple[Gate, str, float, str]:
    """A gate holding length of stay; returns it with one count (>= 10) it hides by a secondary rule."""
    gate = Gate(10, kind="synthetic")
    los = pd.DataFrame(
        {
            "pilot": ["e", "r", "g", "total"],
            "n": [40, 68, 50, 158],
            "n_events": [3, 12, 20, 35],
            "n_censored": [37, 56, 30, 123],
        }
    )
    gate.register(
        "length_of_stay",
        los,
        counts=["n", "n_events", "n_censored"],
        margins={"total_row": "total", "total_col": "n"},
        **declared,
    )
    table = gate._checked["length_of_stay"]
    for i, col in zip(*table.mask[["n", "n_events", "n_censored"]].to_numpy().nonzero()):
        column = ["n", "n_events", "n_censored"][col]
        value = float(los[column].iloc[i])
        if value >= 10 and table.reasons[column].iloc[i].startswith("secondary"):
            return gate, str(los["pilot"].iloc[i]), value, column
    raise AssertionError("premise: the margins hide a count of 10 or more")


def _quarters(pilot: str, value: float) -> pd.DataFrame:
    """Durable outflow per quarter: one quarter of ``pilot`` counts ``value`` people by coincidence."""
    return pd.DataFrame({"pilot": [pilot, pilot], "quarter": ["2020Q1", "2020Q2"], "n": [int(value), 25]})


def test_a_coincidental_equal_value_is_not_suppressed_between_declared_counts():
    gate, pilot, value, _ = _los_gate(measures=LOS_MEASURES)
    out = gate.check(
        "durable_per_quarter", _quarters(pilot, value), counts=["n"], measures={"n": "durable"}, measure_by="quarter"
    )
    assert out.frame["n"].tolist() == [int(value), 25]  # another count that happens to be equal stays shown
    assert out.n_suppressed == 0


def test_an_undeclared_count_is_still_linked_by_equal_value():
    gate, pilot, value, _ = _los_gate(measures=LOS_MEASURES)
    out = gate.check("durable_per_quarter", _quarters(pilot, value), counts=["n"])  # no identity declared
    assert out.frame["n"].isna().tolist() == [True, False]
    assert out.reasons["n"].iloc[0] == LINKED_RULE


def test_the_same_declared_count_is_linked_across_tables():
    gate, pilot, value, column = _los_gate(measures=LOS_MEASURES)
    sibling = pd.DataFrame({"pilot": [pilot], "people": [int(value)]})
    out = gate.check("present_by_pilot", sibling, counts=["people"], measures={"people": LOS_MEASURES[column]})
    assert out.frame["people"].isna().all()
    assert out.reasons["people"].iloc[0] == LINKED_RULE
    # the same measure of another population (e.g. formal status only) is another count
    other = gate.check(
        "present_formal", sibling, counts=["people"], measures={"people": LOS_MEASURES[column]}, population="formal"
    )
    assert not other.frame["people"].isna().any()


def test_a_cell_is_not_linked_to_its_own_earlier_suppression():
    gate = Gate(10, kind="synthetic")
    shares = pd.DataFrame(
        {"pilot": "a", "category": ["durable", "semi", "none"], "numerator": [3, 20, 40], "denominator": 63}
    )
    out = gate.check("shares", shares, counts=["numerator", "denominator"], rates=True, group="pilot")
    assert out.mask["numerator"].tolist() == [True, True, False]
    assert out.reasons["numerator"].iloc[1] != LINKED_RULE  # hidden by its group's rule, and recorded so


def test_declared_identity_is_checked_at_registration():
    gate = Gate(10, kind="synthetic")
    frame = pd.DataFrame({"pilot": ["a"], "n": [20]})
    with pytest.raises(ConfigError, match="not count columns"):
        gate.register("t", frame, counts=["n"], measures={"m": "intake"})
    with pytest.raises(ConfigError, match="measure_by"):
        gate.register("t", frame, counts=["n"], measures={"n": "intake"}, measure_by="quarter")


# ------------------------------------------------ columns that look like counts must be declared
def _with_capacity() -> pd.DataFrame:
    return pd.DataFrame({"pilot": ["a", "b"], "present": [40, 50], "capacity": [60, 80], "rate": [0.67, 0.625]})


def test_an_undeclared_column_of_whole_numbers_is_reported():
    gate = Gate(10, kind="synthetic")
    with pytest.warns(UndeclaredCountWarning, match=r"occupancy: column\(s\) \['capacity'\]") as caught:
        gate.register("occupancy", _with_capacity(), counts=["present"], derived={"rate": ("present",)})
    assert not any(ch.isdigit() for ch in str(caught[0].message))  # names the column, never a value


def test_declared_columns_pass_without_a_warning(recwarn):
    gate = Gate(10, kind="synthetic")
    gate.register(
        "occupancy", _with_capacity(), counts=["present"], derived={"rate": ("present",)}, not_counts=["capacity"]
    )
    gate.register("occupancy_2", _with_capacity(), counts=["present", "capacity"], derived={"rate": ("present",)})
    assert not [w for w in recwarn if issubclass(w.category, UndeclaredCountWarning)]


def test_a_strict_gate_refuses_an_undeclared_count_column():
    with pytest.raises(ConfigError, match="capacity"):
        Gate(10, kind="synthetic", undeclared_counts="error").register(
            "occupancy", _with_capacity(), counts=["present"], derived={"rate": ("present",)}
        )
    with pytest.raises(ConfigError, match="undeclared_counts"):
        Gate(10, undeclared_counts="sometimes")
