"""Occupancy over time: persons present against the capacity in force on each date.

One function serves every evaluation: :func:`present_against_capacity` counts the persons present
on the first day of each month per pilot (:func:`lvv_eval.stats.counts.stock_over_time`) and sets
beside each count the capacity published for that date (:func:`lvv_eval.sources.capacity.capacity_on`).
Occupancy of places is a ratio of a count to a number of places, not a sample proportion: it
carries no confidence interval.
"""

from __future__ import annotations

import pandas as pd

from lvv_eval.sources.capacity import capacity_on
from lvv_eval.stats.counts import TOTAL, DateLike, stock_over_time


def present_against_capacity(
    frame: pd.DataFrame, start: DateLike, end: DateLike, figures: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Persons present on the first of each month per pilot, with the capacity in force then.

    Parameters
    ----------
    frame
        Typed monitor frame (restrict pilots first if needed).
    start, end
        First and last date of the monthly grid (``end`` is included when it is a first of month;
        the grid is that of :func:`lvv_eval.stats.counts.stock_over_time`).
    figures
        Published figures (default file when not given), for the capacity history.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``pilot`` (text), ``present`` (int64, persons), ``capacity`` (places, Int64,
        missing where none is published), ``occupancy_rate`` (present / capacity). Pilots only, no
        total; sorted by pilot, then date.
    """
    stock = stock_over_time(frame, freq="MS", start=start, end=end, by="pilot")
    stock = stock.loc[(stock["pilot"].astype("str") != TOTAL).to_numpy()].copy()
    stock["pilot"] = stock["pilot"].astype("str")
    caps = capacity_on(sorted(set(stock["date"])), figures)[["date", "pilot", "capacity"]]
    out = stock.merge(caps, on=["date", "pilot"], how="left", validate="many_to_one")
    out["present"] = out["present"].astype("int64")
    out["capacity"] = out["capacity"].astype("Int64")
    places = out["capacity"].astype("float64")
    out["occupancy_rate"] = out["present"] / places.where(places > 0)
    return out.sort_values(["pilot", "date"], ignore_index=True)[
        ["date", "pilot", "present", "capacity", "occupancy_rate"]
    ]
