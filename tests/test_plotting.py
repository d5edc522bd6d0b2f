"""Tests of lvv_eval.reporting.plots: every figure function on a small table."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from lvv_eval.disclosure.checked import SUPPRESSION_MARK, CheckedTable
from lvv_eval.disclosure.gate import Gate
from lvv_eval.errors import InputValidationError
from lvv_eval.reporting import plots as plotting
from lvv_eval.reporting.labels import Labels

TEXT = {
    "title": "Titel",
    "xlabel": "Pilotgemeente",
    "ylabel": "Aandeel (%)",
    "footnote": "Bron: synthetische gegevens. Noemer: instroom. 95%-BI: Wilson.",
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def _check_text(fig: Figure, ax=None) -> None:
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == TEXT["title"]
    assert TEXT["footnote"] in [t.get_text().replace("\n", " ") for t in fig.texts]
    if ax is not None:
        assert ax.get_xlabel() == TEXT["xlabel"]
        assert ax.get_ylabel() == TEXT["ylabel"]


def _min_font_size(fig: Figure) -> float:
    fig.canvas.draw()
    return min(t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible())


@pytest.fixture
def rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pilot": ["utrecht", "total", "amsterdam", "groningen"],
            "estimate": [0.25, 0.18, 0.10, np.nan],
            "ci_low": [0.15, 0.15, 0.05, np.nan],
            "ci_high": [0.38, 0.21, 0.19, np.nan],
        }
    )


def test_bar_with_ci(rates: pd.DataFrame, tmp_path) -> None:
    fig = plotting.bar_with_ci(
        rates,
        category="pilot",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        reference={"utrecht": 0.3, "amsterdam": 0.2},
        reference_label="Doel",
        fmt=Labels("nl").percent,
        **TEXT,
    )
    ax = fig.axes[0]
    _check_text(fig, ax)
    assert len(ax.patches) == 4
    # sorted with total last; the total bar is grey
    assert [t.get_text() for t in ax.get_xticklabels()] == ["amsterdam", "groningen", "utrecht", "total"]
    assert matplotlib.colors.to_hex(ax.patches[3].get_facecolor()) == plotting.TOTAL_COLOUR.lower()
    # value labels formatted by the given formatter; the missing estimate has only the mark
    texts = [t.get_text() for t in ax.texts]
    assert sorted(texts) == sorted(["10 %", "25 %", "18 %", SUPPRESSION_MARK])
    # error bars and reference lines
    assert len(ax.collections) == 2
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Doel", f"{SUPPRESSION_MARK} = onderdrukt"]
    assert fig.get_layout_engine() is not None
    assert tuple(fig.get_size_inches()) == (7.0, 4.5)
    assert _min_font_size(fig) >= 9
    fig.savefig(tmp_path / "bar.png")
    assert (tmp_path / "bar.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bar_with_ci_horizontal_order_labels(rates: pd.DataFrame) -> None:
    fig = plotting.bar_with_ci(
        rates,
        category="pilot",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        order=["total", "utrecht"],
        horizontal=True,
        labels={"total": "Totaal", "utrecht": "Utrecht"},
        reference=0.3,
        **TEXT,
    )
    ax = fig.axes[0]
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Totaal", "Utrecht", "amsterdam", "groningen"]
    assert [t.get_text() for t in ax.texts if t.get_text() != SUPPRESSION_MARK] == ["18%", "25%", "10%"]
    # no reference_label given: the only legend entry explains the mark
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"{SUPPRESSION_MARK} = onderdrukt"]


def test_bar_with_ci_reports_all_problems(rates: pd.DataFrame) -> None:
    doubled = pd.concat([rates, rates.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputValidationError) as info:
        plotting.bar_with_ci(doubled, category="pilot", estimate="estimate", ci_low="ci_low", ci_high="ci_high", **TEXT)
    assert [p.row for p in info.value.problems] == [2, 6]
    with pytest.raises(InputValidationError) as info:
        plotting.bar_with_ci(rates, category="pilot", estimate="est", ci_low="lo", ci_high="ci_high", **TEXT)
    assert sorted(p.column for p in info.value.problems) == ["est", "lo"]


@pytest.fixture
def long() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pilot": ["amsterdam", "amsterdam", "utrecht", "utrecht", "total", "total"],
            "source": ["published", "synthetic"] * 3,
            "value": [1019.0, 1003.0, 130.0, 128.0, 2065.0, 2050.0],
        }
    )


@pytest.mark.parametrize("stacked", [False, True])
def test_grouped_bars(long: pd.DataFrame, stacked: bool, tmp_path) -> None:
    fig = plotting.grouped_bars(
        long,
        category="pilot",
        group="source",
        value="value",
        stacked=stacked,
        group_labels={"published": "Gepubliceerd"},
        fmt=Labels("nl").number,
        **TEXT,
    )
    ax = fig.axes[0]
    _check_text(fig, ax)
    assert len(ax.patches) == 6
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Gepubliceerd", "synthetic"]
    assert "1.019" in [t.get_text() for t in ax.texts]
    if stacked:
        # second series starts on top of the first
        heights = sorted(p.get_y() for p in ax.patches)
        assert 1019.0 in heights
        assert ax.get_ylim()[1] > 2065 + 2050
    fig.savefig(tmp_path / "g.png")


def test_grouped_bars_missing_pair_draws_no_bar(long: pd.DataFrame) -> None:
    fig = plotting.grouped_bars(long.iloc[:-1], category="pilot", group="source", value="value", **TEXT)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert len(heights) == 6 and np.isnan(heights).sum() == 1


def test_stacked_shares() -> None:
    table = pd.DataFrame(
        {
            "pilot": ["utrecht"] * 3 + ["amsterdam"] * 3,
            "outcome": ["durable", "semi_durable", "none"] * 2,
            "share": [0.2, 0.3, 0.5, 0.1, 0.6, 0.3],
        }
    )
    fig = plotting.stacked_shares(
        table,
        category="pilot",
        part="outcome",
        share="share",
        part_order=["durable", "semi_durable", "none"],
        part_labels={"durable": "bestendig"},
        **TEXT,
    )
    ax = fig.axes[0]
    _check_text(fig, ax)
    assert len(ax.patches) == 6
    assert ax.get_xlim() == (0.0, 1.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["bestendig", "semi_durable", "none"]
    # 100 %: each bar ends at 1
    ends = sorted(round(p.get_x() + p.get_width(), 9) for p in ax.patches)
    assert ends.count(1.0) == 2
    assert "60%" in [t.get_text() for t in ax.texts]


def test_line_over_time(tmp_path) -> None:
    months = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"])
    table = pd.DataFrame(
        {
            "month": list(months) * 2,
            "pilot": ["utrecht"] * 3 + ["amsterdam"] * 3,
            "occupancy": [60, 70, 73, 250, 270, 291],
            "capacity": [130, 130, 150, 300, 300, 300],
        }
    )
    fig = plotting.line_over_time(
        table,
        time="month",
        value="occupancy",
        group="pilot",
        reference={"utrecht": 130, "amsterdam": 300},
        reference_label="Capaciteit",
        **TEXT,
    )
    ax = fig.axes[0]
    _check_text(fig, ax)
    assert len(ax.lines) == 4
    assert [line.get_linestyle() for line in ax.lines] == ["-", "-", "--", "--"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["amsterdam", "utrecht", "Capaciteit"]
    fig.savefig(tmp_path / "line.png")
    fig2 = plotting.line_over_time(table, time="month", value="occupancy", group="pilot", reference="capacity", **TEXT)
    assert list(fig2.axes[0].lines[3].get_ydata()) == [130, 130, 150]


def test_cif_plot(tmp_path) -> None:
    rows = []
    for outcome in ("durable", "none", "in_programme"):
        for pilot in ("utrecht", "total"):
            for t, est in ((0, 0.0), (30, 0.1), (61, 0.2)):
                rows.append(
                    {
                        "outcome": outcome,
                        "pilot": pilot,
                        "time_days": t,
                        "estimate": est,
                        "ci_low": est / 2 if est else np.nan,
                        "ci_high": est * 1.5 if est else np.nan,
                    }
                )
    curves = pd.DataFrame(rows)
    fig = plotting.cif_plot(
        curves,
        time="time_days",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        panel="outcome",
        group="pilot",
        panel_order=["durable", "none"],
        panel_labels={"durable": "Bestendig"},
        months=True,
        **TEXT,
    )
    _check_text(fig)
    assert len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == ["Bestendig", "none"]
    for ax in fig.axes:
        assert len(ax.lines) == 2
        assert len(ax.collections) == 2
        assert ax.get_ylim() == (0.0, 1.0)
        assert max(ax.lines[0].get_xdata()) == pytest.approx(61 / plotting.DAYS_PER_MONTH)
    assert fig.axes[0].get_ylabel() == TEXT["ylabel"]
    assert fig.get_supxlabel() == TEXT["xlabel"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["utrecht", "total"]
    assert _min_font_size(fig) >= 9
    fig.savefig(tmp_path / "cif.png")


def test_cif_plot_legend_lists_groups_of_every_panel() -> None:
    # 'eindhoven' has no curve in the first panel; it must still get one legend entry
    curves = pd.DataFrame(
        {
            "o": ["a", "a", "b", "b", "b"],
            "g": ["utrecht", "total", "eindhoven", "utrecht", "total"],
            "t": 0,
            "e": 0.1,
            "lo": 0.05,
            "hi": 0.2,
        }
    )
    fig = plotting.cif_plot(
        curves,
        time="t",
        estimate="e",
        ci_low="lo",
        ci_high="hi",
        panel="o",
        group="g",
        order=["eindhoven", "utrecht"],
        total="total",
        labels={"eindhoven": "Eindhoven", "utrecht": "Utrecht", "total": "Totaal"},
        **TEXT,
    )
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "Eindhoven",
        "Utrecht",
        "Totaal",
        f"{SUPPRESSION_MARK} = onderdrukt",
    ]
    # panel a names the curve that is left out
    assert [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "suppressed"] == [f"{SUPPRESSION_MARK} Eindhoven"]
    colours = [h.get_color() for h in legend.legend_handles]
    assert colours[0] == fig.axes[1].lines[0].get_color()  # eindhoven's line in panel b


def test_cif_plot_grid_removes_unused_cells() -> None:
    curves = pd.DataFrame({"o": list("abcd"), "g": "x", "t": 0, "e": 0.0, "lo": np.nan, "hi": np.nan})
    fig = plotting.cif_plot(curves, time="t", estimate="e", ci_low="lo", ci_high="hi", panel="o", group="g", **TEXT)
    assert len(fig.axes) == 4  # 2 x 3 grid, 2 cells removed


def test_no_pyplot_figures_leak_from_helpers() -> None:
    before = plt.get_fignums()
    fig = plotting.grouped_bars(
        pd.DataFrame({"c": ["a"], "g": ["x"], "v": [1.0]}), category="c", group="g", value="v", **TEXT
    )
    assert plt.get_fignums() == before + [fig.number]


def test_saved_png_is_deterministic(rates: pd.DataFrame, tmp_path) -> None:
    paths = []
    for i in range(2):
        fig = plotting.bar_with_ci(
            rates, category="pilot", estimate="estimate", ci_low="ci_low", ci_high="ci_high", **TEXT
        )
        path = tmp_path / f"f{i}.png"
        fig.savefig(path, metadata={"Software": None})
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_footnote_stays_below_the_axis_labels() -> None:
    curves = pd.DataFrame({"o": ["a", "b"], "g": "x", "t": 0, "e": 0.1, "lo": 0.05, "hi": 0.2})
    fig = plotting.cif_plot(curves, time="t", estimate="e", ci_low="lo", ci_high="hi", panel="o", group="g", **TEXT)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (footnote,) = [t for t in fig.texts if t.get_text() == TEXT["footnote"]]
    footnote_top = footnote.get_window_extent(renderer).y1
    assert fig._supxlabel.get_window_extent(renderer).y0 > footnote_top
    for ax in fig.axes:
        assert ax.get_tightbbox(renderer).y0 > footnote_top


def test_report_writer_saves_png_and_svg(rates: pd.DataFrame, tmp_path) -> None:
    from lvv_eval.reporting.writer import ReportWriter

    fig = plotting.bar_with_ci(rates, category="pilot", estimate="estimate", ci_low="ci_low", ci_high="ci_high", **TEXT)
    png, svg = ReportWriter(tmp_path, notebook="test").figure("bar", fig, title="Titel", kind="derived")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_missing_values_are_marked_placeholders(rates: pd.DataFrame) -> None:
    fig = plotting.bar_with_ci(
        rates,
        category="pilot",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        missing_label="onderdrukt",
        **TEXT,
    )
    # groningen has no estimate: it keeps its place on the axis, as a marked placeholder
    ax = fig.axes[0]
    assert _texts(fig).count(f"{SUPPRESSION_MARK} = onderdrukt") == 1
    assert [t.get_text() for t in ax.texts].count(SUPPRESSION_MARK) == 1
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "groningen" in ticks
    (placeholder,) = _gid(fig, "bar-suppressed")
    assert placeholder.get_hatch() == plotting.SUPPRESSED_HATCH
    english = plotting.bar_with_ci(
        rates,
        category="pilot",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        fmt=Labels("en").percent,
        **TEXT,
    )
    assert f"{SUPPRESSION_MARK} = suppressed" in _texts(english)  # the legend speaks the formatter's language


def test_grouped_bars_marks_each_missing_pair(long: pd.DataFrame) -> None:
    table = long.assign(value=[1019.0, np.nan, 130.0, np.nan, 2065.0, 2050.0])
    fig = plotting.grouped_bars(
        table, category="pilot", group="source", value="value", missing_label="suppressed", **TEXT
    )
    assert [t.get_text() for t in fig.axes[0].texts].count(SUPPRESSION_MARK) == 2
    assert _texts(fig).count(f"{SUPPRESSION_MARK} = suppressed") == 1
    assert len(_gid(fig, "bar-suppressed")) == 2


# ------------------------------------------------- figures from a checked table with a suppressed cell
def _gid(fig: Figure, gid: str) -> list:
    return [a for ax in fig.axes for a in [*ax.patches, *ax.texts, *ax.lines] if a.get_gid() == gid]


def _legend_texts(fig: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return [t.get_text() for leg in legends for t in leg.get_texts()]


def _no_text_shows(fig: Figure, values: list[float], fmt) -> None:
    shown = set(_texts(fig))
    for v in values:
        assert fmt(v) not in shown


@pytest.fixture
def checked_rates() -> CheckedTable:
    """Durable rate per pilot: groningen's numerator (4) is small, so its estimate is suppressed."""
    frame = pd.DataFrame(
        {
            "pilot": ["amsterdam", "groningen", "utrecht", "total"],
            "numerator": [40, 4, 30, 74],
            "denominator": [100, 50, 80, 230],
        }
    )
    frame["estimate"] = frame["numerator"] / frame["denominator"]
    frame["ci_low"] = frame["estimate"] - 0.05
    frame["ci_high"] = frame["estimate"] + 0.05
    table = Gate(10, kind="synthetic").check("rates", frame, counts=["numerator", "denominator"], rates=True)
    assert table.mask.loc[1, "estimate"]  # the premise: groningen's share is suppressed
    return table


