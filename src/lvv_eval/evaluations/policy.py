"""Tables behind the policy figures: the flow through the LVV, durable outflow per quarter, occupancy.

Each function returns the raw person-level table; :func:`register_tables` registers the three with
the report's disclosure gate (before any table of the report is released; :func:`release_flow`
and :func:`release_quarters` register and release one at once), and the figures of
:mod:`lvv_eval.reporting.flow_plot` are drawn only from the released frames (suppressed counts
missing there, drawn as marked bands or bars, never as values).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lvv_eval.disclosure.checked import CheckedTable
from lvv_eval.evaluations import wording
from lvv_eval.reference.monitor_format import SCENARIO_CODES
from lvv_eval.reference.schemes import Scheme
from lvv_eval.stats import counts as aggregate
from lvv_eval.stats.counts import TOTAL, DateLike
from lvv_eval.stats.occupancy import present_against_capacity

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.reporting.labels import Labels
    from lvv_eval.reporting.writer import ReportWriter

__all__ = [
    "INTAKE",
    "NO_SCENARIO",
    "IN_PROGRAMME",
    "flow_table",
    "FLOW_ID",
    "OCCUPANCY_ID",
    "QUARTERS_ID",
    "register_flow",
    "date_aliases",
    "register_occupancy",
    "register_quarters",
    "register_tables",
    "release_flow",
    "durable_per_quarter",
    "quarters_long",
    "quarters_wide",
    "release_quarters",
    "occupancy_table",
    "write_figures",
]

INTAKE = "intake"
"""The first node of the flow (everyone who entered by the peildatum)."""

NO_SCENARIO = "no_scenario"
"""Scenario node of trajectories without a counselling scenario by the peildatum."""

IN_PROGRAMME = "in_programme"
"""Outcome node of trajectories still in the LVV at the peildatum."""


def _pilots(frame: pd.DataFrame, pilots: Sequence[str]) -> list[str]:
    present = sorted({str(p) for p in frame["pilot"].dropna().astype(str)})
    return [p for p in present if not pilots or p in {str(x).lower() for x in pilots}]


def flow_table(
    frame: pd.DataFrame, peildatum: DateLike, scheme: Scheme, *, formal_only: bool = False, pilots: Sequence[str] = ()
) -> pd.DataFrame:
    """Intake -> counselling scenario -> outcome class, per pilot and in total.

    Parameters
    ----------
    frame
        Typed monitor frame.
    peildatum
        Reference date: intake, scenario and exit on or before it.
    scheme
        Classification of the exit reasons into outcome classes.
    formal_only, pilots
        Population.

    Returns
    -------
    pandas.DataFrame
        ``pilot, stage, source, target, numerator, denominator``: stage ``scenario`` rows go from
        ``intake`` to a scenario (``departure``, ``residence``, :data:`NO_SCENARIO`), denominator the
        intake of the pilot; stage ``outcome`` rows from a scenario to an outcome class or
        :data:`IN_PROGRAMME`, denominator the trajectories with that scenario. All combinations,
        zeros included; pilots sorted, then ``total``.
    """
    keep = np.ones(len(frame), dtype=bool)
    if formal_only:
        keep &= frame["formal_status"].fillna(False).to_numpy(dtype=bool)
    names = _pilots(frame, pilots)
    keep &= frame["pilot"].astype("string").isin(names).fillna(False).to_numpy(dtype=bool)
    rows = frame.loc[keep].reset_index(drop=True)
    state = aggregate.state_at(rows, peildatum)
    rows = rows.loc[state["in_scope"].to_numpy()].reset_index(drop=True)
    state = state.loc[state["in_scope"]].reset_index(drop=True)
    scen = np.where(
        state["scenario_set"].to_numpy(), rows["scenario"].astype("string").fillna(NO_SCENARIO), NO_SCENARIO
    ).astype(object)
    cls = aggregate.classify_exits(rows["exit_reason"], scheme).astype("string").fillna(IN_PROGRAMME).to_numpy()
    outcome = np.where(state["exited"].to_numpy(), cls, IN_PROGRAMME).astype(object)
    scenarios = [*SCENARIO_CODES, NO_SCENARIO]
    outcomes = [*[str(c) for c in scheme.class_ids], IN_PROGRAMME]
    data = pd.DataFrame({"pilot": rows["pilot"].astype(str).to_numpy(), "scenario": scen, "outcome": outcome})
    records = []
    for pilot in [*names, TOTAL]:
        part = data if pilot == TOTAL else data.loc[data["pilot"] == pilot]
        intake = len(part)
        for s in scenarios:
            n_s = int((part["scenario"] == s).sum())
            records.append((pilot, "scenario", INTAKE, s, n_s, intake))
        for s in scenarios:
            sub = part.loc[part["scenario"] == s]
            for o in outcomes:
                records.append((pilot, "outcome", s, o, int((sub["outcome"] == o).sum()), len(sub)))
    out = pd.DataFrame(records, columns=["pilot", "stage", "source", "target", "numerator", "denominator"])
    return out.astype({"numerator": "int64", "denominator": "int64"})


FLOW_ID = "flow_intake_scenario_outcome"
QUARTERS_ID = "durable_outflow_per_quarter"
OCCUPANCY_ID = "capacity_and_occupancy"


def register_flow(gate: Gate, table: pd.DataFrame, name: str = FLOW_ID) -> None:
    """Register :func:`flow_table` with the gate (released later with the report's other tables).

    The bands leaving one node are classes of that node's total (group rule: no single hidden
    band can be recovered by subtraction), the pilots add up to ``total`` band by band (margins),
    and ``node total - band`` below the threshold hides the band (complement rule).
    """
    gate.register(
        name,
        table,
        counts=["numerator", "denominator"],
        key="pilot",
        rates=True,
        group=("pilot", "stage", "source"),
        margins={"total_row": TOTAL},
        version_key=("stage", "source", "target"),
    )


def release_flow(gate: Gate, table: pd.DataFrame, name: str = FLOW_ID, caption: str = "") -> CheckedTable:
    """Register (:func:`register_flow`) and release :func:`flow_table` through the gate."""
    register_flow(gate, table, name)
    return replace(gate.release(name), caption=caption)


def durable_per_quarter(
    frame: pd.DataFrame, peildatum: DateLike, scheme: Scheme, *, formal_only: bool = False, pilots: Sequence[str] = ()
) -> pd.DataFrame:
    """Durable outflow per calendar quarter of the exit date, per pilot and in total.

    Returns
    -------
    pandas.DataFrame
        ``quarter`` (text ``2020Q1``), ``pilot``, ``n`` (exits in the quarter classed ``durable``
        by ``scheme``, exit date on or before the peildatum). Every quarter from the first intake
        to the peildatum, zeros included; sorted by pilot (``total`` last), then quarter.
    """
    day = aggregate.as_peildatum(peildatum)
    keep = np.ones(len(frame), dtype=bool)
    if formal_only:
        keep &= frame["formal_status"].fillna(False).to_numpy(dtype=bool)
    names = _pilots(frame, pilots)
    keep &= frame["pilot"].astype("string").isin(names).fillna(False).to_numpy(dtype=bool)
    rows = frame.loc[keep]
    exits = rows["exit_date"]
    durable = (aggregate.classify_exits(rows["exit_reason"], scheme).astype("string") == "durable").fillna(False)
    done = (exits.notna() & (exits <= day) & durable).to_numpy(dtype=bool)
    start = rows["intake_date"].min() if len(rows) else day
    quarters = pd.period_range(pd.Timestamp(start).to_period("Q"), day.to_period("Q"), freq="Q")
    hit = pd.DataFrame(
        {
            "pilot": rows["pilot"].astype(str).to_numpy()[done],
            "quarter": exits.loc[done].dt.to_period("Q").astype(str).to_numpy(),
        }
    )
    records = []  # type: ignore[var-annotated]
    for pilot in [*names, TOTAL]:
        part = hit if pilot == TOTAL else hit.loc[hit["pilot"] == pilot]
        counts = part["quarter"].value_counts()
        records.extend((str(q), pilot, int(counts.get(str(q), 0))) for q in quarters)
    return pd.DataFrame(records, columns=["quarter", "pilot", "n"]).astype({"n": "int64"})


ALL_QUARTERS = "all"
"""Column of :func:`quarters_wide` holding a pilot's durable outflow over all quarters (its durable count)."""


