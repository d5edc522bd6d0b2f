"""Policy figures: the flow through the LVV, durable outflow per quarter, capacity and occupancy.

Drawn from released (checked) frames only: a suppressed count is missing there and is drawn as a
hatched, marked band or bar of a fixed nominal size (labelled with the suppression mark), never
with its value. Every drawn element carries a ``gid`` (``band``, ``band-suppressed``, ``bar``,
``bar-suppressed``, ``present``, ``capacity``, ``suppressed``) so tests and readers can count them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from lvv_eval.disclosure.checked import SUPPRESSION_MARK
from lvv_eval.errors import InputValidationError, Problem
from lvv_eval.reporting.plots import (
    FONT_SIZE,
    LABEL_SIZE,
    OKABE_ITO,
    SUPPRESSED_HATCH,
    SUPPRESSED_MARKER,
    TITLE_SIZE,
    TOTAL_COLOUR,
    suppressed_handle,
    suppressed_point_handle,
)

__all__ = ["flow_chart", "period_bars", "capacity_occupancy", "scale_chart", "SUPPRESSED_HATCH", "SUPPRESSED_MARKER"]

SUPPRESSED_SHARE = 0.04
"""Nominal size of a suppressed band (share of the panel's drawn total): a mark, not a value."""

Formatter = Callable[[float], str]


def _need(table: pd.DataFrame, columns: Sequence[str], function: str) -> None:
    problems = [
        Problem("", None, c, "", f"column required by flow_plot.{function}") for c in columns if c not in table.columns
    ]
    if problems:
        raise InputValidationError(
            problems,
            f"{len(problems)} column(s) missing in the table passed to "
            f"flow_plot.{function}: {', '.join(p.column for p in problems)}",  # type: ignore[misc]
        )


def _finish(fig: Figure, title: str, footnote: str) -> Figure:
    fig.suptitle(title, x=0.01, ha="left", fontsize=TITLE_SIZE, fontweight="bold")
    if footnote:
        width = fig.get_size_inches()[0]
        text = textwrap.fill(footnote, max(40, int(width * 72 / (FONT_SIZE * 0.55))))
        fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=FONT_SIZE, color="#333333")
        lines = text.count("\n") + 1
        bottom = min(0.4, (lines * FONT_SIZE * 1.3 + 8) / (fig.get_size_inches()[1] * 72))
        top = 1 - (TITLE_SIZE * 2.2) / (fig.get_size_inches()[1] * 72)
        fig.get_layout_engine().set(rect=(0, bottom, 1, top - bottom))  # type: ignore[call-arg,union-attr]
    return fig


def _label(labels: Mapping[object, str] | None, key: object) -> str:
    return str(labels.get(key, key)) if labels else str(key)


def _explain(fig: Figure, label: str | None, drawn: bool, handle: object) -> None:
    """One figure legend entry ``x = <label>`` when something suppressed was drawn and a label is given."""
    if label and drawn:
        fig.legend(  # type: ignore[call-overload]
            [handle],
            [f"{SUPPRESSION_MARK} = {label}"],
            fontsize=FONT_SIZE - 1,
            frameon=False,
            loc="outside lower right",
        )


def _band(x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float]) -> MplPath:
    """A band from ``x0`` (bottom/top ``y0``) to ``x1`` (``y1``) with S-shaped edges."""
    xm = (x0 + x1) / 2
    verts = [
        (x0, y0[0]),
        (xm, y0[0]),
        (xm, y1[0]),
        (x1, y1[0]),
        (x1, y1[1]),
        (xm, y1[1]),
        (xm, y0[1]),
        (x0, y0[1]),
        (x0, y0[0]),
    ]
    codes = [
        MplPath.MOVETO,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.LINETO,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CLOSEPOLY,
    ]
    return MplPath(verts, codes)


