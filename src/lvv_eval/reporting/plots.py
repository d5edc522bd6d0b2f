"""Report figures: bars with confidence intervals, grouped and stacked bars, lines, CIF curves.

One house style for every figure of the evaluation notebooks, readable in
print: font size at least 9 pt, the colour-blind-safe Okabe-Ito palette
(Okabe & Ito 2008, *Color Universal Design*), grey for the ``total`` row,
no frame on top and right, no shading or 3-D. Every figure has a title, axis
labels (with units: the caller's text) and a footnote at the bottom naming
the source and the denominator.

The module is language-neutral: all text (title, axis labels, footnote,
category and legend labels) is passed in already translated, typically via
:class:`lvv_eval.reporting.labels.Labels`; numbers on the figure are formatted by the
``fmt`` callable (pass ``labels.percent`` or ``labels.number`` for Dutch
decimal commas). Only the object-oriented matplotlib API is used
(``plt.subplots`` creates the figure); every function returns the
:class:`~matplotlib.figure.Figure`, which the caller saves with
:meth:`lvv_eval.reporting.writer.ReportWriter.figure` and may close with
``plt.close(fig)``.

Deterministic: no jitter; categories are sorted (with ``total`` last) unless
an order is given.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from lvv_eval.errors import InputValidationError, Problem

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow (last: weak on white paper)
    "#000000",  # black
)
"""The Okabe-Ito palette, ordered for print (yellow last)."""

TOTAL_COLOUR: str = "#7F7F7F"
"""Grey for the ``total`` category or group."""

REFERENCE_COLOUR: str = "#000000"
"""Colour of reference lines (targets) drawn over bars."""

MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
"""Line markers, so lines stay distinguishable in black-and-white print."""

FIGSIZE: tuple[float, float] = (7.0, 4.5)
"""Default figure size in inches (width, height)."""

FONT_SIZE: float = 9.0
"""Minimum font size in points (ticks, value labels, legend, footnote)."""

LABEL_SIZE: float = 10.0
"""Font size of axis labels and panel titles."""

TITLE_SIZE: float = 11.0
"""Font size of the figure title."""

DAYS_PER_MONTH: float = 365.25 / 12
"""Days in an average month, used when a time axis is shown in months."""

Formatter = Callable[[float], str]


# ----------------------------------------------------------------- helpers
class _FootnoteLayout(ConstrainedLayoutEngine):
    """Constrained layout inside ``rect`` that also lifts ``fig.supxlabel`` into ``rect``.

    Matplotlib places an automatic supxlabel at the very bottom of the figure,
    ignoring ``rect``; here that is where the footnote goes, so the label is
    moved up by the footnote's height.
    """

    def execute(self, fig: Figure) -> dict:  # type: ignore[override]
        info = super().execute(fig)
        label = getattr(fig, "_supxlabel", None)
        if label is not None and getattr(label, "_autopos", False):
            x, y = label.get_position()
            label.set_position((x, y + self.get()["rect"][1]))
        return info


def _check(table: pd.DataFrame, columns: Sequence[str], function: str, unique: Sequence[str] | None = None) -> None:
    """Raise one InputValidationError for all missing columns and duplicated keys."""
    problems = [
        Problem("", None, c, "", f"column required by plotting.{function}") for c in columns if c not in table.columns
    ]
    if not problems and unique:
        dup = table.duplicated(list(unique), keep=False)
        for i in np.flatnonzero(dup.to_numpy()):
            key = ", ".join(str(table[c].iloc[i]) for c in unique)
            problems.append(
                Problem(
                    "",
                    int(i) + 2,
                    ", ".join(unique),
                    key,
                    f"plotting.{function} needs one row per ({', '.join(unique)})",
                )
            )
    if problems:
        raise InputValidationError(problems, f"{len(problems)} problem(s) in the table passed to plotting.{function}")


def _order(values: pd.Series, order: Sequence[object] | None, total: object) -> list[object]:
    """Given order, else the sorted distinct values with ``total`` last."""
    present = list(pd.unique(values.dropna()))
    if order is not None:
        return [v for v in order if v in present] + [v for v in _sorted(present, total) if v not in order]
    return _sorted(present, total)


def _sorted(values: list[object], total: object) -> list[object]:
    return sorted((v for v in values if v != total), key=str) + [v for v in values if v == total]


def _colours(keys: Sequence[object], total: object, colours: Mapping[object, str] | None = None) -> dict[object, str]:
    out: dict[object, str] = {}
    i = 0
    for key in keys:
        if colours and key in colours:
            out[key] = colours[key]
        elif key == total:
            out[key] = TOTAL_COLOUR
        else:
            out[key] = OKABE_ITO[i % len(OKABE_ITO)]
            i += 1
    return out


def _formatter(fmt: Formatter | None, percent: bool, decimals: int) -> Formatter:
    if fmt is not None:
        return fmt
    if percent:
        return lambda v: f"{v * 100:.{decimals}f}%"
    return lambda v: f"{v:,.{decimals}f}"


def _text(labels: Mapping[object, str] | None, key: object) -> str:
    return str(labels[key]) if labels and key in labels else str(key)


def _new(
    nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = FIGSIZE, **kwargs: object
) -> tuple[Figure, np.ndarray]:
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, layout=_FootnoteLayout(), **kwargs)  # type: ignore[call-overload]
    for ax in axes.flat:
        _style(ax)
    return fig, axes


def _style(ax: Axes) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)


def _finish(fig: Figure, title: str, footnote: str) -> Figure:
    """Add title and footnote, reserve room for the footnote, use constrained layout."""
    width, height = fig.get_size_inches()
    chars = max(40, int(width * 72 / (FONT_SIZE * 0.55)))
    lines = [textwrap.fill(part, chars) if part else "" for part in str(footnote).split("\n")]
    text = "\n".join(lines)
    n_lines = text.count("\n") + 1 if text else 0
    bottom = float(min(0.4, (n_lines * FONT_SIZE * 1.25 + 6) / (height * 72))) if n_lines else 0.0
    engine = fig.get_layout_engine()
    if isinstance(engine, _FootnoteLayout):
        engine.set(rect=(0, bottom, 1, 1 - bottom))
    else:
        fig.set_layout_engine(_FootnoteLayout(rect=(0, bottom, 1, 1 - bottom)))
    fig.suptitle(title, x=0.01, ha="left", fontsize=TITLE_SIZE, fontweight="bold")
    if text:
        fig.text(0.01, 0.01, text, ha="left", va="bottom", fontsize=FONT_SIZE, color="#333333")
    return fig


def _legend(ax: Axes, handles: list[object] | None = None, labels: list[str] | None = None) -> None:
    kwargs: dict[str, object] = {
        "fontsize": FONT_SIZE,
        "frameon": False,
        "loc": "upper left",
        "bbox_to_anchor": (1.0, 1.0),
    }
    if handles is not None:
        ax.legend(handles, labels, **kwargs)  # type: ignore[call-overload]
    else:
        ax.legend(**kwargs)


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour``."""
    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "#FFFFFF"


