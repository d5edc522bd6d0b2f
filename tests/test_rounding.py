"""Tests of lvv_eval.sources.rounding: counts behind rounded percentages.

Expected ranges are worked out by hand in the comments (exact arithmetic).
"""

from __future__ import annotations

import pytest

from lvv_eval.sources.rounding import (
    ShareRanges,
    count_range,
    half_width,
    percent_of,
    rounds_to,
    share_ranges,
)

# --- count_range ------------------------------------------------------------


def test_count_range_regioplan_2022_shares() -> None:
    # 004_b44b716732003f66.txt: 18 % / 41 % / 41 % of 1258 outflowed.
    # 17.5 % of 1258 = 220.15 -> 221; 18.5 % = 232.73 -> 232
    assert count_range(18, 1258) == range(221, 233)
    # 40.5 % of 1258 = 509.49 -> 510; 41.5 % = 522.07 -> 522
    assert count_range(41, 1258) == range(510, 523)


def test_count_range_regioplan_2020_other_outflow() -> None:
    # 001_08a3e7995258f26d.txt, paragraph after Tabel S.2 (percentages of intake)
    # 16 % of 302: 15.5 % = 46.81 -> 47, 16.5 % = 49.83 -> 49
    assert count_range(16, 302) == range(47, 50)
    # 10 % of 268: 25.46 -> 26, 28.14 -> 28
    assert count_range(10, 268) == range(26, 29)
    # 18 % of 129: 22.575 -> 23, 23.865 -> 23: exactly one count
    assert count_range(18, 129) == range(23, 24)
    # 20 % of 360 (Amsterdam free places, Tabel S.1): 70.2 -> 71, 73.8 -> 73
    assert count_range(20, 360) == range(71, 74)


def test_count_range_zero_and_hundred_percent() -> None:
    assert count_range(0, 40) == range(0, 1)  # 0.5 % of 40 = 0.2
    assert count_range(0, 1000) == range(0, 6)  # 0.5 % of 1000 = 5, inclusive
    assert count_range(100, 1000) == range(995, 1001)
    assert count_range(100, 40) == range(40, 41)


def test_count_range_includes_both_ends_of_the_interval() -> None:
    # 1 of 200 is exactly 0.5 %: prints as 0 % (half-even) or 1 % (half-up); both accepted
    assert count_range(0, 200) == range(0, 2)
    assert count_range(1, 200) == range(1, 4)  # 0.5 % = 1 and 1.5 % = 3 both included


def test_count_range_with_one_decimal() -> None:
    # 18.25 % of 1258 = 229.585 -> 230; 18.35 % = 230.843 -> 230
    assert count_range(18.3, 1258, decimals=1) == range(230, 231)
    # 19.15 % of 360 = 68.94 -> 69; 19.25 % = 69.3 -> 69
    assert count_range(19.2, 360, decimals=1) == range(69, 70)
    assert count_range("19.2", 360, decimals=1) == range(69, 70)


def test_count_range_can_be_empty() -> None:
    # 1/3 = 33.3 %, 2/3 = 66.7 %: nothing of 3 prints as 50 %
    assert len(count_range(50, 3)) == 0


@pytest.mark.parametrize("denominator", [0, -5, 12.5, True])
def test_count_range_rejects_bad_denominator(denominator: object) -> None:
    with pytest.raises(ValueError, match="denominator"):
        count_range(10, denominator)  # type: ignore[arg-type]


@pytest.mark.parametrize("percent", [-1, 100.5, float("nan"), "abc"])
def test_count_range_rejects_bad_percent(percent: object) -> None:
    with pytest.raises(ValueError, match="percent"):
        count_range(percent, 100)  # type: ignore[arg-type]


def test_count_range_rejects_bad_decimals() -> None:
    with pytest.raises(ValueError, match="decimals"):
        count_range(10, 100, decimals=-1)
    with pytest.raises(ValueError, match="decimals"):
        count_range(10, 100, decimals=1.5)  # type: ignore[arg-type]


def test_half_width() -> None:
    assert float(half_width(0)) == 0.5
    assert float(half_width(2)) == 0.005


# --- percent_of and rounds_to ----------------------------------------------


def test_percent_of_tabel_s2() -> None:
    # 001_08a3e7995258f26d.txt, Tabel S.2 prints 1 %, 3 %, 3 %, 9 %, 12 %
    assert percent_of(3, 287) == 1.0
    assert percent_of(3, 363) == 1.0
    assert percent_of(1, 33) == 3.0
    assert percent_of(10, 302) == 3.0
    assert percent_of(12, 129) == 9.0
    assert percent_of(33, 268) == 12.0


def test_percent_of_rounds_half_up_on_exact_values() -> None:
    assert percent_of(1, 40) == 3.0  # exactly 2.5
    assert percent_of(1, 200) == 1.0  # exactly 0.5
    assert percent_of(1, 8, decimals=1) == 12.5
    assert percent_of(1, 16, decimals=1) == 6.3  # exactly 6.25
    assert percent_of(69, 360, decimals=1) == 19.2
    assert percent_of(69, 360) == 19.0


def test_percent_of_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="denominator"):
        percent_of(1, 0)
    with pytest.raises(ValueError, match="count"):
        percent_of(-1, 10)


def test_rounds_to() -> None:
    assert rounds_to(3, 287, 1) and rounds_to(3, 363, 1)
    assert rounds_to(100, 130, 77)
    assert not rounds_to(69, 360, 20)
    assert rounds_to(72, 360, 20)
    assert rounds_to(1, 200, 0) and rounds_to(1, 200, 1)
    with pytest.raises(ValueError):
        rounds_to(1, 0, 1)