def flow_chart(
    table: pd.DataFrame,
    *,
    scenarios: Sequence[str],
    outcomes: Sequence[str],
    title: str,
    footnote: str,
    panels: Sequence[str] | None = None,
    panel_labels: Mapping[object, str] | None = None,
    node_labels: Mapping[object, str] | None = None,
    source_node: str = "intake",
    fmt: Formatter = lambda v: f"{v:,.0f}",
    ncols: int = 3,
    figsize: tuple[float, float] | None = None,
    suppressed_label: str | None = None,
) -> Figure:
    """An alluvial (Sankey-style) chart per panel: intake -> scenario -> outcome.

    Parameters
    ----------
    table
        Released flow table (:func:`lvv_eval.evaluations.policy.flow_table` through the gate):
        ``pilot, stage, source, target, numerator``; a missing ``numerator`` is a suppressed band.
    scenarios, outcomes
        Node order of the middle and right columns.
    panels
        Pilots to draw, in order (default: every pilot of the table, ``total`` last).
    panel_labels, node_labels
        Display text of pilots and nodes.
    fmt
        Formats a band's count (shown for bands wide enough).
    suppressed_label
        Word explaining the mark (already translated); when given and a band is suppressed,
        one legend entry ``x = <word>``.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel; each band is a :class:`~matplotlib.patches.PathPatch` with gid
        ``band`` or ``band-suppressed`` (hatched, fixed nominal width, labelled with the mark).
        Bands of zero persons are not drawn. Node heights are the sums of the drawn bands, so a
        suppressed band's count cannot be read from them.
    """
    _need(table, ["pilot", "stage", "source", "target", "numerator"], "flow_chart")
    order = (
        list(panels)
        if panels is not None
        else (
            sorted(p for p in table["pilot"].astype(str).unique() if p != "total")
            + (["total"] if "total" in set(table["pilot"].astype(str)) else [])
        )
    )
    ncols = max(1, min(ncols, len(order)))
    nrows = max(1, int(np.ceil(len(order) / ncols)))  # an empty table still gives one (empty) panel
    fig, axes = plt.subplots(
        nrows, ncols, figsize=figsize or (4.2 * ncols, 3.6 * nrows), squeeze=False, layout="constrained"
    )
    colours = {o: OKABE_ITO[i % len(OKABE_ITO)] for i, o in enumerate(outcomes)}
    scen_colour = {s: TOTAL_COLOUR for s in scenarios}
    columns = [[source_node], list(scenarios), list(outcomes)]
    for ax in axes.flat[len(order) :]:
        ax.set_visible(False)
    for ax, pilot in zip(axes.flat, order):
        part = table.loc[table["pilot"].astype(str) == str(pilot)]
        flows = []  # (stage index, source, target, value or None)
        for stage, (a, b) in (("scenario", (0, 1)), ("outcome", (1, 2))):
            rows = part.loc[part["stage"] == stage]
            for src, tgt, n in zip(rows["source"].astype(str), rows["target"].astype(str), rows["numerator"]):
                if src not in columns[a] or tgt not in columns[b]:
                    continue
                value = None if pd.isna(n) else float(n)
                if value == 0:
                    continue
                flows.append((a, src, tgt, value))
        shown_total = sum(v for a, _, _, v in flows if a == 0 and v is not None)
        nominal = max(shown_total, sum(v for _, _, _, v in flows if v is not None) / 2, 1.0) * SUPPRESSED_SHARE
        width = {(a, s, t): (v if v is not None else nominal) for a, s, t, v in flows}
        # node heights: the larger of what enters and what leaves
        height: dict[tuple[int, str], float] = {}
        for (a, s, t), _w in width.items():
            height[(a, s)] = height.get((a, s), 0.0)
            height[(a + 1, t)] = height.get((a + 1, t), 0.0)
        for col, nodes in enumerate(columns):
            for node in nodes:
                out_w = sum(w for (a, s, _), w in width.items() if a == col and s == node)
                in_w = sum(w for (a, _, t), w in width.items() if a + 1 == col and t == node)
                if out_w or in_w:
                    height[(col, node)] = max(out_w, in_w)
        scale = max([sum(height.get((c, n), 0.0) for n in nodes) for c, nodes in enumerate(columns)] + [1.0])
        gap = 0.04 * scale
        top: dict[tuple[int, str], float] = {}
        for col, nodes in enumerate(columns):
            y = scale + gap * (len(nodes) - 1)
            for node in nodes:
                h = height.get((col, node), 0.0)
                if h <= 0:
                    continue
                top[(col, node)] = y
                face = TOTAL_COLOUR if col < 2 else colours.get(node, TOTAL_COLOUR)
                ax.add_patch(Rectangle((col - 0.03, y - h), 0.06, h, facecolor=face, edgecolor="none", gid="node"))
                ha, dx = ("right", -0.06) if col == 0 else (("left", 0.06) if col == 2 else ("center", 0))
                ax.text(
                    col + dx,
                    y - h / 2 if col != 1 else y + gap * 0.15,
                    _label(node_labels, node),
                    ha=ha,
                    va="center" if col != 1 else "bottom",
                    fontsize=FONT_SIZE - 1,
                )
                y -= h + gap
        out_at = dict(top)
        in_at = dict(top)
        for a, s, t, v in flows:
            w = width[(a, s, t)]
            y0 = out_at[(a, s)]
            y1 = in_at[(a + 1, t)]
            out_at[(a, s)] = y0 - w
            in_at[(a + 1, t)] = y1 - w
            colour = scen_colour.get(t, TOTAL_COLOUR) if a == 0 else colours.get(t, TOTAL_COLOUR)
            path = _band(a + 0.03, a + 0.97, (y0 - w, y0), (y1 - w, y1))
            if v is None:
                patch = PathPatch(
                    path,
                    facecolor="white",
                    edgecolor="#555555",
                    hatch=SUPPRESSED_HATCH,
                    linewidth=0.6,
                    alpha=0.9,
                    gid="band-suppressed",
                )
                ax.text(
                    a + 0.5,
                    (y0 + y1 - w) / 2,
                    SUPPRESSION_MARK,
                    ha="center",
                    va="center",
                    fontsize=FONT_SIZE,
                    color="#333333",
                    gid="suppressed",
                )
            else:
                patch = PathPatch(path, facecolor=colour, edgecolor="none", alpha=0.45, gid="band")
                if w >= 0.06 * scale:
                    ax.text(a + 0.5, (y0 + y1 - w) / 2, fmt(v), ha="center", va="center", fontsize=FONT_SIZE - 2)
            ax.add_patch(patch)
        ax.set_xlim(-0.6, 2.9)
        ax.set_ylim(-gap, scale + gap * (max(len(c) for c in columns) + 1))
        ax.set_axis_off()
        ax.set_title(_label(panel_labels, pilot), fontsize=LABEL_SIZE, loc="left")
    hidden_any = any(p.get_gid() == "band-suppressed" for ax in axes.flat for p in ax.patches)
    _explain(fig, suppressed_label, hidden_any, suppressed_handle())
    return _finish(fig, title, footnote)


