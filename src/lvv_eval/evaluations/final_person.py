"""The person-level part of report 03 (final evaluation): registered with the gate first, then shown.

Every person-level table of the report is computed and registered with the report's
:class:`~lvv_eval.disclosure.gate.Gate` by :func:`register_person_tables` before any of them is
released: each one with its own protection as upstream (the flow table's margins, the class
shares of one outflow, the competing outcomes of a cumulative incidence, differences between
schemes), and the gate links them (a count hidden in one table is hidden in every table showing
it). The ``show_*`` functions then release one table each, write it to the report and return
what the notebook displays; figures are drawn from the released frames, where a suppressed value
is missing. No table is released before all are registered, so the order in which the notebook
shows them cannot let an early table print a count that a later one hides.

Tables are registered with field names (``pilot``, ``intake``, ``estimate`` ...) and written so;
the report shows them with headers and values in the report language.

The ``show_*`` functions share their parameters: ``gate`` (the report's gate, every table
registered by :func:`register_person_tables`), ``writer`` (the report's
:class:`~lvv_eval.reporting.writer.ReportWriter`, which receives the released table, its caption
and its figures), ``L`` (labels of the report language), ``P`` (validated notebook parameters) and
``inputs`` (what :func:`register_person_tables` returned). Each returns what the notebook
displays: captioned tables (suppressed cells as the mark) and open figures, which the caller
closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.disclosure.checked import SUPPRESSION_MARK, CheckedTable, CheckedText
from lvv_eval.evaluations import common, final, showing
from lvv_eval.evaluations import report_cells as cells
from lvv_eval.evaluations.showing import formatted_view, show_checked
from lvv_eval.evaluations.three_evaluations import ThreeEvaluations
from lvv_eval.reference.schemes import list_schemes, load_scheme
from lvv_eval.reporting.writer import CaptionedTable
from lvv_eval.stats import survival
from lvv_eval.stats.counts import TOTAL

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.reporting.labels import Labels
    from lvv_eval.reporting.parameters import NotebookParameters
    from lvv_eval.reporting.writer import ReportWriter
    from lvv_eval.sources.monitor import MonitorData

__all__ = [
    "CIF",
    "COMPARISON",
    "CONTRAST",
    "EXCLUDED",
    "FIXED",
    "FLOW",
    "OCCUPANCY",
    "PERCENT",
    "RATE_COLUMNS",
    "SENSITIVITY",
    "SHARES",
    "STAY",
    "THREE",
    "VALIDATION",
    "fixed_title",
    "hide_recent_intake",
    "national_share_lines",
    "PersonInputs",
    "reading_line",
    "register_person_tables",
    "sensitivity_schemes",
    "show_class_shares",
    "show_comparison",
    "show_complete_followup",
    "show_contrast",
    "show_cumulative_incidence",
    "show_excluded",
    "show_flow",
    "show_length_of_stay",
    "show_occupancy",
    "show_scheme_sensitivity",
    "suppressed_cells",
]

VALIDATION = "validation_flow"
"""Reading flow of the monitor file (rows read, excluded, analysed): shown, not written."""
EXCLUDED = "excluded_rows"
"""Excluded rows per validation rule: shown, not written."""
FLOW = "flow_by_pilot"
COMPARISON = "published_vs_person"
SHARES = "class_shares_by_pilot"
CONTRAST = "durable_intake_vs_outflow"
CIF = "cumulative_incidence_horizons"
FIXED = "complete_followup_365"
STAY = "length_of_stay"
OCCUPANCY = "occupancy_over_time"
SENSITIVITY = "scheme_sensitivity"
THREE = "three_evaluations"

RATE_COLUMNS = (
    "numerator",
    "denominator",
    "denominator_label",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
    "suppressed",
)
"""Columns of a rate table shown in the report, after its key columns."""

PERCENT = ("estimate", "ci_low", "ci_high")
"""Columns holding proportions (0-1), shown as percentages."""


@dataclass(frozen=True)
class PersonInputs:
    """What the ``show_*`` functions need besides the gate: the analysis frame and the flow protection.

    Attributes
    ----------
    frame
        The analysis frame (selected pilots; every trajectory, the population filter is applied by
        each table).
    capacity
        Published capacity per pilot in force on the peildatum (:func:`final.capacity_by_pilot`).
    """

    frame: pd.DataFrame
    capacity: pd.DataFrame


def sensitivity_schemes(P: NotebookParameters) -> list[str]:
    """Every shipped scheme and the report's own (a scheme file given by path included), sorted."""
    return sorted(set(list_schemes()) | {P.scheme})