@pytest.mark.parametrize("n", [1, 3, 7, 33, 129, 268])
def test_percent_of_and_count_range_agree(n: int) -> None:
    for c in range(n + 1):
        for d in (0, 1):
            p = percent_of(c, n, d)
            assert rounds_to(c, n, p, d)
            assert c in count_range(p, n, d)


# --- share_ranges -----------------------------------------------------------


def test_share_ranges_regioplan_2022() -> None:
    sr = share_ranges({"durable": 18, "semi_durable": 41, "none": 41}, 1258)
    assert isinstance(sr, ShareRanges)
    assert sr.labels == ("durable", "semi_durable", "none")
    assert sr.ranges == (range(221, 233), range(510, 523), range(510, 523))
    # per durable count d the semi-durable count s must satisfy 736-d <= s <= 748-d within
    # 510..522: 8+9+10+11+12+13+12+11+10+9+8+7 = 120 combinations
    assert len(sr.combinations) == 120
    assert all(sum(c) == 1258 for c in sr.combinations)
    assert sr.combinations[0] == (221, 515, 522)
    assert sr.combinations[-1] == (232, 516, 510)
    assert (232, 513, 513) in sr.combinations
    assert (221, 510, 527) not in sr.combinations
    # exact shares 226.44 / 515.78 / 515.78
    assert sr.best() == (226, 516, 516)
    assert sr.feasible_ranges == (range(221, 233), range(510, 523), range(510, 523))


def test_share_ranges_tightens_feasible_ranges() -> None:
    # 33 % / 67 % of 3: 1 of 3 = 33.3 %, 2 of 3 = 66.7 %
    sr = share_ranges([33, 67], 3)
    assert sr.labels == ("0", "1")
    assert sr.ranges == (range(1, 2), range(2, 3))
    assert sr.combinations == ((1, 2),)
    # 50 % / 50 % of 101: each 50 or 51 on its own (49.5..50.5 % = 49.995..51.005)
    sr = share_ranges([50, 50], 101)
    assert sr.ranges == (range(50, 52), range(50, 52))
    assert sr.combinations == ((50, 51), (51, 50))
    assert sr.best() == (50, 51)  # tie: first in sorted order


def test_share_ranges_without_combination() -> None:
    sr = share_ranges([50, 40], 10)
    assert sr.ranges == (range(5, 6), range(4, 5))
    assert sr.combinations == ()
    assert sr.feasible_ranges == (range(0), range(0))
    with pytest.raises(ValueError, match="sum to 10"):
        sr.best()


def test_share_ranges_frame() -> None:
    frame = share_ranges({"durable": 18, "semi_durable": 41, "none": 41}, 1258).to_frame()
    assert list(frame.columns) == [
        "label",
        "percent",
        "denominator",
        "count_low",
        "count_high",
        "feasible_low",
        "feasible_high",
    ]
    assert frame["count_low"].tolist() == [221, 510, 510]
    assert frame["count_high"].tolist() == [232, 522, 522]
    assert str(frame["count_low"].dtype) == "Int64"


def test_share_ranges_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one"):
        share_ranges([], 10)
    with pytest.raises(ValueError, match="denominator"):
        share_ranges([50, 50], 0)


def test_share_ranges_counts_without_enumerating() -> None:
    # ten shares of 10 % of 1258 (each 120..132 people): billions of combinations, counted not listed
    sr = share_ranges([10] * 10, 1258)
    assert sr.feasible_ranges == tuple(range(120, 133) for _ in range(10))
    assert sr.n_combinations > 10**9
    best = sr.best()
    assert sum(best) == 1258 and best.count(126) == 8 and best.count(125) == 2  # 125.8 each
    with pytest.raises(ValueError, match="max_combinations"):
        sr.combinations  # noqa: B018 - shown as the cell result


def test_share_ranges_dynamic_count_matches_enumeration() -> None:
    sr = share_ranges({"durable": 18, "semi_durable": 41, "none": 41}, 1258)
    assert sr.n_combinations == len(sr.combinations) == 120
    small = share_ranges([20, 30, 50], 37)
    brute = [(a, b, c) for a in small.ranges[0] for b in small.ranges[1] for c in small.ranges[2] if a + b + c == 37]
    assert small.n_combinations == len(brute) and small.combinations == tuple(sorted(brute))
    # bound propagation tightens: 12 % and 87 % of 104 allow 12..13 and 90..91 on their own,
    # but only 13 + 91 sums to 104 (lo_1 >= 104 - 91, hi_2 <= ... and so on)
    tight = share_ranges([12, 87], 104)
    assert tight.ranges == (range(12, 14), range(90, 92))
    assert tight.feasible_ranges == (range(13, 14), range(91, 92))
    assert tight.best() == (13, 91) and tight.n_combinations == 1
    assert share_ranges([50, 40], 10).n_combinations == 0


def test_counts_above_the_denominator_are_errors() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        percent_of(11, 10)
    with pytest.raises(ValueError, match="exceeds"):
        rounds_to(11, 10, 110)


def test_count_range_rejects_undeclared_decimals() -> None:
    with pytest.raises(ValueError, match="more decimals"):
        count_range(0.4, 1000, decimals=0)
    assert count_range(0.4, 1000, decimals=1) == range(4, 5)
