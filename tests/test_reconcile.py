"""Reconciliation of the monitor 2020 and Verwey-Jonker 2021 outflow tables (peildatum 2020-11-01)."""

from __future__ import annotations

import pandas as pd
import pytest

from lvv_eval.errors import InputValidationError
from lvv_eval.stats.reconcile import load_crosswalk, load_explanations, reconcile

# 002_1f6dbbe6756677e4.txt, Voortgang LVV's: 46 granted + 61 departures = 107 durable; 164 AZC,
# 25 art. 64, 95 MOB, 7 back to BBB, 84 stay ended by force.
MONITOR = {
    "residence_permit": 46,
    "departure_or_onward_migration": 61,
    "repeat_asylum_application": 164,
    "departure_postponed_art64": 25,
    "left_unknown_destination": 95,
    "returned_to_bbb": 7,
    "stay_terminated": 84,
}
# 000_3514d6bc5a3a2801.txt, Effecten van de LVV: 43 + 50 + 2 durable; 170 + 20 semi-durable;
# 100 MOB, 76 stay ended by force, 76 other non-durable.
VJI = {
    "residence_permit": 43,
    "independent_return": 50,
    "onward_migration": 2,
    "repeat_asylum_application": 170,
    "departure_postponed_art64": 20,
    "left_unknown_destination": 100,
    "stay_terminated": 76,
    "other_non_durable": 76,
}
# The two classifications as mappings (from sources.csv's counting conventions and the seeds):
# the monitor calls art. 64 and repeat applications temporary, VJI semi-durable.
MONITOR_SCHEME = {
    "residence_permit": "durable", "independent_return": "durable", "onward_migration": "durable",
    "forced_return": "durable", "repeat_asylum_application": "temporary",
    "departure_postponed_art64": "temporary", "left_unknown_destination": "none",
    "stay_terminated": "none", "returned_to_bbb": "none",
}
VJI_SCHEME = {
    "residence_permit": "durable", "independent_return": "durable", "onward_migration": "durable",
    "forced_return": "none", "repeat_asylum_application": "semi_durable",
    "departure_postponed_art64": "semi_durable", "left_unknown_destination": "none",
    "stay_terminated": "none", "immigration_detention": "none", "criminal_detention": "none",
    "other_shelter": "none", "own_network": "none", "returned_to_bbb": "none", "deceased": "none",
    "other": "none",
}

M, V = "monitor-2020", "verwey-jonker-2021"


@pytest.fixture(scope="module")
def result():
    return reconcile(MONITOR, VJI, MONITOR_SCHEME, VJI_SCHEME, M, V,
                     explanations=load_explanations(), crosswalk=load_crosswalk())


def test_category_differences(result) -> None:
    cat = result.categories.set_index("common_category")
    expected_diff = {  # VJI - monitor
        "residence_permit": -3,  # 43 - 46
        "departure_or_onward_migration": -9,  # (50 + 2) - 61
        "repeat_asylum_application": 6,  # 170 - 164
        "departure_postponed_art64": -5,  # 20 - 25
        "left_unknown_destination": 5,  # 100 - 95
        "other_non_durable": 69,  # 76 - 7
        "stay_terminated": -8,  # 76 - 84
    }
    assert cat.loc[list(expected_diff), "difference"].to_dict() == expected_diff
    assert cat.loc["departure_or_onward_migration", "categories_b"] == "independent_return+onward_migration"
    assert cat.loc["other_non_durable", "categories_a"] == "returned_to_bbb"
    assert (cat.loc["total", "count_a"], cat.loc["total", "count_b"]) == (482, 537)
    # the totals of differences add up
    inner = cat.drop(index="total")
    assert inner["difference"].sum() == cat.loc["total", "difference"] == 537 - 482 == 55


def test_explained_plus_unexplained_is_difference(result) -> None:
    cat = result.categories.set_index("common_category")
    assert (cat["explained"] + cat["unexplained"] == cat["difference"]).all()
    # forced departure from detention: at most min(9, 69) = 9 people move from durable to other
    assert cat.loc["departure_or_onward_migration", "explained"] == -9
    assert cat.loc["departure_or_onward_migration", "unexplained"] == 0
    assert cat.loc["other_non_durable", "explained"] == 9
    assert cat.loc["other_non_durable", "unexplained"] == 60
    assert cat.loc["residence_permit", "unexplained"] == -3
    assert cat.loc["total", "explained"] == 0  # a move shifts people, it does not add any
    mv = result.moves.iloc[0]
    assert (mv["upper_bound"], mv["explained"]) == (9, 9)
    assert pd.isna(mv["size_published"])


