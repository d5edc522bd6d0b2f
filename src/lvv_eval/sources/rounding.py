"""Rounded percentages and the whole counts behind them.

Published reports print percentages rounded to a few decimals, usually none.
Given the denominator, a printed percentage therefore pins the unknown count
down to a short range. This module computes that range exactly (with rational
arithmetic, so no floating-point edge effects), and does the reverse: the
percentage a count prints as.

Convention (shared contract 4): a count ``c`` of ``n`` *fits* a printed
percentage ``p`` with ``d`` decimals when ``100 * c / n`` lies in the closed
interval ``[p - 0.5 * 10**-d, p + 0.5 * 10**-d]``. Both ends are included, so
round-half-up and round-half-to-even printing are both accepted.

Examples
--------
Regioplan (2022) reports 18 % of 1258 outflowed participants as durable
(``004_b44b716732003f66.txt``, first paragraph):

>>> count_range(18, 1258)
range(221, 233)
>>> percent_of(33, 268)   # Utrecht, 001_08a3e7995258f26d.txt Tabel S.2 prints 12 %
12.0
>>> rounds_to(3, 287, 1) and rounds_to(3, 363, 1)   # Amsterdam, Tabel S.2: 1 %
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cached_property
from typing import TypeAlias

import pandas as pd

from lvv_eval.errors import ArgumentError

Number: TypeAlias = int | float | Fraction | Decimal
"""A real number as the functions accept it (a string is accepted too, read exactly)."""

__all__ = [
    "MAX_COMBINATIONS",
    "ShareRanges",
    "count_range",
    "half_width",
    "percent_of",
    "rounds_to",
    "share_ranges",
]


def _fraction(value: Number | str, name: str) -> Fraction:
    """Convert a printed number to an exact fraction (via its decimal text)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not a boolean")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ArgumentError(f"{name} must be finite, got {value!r}")
            return Fraction(repr(value))
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError) as exc:
        raise ArgumentError(f"{name} must be a number, got {value!r}") from exc


def _check_denominator(denominator: int) -> int:
    if isinstance(denominator, bool) or not float(denominator).is_integer():
        raise ArgumentError(f"denominator must be a whole number, got {denominator!r}")
    n = int(denominator)
    if n <= 0:
        raise ArgumentError(f"denominator must be positive, got {denominator!r}: a percentage of nobody is undefined")
    return n


def _check_count(count: Number | str, n: int) -> Fraction:
    """A count between 0 and its denominator ``n`` (a share above 100 % is an input error)."""
    c = _fraction(count, "count")
    if c < 0:
        raise ArgumentError(f"count must not be negative, got {count!r}")
    if c > n:
        raise ArgumentError(f"count {count!r} exceeds its denominator {n}: a share above 100 % is not a share")
    return c


def _check_decimals(decimals: int) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ArgumentError(f"decimals must be a non-negative whole number, got {decimals!r}")
    return decimals


def half_width(decimals: int = 0) -> Fraction:
    """Return half of the last printed digit, ``0.5 * 10**-decimals``, exactly.

    Parameters
    ----------
    decimals
        Number of decimals the percentage is printed with.

    Returns
    -------
    fractions.Fraction
        The rounding half-width in percentage points.

    Examples
    --------
    >>> half_width(0), half_width(1)
    (Fraction(1, 2), Fraction(1, 20))
    """
    return Fraction(1, 2) / 10 ** _check_decimals(decimals)


