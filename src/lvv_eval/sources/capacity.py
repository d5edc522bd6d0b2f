"""Shelter capacity per pilot over time: one history, read from the published figures.

Capacity (places) is published twice: Tabel S.1 of the plan-and-process evaluation
(``001_08a3e7995258f26d.txt``, 'Beoogde capaciteit', peildatum 2019-12-31; Utrecht 230) and the
letter of 2020-11-17 (``002_1f6dbbe6756677e4.txt``, 'Voortgang LVV's', peildatum 2020-11-01;
1142 places, Utrecht 235). A published capacity holds from its peildatum until the next one; the
first one, a planned capacity, also holds before its peildatum, from the start of the pilots. No
later source publishes capacity, so the 2020 figures hold until the end of the pilot period.

The design table (``data/published/pilot_designs.csv``) repeats the capacity per design period;
:func:`design_table_disagreements` checks that it agrees with this history.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from lvv_eval.errors import ConfigError
from lvv_eval.sources import published

TOTAL = "total"

HISTORY_COLUMNS: tuple[str, ...] = ("pilot", "valid_from", "capacity", "figure_id", "source_id")
"""Columns of :func:`capacity_history`."""


def capacity_history(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every published capacity per pilot, in the order it took effect.

    Parameters
    ----------
    figures
        A frame from :func:`lvv_eval.sources.published.load_figures`; the default file if not given.

    Returns
    -------
    pandas.DataFrame
        :data:`HISTORY_COLUMNS`: ``pilot`` (no total), ``valid_from`` (the figure's peildatum,
        ``datetime64``), ``capacity`` (places, int64), ``figure_id``, ``source_id``. Sorted by
        pilot, then ``valid_from``.

    Examples
    --------
    >>> h = capacity_history()
    >>> h.loc[h["pilot"] == "utrecht", "capacity"].tolist()
    [230, 235]
    """
    figs = published.select(measure="capacity", category="places", figures=figures)
    figs = figs.loc[(figs["pilot"].astype("str") != TOTAL).to_numpy()]
    out = pd.DataFrame(
        {
            "pilot": figs["pilot"].astype("str").to_numpy(),
            "valid_from": pd.to_datetime(figs["peildatum"]).to_numpy(),
            "capacity": figs["value"].astype("int64").to_numpy(),
            "figure_id": figs["figure_id"].astype("str").to_numpy(),
            "source_id": figs["source_id"].astype("str").to_numpy(),
        }
    )
    return out.sort_values(["pilot", "valid_from", "figure_id"], ignore_index=True)


def capacity_on(dates: Iterable[object], figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """The capacity in force per pilot on each date.

    Parameters
    ----------
    dates
        Dates (anything :class:`pandas.Timestamp` accepts).
    figures
        As in :func:`capacity_history`.

    Returns
    -------
    pandas.DataFrame
        ``date``, then :data:`HISTORY_COLUMNS` without ``valid_from``: for each date and pilot
        the latest published capacity on or before the date, or the first published one for a
        date before it (the planned capacity holds from the start). Sorted by date, then pilot.

    Examples
    --------
    >>> c = capacity_on(["2019-06-01", "2020-11-01"])
    >>> c.loc[c["pilot"] == "utrecht", "capacity"].tolist()
    [230, 235]
    """
    history = capacity_history(figures)
    if history.empty:
        raise ConfigError("no published capacity per pilot in the published figures")
    days = sorted({pd.Timestamp(d).normalize() for d in dates})
    rows = []
    for pilot, h in history.groupby("pilot", sort=True):
        starts = h["valid_from"].tolist()
        for day in days:
            in_force = [i for i, start in enumerate(starts) if start <= day]
            rec = h.iloc[in_force[-1] if in_force else 0]
            rows.append((day, pilot, int(rec["capacity"]), rec["figure_id"], rec["source_id"]))
    out = pd.DataFrame(rows, columns=["date", "pilot", "capacity", "figure_id", "source_id"])
    out["date"] = pd.to_datetime(out["date"])
    out["capacity"] = out["capacity"].astype("int64")
    return out.sort_values(["date", "pilot"], ignore_index=True)


def design_table_disagreements(designs: pd.DataFrame, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Design periods whose capacity differs from the published history.

    Parameters
    ----------
    designs
        The design table (:func:`lvv_eval.sources.designs.load_designs`): ``pilot``, ``valid_from``,
        ``valid_to``, ``capacity``.
    figures
        As in :func:`capacity_history`.

    Returns
    -------
    pandas.DataFrame
        ``pilot``, ``valid_from``, ``valid_to``, ``design_capacity``, ``published_capacity`` for
        every period whose capacity is not the one published for each day of it (a period across
        a change of published capacity disagrees too). Empty when the two files agree.
    """
    history = capacity_history(figures)
    rows = []
    for rec in designs.itertuples(index=False):
        start, end = pd.Timestamp(rec.valid_from), pd.Timestamp(rec.valid_to)
        changes = history.loc[
            (history["pilot"] == rec.pilot) & (history["valid_from"] > start) & (history["valid_from"] <= end),
            "valid_from",
        ].tolist()
        in_force = capacity_on([start, *changes], figures)
        values = sorted(set(in_force.loc[in_force["pilot"] == rec.pilot, "capacity"].tolist()))
        design = None if pd.isna(rec.capacity) else int(rec.capacity)
        if values != [design]:
            rows.append(
                (rec.pilot, start.date().isoformat(), end.date().isoformat(), design, "/".join(str(v) for v in values))
            )
    return pd.DataFrame(rows, columns=["pilot", "valid_from", "valid_to", "design_capacity", "published_capacity"])