def _value_axis(ax: Axes, horizontal: bool, fmt: Formatter) -> None:
    axis = ax.xaxis if horizontal else ax.yaxis
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt(v)))


def _labels(ax: Axes, xlabel: str, ylabel: str) -> None:
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)


# --------------------------------------------------------------- functions
def _mark_missing(ax: Axes, positions: Sequence[float], label: str, horizontal: bool, span: float) -> None:
    """Draw a small grey 'x' and ``label`` where a value is missing (suppressed), so it is not read as zero."""
    for p in positions:
        if horizontal:
            ax.plot([0.01 * span], [p], marker="x", color="#777777", markersize=5, linestyle="none")
            ax.text(0.03 * span, p, label, va="center", ha="left", fontsize=FONT_SIZE - 2, color="#777777")
        else:
            ax.plot([p], [0.01 * span], marker="x", color="#777777", markersize=5, linestyle="none")
            ax.text(
                p, 0.03 * span, label, va="bottom", ha="center", rotation=90, fontsize=FONT_SIZE - 2, color="#777777"
            )


def bar_with_ci(
    table: pd.DataFrame,
    *,
    category: str,
    estimate: str,
    ci_low: str,
    ci_high: str,
    title: str,
    xlabel: str,
    ylabel: str,
    footnote: str,
    percent: bool = True,
    reference: Mapping[object, float] | float | None = None,
    reference_label: str = "",
    order: Sequence[object] | None = None,
    labels: Mapping[object, str] | None = None,
    horizontal: bool = False,
    fmt: Formatter | None = None,
    decimals: int = 0,
    value_labels: bool = True,
    total: object = "total",
    figsize: tuple[float, float] = FIGSIZE,
    missing_label: str | None = None,
) -> Figure:
    """Bars with confidence-interval error bars and value labels, one bar per category.

    Parameters
    ----------
    table
        One row per category (e.g. a rate table of :mod:`lvv_eval.stats.rates`:
        one row per pilot plus ``total``).
    category, estimate, ci_low, ci_high
        Column names. Estimates and bounds are proportions (0-1) when
        ``percent`` is true, else counts or other numbers; missing bounds draw
        no error bar.
    title, xlabel, ylabel, footnote
        Text, already translated. Put the units in the axis label and the
        source, denominator and CI method in the footnote.
    percent
        Format the value axis and the value labels as percentages.
    reference
        Reference value per category (e.g. a target share), drawn as a short
        black dashed line across the bar; a single number draws one line
        across the whole axis. ``reference_label`` names it in the legend.
    order
        Category order; default sorted with ``total`` last.
    labels
        Display text per category value (default: the value itself).
    horizontal
        Horizontal bars (categories on the y axis, listed top-down).
    fmt
        Number formatter for value labels and ticks (e.g. ``Labels('nl').percent``).
    decimals
        Decimals of the default formatter.
    value_labels
        Print the estimate next to each bar (beyond the upper CI bound).
    total
        Category value drawn in grey.
    figsize
        Size in inches.
    missing_label
        Text (already translated, e.g. "onderdrukt") drawn with a small grey
        ``x`` where the estimate is missing, so a suppressed value is not read
        as zero; ``None`` (default) leaves the place empty.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.patches`` holds one bar per category.
    """
    _check(table, [category, estimate, ci_low, ci_high], "bar_with_ci", unique=[category])
    fmt = _formatter(fmt, percent, decimals)
    cats = _order(table[category], order, total)
    data = table.set_index(category).loc[cats]
    est = data[estimate].astype("float64").to_numpy()
    low = data[ci_low].astype("float64").to_numpy()
    high = data[ci_high].astype("float64").to_numpy()
    colours = _colours(cats, total)
    fig, axes = _new(figsize=figsize)
    ax = axes[0, 0]
    pos = np.arange(len(cats), dtype="float64")
    names = [_text(labels, c) for c in cats]
    err = np.vstack([np.clip(est - low, 0, None), np.clip(high - est, 0, None)])
    bar_colours = [colours[c] for c in cats]
    if horizontal:
        ax.barh(pos, est, color=bar_colours, height=0.6)
        ax.errorbar(est, pos, xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
    else:
        ax.bar(pos, est, color=bar_colours, width=0.6)
        ax.errorbar(pos, est, yerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
        ax.set_xticks(pos, names)
    handles: list[object] = []
    if reference is not None:
        style = {"colors": REFERENCE_COLOUR, "linestyles": "--", "linewidth": 1.5}
        if isinstance(reference, Mapping):
            ref = np.array([float(reference.get(c, np.nan)) for c in cats])
            keep = ~np.isnan(ref)
            draw = ax.vlines if horizontal else ax.hlines
            draw(ref[keep], pos[keep] - 0.4, pos[keep] + 0.4, **style)
            top = np.nanmax(ref) if keep.any() else 0.0
        else:
            (ax.axvline if horizontal else ax.axhline)(
                float(reference), color=REFERENCE_COLOUR, linestyle="--", linewidth=1.5
            )
            top = float(reference)
        handles = [Line2D([], [], color=REFERENCE_COLOUR, linestyle="--", linewidth=1.5)]
    else:
        top = 0.0
    upper = np.nanmax(np.r_[est, high, top, 0.0])
    span = upper if upper > 0 else 1.0
    if value_labels:
        anchor = np.where(np.isnan(high), est, np.fmax(high, est))
        for p, a, e in zip(pos, anchor, est):
            if np.isnan(e):
                continue
            if horizontal:
                ax.text(a + 0.02 * span, p, fmt(e), va="center", ha="left", fontsize=FONT_SIZE)
            else:
                ax.text(p, a + 0.02 * span, fmt(e), va="bottom", ha="center", fontsize=FONT_SIZE)
    limit = upper * 1.15 if upper > 0 else 1.0
    if missing_label is not None:
        _mark_missing(ax, pos[np.isnan(est)], missing_label, horizontal, limit)
    (ax.set_xlim if horizontal else ax.set_ylim)(0, limit)
    _value_axis(ax, horizontal, fmt)
    _labels(ax, xlabel, ylabel)
    if handles and reference_label:
        _legend(ax, handles, [reference_label])
    return _finish(fig, title, footnote)


def _bars(
    ax: Axes,
    matrix: pd.DataFrame,
    colours: Mapping[object, str],
    series_labels: Mapping[object, str] | None,
    *,
    stacked: bool,
    horizontal: bool,
    fmt: Formatter,
    value_labels: bool,
) -> float:
    """Draw grouped or stacked bars: rows of ``matrix`` are categories, columns are series."""
    n_cat, n_ser = matrix.shape
    pos = np.arange(n_cat, dtype="float64")
    width = 0.7 if stacked else 0.8 / max(n_ser, 1)
    base = np.zeros(n_cat)
    values = matrix.to_numpy(dtype="float64")
    upper = 0.0
    for j, series in enumerate(matrix.columns):
        v = values[:, j]
        if stacked:
            at, start = pos, base.copy()
        else:
            at, start = pos - 0.4 + width * (j + 0.5), np.zeros(n_cat)
        kwargs = {"color": colours[series], "label": _text(series_labels, series)}
        if horizontal:
            bars = ax.barh(at, v, width, left=start, **kwargs)  # type: ignore[arg-type]
        else:
            bars = ax.bar(at, v, width, bottom=start, **kwargs)  # type: ignore[arg-type]
        if stacked:
            base = base + np.nan_to_num(v)
        upper = max(upper, float(np.nanmax(np.r_[base, v, 0.0])))
        if value_labels:
            texts = [fmt(x) if not np.isnan(x) else "" for x in v]
            if stacked:
                # only segments wide enough to hold a label
                span = max(float(np.nansum(values, axis=1).max()), 1e-12)
                texts = [t if (not np.isnan(x) and x / span >= 0.06) else "" for t, x in zip(texts, v)]
                ax.bar_label(bars, labels=texts, label_type="center", fontsize=FONT_SIZE, color=_ink(colours[series]))
            else:
                ax.bar_label(bars, labels=texts, padding=2, fontsize=FONT_SIZE)
    return upper


def _matrix(
    table: pd.DataFrame, category: str, group: str, value: str, cats: list[object], groups: list[object]
) -> pd.DataFrame:
    wide = table.pivot(index=category, columns=group, values=value)
    return wide.reindex(index=cats, columns=groups).astype("float64")


def grouped_bars(
    table: pd.DataFrame,
    *,
    category: str,
    group: str,
    value: str,
    title: str,
    xlabel: str,
    ylabel: str,
    footnote: str,
    stacked: bool = False,
    percent: bool = False,
    order: Sequence[object] | None = None,
    group_order: Sequence[object] | None = None,
    labels: Mapping[object, str] | None = None,
    group_labels: Mapping[object, str] | None = None,
    colours: Mapping[object, str] | None = None,
    horizontal: bool = False,
    fmt: Formatter | None = None,
    decimals: int = 0,
    value_labels: bool = True,
    total: object = "total",
    figsize: tuple[float, float] = FIGSIZE,
    missing_label: str | None = None,
) -> Figure:
    """Bars per category, one bar (or stacked segment) per group.

    Examples: published vs synthetic count per pilot (``group`` = source), or
    outflow per outcome class per pilot (``stacked=True``).

    Parameters
    ----------
    table
        Long format: one row per (category, group); a missing pair draws no bar.
    category, group, value
        Column names (category on the axis, group in the legend).
    title, xlabel, ylabel, footnote
        Text, already translated (units in the axis labels; source and
        denominator in the footnote).
    stacked
        Stack the groups instead of placing them side by side.
    percent
        Values are proportions (0-1), formatted as percentages.
    order, group_order
        Orders of categories and groups; default sorted with ``total`` last.
    labels, group_labels
        Display text per category and per group value.
    colours
        Colour per group value; default Okabe-Ito in group order, grey for ``total``.
    horizontal, fmt, decimals, value_labels, total, figsize
        As in :func:`bar_with_ci`; stacked segments under 6 % of the largest
        bar get no value label.
    missing_label
        As in :func:`bar_with_ci`: text and a grey ``x`` where a (category,
        group) value is missing (side-by-side bars only). Keep every category
        in ``table`` (or ``order``) so that none disappears from the axis.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.patches`` holds categories x groups bars.
    """
    _check(table, [category, group, value], "grouped_bars", unique=[category, group])
    fmt = _formatter(fmt, percent, decimals)
    cats = _order(table[category], order, total)
    groups = _order(table[group], group_order, total)
    matrix = _matrix(table, category, group, value, cats, groups)
    fig, axes = _new(figsize=figsize)
    ax = axes[0, 0]
    upper = _bars(
        ax,
        matrix,
        _colours(groups, total, colours),
        group_labels,
        stacked=stacked,
        horizontal=horizontal,
        fmt=fmt,
        value_labels=value_labels,
    )
    names = [_text(labels, c) for c in cats]
    pos = np.arange(len(cats))
    limit = upper * 1.12 if upper > 0 else 1.0
    if missing_label is not None and not stacked:
        values = matrix.to_numpy(dtype="float64")
        width = 0.8 / max(len(groups), 1)
        spots = [pos[i] - 0.4 + width * (j + 0.5) for i, j in zip(*np.nonzero(np.isnan(values)))]
        _mark_missing(ax, spots, missing_label, horizontal, limit)
    if horizontal:
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
        ax.set_xlim(0, limit)
    else:
        ax.set_xticks(pos, names)
        ax.set_ylim(0, limit)
    _value_axis(ax, horizontal, fmt)
    _labels(ax, xlabel, ylabel)
    _legend(ax)
    return _finish(fig, title, footnote)


def stacked_shares(
    table: pd.DataFrame,
    *,
    category: str,
    part: str,
    share: str,
    title: str,
    xlabel: str,
    ylabel: str,
    footnote: str,
    order: Sequence[object] | None = None,
    part_order: Sequence[object] | None = None,
    labels: Mapping[object, str] | None = None,
    part_labels: Mapping[object, str] | None = None,
    colours: Mapping[object, str] | None = None,
    horizontal: bool = True,
    fmt: Formatter | None = None,
    decimals: int = 0,
    value_labels: bool = True,
    total: object = "total",
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """100 % stacked bars: the share of each part (e.g. outcome class) per category (pilot).

    Parameters
    ----------
    table
        Long format, one row per (category, part); ``share`` is a proportion
        (0-1) of the category's denominator (name it in the footnote). Shares
        are drawn as given, not rescaled: if they do not add up to 1 the bar
        is shorter, which shows it.
    category, part, share
        Column names.
    part_order
        Order of the parts along the bar, e.g. ``scheme.class_ids``
        (durable first); default sorted.
    labels, part_labels
        Display text per category and part (e.g. ``Labels.outcome_class``).
    colours
        Colour per part; default Okabe-Ito in part order.
    horizontal
        Horizontal bars (default), categories listed top-down.
    title, xlabel, ylabel, footnote, order, fmt, decimals, value_labels, total, figsize
        As in :func:`grouped_bars`.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.patches`` holds categories x parts segments; value axis 0-100 %.
    """
    _check(table, [category, part, share], "stacked_shares", unique=[category, part])
    fmt = _formatter(fmt, True, decimals)
    cats = _order(table[category], order, total)
    parts = _order(table[part], part_order, None)
    matrix = _matrix(table, category, part, share, cats, parts)
    fig, axes = _new(figsize=figsize)
    ax = axes[0, 0]
    _bars(
        ax,
        matrix,
        _colours(parts, None, colours),
        part_labels,
        stacked=True,
        horizontal=horizontal,
        fmt=fmt,
        value_labels=value_labels,
    )
    names = [_text(labels, c) for c in cats]
    pos = np.arange(len(cats))
    if horizontal:
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
    else:
        ax.set_xticks(pos, names)
        ax.set_ylim(0, 1)
    _value_axis(ax, horizontal, fmt)
    _labels(ax, xlabel, ylabel)
    _legend(ax)
    return _finish(fig, title, footnote)


def line_over_time(
    table: pd.DataFrame,
    *,
    time: str,
    value: str,
    group: str,
    title: str,
    xlabel: str,
    ylabel: str,
    footnote: str,
    reference: Mapping[object, float] | str | None = None,
    reference_label: str = "",
    order: Sequence[object] | None = None,
    labels: Mapping[object, str] | None = None,
    colours: Mapping[object, str] | None = None,
    percent: bool = False,
    fmt: Formatter | None = None,
    decimals: int = 0,
    markers: bool = True,
    date_format: str = "%Y-%m",
    total: object = "total",
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """One line per group over time, with an optional dashed reference per group.

    Example: occupancy per pilot by month, with each pilot's capacity dashed.

    Parameters
    ----------
    table
        Long format, one row per (group, time).
    time, value, group
        Column names; ``time`` is datetime (ticks as ``date_format``,
        language-neutral ISO by default) or numeric (e.g. months since start).
    title, xlabel, ylabel, footnote
        Text, already translated.
    reference
        Per group a constant (mapping group -> value, e.g. capacity) drawn as
        a horizontal dashed line in the group's colour, or the name of a
        column of ``table`` (a reference that changes over time).
        ``reference_label`` adds one legend entry for the dashed style.
    order, labels, colours, total
        Group order (default sorted, ``total`` last), display text, colours
        (default Okabe-Ito, ``total`` grey).
    percent, fmt, decimals
        Value-axis format.
    markers
        Mark the observations (helps in black-and-white print).
    figsize
        Size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.lines`` holds one line per group, then one dashed line
        per group with a reference.
    """
    needed = [time, value, group] + ([reference] if isinstance(reference, str) else [])
    _check(table, needed, "line_over_time", unique=[group, time])
    fmt = _formatter(fmt, percent, decimals)
    groups = _order(table[group], order, total)
    palette = _colours(groups, total, colours)
    fig, axes = _new(figsize=figsize)
    ax = axes[0, 0]
    data = {g: table.loc[table[group] == g].sort_values(time) for g in groups}
    for i, g in enumerate(groups):
        part = data[g]
        ax.plot(
            part[time].to_numpy(),
            part[value].to_numpy(dtype="float64"),
            color=palette[g],
            linewidth=1.8,
            marker=MARKERS[i % len(MARKERS)] if markers else None,
            markersize=4,
            label=_text(labels, g),
        )
    has_reference = False
    for g in groups:
        part = data[g]
        if isinstance(reference, str):
            y = part[reference].to_numpy(dtype="float64")
            x = part[time].to_numpy()
        elif reference is not None and g in reference:
            x = np.array([part[time].min(), part[time].max()])
            y = np.array([float(reference[g])] * 2)
        else:
            continue
        ax.plot(x, y, color=palette[g], linestyle="--", linewidth=1.2)
        has_reference = True
    if pd.api.types.is_datetime64_any_dtype(table[time]):
        ax.xaxis.set_major_locator(AutoDateLocator(maxticks=8))
        ax.xaxis.set_major_formatter(DateFormatter(date_format))
    ax.set_ylim(bottom=0)
    _value_axis(ax, False, fmt)
    _labels(ax, xlabel, ylabel)
    handles, names = ax.get_legend_handles_labels()
    if has_reference and reference_label:
        handles.append(Line2D([], [], color=TOTAL_COLOUR, linestyle="--", linewidth=1.2))
        names.append(reference_label)
    _legend(ax, handles, names)
    return _finish(fig, title, footnote)


def cif_plot(
    curves: pd.DataFrame,
    *,
    time: str,
    estimate: str,
    ci_low: str,
    ci_high: str,
    panel: str,
    group: str,
    title: str,
    xlabel: str,
    ylabel: str,
    footnote: str,
    panel_order: Sequence[object] | None = None,
    panel_labels: Mapping[object, str] | None = None,
    order: Sequence[object] | None = None,
    labels: Mapping[object, str] | None = None,
    colours: Mapping[object, str] | None = None,
    months: bool = False,
    ncols: int | None = None,
    fmt: Formatter | None = None,
    ci_alpha: float = 0.18,
    total: object = "total",
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Cumulative incidence step curves with CI bands, one panel per outcome class.

    Parameters
    ----------
    curves
        Long format as returned by :func:`lvv_eval.stats.survival.cif_curves`: per
        (panel, group) the step function's jump times and values (right-continuous).
        Rows with the panel value ``in_programme`` are drawn like any other
        panel if present; filter them out or leave them out of ``panel_order``.
    time, estimate, ci_low, ci_high
        Column names; ``time`` in days. Missing bounds leave a gap in the band.
    panel, group
        Column names: one panel per ``panel`` value (e.g. ``outcome``), one
        curve per ``group`` value (e.g. ``pilot``) in every panel.
    title, xlabel, ylabel, footnote
        Text, already translated; ``xlabel`` goes once under the panels
        (``fig.supxlabel`` when there are several columns), ``ylabel`` next
        to the first column.
    panel_order, panel_labels
        Panel order (e.g. ``scheme.class_ids``; other panels are left out when
        given) and panel titles (e.g. ``Labels.outcome_class``).
    order, labels, colours, total
        Group order, display text, colours (default Okabe-Ito, ``total`` grey).
    months
        Show time in months (days / 30.44) instead of days.
    ncols
        Panels per row; default up to 3.
    fmt
        Formatter for the probability axis (default ``'20%'``).
    ci_alpha
        Opacity of the CI bands.
    figsize
        Size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel; each holds one step line per group in ``ax.lines``
        and one CI band per group in ``ax.collections``. Unused grid cells are
        removed. Y axis 0-1, shared.
    """
    _check(curves, [time, estimate, ci_low, ci_high, panel, group], "cif_plot", unique=[panel, group, time])
    fmt = _formatter(fmt, True, 0)
    if panel_order is not None:
        panels = [p for p in panel_order if p in set(curves[panel])]
    else:
        panels = _order(curves[panel], None, None)
    groups = _order(curves[group], order, total)
    palette = _colours(groups, total, colours)
    n = max(len(panels), 1)
    ncols = ncols or min(n, 3)
    nrows = int(np.ceil(n / ncols))
    fig, axes = _new(nrows, ncols, figsize=figsize, sharex=True, sharey=True)
    scale = DAYS_PER_MONTH if months else 1.0
    for k, p in enumerate(panels):
        ax = axes.flat[k]
        for _i, g in enumerate(groups):
            part = curves.loc[(curves[panel] == p) & (curves[group] == g)].sort_values(time)
            if part.empty:
                continue
            x = part[time].to_numpy(dtype="float64") / scale
            ax.step(
                x,
                part[estimate].to_numpy(dtype="float64"),
                where="post",
                color=palette[g],
                linewidth=1.6,
                label=_text(labels, g),
            )
            ax.fill_between(
                x,
                part[ci_low].to_numpy(dtype="float64"),
                part[ci_high].to_numpy(dtype="float64"),
                step="post",
                color=palette[g],
                alpha=ci_alpha,
                linewidth=0,
            )
        ax.set_title(_text(panel_labels, p), fontsize=LABEL_SIZE)
        ax.set_ylim(0, 1)
        ax.set_xlim(left=0)
        _value_axis(ax, False, fmt)
    for k in range(len(panels), nrows * ncols):
        axes.flat[k].remove()
    for k in range(len(panels)):
        row, col = divmod(k, ncols)
        ax = axes[row, col]
        if k + ncols >= len(panels):  # lowest panel of its column
            ax.tick_params(labelbottom=True)
            if ncols == 1:
                ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
        if col == 0:
            ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    if ncols > 1:
        fig.supxlabel(xlabel, fontsize=LABEL_SIZE)
    if panels:
        # one entry per group drawn in any panel (a group may be absent from the first one)
        entries: dict[str, object] = {}
        for k in range(len(panels)):
            for handle, name in zip(*axes.flat[k].get_legend_handles_labels()):
                entries.setdefault(name, handle)
        drawn = [_text(labels, g) for g in groups if _text(labels, g) in entries]
        fig.legend(  # type: ignore[call-overload]
            [entries[name] for name in drawn], drawn, fontsize=FONT_SIZE, frameon=False, loc="outside right center"
        )
    return _finish(fig, title, footnote)