def period_bars(
    table: pd.DataFrame,
    *,
    period: str,
    value: str,
    panel: str,
    title: str,
    ylabel: str,
    footnote: str,
    panels: Sequence[str] | None = None,
    panel_labels: Mapping[object, str] | None = None,
    ncols: int = 3,
    figsize: tuple[float, float] | None = None,
    suppressed_label: str | None = None,
) -> Figure:
    """Bars per period (e.g. quarter), one panel per group; a missing value is a hatched, marked bar.

    ``suppressed_label`` (already translated) adds one legend entry ``x = <word>`` when a bar is
    suppressed.

    Returns
    -------
    matplotlib.figure.Figure
        Each bar a :class:`~matplotlib.patches.Rectangle` with gid ``bar`` or ``bar-suppressed``
        (hatched, height of a nominal 4 % of the panel's largest bar, labelled with the mark).
    """
    _need(table, [period, value, panel], "period_bars")
    order = list(panels) if panels is not None else list(dict.fromkeys(table[panel].astype(str)))
    ncols = max(1, min(ncols, len(order)))
    nrows = max(1, int(np.ceil(len(order) / ncols)))  # an empty table still gives one (empty) panel
    fig, axes = plt.subplots(
        nrows, ncols, figsize=figsize or (4.0 * ncols, 2.8 * nrows), squeeze=False, layout="constrained"
    )
    for ax in axes.flat[len(order) :]:
        ax.set_visible(False)
    for k, (ax, name) in enumerate(zip(axes.flat, order)):
        part = table.loc[table[panel].astype(str) == str(name)]
        labels = part[period].astype(str).tolist()
        values = pd.to_numeric(part[value], errors="coerce").to_numpy(dtype=float)
        top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
        nominal = max(top, 1.0) * SUPPRESSED_SHARE
        colour = TOTAL_COLOUR if str(name) == "total" else OKABE_ITO[k % len(OKABE_ITO)]
        for i, v in enumerate(values):
            if np.isnan(v):
                ax.add_patch(
                    Rectangle(
                        (i - 0.4, 0),
                        0.8,
                        nominal,
                        facecolor="white",
                        edgecolor="#555555",
                        hatch=SUPPRESSED_HATCH,
                        linewidth=0.6,
                        gid="bar-suppressed",
                    )
                )
                ax.text(
                    i,
                    nominal * 1.3,
                    SUPPRESSION_MARK,
                    ha="center",
                    va="bottom",
                    fontsize=FONT_SIZE - 1,
                    color="#333333",
                    gid="suppressed",
                )
            else:
                ax.add_patch(Rectangle((i - 0.4, 0), 0.8, v, facecolor=colour, edgecolor="none", gid="bar"))
        ax.set_xlim(-0.7, len(labels) - 0.3)
        ax.set_ylim(0, max(top, 1.0) * 1.12)
        step = max(1, int(np.ceil(len(labels) / 6)))
        ax.set_xticks(range(0, len(labels), step), labels[::step], fontsize=FONT_SIZE - 1)
        ax.tick_params(labelsize=FONT_SIZE - 1)
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.set_title(_label(panel_labels, name), fontsize=LABEL_SIZE, loc="left")
        if k % ncols == 0:
            ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    hidden_any = any(p.get_gid() == "bar-suppressed" for ax in axes.flat for p in ax.patches)
    _explain(fig, suppressed_label, hidden_any, suppressed_handle())
    return _finish(fig, title, footnote)