def register_person_tables(
    gate: Gate, data: MonitorData, frame: pd.DataFrame, P: NotebookParameters, three: ThreeEvaluations
) -> PersonInputs:
    """Register every person-level table of report 03 with its gate, before any is released.

    Parameters
    ----------
    gate
        The report's gate.
    data
        The monitor data read for the report (its reading flow and problems).
    frame
        The analysis frame (:func:`lvv_eval.evaluations.common.analysis_frame`: selected pilots).
    P
        Validated notebook parameters (``horizons_months`` among the extras).
    three
        The comparison of the three evaluations (:func:`lvv_eval.evaluations.three_evaluations.three_evaluations`).

    Returns
    -------
    PersonInputs
        The inputs the ``show_*`` functions need besides the gate.
    """
    from lvv_eval.evaluations import policy

    t = P.disclosure_threshold
    scheme = load_scheme(P.scheme)
    pilots = list(P.pilots) or None
    gate.register(
        VALIDATION, data.flow, counts=["rows"], key=None, upstream=common.suppress_validation_flow(data.flow, t)
    )
    if len(data.exclusions) or data.problems:
        gate.register(EXCLUDED, data.problem_summary(), counts=["problems", "rows"], key=None)

    counts = final.flow_by_pilot(frame, P.peildatum, scheme, pilots=pilots, formal_only=P.formal_only)
    flow = final.suppress_flow(counts, t)
    classes = [str(c) for c in scheme.class_ids]
    common.register_protected(
        gate,
        FLOW,
        counts,
        flow.table,
        upstream_rules=common.cell_rules(flow.table, flow.report),
        counts=["intake", "present", *classes],
        derived={"outflow": ("intake", "present")},
        margins={"total_row": TOTAL, "total_col": "intake"},
    )

    compared = common.published_vs_person(frame, P, final.SOURCE_ID)
    common.register_protected(
        gate,
        COMPARISON,
        compared,
        common.suppress_long(compared, t).table,
        counts=["person_level"],
        derived={"difference": ("person_level",)},
        not_counts=["published"],
    )

    shares = final.class_shares_from_counts(counts, classes)
    common.register_protected(
        gate,
        SHARES,
        shares,
        common.hide_masked_rates(shares, flow.mask, denominator_cell="outflow"),
        counts=["numerator", "denominator"],
        rates=True,
        group="pilot",
    )
    common.register_protected(
        gate,
        CONTRAST,
        final.denominator_contrast(counts),
        final.denominator_contrast_suppressed(counts, flow.mask),
        counts=["numerator", "denominator"],
        rates=True,
    )

    horizons = P.extra["horizons_months"]
    cif = final.cif_at_horizons(frame, P.peildatum, scheme, horizons, formal_only=P.formal_only)
    cif_hidden = [str(p) for p in flow.mask.index if bool(flow.mask.loc[p, "intake"])]
    cif_protected = common.suppress_cif_table(cif, t, hidden_groups=cif_hidden)
    common.register_protected(
        gate,
        CIF,
        cif,
        cif_protected.table,
        upstream_rules=_cif_rules(cif, cif_protected.report),
        counts=["n", "n_at_risk", "n_events"],
        not_counts=["horizon_days", "horizon_months"],
    )

    fixed = survival.fixed_horizon_shares(
        frame, P.peildatum, scheme, horizon_days=final.COMPLETE_FOLLOWUP_DAYS, by="pilot", formal_only=P.formal_only
    )
    common.register_protected(
        gate,
        FIXED,
        fixed,
        hide_recent_intake(disclosure.suppress_rates(fixed, t, complement=False, group="pilot"), counts["intake"], t),
        counts=["numerator", "denominator"],
        not_counts=["horizon_days"],
        margins={"total_row": TOTAL},
        version_key=["outcome"],
    )

    los = survival.length_of_stay(frame, P.peildatum, by="pilot", formal_only=P.formal_only)
    los["median_months"] = los["median_days"] / final.DAYS_PER_MONTH
    common.register_protected(
        gate,
        STAY,
        los,
        final.length_of_stay_table(frame, P.peildatum, flow.mask, t, formal_only=P.formal_only),
        counts=["n", "n_events", "n_censored"],
        margins={"total_row": TOTAL, "total_col": "n"},
        derived={c: ("*",) for c in ("median_days", "ci_low", "ci_high", "median_months")},
    )

    present_hidden = [str(p) for p in flow.mask.index if bool(flow.mask.loc[p, "present"])]
    occupancy = _dated(final.occupancy_over_time(frame, P.peildatum))
    policy.date_aliases(gate, occupancy["pilot"], P.peildatum)
    common.register_protected(
        gate,
        OCCUPANCY,
        occupancy,
        _dated(final.occupancy_over_time(frame, P.peildatum, threshold=t, hidden_pilots=present_hidden)),
        key=("pilot", "date"),
        counts=["present"],
        derived={"occupancy_rate": ("present",)},
        not_counts=["capacity"],  # published places
    )

    raw_sens = _sensitivity(frame, P)
    sens = final.suppress_scheme_sensitivity(
        raw_sens, frame, P.peildatum, t, pilots=pilots, formal_only=P.formal_only, protect=[P.scheme]
    )
    name_of = {s: load_scheme(s).name for s in raw_sens["scheme"].unique()}  # a scheme file is shown by its name
    common.register_protected(
        gate,
        SENSITIVITY,
        raw_sens.assign(scheme=raw_sens["scheme"].map(name_of)),
        sens.assign(scheme=sens["scheme"].map(name_of)),
        counts=["numerator", "denominator"],
        rates=True,
        versions="scheme",
        version_key=["denominator_kind"],
        protect=[scheme.name],
        margins={"total_row": TOTAL},
        fallback="round5",
    )

    three.register(gate, THREE, protect=[scheme.name])
    policy.register_tables(gate, frame, P.peildatum, scheme, formal_only=P.formal_only, pilots=list(P.pilots))
    return PersonInputs(frame, final.capacity_by_pilot(P.peildatum))