def test_bar_with_ci_from_checked_table_draws_a_marked_placeholder(checked_rates: CheckedTable) -> None:
    L = Labels("nl")
    fig = plotting.bar_with_ci(
        checked_rates, category="pilot", estimate="estimate", ci_low="ci_low", ci_high="ci_high", fmt=L.percent, **TEXT
    )
    ax = fig.axes[0]
    (placeholder,) = _gid(fig, "bar-suppressed")
    assert placeholder.get_hatch() == plotting.SUPPRESSED_HATCH
    assert placeholder.get_height() != pytest.approx(4 / 50)  # not the hidden share
    # nominal: 4 % of the top (upper CI 0.45)
    assert placeholder.get_height() == pytest.approx(plotting.SUPPRESSED_SHARE * 0.45)
    assert [t.get_text() for t in _gid(fig, "suppressed")] == [SUPPRESSION_MARK]
    assert sorted(p.get_height() for p in ax.patches if p.get_gid() != "bar-suppressed") == pytest.approx(
        sorted([0.4, 0.375, 74 / 230])
    )
    _no_text_shows(fig, [4 / 50], L.percent)
    # no error bar around the hidden estimate: every drawn interval belongs to a shown bar
    segments = [s for c in ax.collections for s in c.get_segments() if len(s)]
    assert len(segments) == 3
    assert _legend_texts(fig) == [f"{SUPPRESSION_MARK} = onderdrukt"]


