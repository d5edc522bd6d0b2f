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
    "residence_permit": "durable",
    "independent_return": "durable",
    "onward_migration": "durable",
    "forced_return": "durable",
    "repeat_asylum_application": "temporary",
    "departure_postponed_art64": "temporary",
    "left_unknown_destination": "none",
    "stay_terminated": "none",
    "returned_to_bbb": "none",
}
VJI_SCHEME = {
    "residence_permit": "durable",
    "independent_return": "durable",
    "onward_migration": "durable",
    "forced_return": "none",
    "repeat_asylum_application": "semi_durable",
    "departure_postponed_art64": "semi_durable",
    "left_unknown_destination": "none",
    "stay_terminated": "none",
    "immigration_detention": "none",
    "criminal_detention": "none",
    "other_shelter": "none",
    "own_network": "none",
    "returned_to_bbb": "none",
    "deceased": "none",
    "other": "none",
}

M, V = "monitor-2020", "verwey-jonker-2021"


@pytest.fixture(scope="module")
def result():
    return reconcile(
        MONITOR, VJI, MONITOR_SCHEME, VJI_SCHEME, M, V, explanations=load_explanations(), crosswalk=load_crosswalk()
    )


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


def test_an_upper_bound_is_not_an_explained_part(result) -> None:
    cat = result.categories.set_index("common_category")
    # Forced departure from detention moves between 0 and min(9, 69) = 9 people from
    # departures to other non-durable; its size is not published, so nothing is explained
    # as a point and the unexplained part is a range.
    assert (cat["explained"] == 0).all()
    dep = cat.loc["departure_or_onward_migration"]
    assert (dep["bound_low"], dep["bound_high"]) == (-9, 0)
    assert (dep["unexplained_low"], dep["unexplained_high"]) == (-9, 0)
    other = cat.loc["other_non_durable"]
    assert (other["bound_low"], other["bound_high"]) == (0, 9)
    assert (other["unexplained_low"], other["unexplained_high"]) == (60, 69)
    assert (cat.loc["residence_permit", "unexplained_low"], cat.loc["residence_permit", "unexplained_high"]) == (-3, -3)
    # at both ends of the range, explained + mechanism + unexplained = difference
    assert (cat["explained"] + cat["bound_low"] + cat["unexplained_high"] == cat["difference"]).all()
    assert (cat["explained"] + cat["bound_high"] + cat["unexplained_low"] == cat["difference"]).all()
    assert (cat.loc["total", "bound_low"], cat.loc["total", "bound_high"]) == (0, 0)
    assert cat.loc["total", "unexplained_low"] == cat.loc["total", "unexplained_high"] == 55
    mv = result.moves.iloc[0]
    assert (mv["bound_low"], mv["bound_high"]) == (0, 9)
    assert pd.isna(mv["size_published"])
    assert "explained" not in result.moves.columns and "unexplained" not in result.categories.columns


def test_class_table(result) -> None:
    cls = result.classes.set_index("class")
    assert cls.loc["durable", "count_a"] == 107 and cls.loc["durable", "count_b"] == 95
    # durable gap 12 = 3 unexplained (permits 46 vs 43) + 9 in departures, of which between
    # 0 and 9 is the detention reclassification
    assert cls.loc["durable", "difference"] == -12
    assert cls.loc["durable", "explained_moves"] == 0
    assert (cls.loc["durable", "bound_low"], cls.loc["durable", "bound_high"]) == (-9, 0)
    assert (cls.loc["durable", "unexplained_low"], cls.loc["durable", "unexplained_high"]) == (-12, -3)
    # the monitor's 'temporary' (164 + 25) are VJI's semi-durable: a classification difference
    assert cls.loc["temporary", "explained_classification"] == -189
    assert cls.loc["semi_durable", "explained_classification"] == 189
    assert cls.loc["semi_durable", "unexplained_low"] == cls.loc["semi_durable", "unexplained_high"] == 1
    assert cls.loc["none", "difference"] == 252 - 186
    assert (cls.loc["none", "unexplained_low"], cls.loc["none", "unexplained_high"]) == (57, 66)
    inner = cls.drop(index="total")
    assert inner["difference"].sum() == 55
    assert (cls["explained"] + cls["bound_low"] + cls["unexplained_high"] == cls["difference"]).all()


def test_decomposition_components_add_up(result) -> None:
    dec = result.decomposition
    for level, table, key in (("category", result.categories, "common_category"), ("class", result.classes, "class")):
        part = dec[dec["level"] == level]
        unexpl = part["component"] == "unexplained"
        # mechanisms at their lower ends with the unexplained part at its upper end, and vice versa
        low_end = part[~unexpl].groupby("key")["low"].sum().add(part[unexpl].groupby("key")["high"].sum(), fill_value=0)
        high_end = (
            part[~unexpl].groupby("key")["high"].sum().add(part[unexpl].groupby("key")["low"].sum(), fill_value=0)
        )
        diffs = table[table[key] != "total"].set_index(key)["difference"]
        for k, d in diffs.items():
            assert low_end.get(k, 0) == d == high_end.get(k, 0)


def test_swapped_order_reverses_signs() -> None:
    r = reconcile(
        VJI, MONITOR, VJI_SCHEME, MONITOR_SCHEME, V, M, explanations=load_explanations(), crosswalk=load_crosswalk()
    )
    cat = r.categories.set_index("common_category")
    assert (cat.loc["other_non_durable", "bound_low"], cat.loc["other_non_durable", "bound_high"]) == (-9, 0)
    assert (
        cat.loc["departure_or_onward_migration", "bound_low"],
        cat.loc["departure_or_onward_migration", "bound_high"],
    ) == (0, 9)
    assert cat.loc["total", "difference"] == -55


def test_published_size_is_used_when_given() -> None:
    exp = load_explanations()
    exp.loc[0, "size"] = "4"
    r = reconcile(MONITOR, VJI, MONITOR_SCHEME, VJI_SCHEME, M, V, explanations=exp, crosswalk=load_crosswalk())
    cat = r.categories.set_index("common_category")
    dep = cat.loc["departure_or_onward_migration"]
    assert dep["explained"] == -4
    assert (dep["bound_low"], dep["bound_high"]) == (0, 0)
    assert dep["unexplained_low"] == dep["unexplained_high"] == -5
    assert r.classes.set_index("class").loc["durable", "explained_moves"] == -4


def test_generic_without_crosswalk_and_explanations() -> None:
    r = reconcile(
        {"x": 5, "y": 3}, {"x": 4, "z": 2}, {"x": "d", "y": "n", "z": "n"}, {"x": "d", "y": "n", "z": "n"}, "one", "two"
    )
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