def quarters_wide(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`durable_per_quarter` as one row per pilot, one column per quarter and their sum (``all``).

    The sum is the pilot's durable outflow by the peildatum, the count the report's flow tables show,
    so the table adds up both ways: pilots to ``total`` per quarter, quarters to ``all`` per pilot.
    """
    wide = table.pivot(index="pilot", columns="quarter", values="n")
    wide = wide.reindex(index=list(dict.fromkeys(table["pilot"])), columns=list(dict.fromkeys(table["quarter"])))
    wide[ALL_QUARTERS] = wide.sum(axis=1)
    wide.columns.name = None
    return wide.reset_index().astype({c: "int64" for c in wide.columns})


def quarters_long(wide: pd.DataFrame) -> pd.DataFrame:
    """The released :func:`quarters_wide` frame back as ``quarter, pilot, n`` (hidden counts missing)."""
    quarters = [c for c in wide.columns if c not in ("pilot", ALL_QUARTERS)]
    long = wide.melt(id_vars="pilot", value_vars=quarters, var_name="quarter", value_name="n")
    return long[["quarter", "pilot", "n"]]


def register_quarters(gate: Gate, table: pd.DataFrame, name: str = QUARTERS_ID) -> None:
    """Register :func:`durable_per_quarter` with the gate, as :func:`quarters_wide`.

    Both sums are protected: the pilots of a quarter add up to ``total`` and the quarters of a pilot
    add up to ``all``, its durable count by the peildatum, which is linked to the same count in the
    report's other tables. So a hidden quarter is not the pilot's durable count minus its shown
    quarters, in this table or with the flow table beside it.
    """
    wide = quarters_wide(table)
    gate.register(
        name,
        wide,
        counts=[c for c in wide.columns if c != "pilot"],
        key="pilot",
        margins={"total_row": TOTAL, "total_col": ALL_QUARTERS},
    )


def release_quarters(gate: Gate, table: pd.DataFrame, name: str = QUARTERS_ID, caption: str = "") -> CheckedTable:
    """Register (:func:`register_quarters`) and release :func:`durable_per_quarter` through the gate."""
    register_quarters(gate, table, name)
    return replace(gate.release(name), caption=caption)


def occupancy_table(
    frame: pd.DataFrame,
    start: DateLike,
    end: DateLike,
    *,
    pilots: Sequence[str] = (),
    formal_only: bool = False,
    figures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Persons present on the first of each month per pilot against the capacity then published.

    :func:`lvv_eval.stats.occupancy.present_against_capacity` on the chosen pilots and population;
    dates as text (``YYYY-MM-DD``).
    """
    keep = np.ones(len(frame), dtype=bool)
    if formal_only:
        keep &= frame["formal_status"].fillna(False).to_numpy(dtype=bool)
    names = _pilots(frame, pilots)
    keep &= frame["pilot"].astype("string").isin(names).fillna(False).to_numpy(dtype=bool)
    out = present_against_capacity(frame.loc[keep].reset_index(drop=True), start, end, figures)
    out = out.loc[out["pilot"].isin(names)].reset_index(drop=True)
    return out.assign(date=out["date"].dt.strftime("%Y-%m-%d"))


def register_occupancy(
    gate: Gate, table: pd.DataFrame, name: str = OCCUPANCY_ID, peildatum: DateLike | None = None
) -> None:
    """Register :func:`occupancy_table` with the gate: monthly counts below the threshold hidden.

    Each month's count is keyed by pilot and date, so it is linked to the same month in the
    report's other tables, and the count on the peildatum (when it is a first of the month) also
    to the pilot's persons present in the report's flow tables (:func:`date_aliases`).
    ``capacity`` (published places) is no count of persons; ``occupancy_rate`` is hidden with its
    count.
    """
    if peildatum is not None:
        date_aliases(gate, table["pilot"], peildatum)
    gate.register(
        name,
        table,
        counts=["present"],
        key=("pilot", "date"),
        derived={"occupancy_rate": ("present",)},
        not_counts=["capacity"],  # published places
    )


def date_aliases(gate: Gate, pilots: Iterable[object], peildatum: DateLike) -> None:
    """Declare that a pilot's count on the peildatum (key ``pilot|YYYY-MM-DD``) counts the pilot's people then."""
    day = aggregate.as_peildatum(peildatum).strftime("%Y-%m-%d")
    for pilot in dict.fromkeys(str(p) for p in pilots):
        gate.alias(f"{pilot}|{day}", pilot)


def register_tables(
    gate: Gate,
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: Scheme,
    *,
    formal_only: bool = False,
    pilots: Sequence[str] = (),
    start: DateLike = "2019-04-01",
) -> None:
    """Register the three tables behind the policy figures, before the report releases any table.

    :func:`write_figures` then releases them; registered together with the report's other
    person-level tables, a count hidden in one is hidden in all (linked-table rule).
    """
    day = aggregate.as_peildatum(peildatum)
    register_flow(gate, flow_table(frame, day, scheme, formal_only=formal_only, pilots=pilots))
    register_quarters(gate, durable_per_quarter(frame, day, scheme, formal_only=formal_only, pilots=pilots))
    register_occupancy(gate, occupancy_table(frame, start, day, pilots=pilots, formal_only=formal_only), peildatum=day)


def _texts(language: str) -> Mapping[str, str]:
    return wording.load("policy", language)


def write_figures(
    writer: ReportWriter,
    gate: Gate,
    L: Labels,
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: Scheme,
    *,
    formal_only: bool = False,
    pilots: Sequence[str] = (),
    start: DateLike = "2019-04-01",
) -> list[Figure]:
    """Build, release, write and return the three policy figures of a report (and their tables).

    Captions are made from the arguments (peildatum, scheme, population, threshold, capacity
    sources) in the report language. The figures are left open; the caller closes them. When
    :func:`register_tables` registered the tables already (before the report released any
    table), they are released as registered: ``frame``, ``pilots``, ``start`` and
    ``formal_only`` are then not used again, so pass the same ones to both.
    """
    from lvv_eval.evaluations.common import figure_from
    from lvv_eval.reporting.flow_plot import capacity_occupancy, flow_chart, period_bars
    from lvv_eval.sources.capacity import capacity_history

    t = _texts(L.language)
    day = aggregate.as_peildatum(peildatum)
    population = t["population_formal"] if formal_only else t["population_all"]
    common_fields = {
        "peildatum": L.date(day),
        "scheme": scheme.name,
        "population": population,
        "threshold": L.number(gate.threshold),
    }
    panel_labels = {p: L.pilot(p) for p in [*_pilots(frame, pilots), TOTAL]}
    figures = []

    if not gate.registered(FLOW_ID):
        register_tables(gate, frame, day, scheme, formal_only=formal_only, pilots=pilots, start=start)
    flows = replace(gate.release(FLOW_ID), caption=t["flow_caption"].format(**common_fields))
    writer.table(flows.output_id, flows)
    nodes = {
        INTAKE: t["node_intake"],
        NO_SCENARIO: t["node_no_scenario"],
        IN_PROGRAMME: t["node_in_programme"],
        **{s: t[f"node_{s}"] for s in SCENARIO_CODES if f"node_{s}" in t},
        **{c: L.outcome_class(scheme.name, c) for c in scheme.class_ids},
    }
    fig = flow_chart(
        flows.frame,
        scenarios=[*SCENARIO_CODES, NO_SCENARIO],
        outcomes=[*scheme.class_ids, IN_PROGRAMME],
        title=t["flow_title"],
        footnote=flows.caption,
        panel_labels=panel_labels,  # type: ignore[arg-type]
        node_labels=nodes,  # type: ignore[arg-type]
        fmt=L.number,
        source_node=INTAKE,
        suppressed_label=L.word("suppressed_value"),
    )
    writer.figure(flows.output_id, figure_from(gate, flows.output_id, fig, flows), title=t["flow_title"])
    figures.append(fig)

    quarters = replace(gate.release(QUARTERS_ID), caption=t["quarter_caption"].format(**common_fields))
    writer.table(quarters.output_id, quarters)
    fig = period_bars(
        quarters_long(quarters.frame),
        period="quarter",
        value="n",
        panel="pilot",
        title=t["quarter_title"],
        ylabel=t["trajectories"],
        suppressed_label=L.word("suppressed_value"),
        footnote=quarters.caption,
        panel_labels=panel_labels,  # type: ignore[arg-type]
    )
    writer.figure(quarters.output_id, figure_from(gate, quarters.output_id, fig, quarters), title=t["quarter_title"])
    figures.append(fig)

    history = capacity_history()
    from lvv_eval.sources.published import load_sources

    files = dict(zip(load_sources()["source_id"], load_sources()["source_file"]))
    cited = ", ".join(f"{s} ({files.get(s, '')})" for s in sorted(set(history["source_id"].astype(str))))
    occ = replace(
        gate.release(OCCUPANCY_ID),
        caption=t["occupancy_caption"].format(
            **common_fields, start=L.date(start), end=L.date(day), capacity_sources=cited
        ),
    )
    writer.table(occ.output_id, occ)
    fig = capacity_occupancy(
        occ.frame,
        title=t["occupancy_title"],
        ylabel=t["persons"],
        footnote=occ.caption,
        present_label=t["present"],
        capacity_label=t["capacity"],
        suppressed_label=L.word("suppressed_value"),
        panel_labels=panel_labels,  # type: ignore[arg-type]
    )
    writer.figure(occ.output_id, figure_from(gate, occ.output_id, fig, occ), title=t["occupancy_title"])
    figures.append(fig)
    return figures