def test_grouped_bars_from_checked_table(checked_rates: CheckedTable) -> None:
    frame = checked_rates.frame.assign(kind="outflow")
    table = CheckedTable("r", frame, checked_rates.mask.assign(kind=False), checked_rates.reasons, "synthetic")
    fig = plotting.grouped_bars(table, category="pilot", group="kind", value="estimate", percent=True, **TEXT)
    (placeholder,) = _gid(fig, "bar-suppressed")
    assert placeholder.get_hatch() == plotting.SUPPRESSED_HATCH
    assert placeholder.get_height() < 0.08 and placeholder.get_height() != pytest.approx(4 / 50)
    assert [t.get_text() for t in _gid(fig, "suppressed")] == [SUPPRESSION_MARK]
    assert _legend_texts(fig) == ["outflow", f"{SUPPRESSION_MARK} = onderdrukt"]


def _class_shares(a_counts: list[int], b_counts: list[int]) -> pd.DataFrame:
    rows = []
    for pilot, counts in (("a", a_counts), ("b", b_counts)):
        for cls, n in zip(("durable", "semi_durable", "none"), counts):
            rows.append({"pilot": pilot, "category": cls, "numerator": n, "denominator": sum(counts)})
    frame = pd.DataFrame(rows)
    frame["estimate"] = frame["numerator"] / frame["denominator"]
    return frame


