"""Small-cell suppression: primary, secondary (rows, columns, iteration), brute-force safety."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lvv_eval.disclosure.suppression import (
    EXEMPT_NOTE,
    is_exempt,
    suppress,
    suppress_percentages,
    suppress_rates,
)
from lvv_eval.errors import ConfigError, InputValidationError


def with_margins(inner: list[list[int]], rows: str = "pqrs", cols: str = "ABCD") -> pd.DataFrame:
    arr = np.array(inner)
    t = pd.DataFrame(arr, index=list(rows[: arr.shape[0]]), columns=list(cols[: arr.shape[1]]))
    t["total"] = t.sum(axis=1)
    t.loc["total"] = t.sum()
    return t


def feasible_values(table: pd.DataFrame, hidden: pd.DataFrame) -> dict[tuple[str, str], set[int]]:
    """Brute force: every non-negative integer filling of the hidden cells that fits all totals.

    Enumerates the hidden cells one by one (depth first) and prunes a branch as soon
    as a row or column sum is violated or exceeded. Returns the set of values each
    hidden cell takes over all fillings.
    """
    values = table.to_numpy(dtype=float)
    mask = hidden.to_numpy(dtype=bool)
    rows, cols = values.shape
    tr, tc = rows - 1, cols - 1
    lines = [[(i, j) for j in range(cols - 1)] + [(i, tc)] for i in range(rows)]
    lines += [[(i, j) for i in range(rows - 1)] + [(tr, j)] for j in range(cols)]
    cells = [tuple(c) for c in np.argwhere(mask)]
    cap = int(values[tr, tc])
    found: dict[tuple[int, int], set[int]] = {c: set() for c in cells}
    grid = np.where(mask, np.nan, values)

    def ok(complete: bool) -> bool:
        for line in lines:
            inner, total = line[:-1], line[-1]
            known = [grid[c] for c in inner if not np.isnan(grid[c])]
            t = grid[total]
            if np.isnan(t):
                continue
            if sum(known) > t:
                return False
            if len(known) == len(inner) and sum(known) != t:
                return False
        return True

    def walk(k: int) -> None:
        if k == len(cells):
            for c in cells:
                found[c].add(int(grid[c]))
            return
        for v in range(cap + 1):
            grid[cells[k]] = v
            if ok(False):
                walk(k + 1)
        grid[cells[k]] = np.nan

    walk(0)
    labels = list(table.index), list(table.columns)
    return {(labels[0][i], labels[1][j]): vals for (i, j), vals in found.items()}


# --------------------------------------------------------------------------- primary
def test_primary_threshold_and_zeros() -> None:
    t = pd.DataFrame({"n": [0, 1, 9, 10, 25]}, index=list("abcde"))
    res = suppress(t, ["n"], margins=None)
    assert res.mask["n"].tolist() == [False, True, True, False, False]
    assert res.table["n"].isna().tolist() == [False, True, True, False, False]
    assert set(res.report["rule"]) == {"primary: n < 10"}
    assert set(res.report["value"]) == {"hidden"}  # the value itself is never in the report
    zeros = suppress(t, ["n"], margins=None, zeros_disclosive=True)
    assert zeros.mask["n"].tolist() == [True, True, True, False, False]
    assert suppress(t, ["n"], threshold=5, margins=None).mask["n"].sum() == 1


def test_bad_counts_are_all_reported() -> None:
    t = pd.DataFrame({"n": [3, -1, None]}, index=list("abc"))
    with pytest.raises(InputValidationError) as err:
        suppress(t, ["n"], margins=None)
    assert [p.row for p in err.value.problems] == [3, 4]


# --------------------------------------------------------------------------- secondary
def test_one_dimensional_per_pilot_with_total() -> None:
    t = pd.DataFrame(
        {
            "pilot": ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht", "total"],
            "durable": [3, 1, 10, 12, 33, 59],
        }
    )
    res = suppress(t, ["durable"], row_labels="pilot")
    # amsterdam and eindhoven are primary; two hidden cells, but together they are 59 - 55 = 4, a small
    # count by subtraction, so the smallest shown cell (groningen, 10) is hidden too
    assert res.table["durable"].isna().tolist() == [True, True, True, False, False, False]
    t2 = t.assign(durable=[3, 20, 10, 12, 33, 78])
    res2 = suppress(t2, ["durable"], row_labels="pilot")
    assert res2.table["durable"].isna().tolist() == [True, False, True, False, False, False]
    assert res2.report["rule"].tolist() == [
        "primary: n < 10",
        "secondary: protects cell amsterdam/durable in column durable",
    ]


def test_secondary_in_rows_and_columns_iterates_to_stability() -> None:
    t = with_margins([[3, 15, 40], [20, 25, 35], [30, 12, 50]])
    res = suppress(t, list(t.columns))
    hidden = {(r, c) for r in res.mask.index for c in res.mask.columns if res.mask.loc[r, c]}
    assert hidden == {("p", "A"), ("p", "B"), ("q", "A"), ("q", "B")}
    rules = res.report.set_index("cell")["rule"].to_dict()
    assert rules["p/B"] == "secondary: protects cell p/A in row p"
    assert rules["q/A"] == "secondary: protects cell p/A in column A"
    assert rules["q/B"] == "secondary: protects cell q/A in row q"
    # stable: no row or column has exactly one hidden cell
    m = res.mask
    assert ((m.sum(axis=1) != 1).all()) and ((m.sum(axis=0) != 1).all())


def test_total_is_suppressed_when_it_is_the_only_complement() -> None:
    t = pd.DataFrame({"A": [4, 0, 4], "total": [4, 0, 4]}, index=["p", "q", "total"])
    res = suppress(t, ["A", "total"])
    # p/A = 4 is primary; its row holds only the total -> the total is hidden
    assert res.mask.loc["p", "total"]
    for (r, c), vals in feasible_values(t, res.mask).items():
        assert len(vals) > 1, (r, c, vals)


def test_bridge_between_two_blocks_is_broken() -> None:
    inner = np.full((4, 4), 40)
    for c in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        inner[c] = 5
    t = with_margins(inner.tolist())
    res = suppress(t, list(t.columns))
    assert res.mask.loc["p", "C"]
    assert "combining rows and columns" in res.report.set_index("cell").loc["p/C", "rule"]


@pytest.mark.parametrize(
    "inner",
    [
        [[3, 15, 40], [20, 25, 35], [30, 12, 50]],
        [[2, 11], [12, 4]],
        [[5, 12, 11], [13, 14, 12], [11, 12, 3]],
        [[1, 10, 10], [10, 10, 10]],
    ],
)
def test_brute_force_no_hidden_cell_is_recoverable(inner: list[list[int]]) -> None:
    t = with_margins(inner, rows="pqr", cols="ABC")
    res = suppress(t, list(t.columns))
    assert res.mask.to_numpy().any()
    for cell, vals in feasible_values(t, res.mask).items():
        assert len(vals) > 1, f"{cell} recoverable: only {vals}"
        assert int(t.loc[cell]) in vals


def test_brute_force_detects_an_unsafe_pattern() -> None:
    # the checker itself must fail on a single hidden cell in a row with a total
    t = with_margins([[3, 15], [20, 25]], rows="pq", cols="AB")
    only_primary = pd.DataFrame(False, index=t.index, columns=t.columns)
    only_primary.loc["p", "A"] = True
    assert feasible_values(t, only_primary)[("p", "A")] == {3}


def test_deterministic() -> None:
    t = with_margins([[5, 12, 11], [13, 14, 12], [11, 12, 3]], rows="pqr", cols="ABC")
    a, b = suppress(t, list(t.columns)), suppress(t, list(t.columns))
    assert a.report.equals(b.report) and a.table.equals(b.table)
    assert a.table.to_csv() == b.table.to_csv()


# --------------------------------------------------------------------------- derived and exempt
def test_percentages_follow_counts() -> None:
    t = with_margins([[3, 15, 40], [20, 25, 35], [30, 12, 50]])
    res = suppress(t, list(t.columns))
    pct = t[["A", "B", "C"]].div(t["total"], axis=0) * 100
    out = suppress_percentages(pct, res.mask)
    assert out.isna().equals(res.mask[["A", "B", "C"]])
    hidden_total = res.mask.copy()
    hidden_total.loc["r", "total"] = True
    out2 = suppress_percentages(pct, hidden_total, denominator_col="total")
    assert out2.loc["r"].isna().all()


def test_rates_rule() -> None:
    r = pd.DataFrame(
        {
            "numerator": [3, 40, 50],
            "denominator": [100, 45, 100],
            "estimate": [0.03, 40 / 45, 0.5],
            "ci_low": [0.01, 0.8, 0.4],
            "ci_high": [0.08, 0.95, 0.6],
        }
    )
    out = suppress_rates(r)
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["estimate"].isna().tolist() == [True, True, False]
    assert suppress_rates(r, source="regioplan-2020")["suppressed"].sum() == 0


def test_exempt_pass_through() -> None:
    assert is_exempt("monitor-2020") and is_exempt("verwey-jonker-2021")
    assert not is_exempt("synthetic") and not is_exempt(None)
    t = pd.DataFrame({"n": [3, 1, 10]}, index=["amsterdam", "eindhoven", "groningen"])
    res = suppress(t, ["n"], source="regioplan-2020")
    assert res.table.equals(t)
    assert not res.mask.to_numpy().any()
    assert res.report["rule"].tolist() == [EXEMPT_NOTE]
    forced = suppress(t, ["n"], exempt=False, source="regioplan-2020", margins=None)
    assert forced.mask["n"].sum() == 2


# --- differences between versions (e.g. classification schemes) -----------------


def _brute_minimum(counts: list[float | None], threshold: int, protected: list[bool]) -> int:
    """Fewest visible, unprotected positions to hide so no two visible counts differ by 1..t-1."""
    import itertools

    best = None
    for hidden in itertools.product([False, True], repeat=len(counts)):
        if any(h and (c is None or p) for h, c, p in zip(hidden, counts, protected)):
            continue
        shown = [(c, p) for c, h, p in zip(counts, hidden, protected) if not h and c is not None]
        if all(
            not (1 <= abs(a - b) < threshold) or (pa and pb) for (a, pa), (b, pb) in itertools.combinations(shown, 2)
        ):
            best = sum(hidden) if best is None else min(best, sum(hidden))
    assert best is not None
    return best


def test_suppress_differences_between_brute_force() -> None:
    import itertools

    from lvv_eval.disclosure.suppression import suppress_differences_between

    threshold = 3
    values = [None, 0, 1, 2, 4, 7]
    for counts in itertools.product(values, repeat=3):
        for protect_first in (False, True):
            table = pd.DataFrame(
                {
                    "pilot": "p",
                    "scheme": ["a", "b", "c"],
                    "numerator": pd.array(counts, dtype="Int64"),
                    "estimate": [None if c is None else c / 10 for c in counts],
                }
            )
            res = suppress_differences_between(
                table,
                key_cols=["pilot"],
                version_col="scheme",
                count_col="numerator",
                threshold=threshold,
                dependent=["estimate"],
                protect=["a"] if protect_first else (),
            )
            shown = res.table["numerator"].dropna().tolist()
            shown_versions = res.table.loc[res.table["numerator"].notna(), "scheme"].tolist()
            for (x, vx), (y, vy) in itertools.combinations(zip(shown, shown_versions), 2):
                if not (protect_first and {vx, vy} == {"a"}):
                    # only a pair of two protected versions may stay close; there is one protected version
                    assert not (1 <= abs(x - y) < threshold), (counts, protect_first, shown)
            protected = [protect_first, False, False]
            assert int(res.mask.sum()) == _brute_minimum(list(counts), threshold, protected), counts
            assert len(res.report) == int(res.mask.sum())
            # originally missing counts are not reported; hidden ones take their rates along
            assert not (res.mask & table["numerator"].isna()).any()
            assert res.table.loc[res.mask, "estimate"].isna().all()
            if protect_first and counts[0] is not None:
                assert res.table["numerator"].iloc[0] == counts[0]
            again = suppress_differences_between(
                table,
                key_cols=["pilot"],
                version_col="scheme",
                count_col="numerator",
                threshold=threshold,
                dependent=["estimate"],
                protect=["a"] if protect_first else (),
            )
            assert again.mask.equals(res.mask)  # deterministic


def test_suppress_differences_between_keys_are_separate() -> None:
    from lvv_eval.disclosure.suppression import suppress_differences_between

    # forced returns counted as durable in scheme m, not in v: 2 in pilot a, 12 in pilot b
    table = pd.DataFrame(
        {
            "pilot": ["a", "a", "b", "b"],
            "kind": "outflow",
            "scheme": ["m", "v", "m", "v"],
            "numerator": [30, 28, 40, 28],
        }
    )
    res = suppress_differences_between(
        table, key_cols=["pilot", "kind"], version_col="scheme", count_col="numerator", threshold=10
    )
    assert res.table["numerator"].tolist() == [30, pd.NA, 40, 28]  # the smaller count of a is hidden
    assert res.report.loc[0, "cell"] == "a/outflow/v"
    assert "28" not in res.report.to_string()  # the report never shows the value
    with pytest.raises(ConfigError):
        suppress_differences_between(
            pd.concat([table, table]), key_cols=["pilot", "kind"], version_col="scheme", count_col="numerator"
        )


def test_cells_missing_in_the_input_are_protected_like_hidden_ones() -> None:
    # b was hidden upstream; a total row would give it back (100 - 60 - 30 = 10) unless
    # a second cell of the line is hidden as well.
    table = pd.DataFrame({"pilot": ["a", "b", "c", "total"], "n": [60, pd.NA, 30, 100]})
    result = suppress(table, count_cols=["n"], threshold=10, row_labels="pilot", missing="hidden")
    hidden = result.mask["n"].tolist()
    assert hidden[1] is True or hidden[1] == True  # noqa: E712 - numpy bool
    assert sum(hidden) == 2
    assert "missing in the input" in " ".join(result.report["rule"])
    with pytest.raises(InputValidationError):
        suppress(pd.DataFrame({"n": [-1, 5]}), count_cols=["n"])


def test_rates_group_hides_a_second_class() -> None:
    # Eindhoven: durable 4 (hidden), semi-durable 50, none 46 of 100: 100 - 50 - 46 = 4 must not work.
    c = pd.DataFrame(
        {
            "pilot": ["eindhoven"] * 3 + ["groningen"] * 3,
            "category": ["durable", "semi_durable", "none"] * 2,
            "numerator": [4, 50, 46, 30, 30, 40],
            "denominator": [100] * 3 + [100] * 3,
            "estimate": [0.04, 0.5, 0.46, 0.3, 0.3, 0.4],
            "sim_ci_low": [0.01, 0.4, 0.36, 0.2, 0.2, 0.3],
            "sim_ci_high": [0.1, 0.6, 0.56, 0.4, 0.4, 0.5],
        }
    )
    out = suppress_rates(c, group="pilot")
    assert out["numerator"].isna().tolist() == [True, False, True, False, False, False]
    assert out.loc[[0, 2], ["estimate", "sim_ci_low", "sim_ci_high"]].isna().all().all()
    # without group the old per-row rule leaves the subtraction open (kept for single rates)
    assert suppress_rates(c)["numerator"].isna().sum() == 1


def test_rates_default_columns_include_goodman_interval() -> None:
    r = pd.DataFrame(
        {
            "numerator": [4, 50],
            "denominator": [100, 100],
            "estimate": [0.04, 0.5],
            "sim_ci_low": [0.01, 0.4],
            "sim_ci_high": [0.1, 0.6],
        }
    )
    out = suppress_rates(r)
    assert out.loc[0, ["sim_ci_low", "sim_ci_high"]].isna().all()  # midpoint would give 4 back


def test_rates_group_partial_classes_and_denominator() -> None:
    # only durable listed: the rest (96) is unknown once durable is hidden, nothing more to hide
    r = pd.DataFrame({"pilot": ["a"], "numerator": [4], "denominator": [100], "estimate": [0.04]})
    assert suppress_rates(r, group="pilot")["suppressed"].tolist() == [True]
    # all other classes zero: the denominator has to go, and with it every rate of the group
    z = pd.DataFrame({"pilot": "a", "numerator": [4, 0], "denominator": 4, "estimate": [1.0, 0.0]})
    out = suppress_rates(z, group="pilot", complement=False)
    assert out["denominator"].isna().all() and out["estimate"].isna().all()
    with pytest.raises(ConfigError):
        suppress_rates(r, group="nope")


def test_auto_margins_accept_totaal_in_any_case() -> None:
    t = pd.DataFrame({"n": [3, 40, 50, 93]}, index=["a", "b", "c", "Totaal"])
    assert suppress(t, ["n"]).table["n"].isna().tolist() == [True, True, False, False]
    t2 = t.rename(index={"Totaal": " TOTAL "})
    assert suppress(t2, ["n"]).table["n"].isna().sum() == 2


def test_hidden_cells_of_a_line_must_not_add_up_to_a_small_count() -> None:
    # Eindhoven: durable 3 and temporary 4 are small; "none" 13 of outflow 20 would give their sum 7.
    import pandas as pd

    from lvv_eval.disclosure.suppression import suppress

    table = pd.DataFrame(
        {"durable": [3, 40], "temporary": [4, 35], "none": [13, 60], "outflow": [20, 135]},
        index=["eindhoven", "utrecht"],
    )
    res = suppress(table, ["durable", "temporary", "none", "outflow"], threshold=10, margins={"total_col": "outflow"})
    shown = res.table.loc["eindhoven"]
    hidden = [c for c in ["durable", "temporary", "none"] if pd.isna(shown[c])]
    if pd.notna(shown["outflow"]):
        visible = sum(int(shown[c]) for c in ["durable", "temporary", "none"] if c not in hidden)
        assert int(shown["outflow"]) - visible >= 10
    assert "add up to fewer than 10" in " ".join(res.report["rule"])
