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
from typing import TypeAlias

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import ScaledTranslation

from lvv_eval.disclosure.checked import SUPPRESSION_MARK, CheckedTable
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

SUPPRESSED_HATCH: str = "////"
"""Hatch of a bar, segment or band whose value is suppressed (the policy figures use it too)."""

SUPPRESSED_EDGE: str = "#555555"
"""Edge colour of a suppressed placeholder."""

SUPPRESSED_SHARE: float = 0.04
"""Nominal size of a suppressed placeholder, as a share of the value axis: a mark, not a value."""

SUPPRESSED_MARKER: str = rf"$\mathrm{{{SUPPRESSION_MARK}}}$"
"""Matplotlib marker of a suppressed point of a curve: the mark itself, upright as in the tables."""

SUPPRESSED_FLAG: str = "suppressed"
"""Boolean column of a plain table that flags rows whose values are suppressed."""

Formatter = Callable[[float], str]

Table: TypeAlias = pd.DataFrame | CheckedTable
"""What the figure functions draw: a released :class:`CheckedTable` or a plain frame."""


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


# ------------------------------------------------------------ suppression
def _released(table: Table, values: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frame to draw and, per column of ``values``, where a value is suppressed.

    A :class:`CheckedTable` says so in its mask (a value missing but not masked is
    simply not available and draws nothing). In a plain frame a missing value counts
    as suppressed, and so does every value of a row whose :data:`SUPPRESSED_FLAG`
    column is true (even when the value was filled in). Suppressed values are set to
    NaN in the returned frame, so nothing downstream can draw them.
    """
    if isinstance(table, CheckedTable):
        frame = table.frame.reset_index(drop=True).copy()
        mask = table.mask.reset_index(drop=True)
        hidden = pd.DataFrame(
            {
                c: (mask[c].to_numpy(dtype=bool) if c in mask.columns else np.zeros(len(frame), dtype=bool))
                for c in values
                if c in frame.columns
            }
        )
    else:
        frame = table.reset_index(drop=True).copy()
        flag = _flag(frame)
        hidden = pd.DataFrame({c: frame[c].isna().to_numpy() | flag for c in values if c in frame.columns})
    for c in hidden.columns:
        numbers = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        frame[c] = np.where(hidden[c].to_numpy(), np.nan, numbers)
    return frame, hidden


def _flag(frame: pd.DataFrame) -> np.ndarray:
    """The :data:`SUPPRESSED_FLAG` column of a plain frame when it holds booleans, else all false."""
    none = np.zeros(len(frame), dtype=bool)
    if SUPPRESSED_FLAG not in frame.columns:
        return none
    col = frame[SUPPRESSED_FLAG]
    if pd.api.types.is_bool_dtype(col) or col.dropna().map(lambda v: isinstance(v, (bool, np.bool_))).all():
        return col.fillna(False).astype(bool).to_numpy()
    return none


def _suppressed_label(label: str | None, fmt: object = None) -> str:
    """Legend text explaining the mark: ``x = <label>``.

    Without ``label`` (or with the bare mark), the word ``suppressed_value`` of
    ``labels.csv`` in the language of ``fmt`` when it is a method of a
    :class:`~lvv_eval.reporting.labels.Labels` (e.g. ``L.percent``), else Dutch.
    """
    if label is None or label.strip() == SUPPRESSION_MARK:
        from lvv_eval.reporting.labels import Labels

        owner = getattr(fmt, "__self__", None)
        labels = owner if isinstance(owner, Labels) else Labels("nl")
        label = labels.word("suppressed_value")
    return f"{SUPPRESSION_MARK} = {label}"


def suppressed_handle() -> Rectangle:
    """Legend handle of a suppressed placeholder."""
    return Rectangle((0, 0), 1, 1, facecolor="white", edgecolor=SUPPRESSED_EDGE, hatch=SUPPRESSED_HATCH, linewidth=0.6)


def suppressed_point_handle() -> Line2D:
    """Legend handle of a suppressed point of a curve (the mark on the time axis)."""
    return Line2D([], [], linestyle="none", marker=SUPPRESSED_MARKER, color=SUPPRESSED_EDGE, markersize=6)


def _placeholder(patch: object) -> None:
    """Turn a drawn bar into a suppressed placeholder: white, hatched, grey edge, gid ``bar-suppressed``."""
    patch.set_facecolor("white")  # type: ignore[attr-defined]
    patch.set_edgecolor(SUPPRESSED_EDGE)  # type: ignore[attr-defined]
    patch.set_hatch(SUPPRESSED_HATCH)  # type: ignore[attr-defined]
    patch.set_linewidth(0.6)  # type: ignore[attr-defined]
    patch.set_gid("bar-suppressed")  # type: ignore[attr-defined]


def _mark(ax: Axes, x: float, y: float, *, horizontal: bool, centre: bool = False) -> None:
    """Write the suppression mark at data position (``x`` along the category axis, ``y`` along the values).

    Inside a hatched segment (``centre``) the mark sits on a small white patch, so it stays legible.
    """
    box = {"facecolor": "white", "edgecolor": "none", "pad": 1.0} if centre else None
    ax.text(
        y if horizontal else x,
        x if horizontal else y,
        SUPPRESSION_MARK,
        ha="left" if horizontal and not centre else "center",
        va="bottom" if not horizontal and not centre else "center",
        fontsize=FONT_SIZE,
        color="#333333",
        bbox=box,
        gid="suppressed",
    )


def _mark_points(ax: Axes, points: Sequence[tuple[str, np.ndarray]]) -> bool:
    """Mark suppressed points of curves on the time axis (each curve has a gap there).

    ``points`` holds per curve its colour and the times of its suppressed points. The marks sit
    just above the time axis, where they cannot be read as values; where several curves are
    suppressed at the same time, their marks stand side by side, one in each colour.
    """
    at: dict[object, list[int]] = {}
    for k, (_colour, x) in enumerate(points):
        for t in x:
            at.setdefault(t, []).append(k)
    drawn = False
    for k, (colour, x) in enumerate(points):
        shifts: dict[float, list[object]] = {}
        for t in x:
            slot, n = at[t].index(k), len(at[t])
            shifts.setdefault((slot - (n - 1) / 2) * 7.0, []).append(t)
        for shift, times in shifts.items():
            offset = ScaledTranslation(shift / 72, 0, ax.figure.dpi_scale_trans)
            ax.plot(
                np.array(times),
                np.full(len(times), 0.03),
                transform=ax.get_xaxis_transform() + offset,
                linestyle="none",
                marker=SUPPRESSED_MARKER,
                color=colour,
                markersize=6,
                clip_on=False,
                gid="suppressed",
            )
            drawn = True
    return drawn


# --------------------------------------------------------------- functions
def bar_with_ci(
    table: Table,
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
        one row per pilot plus ``total``): a released :class:`CheckedTable`
        (its mask says what is suppressed), or a plain frame, where a missing
        estimate, or a true ``suppressed`` column, means suppressed.
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
        The word that explains the suppression mark in the legend (``x =
        <word>``, already translated, e.g. "onderdrukt"); default the word
        ``suppressed_value`` in the language of ``fmt`` (see
        :func:`_suppressed_label`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.patches`` holds one bar per category. A suppressed
        estimate is a white hatched placeholder of nominal height
        (:data:`SUPPRESSED_SHARE` of the axis; gid ``bar-suppressed``) with the
        mark :data:`~lvv_eval.disclosure.checked.SUPPRESSION_MARK` above it
        (gid ``suppressed``), no interval and no value label; one legend entry
        explains the mark.
    """
    table, hidden = _released(table, [estimate, ci_low, ci_high])
    _check(table, [category, estimate, ci_low, ci_high], "bar_with_ci", unique=[category])
    label_fmt = fmt
    fmt = _formatter(fmt, percent, decimals)
    cats = _order(table[category], order, total)
    data = table.set_index(category).loc[cats]
    est = data[estimate].astype("float64").to_numpy()
    low = data[ci_low].astype("float64").to_numpy()
    high = data[ci_high].astype("float64").to_numpy()
    gone = hidden.set_axis(table[category].to_numpy())[estimate].reindex(cats).fillna(False).to_numpy(dtype=bool)
    colours = _colours(cats, total)
    fig, axes = _new(figsize=figsize)
    ax = axes[0, 0]
    pos = np.arange(len(cats), dtype="float64")
    names = [_text(labels, c) for c in cats]
    if isinstance(reference, Mapping):
        ref = np.array([float(reference.get(c, np.nan)) for c in cats])
        top = float(np.nanmax(ref)) if (~np.isnan(ref)).any() else 0.0
    else:
        ref = np.full(len(cats), np.nan)
        top = float(reference) if reference is not None else 0.0
    upper = np.nanmax(np.r_[est, high, top, 0.0])
    span = upper if upper > 0 else 1.0
    nominal = SUPPRESSED_SHARE * span
    heights = np.where(gone, nominal, est)
    err = np.vstack([np.clip(est - low, 0, None), np.clip(high - est, 0, None)])
    bar_colours = [colours[c] for c in cats]
    if horizontal:
        bars = ax.barh(pos, heights, color=bar_colours, height=0.6)
        ax.errorbar(est, pos, xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
    else:
        bars = ax.bar(pos, heights, color=bar_colours, width=0.6)
        ax.errorbar(pos, est, yerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
        ax.set_xticks(pos, names)
    for k in np.flatnonzero(gone):
        _placeholder(bars.patches[k])
        _mark(ax, pos[k], nominal + 0.02 * span, horizontal=horizontal)
    handles: list[object] = []
    names_legend: list[str] = []
    if reference is not None:
        style = {"colors": REFERENCE_COLOUR, "linestyles": "--", "linewidth": 1.5}
        if isinstance(reference, Mapping):
            keep = ~np.isnan(ref)
            draw = ax.vlines if horizontal else ax.hlines
            draw(ref[keep], pos[keep] - 0.4, pos[keep] + 0.4, **style)
        else:
            (ax.axvline if horizontal else ax.axhline)(
                float(reference), color=REFERENCE_COLOUR, linestyle="--", linewidth=1.5
            )
        if reference_label:
            handles.append(Line2D([], [], color=REFERENCE_COLOUR, linestyle="--", linewidth=1.5))
            names_legend.append(reference_label)
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
    (ax.set_xlim if horizontal else ax.set_ylim)(0, limit)
    _value_axis(ax, horizontal, fmt)
    _labels(ax, xlabel, ylabel)
    if gone.any():
        handles.append(suppressed_handle())
        names_legend.append(_suppressed_label(missing_label, label_fmt))
    if handles:
        _legend(ax, handles, names_legend)
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
    hidden: np.ndarray | None = None,
    stack_total: float | None = None,
) -> float:
    """Draw grouped or stacked bars: rows of ``matrix`` are categories, columns are series.

    ``hidden`` (same shape) marks suppressed values (their ``matrix`` entries are NaN).
    Side by side, each is a placeholder bar of nominal height with the mark. Stacked, the
    suppressed values of a category are drawn as one marked segment after the shown ones:
    up to ``stack_total`` (a 100 % bar still ends at 100 %) when that rest is not a single
    hidden value (two or more hidden, or all of them), else of nominal length.
    """
    n_cat, n_ser = matrix.shape
    pos = np.arange(n_cat, dtype="float64")
    width = 0.7 if stacked else 0.8 / max(n_ser, 1)
    base = np.zeros(n_cat)
    values = matrix.to_numpy(dtype="float64")
    gone = np.zeros(values.shape, dtype=bool) if hidden is None else hidden
    shown_top = np.nansum(values, axis=1).max() if stacked and n_cat else np.nanmax(np.r_[values.ravel(), 0.0])
    scale = float(max(shown_top, stack_total or 0.0, 0.0)) or 1.0
    nominal = SUPPRESSED_SHARE * scale
    upper = 0.0
    for j, series in enumerate(matrix.columns):
        v = values[:, j]
        if stacked:
            at, start = pos, base.copy()
        else:
            at, start = pos - 0.4 + width * (j + 0.5), np.zeros(n_cat)
            v = np.where(gone[:, j], nominal, v)
        kwargs = {"color": colours[series], "label": _text(series_labels, series)}
        if horizontal:
            bars = ax.barh(at, v, width, left=start, **kwargs)  # type: ignore[arg-type]
        else:
            bars = ax.bar(at, v, width, bottom=start, **kwargs)  # type: ignore[arg-type]
        if stacked:
            base = base + np.nan_to_num(v)
        else:
            for i in np.flatnonzero(gone[:, j]):
                _placeholder(bars.patches[i])
                _mark(ax, at[i], nominal + 0.02 * scale, horizontal=horizontal)
        upper = max(upper, float(np.nanmax(np.r_[base, v, 0.0])))
        if value_labels:
            texts = [fmt(x) if not (np.isnan(x) or h) else "" for x, h in zip(v, gone[:, j])]
            if stacked:
                # only segments wide enough to hold a label
                span = max(float(np.nansum(values, axis=1).max()), 1e-12)
                texts = [t if (not np.isnan(x) and x / span >= 0.06) else "" for t, x in zip(texts, v)]
                ax.bar_label(bars, labels=texts, label_type="center", fontsize=FONT_SIZE, color=_ink(colours[series]))
            else:
                ax.bar_label(bars, labels=texts, padding=2, fontsize=FONT_SIZE)
    if stacked:
        for i in np.flatnonzero(gone.any(axis=1)):
            n_hidden = int(gone[i].sum())
            n_parts = int((gone[i] | ~np.isnan(values[i])).sum())
            rest = (stack_total - base[i]) if stack_total is not None else np.nan
            length = rest if (n_hidden >= 2 or n_hidden == n_parts) and rest > 0 else nominal
            draw = ax.barh if horizontal else ax.bar
            side = {"left": base[i]} if horizontal else {"bottom": base[i]}
            (patch,) = draw([pos[i]], [length], width, **side).patches
            _placeholder(patch)
            _mark(ax, pos[i], base[i] + length / 2, horizontal=horizontal, centre=True)
            base[i] += length
            upper = max(upper, float(base[i]))
    return upper


def _matrix(
    table: pd.DataFrame, category: str, group: str, value: str, cats: list[object], groups: list[object]
) -> pd.DataFrame:
    wide = table.pivot(index=category, columns=group, values=value)
    return wide.reindex(index=cats, columns=groups).astype("float64")


def _series_legend(ax: Axes, suppressed: bool, label: str | None, fmt: object) -> None:
    """Legend of the series, plus one entry explaining the mark when something is suppressed."""
    drawn, names = ax.get_legend_handles_labels()
    handles: list[object] = list(drawn)
    if suppressed:
        handles.append(suppressed_handle())
        names.append(_suppressed_label(label, fmt))
    _legend(ax, handles, names)


def _hidden_matrix(
    table: pd.DataFrame, hidden: pd.Series, category: str, group: str, cats: list[object], groups: list[object]
) -> np.ndarray:
    """Where a (category, group) value is suppressed; a pair absent from the table is not."""
    flags = pd.DataFrame({category: table[category], group: table[group], "_h": hidden.to_numpy(dtype=bool)})
    wide = flags.pivot(index=category, columns=group, values="_h")
    return wide.reindex(index=cats, columns=groups).fillna(False).to_numpy(dtype=bool)


def grouped_bars(
    table: Table,
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
    stack_total: float | None = None,
) -> Figure:
    """Bars per category, one bar (or stacked segment) per group.

    Examples: published vs synthetic count per pilot (``group`` = source), or
    outflow per outcome class per pilot (``stacked=True``).

    Parameters
    ----------
    table
        Long format: one row per (category, group); a missing pair draws no bar.
        A released :class:`CheckedTable`, or a plain frame (a missing value, or
        a true ``suppressed`` column, means suppressed).
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
        As in :func:`bar_with_ci`: the word explaining the mark in the legend.
        Keep every category in ``table`` (or ``order``) so that none
        disappears from the axis.
    stack_total
        Stacked bars only: what a full bar adds up to (``1.0`` for shares of
        one denominator). The suppressed values of a category are then one
        marked segment filling the bar up to it (when they are two or more,
        or all); without it, a marked segment of nominal length.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.patches`` holds categories x groups bars (then one
        placeholder per stacked bar with suppressed values). A suppressed
        value is a white hatched placeholder (gid ``bar-suppressed``) with the
        mark (gid ``suppressed``), never its value; one legend entry explains
        the mark.
    """
    table, hidden = _released(table, [value])
    _check(table, [category, group, value], "grouped_bars", unique=[category, group])
    label_fmt = fmt
    fmt = _formatter(fmt, percent, decimals)
    cats = _order(table[category], order, total)
    groups = _order(table[group], group_order, total)
    matrix = _matrix(table, category, group, value, cats, groups)
    gone = _hidden_matrix(table, hidden[value], category, group, cats, groups)
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
        hidden=gone,
        stack_total=stack_total,
    )
    names = [_text(labels, c) for c in cats]
    pos = np.arange(len(cats))
    limit = upper * 1.12 if upper > 0 else 1.0
    if horizontal:
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
        ax.set_xlim(0, limit)
    else:
        ax.set_xticks(pos, names)
        ax.set_ylim(0, limit)
    _value_axis(ax, horizontal, fmt)
    _labels(ax, xlabel, ylabel)
    _series_legend(ax, bool(gone.any()), missing_label, label_fmt)
    return _finish(fig, title, footnote)


def stacked_shares(
    table: Table,
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
    missing_label: str | None = None,
) -> Figure:
    """100 % stacked bars: the share of each part (e.g. outcome class) per category (pilot).

    Parameters
    ----------
    table
        Long format, one row per (category, part); ``share`` is a proportion
        (0-1) of the category's denominator (name it in the footnote). Shares
        are drawn as given, not rescaled: if they do not add up to 1 the bar
        is shorter, which shows it. A released :class:`CheckedTable`, or a
        plain frame (a missing share, or a true ``suppressed`` column, means
        suppressed: a share filled in with 0 is still not drawn).
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
    missing_label
        As in :func:`bar_with_ci`: the word explaining the mark in the legend.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.patches`` holds categories x parts segments, then one
        placeholder per bar with suppressed shares: those shares together, as
        one white hatched segment with the mark (gid ``bar-suppressed``), so
        the bar still ends at 100 % (a single suppressed share, which the rest
        would give back, gets a segment of nominal length instead); value
        axis 0-100 %.
    """
    table, hidden = _released(table, [share])
    _check(table, [category, part, share], "stacked_shares", unique=[category, part])
    label_fmt = fmt
    fmt = _formatter(fmt, True, decimals)
    cats = _order(table[category], order, total)
    parts = _order(table[part], part_order, None)
    matrix = _matrix(table, category, part, share, cats, parts)
    gone = _hidden_matrix(table, hidden[share], category, part, cats, parts)
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
        hidden=gone,
        stack_total=1.0,
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
    _series_legend(ax, bool(gone.any()), missing_label, label_fmt)
    return _finish(fig, title, footnote)


def line_over_time(
    table: Table,
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
    missing_label: str | None = None,
) -> Figure:
    """One line per group over time, with an optional dashed reference per group.

    Example: occupancy per pilot by month, with each pilot's capacity dashed.

    Parameters
    ----------
    table
        Long format, one row per (group, time): a released
        :class:`CheckedTable`, or a plain frame (a missing value, or a true
        ``suppressed`` column, means suppressed).
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
    missing_label
        As in :func:`bar_with_ci`: the word explaining the mark in the legend.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.lines`` holds one line per group, then one dashed line
        per group with a reference, then per group with suppressed points one
        line of marks (gid ``suppressed``): a suppressed point is a gap in its
        line with the mark :data:`~lvv_eval.disclosure.checked.SUPPRESSION_MARK`
        on the time axis below it; one legend entry explains the mark.
    """
    table, hidden = _released(table, [value])
    needed = [time, value, group] + ([reference] if isinstance(reference, str) else [])
    _check(table, needed, "line_over_time", unique=[group, time])
    label_fmt = fmt
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
    gone = hidden[value].to_numpy(dtype=bool)
    _mark_points(
        ax,
        [(palette[g], np.sort(table.loc[(table[group] == g).to_numpy() & gone, time].to_numpy())) for g in groups],
    )
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
    if gone.any():
        handles.append(suppressed_point_handle())
        names.append(_suppressed_label(missing_label, label_fmt))
    _legend(ax, handles, names)
    return _finish(fig, title, footnote)


def cif_plot(
    curves: Table,
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
    missing_label: str | None = None,
) -> Figure:
    """Cumulative incidence step curves with CI bands, one panel per outcome class.

    Parameters
    ----------
    curves
        Long format as returned by :func:`lvv_eval.stats.survival.cif_curves`: per
        (panel, group) the step function's jump times and values (right-continuous).
        Rows with the panel value ``in_programme`` are drawn like any other
        panel if present; filter them out or leave them out of ``panel_order``.
        A released :class:`CheckedTable`, or a plain frame (a missing
        estimate, or a true ``suppressed`` column, means suppressed).
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
    missing_label
        As in :func:`bar_with_ci`: the word explaining the mark in the legend.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel; each holds one step line per group in ``ax.lines``
        and one CI band per group in ``ax.collections``. Unused grid cells are
        removed. Y axis 0-1, shared. A suppressed point is a gap in its curve
        and band, marked on the time axis (gid ``suppressed``); a group drawn
        in some panel but without a curve in another (a curve left out because
        it would disclose small counts) is listed in that panel as
        ``x <group>`` (gid ``suppressed``). One legend entry explains the mark.
    """
    curves, hidden = _released(curves, [estimate, ci_low, ci_high])
    _check(curves, [time, estimate, ci_low, ci_high, panel, group], "cif_plot", unique=[panel, group, time])
    gone = hidden[estimate].to_numpy(dtype=bool)
    marked = False
    label_fmt = fmt
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
        absent: list[object] = []
        holes: list[tuple[str, np.ndarray]] = []
        for g in groups:
            rows = ((curves[panel] == p) & (curves[group] == g)).to_numpy()
            part = curves.loc[rows].sort_values(time)
            if part.empty or gone[rows].all():
                absent.append(g)
                continue
            x = part[time].to_numpy(dtype="float64") / scale
            holes.append((palette[g], np.sort(curves.loc[rows & gone, time].to_numpy(dtype="float64")) / scale))
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
        marked |= _mark_points(ax, holes)
        for n, g in enumerate(absent):
            ax.text(
                0.03,
                0.97 - 0.08 * n,
                f"{SUPPRESSION_MARK} {_text(labels, g)}",
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=FONT_SIZE,
                color=palette[g],
                gid="suppressed",
            )
        marked |= bool(absent)
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
        handles = [entries[name] for name in drawn]
        if marked:
            handles.append(suppressed_point_handle())
            drawn.append(_suppressed_label(missing_label, label_fmt))
        fig.legend(  # type: ignore[call-overload]
            handles, drawn, fontsize=FONT_SIZE, frameon=False, loc="outside right center"
        )
    return _finish(fig, title, footnote)