def count_range(percent: Number | str, denominator: int, decimals: int = 0) -> range:
    """Return every whole count whose share of ``denominator`` prints as ``percent``.

    Parameters
    ----------
    percent
        The printed percentage (0-100), e.g. ``18`` for "18 %".
    denominator
        The whole number the percentage is of (persons, places); must be positive.
    decimals
        Number of decimals the percentage was printed with.

    Returns
    -------
    range
        Counts ``c`` with ``0 <= c <= denominator`` and
        ``percent - h <= 100 * c / denominator <= percent + h`` where
        ``h = 0.5 * 10**-decimals`` (both ends included). The range is empty
        when no whole count prints as ``percent``.

    Raises
    ------
    ValueError
        If ``denominator`` is not a positive whole number, ``percent`` is outside
        0-100, ``decimals`` is negative or ``percent`` has more decimals than
        ``decimals`` (e.g. ``count_range(0.4, 1000)``: a printed "0.4 %" has
        one decimal, and reading it with none would give the wrong interval).

    Examples
    --------
    18 % of 1258 (``004_b44b716732003f66.txt``): 17.5 % is 220.15 people and
    18.5 % is 232.73 people, so 221 to 232 people.

    >>> count_range(18, 1258)
    range(221, 233)
    >>> count_range(0, 40), count_range(100, 40)
    (range(0, 1), range(40, 41))
    >>> count_range(18.3, 1258, decimals=1)
    range(230, 231)
    """
    p = _fraction(percent, "percent")
    n = _check_denominator(denominator)
    h = half_width(decimals)
    if p < 0 or p > 100:
        raise ArgumentError(f"percent must lie between 0 and 100, got {percent!r}")
    if (p * 10**decimals).denominator != 1:
        raise ArgumentError(
            f"percent {percent!r} has more decimals than declared (decimals={decimals}); "
            "pass the decimals it was printed with"
        )
    low = max(0, math.ceil((p - h) * n / 100))
    high = min(n, math.floor((p + h) * n / 100))
    return range(low, max(low, high + 1))


def percent_of(count: int, denominator: int, decimals: int = 0) -> float:
    """Return ``100 * count / denominator`` rounded half-up to ``decimals``.

    Parameters
    ----------
    count
        The numerator (a whole count, not negative).
    denominator
        The whole number the percentage is of; must be positive.
    decimals
        Number of decimals to print.

    Returns
    -------
    float
        The percentage as a report would print it (round half up, computed on
        the exact fraction, so ``percent_of(1, 8, 1)`` is 12.5 and
        ``percent_of(1, 40)`` is 3.0).

    Examples
    --------
    Tabel S.2 of ``001_08a3e7995258f26d.txt``: Rotterdam 12 of 129 is 9 %.

    >>> percent_of(12, 129)
    9.0
    >>> percent_of(69, 360, decimals=1)
    19.2
    """
    n = _check_denominator(denominator)
    d = _check_decimals(decimals)
    c = _check_count(count, n)
    exact = c * 100 / n
    quantum = Decimal(1).scaleb(-d)
    value = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(quantum, ROUND_HALF_UP)
    return float(value)


def rounds_to(count: int, denominator: int, percent: Number | str, decimals: int = 0) -> bool:
    """Tell whether ``count`` of ``denominator`` prints as ``percent``.

    Uses the interval convention of :func:`count_range` (half-up and
    half-even rounding both accepted).

    Examples
    --------
    Tabel S.1 of ``001_08a3e7995258f26d.txt``: 100 free places of 130 print as 77 %,
    69 of 360 do not print as 20 %.

    >>> rounds_to(100, 130, 77), rounds_to(69, 360, 20)
    (True, False)
    """
    n = _check_denominator(denominator)
    c = _check_count(count, n)
    p = _fraction(percent, "percent")
    h = half_width(decimals)
    return p - h <= c * 100 / n <= p + h


MAX_COMBINATIONS = 100_000
"""Most combinations :attr:`ShareRanges.combinations` lists; above it, count them instead."""