def test_class_table(result) -> None:
    cls = result.classes.set_index("class")
    assert cls.loc["durable", "count_a"] == 107 and cls.loc["durable", "count_b"] == 95
    assert cls.loc["durable", "difference"] == -12
    assert cls.loc["durable", "explained_moves"] == -9
    assert cls.loc["durable", "unexplained"] == -3
    # the monitor's 'temporary' (164 + 25) are VJI's semi-durable: a classification difference
    assert cls.loc["temporary", "explained_classification"] == -189
    assert cls.loc["semi_durable", "explained_classification"] == 189
    assert cls.loc["semi_durable", "unexplained"] == 1  # 6 - 5
    assert cls.loc["none", "difference"] == 252 - 186
    assert cls.loc["none", "unexplained"] == 57  # 5 - 8 + 60
    inner = cls.drop(index="total")
    assert inner["difference"].sum() == 55
    assert (cls["explained"] + cls["unexplained"] == cls["difference"]).all()


def test_decomposition_components_add_up(result) -> None:
    dec = result.decomposition
    for level, table, key in (("category", result.categories, "common_category"), ("class", result.classes, "class")):
        sums = dec[dec["level"] == level].groupby("key")["value"].sum()
        diffs = table[table[key] != "total"].set_index(key)["difference"]
        for k, d in diffs.items():
            assert sums.get(k, 0) == d


def test_swapped_order_reverses_signs() -> None:
    r = reconcile(VJI, MONITOR, VJI_SCHEME, MONITOR_SCHEME, V, M,
                  explanations=load_explanations(), crosswalk=load_crosswalk())
    cat = r.categories.set_index("common_category")
    assert cat.loc["other_non_durable", "explained"] == -9
    assert cat.loc["departure_or_onward_migration", "explained"] == 9
    assert cat.loc["total", "difference"] == -55


def test_published_size_is_used_when_given() -> None:
    exp = load_explanations()
    exp.loc[0, "size"] = "4"
    r = reconcile(MONITOR, VJI, MONITOR_SCHEME, VJI_SCHEME, M, V, explanations=exp, crosswalk=load_crosswalk())
    cat = r.categories.set_index("common_category")
    assert cat.loc["departure_or_onward_migration", "explained"] == -4
    assert cat.loc["departure_or_onward_migration", "unexplained"] == -5


def test_generic_without_crosswalk_and_explanations() -> None:
    r = reconcile({"x": 5, "y": 3}, {"x": 4, "z": 2}, {"x": "d", "y": "n", "z": "n"}, {"x": "d", "y": "n", "z": "n"},
                  "one", "two")
    cat = r.categories.set_index("common_category")
    assert cat["difference"].to_dict() == {"x": -1, "y": -3, "z": 2, "total": -2}
    assert (cat["explained"] == 0).all()


def test_problems_are_collected() -> None:
    with pytest.raises(InputValidationError) as err:
        reconcile({"x": -1, "unknown_cat": 3}, {"x": 2}, {"x": "d"}, {"x": "d"}, "one", "two")
    assert len(err.value.problems) == 2
    bad = load_explanations()
    bad.loc[0, "category_to"] = "no_such_category"
    with pytest.raises(InputValidationError, match="no_such_category"):
        reconcile(MONITOR, VJI, MONITOR_SCHEME, VJI_SCHEME, M, V, explanations=bad, crosswalk=load_crosswalk())


def test_default_files_shape() -> None:
    cw = load_crosswalk()
    assert {"monitor-2020", "verwey-jonker-2021"} == set(cw["source_id"])
    assert set(cw.loc[cw["source_id"] == M, "category"]) == set(MONITOR)
    assert set(cw.loc[cw["source_id"] == V, "category"]) == set(VJI)
    assert "000_3514d6bc5a3a2801.txt" in load_explanations().loc[0, "citation"]


def test_shipped_schemes_by_name() -> None:
    pytest.importorskip("lvv_eval.reference.schemes")
    r = reconcile(MONITOR, VJI, M, V, M, V, explanations=load_explanations(), crosswalk=load_crosswalk())
    cls = r.classes.set_index("class")
    assert cls.loc["durable", "difference"] == 95 - 107
    assert cls.loc["total", "difference"] == 55