def capacity_occupancy(
    table: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    footnote: str,
    present_label: str,
    capacity_label: str,
    date: str = "date",
    panel: str = "pilot",
    present: str = "present",
    capacity: str = "capacity",
    panels: Sequence[str] | None = None,
    panel_labels: Mapping[object, str] | None = None,
    ncols: int = 3,
    figsize: tuple[float, float] | None = None,
    suppressed_label: str | None = None,
) -> Figure:
    """Persons present (line) against published capacity (step line) over time, one panel per pilot.

    Months whose count is suppressed leave a gap in the line and get the suppression mark at the
    bottom (gid ``suppressed``); the lines have gids ``present`` and ``capacity``.
    ``suppressed_label`` (already translated) adds one legend entry ``x = <word>`` when a month is
    suppressed.
    """
    _need(table, [date, panel, present, capacity], "capacity_occupancy")
    order = list(panels) if panels is not None else sorted(table[panel].astype(str).unique())
    ncols = max(1, min(ncols, len(order)))
    nrows = max(1, int(np.ceil(len(order) / ncols)))  # an empty table still gives one (empty) panel
    fig, axes = plt.subplots(
        nrows, ncols, figsize=figsize or (4.0 * ncols, 2.8 * nrows), squeeze=False, layout="constrained", sharex=True
    )
    for ax in axes.flat[len(order) :]:
        ax.set_visible(False)
    for k, (ax, name) in enumerate(zip(axes.flat, order)):
        part = table.loc[table[panel].astype(str) == str(name)].sort_values(date)
        when = pd.to_datetime(part[date])
        pres = pd.to_numeric(part[present], errors="coerce").to_numpy(dtype=float)
        cap = pd.to_numeric(part[capacity], errors="coerce").to_numpy(dtype=float)
        ax.plot(when, pres, color=OKABE_ITO[k % len(OKABE_ITO)], linewidth=1.5, label=present_label, gid="present")
        ax.step(
            when,
            cap,
            where="post",
            color="#000000",
            linewidth=1.0,
            linestyle="--",
            label=capacity_label,
            gid="capacity",
        )
        hidden = np.isnan(pres)
        if hidden.any():
            ax.plot(
                when[hidden],
                np.full(int(hidden.sum()), 0.03),
                transform=ax.get_xaxis_transform(),
                linestyle="none",
                marker=SUPPRESSED_MARKER,
                color="#555555",
                markersize=6,
                clip_on=False,
                gid="suppressed",
            )
        top = np.nanmax(np.r_[pres[~hidden], cap[~np.isnan(cap)], 1.0])
        ax.set_ylim(0, top * 1.15)
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.tick_params(labelsize=FONT_SIZE - 1)
        ax.set_title(_label(panel_labels, name), fontsize=LABEL_SIZE, loc="left")
        if k % ncols == 0:
            ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
        if k == 0:
            ax.legend(fontsize=FONT_SIZE - 1, frameon=False, loc="upper left")
    fig.autofmt_xdate()
    hidden_any = any(line.get_gid() == "suppressed" for ax in axes.flat for line in ax.lines)
    _explain(fig, suppressed_label, hidden_any, suppressed_point_handle())
    return _finish(fig, title, footnote)


STATUS_STYLE: Mapping[str, dict[str, object]] = {
    "published": {"fill": True, "hatch": None},
    "derived": {"fill": True, "hatch": "xx"},
    "person-level": {"fill": False, "hatch": None},
}
"""How :func:`scale_chart` draws a bar of each status."""