@dataclass(frozen=True)
class ShareRanges:
    """Counts behind several rounded shares of one total.

    Nothing is enumerated up front: the feasible ranges follow from the
    bounds, the number of combinations from dynamic programming, and the
    closest combination from the largest-remainder rule. Listing the
    combinations is on request (:attr:`combinations`) and capped.

    Attributes
    ----------
    labels
        One label per share (the mapping keys, or ``"0"``, ``"1"``, ...).
    percentages
        The printed percentages, in the order of ``labels``.
    total
        The whole number the shares are of.
    decimals
        Decimals the percentages were printed with.
    ranges
        Per share: every count that prints as its percentage on its own.
    max_combinations
        Cap of :attr:`combinations` (default :data:`MAX_COMBINATIONS`).
    """

    labels: tuple[str, ...]
    percentages: tuple[float, ...]
    total: int
    decimals: int
    ranges: tuple[range, ...]
    max_combinations: int = MAX_COMBINATIONS

    @cached_property
    def feasible_ranges(self) -> tuple[range, ...]:
        """Per share, the counts that occur in at least one combination summing to the total.

        Bound propagation: ``lo_i >= total - sum(hi of the others)`` and
        ``hi_i <= total - sum(lo of the others)``, repeated until nothing
        changes. With integer ranges every count in the result occurs in some
        combination. All empty when no combination exists.
        """
        lo = [r.start for r in self.ranges]
        hi = [r.stop - 1 for r in self.ranges]
        if any(len(r) == 0 for r in self.ranges):
            return tuple(range(0) for _ in self.labels)
        changed = True
        while changed:
            changed = False
            s_lo, s_hi = sum(lo), sum(hi)
            for i in range(len(lo)):
                new_lo = max(lo[i], self.total - (s_hi - hi[i]))
                new_hi = min(hi[i], self.total - (s_lo - lo[i]))
                if new_lo > new_hi:
                    return tuple(range(0) for _ in self.labels)
                if (new_lo, new_hi) != (lo[i], hi[i]):
                    lo[i], hi[i] = new_lo, new_hi
                    changed = True
                    s_lo, s_hi = sum(lo), sum(hi)
        return tuple(range(a, b + 1) for a, b in zip(lo, hi))

    @cached_property
    def n_combinations(self) -> int:
        """Number of count tuples (one per share, within its range) summing to the total.

        Dynamic programming over the partial sums (prefix sums of the ways to
        reach each partial total), no enumeration.
        """
        feasible = self.feasible_ranges
        if not feasible or any(len(r) == 0 for r in feasible):
            return 0
        base = sum(r.start for r in feasible)
        rest = self.total - base  # to distribute over the widths
        ways = [1] + [0] * rest  # ways[s]: tuples of the shares so far with extra s
        for r in feasible:
            width = len(r) - 1
            prefix = [0]
            for w in ways:
                prefix.append(prefix[-1] + w)
            ways = [prefix[s + 1] - prefix[max(0, s - width)] for s in range(rest + 1)]
        return int(ways[rest])

    @cached_property
    def combinations(self) -> tuple[tuple[int, ...], ...]:
        """Every tuple of counts (one per share, within its range) that sums to the total; sorted.

        Empty when the shares are not exhaustive or do not fit together.

        Raises
        ------
        ValueError
            If there are more than :attr:`max_combinations`; use
            :attr:`n_combinations`, :attr:`feasible_ranges` and :meth:`best`.
        """
        if self.n_combinations > self.max_combinations:
            raise ArgumentError(
                f"{self.n_combinations} combinations of counts sum to {self.total}, more than "
                f"max_combinations={self.max_combinations}; use n_combinations, "
                "feasible_ranges and best() instead"
            )
        feasible = self.feasible_ranges
        if self.n_combinations == 0:
            return ()
        mins = [r.start for r in feasible]
        maxs = [r.stop - 1 for r in feasible]
        suffix_min = [sum(mins[i:]) for i in range(len(feasible) + 1)]
        suffix_max = [sum(maxs[i:]) for i in range(len(feasible) + 1)]
        combos: list[tuple[int, ...]] = []

        def walk(i: int, remaining: int, prefix: tuple[int, ...]) -> None:
            if i == len(feasible):
                if remaining == 0:
                    combos.append(prefix)
                return
            low = max(mins[i], remaining - suffix_max[i + 1])
            high = min(maxs[i], remaining - suffix_min[i + 1])
            for c in range(low, high + 1):
                walk(i + 1, remaining - c, prefix + (c,))

        walk(0, self.total, ())
        return tuple(combos)

    def best(self) -> tuple[int, ...]:
        """Return the combination closest to the exact shares.

        Largest-remainder rule within the feasible ranges: start from
        ``floor(percentage * total / 100)`` (clipped to the range), then add
        one to the share with the largest remainder until the counts sum to
        the total (or take one from the share with the smallest remainder).
        This minimises the sum of squared differences from the exact shares;
        ties go to the combination that comes first in sorted order (later
        shares get the extra count first), so the choice is deterministic.

        Raises
        ------
        ValueError
            If no combination sums to the total.
        """
        feasible = self.feasible_ranges
        if self.n_combinations == 0:
            raise ArgumentError(f"no counts print as {list(self.percentages)} % and sum to {self.total}")
        targets = [Fraction(str(p)) * self.total / 100 for p in self.percentages]
        counts = [min(max(math.floor(t), r.start), r.stop - 1) for t, r in zip(targets, feasible)]
        k = len(counts)
        while sum(counts) < self.total:
            up = [i for i in range(k) if counts[i] < feasible[i].stop - 1]
            i = max(up, key=lambda j: (targets[j] - counts[j], j))
            counts[i] += 1
        while sum(counts) > self.total:
            down = [i for i in range(k) if counts[i] > feasible[i].start]
            i = min(down, key=lambda j: (targets[j] - counts[j], j))
            counts[i] -= 1
        return tuple(int(c) for c in counts)

    def to_frame(self) -> pd.DataFrame:
        """One row per share: label, percent, count_low, count_high and the feasible range."""
        feasible = self.feasible_ranges
        rows = []
        for label, pct, rng, frng in zip(self.labels, self.percentages, self.ranges, feasible):
            rows.append(
                {
                    "label": label,
                    "percent": float(pct),
                    "denominator": self.total,
                    "count_low": rng.start if len(rng) else pd.NA,
                    "count_high": rng.stop - 1 if len(rng) else pd.NA,
                    "feasible_low": frng.start if len(frng) else pd.NA,
                    "feasible_high": frng.stop - 1 if len(frng) else pd.NA,
                }
            )
        frame = pd.DataFrame(rows)
        for col in ("count_low", "count_high", "feasible_low", "feasible_high"):
            frame[col] = frame[col].astype("Int64")
        return frame