def _cif_rules(table: pd.DataFrame, report: pd.DataFrame) -> pd.DataFrame:
    """The rule that hid each ``n_events`` cell of a cumulative-incidence table (``upstream_rules``)."""
    by_cell = {(str(row), str(column)): str(rule) for row, column, rule in report[["row", "column", "rule"]].to_numpy()}
    labels = [f"{p} (horizon_days {h})" for p, h in zip(table["pilot"], table["horizon_days"])]
    return pd.DataFrame({"n_events": [by_cell.get((lab, str(o)), "") for lab, o in zip(labels, table["outcome"])]})


def hide_recent_intake(table: pd.DataFrame, intake: pd.Series, threshold: int) -> pd.DataFrame:
    """Hide a pilot's complete-follow-up rows where its intake minus the people followed a full year is small.

    The denominator of :func:`lvv_eval.stats.survival.fixed_horizon_shares` (entrants followed for
    the whole horizon) is nested in the pilot's intake by the peildatum, which the flow table
    shows: their difference is the number who entered within the horizon before the peildatum.
    Where that is ``1 .. threshold - 1`` persons, the pilot's denominator, counts and shares are
    hidden (the gate then hides a second pilot against the total).

    Parameters
    ----------
    table
        The complete-follow-up table after its own suppression (``pilot``, ``numerator``,
        ``denominator``, shares; ``suppressed`` and ``suppression_rule`` as
        :func:`lvv_eval.disclosure.suppression.suppress_rates` adds them).
    intake
        Intake by the peildatum per pilot (and ``total``), persons.
    threshold
        Smallest count shown.

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["a", "b"], "numerator": [12, 20], "denominator": [40, 50],
    ...                   "estimate": [0.3, 0.4], "suppressed": False, "suppression_rule": ""})
    >>> hide_recent_intake(t, pd.Series({"a": 44, "b": 80}), 10)["denominator"].tolist()
    [<NA>, 50]
    """
    out = table.copy()
    followed = pd.to_numeric(table["denominator"], errors="coerce").to_numpy(dtype=float)
    entered = table["pilot"].astype(str).map(intake.astype(float)).to_numpy(dtype=float)
    recent = entered - followed
    hide = (recent >= 1) & (recent < threshold)
    for col in ("numerator", "denominator"):
        out[col] = out[col].astype("Int64").mask(hide)
    for col in ("estimate", "ci_low", "ci_high"):
        if col in out.columns:
            out[col] = out[col].astype("float64").mask(hide)
    out["suppressed"] = out["suppressed"].astype(bool).to_numpy() | hide
    rule = f"primary: intake in the last year (intake - followed a full year) < {threshold}"
    out["suppression_rule"] = np.where(hide, rule, out["suppression_rule"].astype(str))
    return out