def test_stacked_shares_from_checked_table_reach_100_percent() -> None:
    # pilot a: durable 3 (small); the group rule hides a second class, so the hidden part is 3 + 20
    gate = Gate(10, kind="synthetic")
    table = gate.check(
        "shares",
        _class_shares([3, 20, 40], [30, 25, 45]),
        counts=["numerator", "denominator"],
        rates=True,
        group="pilot",
    )
    hidden_a = table.mask.loc[table.frame["pilot"] == "a", "estimate"]
    assert hidden_a.sum() == 2  # premise: two classes of a hidden, none of b
    fig = plotting.stacked_shares(
        table,
        category="pilot",
        part="category",
        share="estimate",
        part_order=["durable", "semi_durable", "none"],
        fmt=Labels("nl").percent,
        **TEXT,
    )
    ax = fig.axes[0]
    (placeholder,) = _gid(fig, "bar-suppressed")
    assert placeholder.get_hatch() == plotting.SUPPRESSED_HATCH
    # one segment for the hidden classes together, ending at 100 %
    assert placeholder.get_x() + placeholder.get_width() == pytest.approx(1.0)
    assert placeholder.get_width() == pytest.approx(23 / 63)
    shown = [p for p in ax.patches if p.get_gid() != "bar-suppressed" and np.isfinite(p.get_width())]
    a_row = placeholder.get_y() + placeholder.get_height() / 2
    a_shown = [p for p in shown if p.get_y() < a_row < p.get_y() + p.get_height()]
    assert sum(p.get_width() for p in a_shown) + placeholder.get_width() == pytest.approx(1.0)
    for p in a_shown:  # no segment carries a hidden share
        assert p.get_width() not in (pytest.approx(3 / 63), pytest.approx(20 / 63))
    _no_text_shows(fig, [3 / 63, 20 / 63], Labels("nl").percent)
    assert [t.get_text() for t in _gid(fig, "suppressed")] == [SUPPRESSION_MARK]
    assert _legend_texts(fig)[-1] == f"{SUPPRESSION_MARK} = onderdrukt"