def scale_chart(
    table: pd.DataFrame,
    *,
    dates: Sequence[str],
    schemes: Sequence[str],
    classes: Sequence[str],
    title: str,
    ylabel: str,
    footnote: str,
    date_labels: Mapping[object, str] | None = None,
    class_labels: Mapping[object, str] | None = None,
    status_labels: Mapping[object, str] | None = None,
    not_distinguished: str = "n/a",
    fmt: Formatter = lambda v: f"{v:.0%}",
    figsize: tuple[float, float] = (11.0, 4.2),
) -> Figure:
    """The three evaluations on one scale: one panel per class, bars per date and scheme.

    Parameters
    ----------
    table
        Released :class:`lvv_eval.evaluations.three_evaluations.ThreeEvaluations` frame
        (``date, scheme, scale_class, status, share``); a person-level share missing there is
        suppressed.

    Returns
    -------
    matplotlib.figure.Figure
        Bars with gid ``bar-published``, ``bar-derived``, ``bar-person-level``; a suppressed value
        is a hatched nominal bar (gid ``bar-suppressed``) with the mark; a class the scheme does not
        distinguish gets the text ``not_distinguished`` (gid ``not-distinguished``) and no bar.
    """
    _need(table, ["date", "scheme", "scale_class", "status", "share"], "scale_chart")
    fig, axes = plt.subplots(1, len(classes), figsize=figsize, squeeze=False, sharey=True, layout="constrained")
    colours = {s: OKABE_ITO[i % len(OKABE_ITO)] for i, s in enumerate(schemes)}
    width = 0.8 / max(len(schemes), 1)
    index = {
        (str(d), str(s), str(c)): (st, v)
        for d, s, c, st, v in zip(table["date"], table["scheme"], table["scale_class"], table["status"], table["share"])
    }
    for ax, cls in zip(axes[0], classes):
        for i, d in enumerate(dates):
            for j, s in enumerate(schemes):
                x = i - 0.4 + width * (j + 0.5)
                status, v = index.get((str(d), str(s), str(cls)), ("not_available", np.nan))
                if status == "not_distinguished":
                    ax.text(
                        x,
                        0.01,
                        not_distinguished,
                        rotation=90,
                        ha="center",
                        va="bottom",
                        fontsize=FONT_SIZE - 3,
                        color="#777777",
                        gid="not-distinguished",
                    )
                    continue
                if status not in STATUS_STYLE:
                    continue
                if pd.isna(v):
                    ax.add_patch(
                        Rectangle(
                            (x - width / 2, 0),
                            width,
                            0.03,
                            facecolor="white",
                            edgecolor="#555555",
                            hatch=SUPPRESSED_HATCH,
                            linewidth=0.5,
                            gid="bar-suppressed",
                        )
                    )
                    ax.text(
                        x, 0.035, SUPPRESSION_MARK, ha="center", va="bottom", fontsize=FONT_SIZE - 2, gid="suppressed"
                    )
                    continue
                style = STATUS_STYLE[status]
                ax.add_patch(
                    Rectangle(
                        (x - width / 2, 0),
                        width,
                        float(v),
                        facecolor=colours[s] if style["fill"] else "white",
                        edgecolor="#333333" if style["hatch"] else colours[s],
                        hatch=style["hatch"],
                        linewidth=0.8 if style["hatch"] else 1.2,
                        gid=f"bar-{status}",
                    )
                )
        ax.set_xlim(-0.5, len(dates) - 0.5)
        ax.set_ylim(0, 1.0)
        ax.set_xticks(
            range(len(dates)), ["\n".join(_label(date_labels, d).rsplit(" ", 1)) for d in dates], fontsize=FONT_SIZE - 1
        )  # '1 november' over '2020': three dates fit a narrow panel
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: fmt(v)))
        ax.tick_params(labelsize=FONT_SIZE - 1)
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.set_title(_label(class_labels, cls), fontsize=LABEL_SIZE, loc="left")
    axes[0, 0].set_ylabel(ylabel, fontsize=FONT_SIZE)
    handles = [Rectangle((0, 0), 1, 1, facecolor=colours[s], edgecolor=colours[s]) for s in schemes]
    names = list(schemes)
    for status, style in STATUS_STYLE.items():
        handles.append(
            Rectangle(
                (0, 0),
                1,
                1,
                facecolor="#BBBBBB" if style["fill"] else "white",
                edgecolor="#555555",
                hatch=style["hatch"],
            )
        )
        names.append(_label(status_labels, status))
    handles.append(suppressed_handle())
    names.append(f"{SUPPRESSION_MARK} = {_label(status_labels, 'suppressed')}")
    axes[0, -1].legend(
        handles, names, fontsize=FONT_SIZE - 1, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0)
    )
    return _finish(fig, title, footnote)