def share_ranges(
    percentages: Sequence[Number] | Mapping[str, Number],
    total: int,
    decimals: int = 0,
    *,
    max_combinations: int = MAX_COMBINATIONS,
) -> ShareRanges:
    """Find the counts behind several rounded shares of one total.

    Parameters
    ----------
    percentages
        The printed shares, as a sequence or a mapping ``label -> percent``.
        For ``combinations`` to be meaningful the shares must be exhaustive
        (every member of the total in exactly one share).
    total
        The whole number the shares are of.
    decimals
        Decimals the percentages were printed with.
    max_combinations
        Cap of :attr:`ShareRanges.combinations` (listing on request only).

    Returns
    -------
    ShareRanges
        The count range of each share, the feasible ranges, the number of
        combinations of counts that sum to ``total`` and the closest one.

    Examples
    --------
    Regioplan (2022), ``004_b44b716732003f66.txt``: of 1258 outflowed people
    18 % durable, 41 % semi-durable, 41 % no solution.

    >>> sr = share_ranges({"durable": 18, "semi_durable": 41, "none": 41}, 1258)
    >>> sr.ranges
    (range(221, 233), range(510, 523), range(510, 523))
    >>> sr.best(), sr.n_combinations
    ((226, 516, 516), 120)
    >>> (221, 518, 519) in sr.combinations, (232, 510, 516) in sr.combinations
    (True, True)
    """
    if isinstance(percentages, Mapping):
        labels = tuple(str(k) for k in percentages)
        values = tuple(percentages.values())
    else:
        values = tuple(percentages)
        labels = tuple(str(i) for i in range(len(values)))
    if not values:
        raise ArgumentError("percentages must hold at least one share")
    n = _check_denominator(total)
    ranges = tuple(count_range(v, n, decimals) for v in values)
    return ShareRanges(
        labels=labels,
        percentages=tuple(float(v) for v in values),
        total=n,
        decimals=decimals,
        ranges=ranges,
        max_combinations=int(max_combinations),
    )