def test_stacked_shares_filled_in_zero_is_still_suppressed() -> None:
    frame = _class_shares([3, 20, 40], [30, 25, 45]).assign(suppressed=False)
    frame.loc[[0, 1], "suppressed"] = True
    frame.loc[[0, 1], "estimate"] = 0.0  # a caller that filled the gaps with 0
    fig = plotting.stacked_shares(frame, category="pilot", part="category", share="estimate", **TEXT)
    (placeholder,) = _gid(fig, "bar-suppressed")
    assert placeholder.get_x() + placeholder.get_width() == pytest.approx(1.0)


def test_stacked_shares_single_hidden_share_is_not_given_back() -> None:
    frame = _class_shares([3, 20, 40], [30, 25, 45])
    frame.loc[0, "estimate"] = np.nan  # one hidden share: the rest of the bar would equal it
    fig = plotting.stacked_shares(frame, category="pilot", part="category", share="estimate", **TEXT)
    (placeholder,) = _gid(fig, "bar-suppressed")
    assert placeholder.get_width() == pytest.approx(plotting.SUPPRESSED_SHARE)
    assert placeholder.get_width() != pytest.approx(3 / 63)


def test_line_over_time_from_checked_table_leaves_a_marked_gap() -> None:
    months = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"])
    frame = pd.DataFrame({"date": list(months) * 2, "pilot": ["a"] * 3 + ["b"] * 3, "present": [50, 7, 60, 80, 90, 95]})
    table = Gate(10, kind="synthetic").check("occ", frame, counts=["present"])
    fig = plotting.line_over_time(table, time="date", value="present", group="pilot", **TEXT)
    ax = fig.axes[0]
    line_a = ax.lines[0]
    assert np.isnan(np.asarray(line_a.get_ydata(), dtype=float)[1])  # the hidden month is a gap
    assert 7 not in list(line_a.get_ydata())
    (marks,) = _gid(fig, "suppressed")
    assert len(marks.get_xdata()) == 1 and marks.get_marker() == plotting.SUPPRESSED_MARKER
    assert _legend_texts(fig)[-1] == f"{SUPPRESSION_MARK} = onderdrukt"