def _dated(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its ``date`` column as ``YYYY-MM-DD`` text (as written)."""
    return table.assign(date=pd.to_datetime(table["date"]).dt.strftime("%Y-%m-%d"))


def _sensitivity(frame: pd.DataFrame, P: NotebookParameters) -> pd.DataFrame:
    """The scheme sensitivity of the selected pilots and their total."""
    sens = common.scheme_sensitivity(frame, P.peildatum, schemes=sensitivity_schemes(P), formal_only=P.formal_only)
    if P.pilots:
        keep = {*map(str, P.pilots), TOTAL}
        sens = sens.loc[sens["pilot"].astype(str).isin(keep).to_numpy()].reset_index(drop=True)
    return sens


# --------------------------------------------------------------------------- display
def suppressed_cells(table: CheckedTable, L: Labels) -> list[CaptionedTable]:
    """The gate's record of the suppressed cells of ``table`` (rules, never values); empty when none."""
    return showing.suppressed_cells(table, L, final.texts(L.language)("suppressed_cells"))


def reading_line(gate: Gate, L: Labels) -> CheckedText:
    """The sentence on the rows read and excluded, from the released reading flow."""
    T = final.texts(L.language)
    flow = gate.release(VALIDATION)
    return gate.text(
        T("rows_read", read="{read}", excluded="{excluded}"),
        read=(flow.value("rows", step="rows read"), L.number),
        excluded=(flow.value("rows", step="rows excluded"), L.number),
    )


def show_excluded(gate: Gate, L: Labels) -> list[CaptionedTable]:
    """The excluded rows per validation rule (released counts; not written), or nothing when none were."""
    if not gate.registered(EXCLUDED):
        return []
    table = gate.release(EXCLUDED)
    return [show_checked(None, table, final.texts(L.language)("excluded_title"), formatted_view(table, L))]


def show_flow(gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters) -> list[CaptionedTable]:
    """Release, write and show the flow per pilot, with its suppressed cells."""
    T = final.texts(L.language)
    table = gate.release(FLOW)
    scheme = load_scheme(P.scheme)
    caption = T("flow_caption", scheme=scheme.name, peildatum=L.date(P.peildatum), threshold=L.number(gate.threshold))
    headers = {c: L.outcome_class(P.scheme, c) for c in scheme.class_ids}
    return [
        show_checked(writer, table, caption, formatted_view(table, L, headers=headers)),
        *suppressed_cells(table, L),
    ]


def show_comparison(gate: Gate, writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Release, write and show the person-level counts next to the published national ones."""
    T = final.texts(L.language)
    table = gate.release(COMPARISON)
    caption = T("vs_caption", source=final.regioplan(L, final.SOURCE_ID))
    view = formatted_view(table, L, headers={"person_level": T("col_person_level")})
    return show_checked(writer, table, caption, view)


def national_share_lines(gate: Gate, L: Labels, P: NotebookParameters) -> list[CheckedText]:
    """One sentence per outflow class: the national share with its interval and denominator (released values)."""
    T = final.texts(L.language)
    shares = gate.release(SHARES)
    lines = []
    national = shares.frame.loc[shares.frame["pilot"].astype(str) == TOTAL]
    for cat in national["category"]:
        lines.append(
            gate.text(
                T.mapping["text_share_of_outflow"],
                outcome=L.outcome_class(P.scheme, cat),
                share=(shares.value("estimate", pilot=TOTAL, category=cat), L.percent),
                ci=(
                    shares.value("ci_low", pilot=TOTAL, category=cat),
                    shares.value("ci_high", pilot=TOTAL, category=cat),
                    L.interval,
                ),
                n=(shares.value("denominator", pilot=TOTAL, category=cat), L.number),
            )
        )
    return lines


def _drawn(table: CheckedTable, column: str = "estimate") -> pd.DataFrame:
    """The released frame with ``suppressed`` set wherever the gate hid ``column`` (drawn hatched, marked)."""
    frame = table.frame.reset_index(drop=True)
    hidden = table.mask.reset_index(drop=True)[column].to_numpy(dtype=bool)
    flagged = frame["suppressed"].fillna(False).astype(bool).to_numpy() if "suppressed" in frame.columns else False
    return frame.assign(suppressed=flagged | hidden)


def _synthetic(L: Labels, P: NotebookParameters) -> str:
    """The note appended to a footnote when the numbers are synthetic (empty otherwise)."""
    return (" " + final.synthetic_note(L, P.is_synthetic)) if P.is_synthetic else ""


def show_class_shares(
    gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters
) -> tuple[CaptionedTable, Figure, Figure]:
    """Release, write and show the outflow class shares per pilot, the stacked shares and the durable share."""
    from lvv_eval.reporting.plots import bar_with_ci, stacked_shares

    T = final.texts(L.language)
    table = gate.release(SHARES)
    scheme = load_scheme(P.scheme)
    peildatum = L.date(P.peildatum)
    columns = ["pilot", "category", *RATE_COLUMNS]
    view = formatted_view(
        table,
        L,
        columns=columns,
        headers={"category": "outcome", "suppressed": T("col_suppressed")},
        relabel={"category": lambda c: L.outcome_class(P.scheme, c)},
        percent=PERCENT,
    )
    ci = cells.interval_of(T, L, table.frame)
    shown = show_checked(writer, table, T("class_shares_caption", peildatum=peildatum, ci=ci), view)
    drawn = _drawn(table)
    pilot_labels = {p: L.pilot(p) for p in drawn["pilot"].unique()}
    class_labels: dict[object, str] = {c: L.outcome_class(P.scheme, c) for c in scheme.class_ids}
    stacked = stacked_shares(
        drawn.fillna({"estimate": 0.0}),
        category="pilot",
        part="category",
        share="estimate",
        part_order=[str(c) for c in scheme.class_ids],
        labels=pilot_labels,
        part_labels=class_labels,
        title=T("class_shares_chart_title"),
        xlabel=T("axis_share_outflow"),
        ylabel="",
        footnote=T("class_shares_footnote", peildatum=peildatum, mark=SUPPRESSION_MARK) + _synthetic(L, P),
        fmt=L.percent,
    )
    writer.figure(SHARES, common.figure_from(gate, SHARES, stacked, table), title=T("class_shares_title"))
    durable = drawn.loc[drawn["category"] == "durable"]
    bars = bar_with_ci(
        durable,
        category="pilot",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        labels=pilot_labels,
        title=T("durable_title"),
        xlabel=T("axis_pilot"),
        ylabel=T("axis_share_durable"),
        footnote=T("durable_footnote", peildatum=peildatum, ci=cells.interval_of(T, L, durable)) + _synthetic(L, P),
        fmt=L.percent,
        missing_label=L.word("suppressed_value"),
    )
    writer.figure(
        "durable_share_by_pilot",
        common.figure_from(gate, "durable_share_by_pilot", bars, table),
        title=T("durable_figure"),
    )
    return shown, stacked, bars


def show_contrast(gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters) -> tuple[CaptionedTable, Figure]:
    """Release, write and show the durable rate with the intake and with the outflow as denominator."""
    from lvv_eval.reporting.plots import grouped_bars

    T = final.texts(L.language)
    table = gate.release(CONTRAST)
    peildatum = L.date(P.peildatum)
    columns = ["pilot", "denominator_kind", *RATE_COLUMNS]
    view = formatted_view(table, L, columns=columns, relabel={"denominator_kind": L.measure}, percent=PERCENT)
    caption = T("contrast_caption", peildatum=peildatum, ci=cells.interval_of(T, L, table.frame))
    shown = show_checked(writer, table, caption, view)
    drawn = _drawn(table)
    fig = grouped_bars(
        drawn,
        category="pilot",
        group="denominator_kind",
        value="estimate",
        percent=True,
        labels={p: L.pilot(p) for p in drawn["pilot"].unique()},
        group_labels={kind: T(f"denominator_{kind}") for kind in ("intake", "outflow")},
        group_order=["intake", "outflow"],
        title=T("contrast_chart_title"),
        xlabel=T("axis_pilot"),
        ylabel=T("axis_share_durable"),
        footnote=T("contrast_footnote", peildatum=peildatum) + _synthetic(L, P),
        fmt=L.percent,
        missing_label=L.word("suppressed_value"),
    )
    writer.figure(CONTRAST, common.figure_from(gate, CONTRAST, fig, table), title=T("contrast_title"))
    return shown, fig


def show_cumulative_incidence(
    gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters, inputs: PersonInputs
) -> tuple[list[CaptionedTable], Figure]:
    """Release, write and show the cumulative incidence at the horizons, and draw the curves per pilot.

    A curve is drawn only where the table shows its outcome for that pilot, and only its steps
    resting on at least ``threshold`` people at risk.
    """
    from lvv_eval.reporting.plots import cif_plot

    T = final.texts(L.language)
    table = gate.release(CIF)
    peildatum = L.date(P.peildatum)
    horizons = "/".join(L.number(m) for m in P.extra["horizons_months"])
    ci = cells.interval_of(T, L, table.frame, default_method="log-log")
    columns = [
        "pilot",
        "outcome",
        "horizon_months",
        "horizon_days",
        "n",
        "n_at_risk",
        "n_events",
        "estimate",
        "ci_low",
        "ci_high",
        "ci_method",
        "suppressed",
    ]
    view = formatted_view(
        table,
        L,
        columns=columns,
        headers={
            "horizon_months": T("col_horizon_months"),
            "horizon_days": T("col_horizon_days"),
            "n": T("col_entered"),
            "n_events": T("col_left_with_outcome"),
            "estimate": "cumulative_incidence",
            "suppressed": T("col_suppressed"),
        },
        relabel={"outcome": lambda c: L.outcome_class(P.scheme, c)},
        percent=PERCENT,
    )
    caption = T("cif_caption", horizons=horizons, peildatum=peildatum, ci=ci, threshold=L.number(gate.threshold))
    shown = [show_checked(writer, table, caption, view, max_rows=120), *suppressed_cells(table, L)]
    drawn = _drawn(table)
    hidden = drawn.loc[drawn["suppressed"], ["pilot", "outcome"]].astype(str).drop_duplicates()
    scheme = load_scheme(P.scheme)
    curves = survival.cif_curves(
        inputs.frame, P.peildatum, scheme, by="pilot", formal_only=P.formal_only, min_at_risk=gate.threshold
    )
    curves = common.hide_cif_curves(curves, gate.threshold, hidden=zip(hidden["pilot"], hidden["outcome"]))
    fig = cif_plot(
        curves,
        time="time_days",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        panel="outcome",
        group="pilot",
        panel_order=list(scheme.class_ids),
        panel_labels={c: L.outcome_class(P.scheme, c) for c in scheme.class_ids},
        labels={p: L.pilot(p) for p in table.frame["pilot"].unique()},
        months=True,
        figsize=(10, 4.5),
        title=T("cif_chart_title"),
        xlabel=T("axis_months_since_intake"),
        ylabel=T("axis_cumulative_incidence"),
        footnote=T("cif_footnote", peildatum=peildatum, ci=ci) + _synthetic(L, P),
    )
    writer.figure(
        "cumulative_incidence", common.figure_from(gate, "cumulative_incidence", fig, table), title=T("cif_title")
    )
    return shown, fig


def show_complete_followup(gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters) -> CaptionedTable:
    """Release, write and show the outcome shares within a year for the cohorts followed a full year."""
    T = final.texts(L.language)
    table = gate.release(FIXED)
    days = final.COMPLETE_FOLLOWUP_DAYS
    view = formatted_view(
        table,
        L,
        columns=[c for c in table.frame.columns if c != "horizon_days"],
        headers={"suppressed": T("col_suppressed"), "suppression_rule": T("col_suppression_rule")},
        relabel={
            "outcome": lambda c: L.outcome_class(P.scheme, c),
            "suppression_rule": lambda r: L.rule(r) if isinstance(r, str) and r else "",
        },
        percent=PERCENT,
    )
    caption = T(
        "fixed_caption",
        days=L.number(days),
        peildatum=L.date(P.peildatum),
        ci=cells.interval_of(T, L, table.frame),
    )
    return show_checked(writer, table, caption, view)


def fixed_title(L: Labels) -> str:
    """Title of the complete-follow-up table (the horizon in whole months)."""
    months = round(final.COMPLETE_FOLLOWUP_DAYS / final.DAYS_PER_MONTH)
    return final.texts(L.language)("fixed_title", months=L.number(months))


def show_length_of_stay(gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters) -> CaptionedTable:
    """Release, write and show the Kaplan-Meier median length of stay per pilot."""
    T = final.texts(L.language)
    table = gate.release(STAY)
    view = formatted_view(
        table,
        L,
        headers={
            "n": T("col_entered"),
            "n_events": T("col_left"),
            "n_censored": T("col_censored"),
            "median_days": T("col_median_days"),
            "median_months": T("col_median_months"),
        },
        decimals=1,
    )
    level = cells.ci_level(table.frame)
    caption = T("los_caption", peildatum=L.date(P.peildatum), ci=cells.interval_phrase(T, L, "median", level))
    return show_checked(writer, table, caption, view)


def show_occupancy(
    gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters, inputs: PersonInputs
) -> tuple[CaptionedTable, Figure]:
    """Release, write and show the persons present per month per pilot against the published capacity."""
    from lvv_eval.reporting.plots import line_over_time

    T = final.texts(L.language)
    table = gate.release(OCCUPANCY)
    source = final.capacity_source(L, inputs.capacity)
    view = formatted_view(table, L, headers={"date": T("col_date"), "suppressed": T("col_suppressed")}, decimals=3)
    shown = show_checked(writer, table, T("occupancy_caption", capacity_source=source), view)
    frame = table.frame.assign(date=pd.to_datetime(table.frame["date"]))
    fig = line_over_time(
        frame.astype({"present": "float64"}),
        time="date",
        value="present",
        group="pilot",
        reference=dict(zip(inputs.capacity["pilot"], inputs.capacity["capacity"])),
        reference_label=T("capacity_published"),
        labels={p: L.pilot(p) for p in frame["pilot"].unique()},
        markers=False,
        title=T("occupancy_chart_title"),
        xlabel=T("axis_month"),
        ylabel=T("axis_present"),
        footnote=T(
            "occupancy_footnote_synthetic" if P.is_synthetic else "occupancy_footnote_person", capacity_source=source
        ),
        fmt=L.number,
    )
    writer.figure(OCCUPANCY, common.figure_from(gate, OCCUPANCY, fig, table), title=T("occupancy_figure"))
    return shown, fig


def show_scheme_sensitivity(
    gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters
) -> tuple[CaptionedTable, Figure]:
    """Release, write and show the durable share under every scheme, per pilot and nationally."""
    from lvv_eval.reporting.plots import grouped_bars

    T = final.texts(L.language)
    table = gate.release(SENSITIVITY)
    frame = table.frame
    columns = ["scheme", "pilot", "denominator_kind", *RATE_COLUMNS, "release_form"]  # rounded totals say so
    view = formatted_view(
        table,
        L,
        columns=[c for c in columns if c in frame.columns],
        relabel={"denominator_kind": L.measure},
        percent=PERCENT,
    )
    schemes = list(dict.fromkeys(frame["scheme"].astype(str)))
    caption = T("sensitivity_caption", schemes=", ".join(schemes), ci=cells.interval_of(T, L, frame))
    shown = show_checked(writer, table, caption, view, max_rows=80)
    drawn = _drawn(table)
    outflow = drawn.loc[(drawn["denominator_kind"] == "outflow").to_numpy()]
    fig = grouped_bars(
        outflow,
        category="pilot",
        group="scheme",
        value="estimate",
        percent=True,
        labels={p: L.pilot(p) for p in drawn["pilot"].unique()},
        group_order=schemes,
        order=list(dict.fromkeys(drawn["pilot"])),
        missing_label=L.word("suppressed_value"),
        title=T("sensitivity_chart_title"),
        xlabel=T("axis_pilot"),
        ylabel=T("axis_share_durable"),
        footnote=T("sensitivity_footnote", peildatum=L.date(P.peildatum)) + _synthetic(L, P),
        fmt=L.percent,
        value_labels=False,
        figsize=(8, 4.5),
    )
    writer.figure(SENSITIVITY, common.figure_from(gate, SENSITIVITY, fig, table), title=T("sensitivity_title"))
    return shown, fig