def test_cif_plot_from_checked_table_leaves_a_marked_gap() -> None:
    frame = pd.DataFrame(
        {
            "o": "a",
            "g": "x",
            "t": [0, 30, 60, 90],
            "e": [0.0, 0.1, 0.15, 0.2],
            "lo": [0.0, 0.05, 0.1, 0.15],
            "hi": [0.0, 0.15, 0.2, 0.25],
            "n_events": [0, 12, 3, 15],
        }
    )
    table = Gate(10, kind="synthetic").check(
        "cif",
        frame,
        counts=["n_events"],
        key=None,
        not_counts=["t"],
        derived={"e": ("n_events",), "lo": ("n_events",), "hi": ("n_events",)},
    )
    fig = plotting.cif_plot(table, time="t", estimate="e", ci_low="lo", ci_high="hi", panel="o", group="g", **TEXT)
    ax = fig.axes[0]
    (curve,) = [line for line in ax.lines if line.get_gid() != "suppressed"]
    assert 0.15 not in list(curve.get_ydata())
    assert np.isnan(np.asarray(curve.get_ydata(), dtype=float)[2])
    (marks,) = _gid(fig, "suppressed")
    assert list(marks.get_xdata()) == [60]
    assert _legend_texts(fig)[-1] == f"{SUPPRESSION_MARK} = onderdrukt"


def test_suppressed_placeholders_in_saved_png(checked_rates: CheckedTable, tmp_path) -> None:
    fig = plotting.bar_with_ci(
        checked_rates, category="pilot", estimate="estimate", ci_low="ci_low", ci_high="ci_high", **TEXT
    )
    fig.savefig(tmp_path / "bar.png")
    assert (tmp_path / "bar.png").stat().st_size > 0


def test_two_curves_suppressed_at_the_same_time_get_two_marks() -> None:
    months = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"])
    frame = pd.DataFrame({"date": list(months) * 2, "pilot": ["a"] * 3 + ["b"] * 3, "present": [50, 7, 60, 80, 4, 95]})
    table = Gate(10, kind="synthetic").check("occ", frame, counts=["present"])
    fig = plotting.line_over_time(table, time="date", value="present", group="pilot", **TEXT)
    marks = _gid(fig, "suppressed")
    assert len(marks) == 2
    assert marks[0].get_color() != marks[1].get_color()
    # side by side on the time axis, not on top of each other, and not lifted to a height read as a value
    fig.canvas.draw()
    where = [m.get_transform().transform((0, 0.03)) for m in marks]
    assert where[0][0] != where[1][0] and where[0][1] == where[1][1]
