# %% [markdown]
# # 04 Pilot designs: LVV only versus LVV with a parallel night shelter (BBB)
#
# **What this reproduces.** The design comparison in the plan and process evaluation (Regioplan,
# June 2020; source `001_08a3e7995258f26d.txt`, Tabel S.1 and S.2, paragraphs "Inrichting en uitvoering
# van de lokale pilots" and "Alternatieve opvang van invloed op resultaten LVV") and in the letter of
# 17 November 2020 with the programme monitor at 2020-11-01 (source `002_1f6dbbe6756677e4.txt`,
# "Doelstellingen en doelgroep van de LVV" and "Voortgang LVV's"). Eindhoven kept its municipal night
# shelter (bed-bad-brood, BBB) open next to the LVV, and participation in its LVV is voluntary; the
# other four pilots closed their BBB.
#
# **Published vs computed.** Section 1 shows the design table (`data/published/pilot_designs.csv`,
# every value with its source citation) and section 2 the per-pilot figures as published
# (`data/published/figures.csv`), with shares, Wilson intervals and Newcombe differences *recomputed*
# from them (labelled descriptive). The headline cell recomputes the published Eindhoven figures.
# Section 4 is computed on person-level data: by default the committed **synthetic** monitor file,
# which is not real people.
#
# **What cannot be done.** A design is the same for everyone in a pilot, so it varies only between the
# five sites. There is no significance test for it here (the package refuses one and says why).
#
# **Re-run** with other parameters, e.g.
# `lvv-eval run notebooks/04_designs.ipynb -p attribute regie -p peildatum 2022-06-30 -p language en`;
# `-p data_source published` gives the published part only; `-p data_source path/to/export.csv` reads a
# real monitor export.

# %% tags=["parameters"]
data_source: str = "synthetic"  # published, synthetic, or a path to a monitor export
peildatum: str = "2020-11-01"  # reference date yyyy-mm-dd (person-level part)
scheme: str = "regioplan-2022"  # classification scheme of exit reasons
pilots: list = []  # pilot codes to include; empty means all
language: str = "nl"  # report language nl or en
output_dir: str = ""  # folder for tables and figures; empty means reports/04_designs
disclosure_threshold: int = 10  # smallest person-level count shown
formal_only: bool = False  # person-level: only formal LVV status
attribute: str = "parallel_bbb"  # design attribute that groups the pilots (a column of the design table)
sensitivity_schemes: list = []  # schemes for the sensitivity table; empty means all shipped schemes

# %%
import functools

import matplotlib.pyplot as plt
import pandas as pd

from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common
from lvv_eval.evaluations import design_comparison as dc
from lvv_eval.evaluations.common import analysis_frame, data_banner, load_person_level, note_empty
from lvv_eval.evaluations.design_comparison import evidence_statement
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reporting import plots as plotting
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters
from lvv_eval.reporting.writer import ReportWriter, say, show_table
from lvv_eval.stats import survival
from lvv_eval.stats.sites.case_mix import casemix_data, fit_casemix, fit_with_and_without
from lvv_eval.stats.sites.compare import compare_groups, person_counts, sensitivity_table
from lvv_eval.stats.sites.few_sites import NotIdentifiedError

P = validate_parameters(globals(), notebook="04_designs")
show_published = functools.partial(show_table, kind="published")
L = Labels(P.language)
W = ReportWriter.from_parameters(P)
A = P.extra.get("attribute", "parallel_bbb")
SENS = list(P.extra.get("sensitivity_schemes", [])) or None
KIND = "synthetic" if P.is_synthetic else "person-level"
GATE = Gate(P.disclosure_threshold, kind=KIND, report=P.notebook, aliases=common.total_aliases(P))
print(GATE.explanation(P.language))
W.note(GATE.explanation(P.language))
print(data_banner(P, L))

# %% [markdown]
# ## 1. The design table
#
# One row per pilot, valid at the peildatum (the table has two periods: as described at 2019-12-31
# and in the letter of November 2020). Every value is published, with its source; **empty means not
# published, never guessed**. Note what is *not* known: the sources name 24-hour shelter as a strength of
# the LVV itself but do not say per pilot who offers it, so a "24-hour shelter vs BBB" contrast cannot
# be made from the sources. The contrast that is available is *LVV only* (four pilots) versus *LVV plus a
# parallel night-only BBB with voluntary LVV participation* (Eindhoven). The other attributes (lead,
# families, safe-country policy, cooperation criterion) can be chosen with the `attribute` parameter.

# %%
design = dc.design_long(P.peildatum)
W.table(
    "design_table",
    design,
    kind="published",
    caption=L(
        f"Ontwerp van de pilots op {P.peildatum}, met bron per waarde (gepubliceerd; geen onthullingscontrole nodig)",
        f"Pilot designs at {P.peildatum}, with the source of every value (published; exempt from disclosure control)",
    ),
)
show_published(
    dc.design_matrix(P.peildatum, labels=L),
    L(
        f"Ontwerpkenmerken per pilot op {L.date(P.peildatum)} (bron: pilot_designs.csv)",
        f"Design attributes per pilot at {L.date(P.peildatum)} (source: pilot_designs.csv)",
    ),
)

# %%
unknown = dc.unknown_attributes(P.peildatum)
W.table(
    "design_unknown",
    unknown,
    kind="published",
    caption=L("Ontwerpkenmerken die per pilot niet gepubliceerd zijn", "Design attributes not published per pilot"),
)
show_published(
    dc.readable(unknown.rename(columns={"pilots": "pilot"}), L),
    L("Niet gepubliceerd (leeg in de ontwerptabel)", "Not published (empty in the design table)"),
)

# %%
show_published(
    dc.readable(design.loc[design["attribute"] == A, ["pilot", "value", "source"]], L),
    L(f"Kenmerk '{A}' per pilot, met bron", f"Attribute '{A}' per pilot, with source"),
)

# %% [markdown]
# ## 2. What the published figures say about Eindhoven against the others
#
# 2019 (Regioplan, Tabel S.1/S.2, peildatum 2019-12-31): capacity, intake since the start, occupancy,
# free places and durable outflow per pilot. 2020 (programme monitor, peildatum 2020-11-01): departure
# scenarios and departures per pilot. The table below is as published; Utrecht has no exact occupancy
# in 2019 (an estimate of 98 % printed as a percentage), so it is left out of the pooled occupancy and
# free-place shares.

# %%
pub_long = dc.published_design_figures(A)
W.table(
    "published_figures",
    pub_long,
    kind="published",
    caption=L(
        "Gepubliceerde cijfers per pilot, 2019 (001 Tabel S.1/S.2) en 2020 (002 Voortgang LVV's); "
        "gepubliceerd, geen onthullingscontrole",
        "Published figures per pilot, 2019 (001 Tabel S.1/S.2) and 2020 (002 Voortgang LVV's); "
        "published, exempt from disclosure control",
    ),
)
show_published(
    dc.readable(dc.published_wide(pub_long, L), L),
    L(
        "Gepubliceerde cijfers per pilot (jaartal = jaar van de peildatum)",
        "Published figures per pilot (year = year of the reference date)",
    ),
)

# %% [markdown]
# Shares recomputed from the 2019 counts, per pilot and per design group (persons of the pilots in a
# group pooled), with Wilson intervals for shares of people. Intake per place is a ratio (intake since
# the start over the number of places), and occupancy and free places are shares of places, which are
# not a sample: none of these has an interval (interval policy, `docs/methods.md`). Differences between
# the groups use Newcombe's hybrid score interval for shares of people and no interval for places.
# **All of this is descriptive**: an interval describes the sampling of people within the sites, never a
# design effect.

# %%
pub = compare_groups("regioplan-2020", A, differences=True)  # opt in: descriptive differences
W.table(
    "published_rates",
    pub.rates,
    kind="derived",
    caption=L(
        "Aandelen per pilot en groep uit de gepubliceerde cijfers van 2019; noemer per rij; "
        "95%-BI Wilson voor aandelen van personen, geen interval voor plaatsen; beschrijvend",
        "Shares per pilot and group from the published 2019 figures; denominator per row; "
        "95% CI Wilson for shares of people, no interval for places; descriptive",
    ),
)
W.table(
    "published_differences",
    pub.differences,
    kind="derived",
    caption=L(
        "Verschillen tussen groepen (2019), 95%-BI Newcombe; beschrijvend, geen ontwerpeffect",
        "Differences between groups (2019), 95% CI Newcombe; descriptive, not a design effect",
    ),
)
cols = [
    "level",
    "group",
    "pilot",
    "measure",
    "numerator",
    "denominator",
    "denominator_label",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
]
show_published(
    dc.readable(pub.rates[cols].round(3), L),
    L(
        "Gepubliceerd 2019: aandelen en verhoudingen per pilot en groep (beschrijvend)",
        "Published 2019: shares and ratios per pilot and group (descriptive)",
    ),
)

# %%
show_published(
    dc.readable(pub.differences.drop(columns=["label"]).round(3), L),
    L(
        "Verschil groep b min groep a (95%-BI Newcombe; beschrijvend, geen ontwerpeffect)",
        "Difference group b minus group a (95% CI Newcombe; descriptive, not a design effect)",
    ),
)

# %%
dep = dc.departures_per_scenario(A)
W.table(
    "published_departures_per_scenario",
    dep,
    kind="derived",
    caption=L(
        "Vertrek (incl. doormigratie) per vertrekscenario, monitor 2020-11-01 (002); verhouding, geen BI",
        "Departures (incl. onward migration) per departure scenario, monitor 2020-11-01 (002); ratio, no CI",
    ),
)
show_published(
    dc.readable(dep.round(3), L),
    L(
        "Monitor 1 november 2020: vertrek per vertrekscenario (verhouding, geen aandeel: vertrek kan ook "
        "zonder vertrekscenario)",
        "Monitor 1 November 2020: departures per departure scenario (a ratio, not a share: a departure "
        "can occur without a departure scenario)",
    ),
)

# %%
for note in pub.notes:
    print("-", note)

# %%
uptake = pub_long.loc[
    (pub_long["source_id"] == "regioplan-2020") & pub_long["measure"].isin(["capacity", "intake", "occupancy"])
]
fig = plotting.grouped_bars(
    uptake,
    category="pilot",
    group="measure",
    value="value",
    title=L(
        "Capaciteit, instroom en bezetting per pilot, 31 december 2019",
        "Capacity, intake and occupancy per pilot, 31 December 2019",
    ),
    xlabel=L("Pilotgemeente", "Pilot municipality"),
    ylabel=L("Aantal (plaatsen of personen)", "Number (places or persons)"),
    footnote=L(
        "Bron: Regioplan 2020 (001), Tabel S.1. Instroom = totaal sinds de start; Utrecht: geen exacte bezetting.",
        "Source: Regioplan 2020 (001), Tabel S.1. Intake = total since the start; Utrecht: no exact occupancy.",
    ),
    labels={p: L.pilot(p) for p in uptake["pilot"]},
    group_order=["capacity", "intake", "occupancy"],
    group_labels={m: L.measure(m) for m in ["capacity", "intake", "occupancy"]},
    fmt=L.number,
)
W.figure(
    "published_uptake",
    fig,
    title=L("Capaciteit, instroom en bezetting 2019", "Capacity, intake and occupancy 2019"),
    kind="published",
)
plt.close(fig)
fig  # noqa: B018 - shown as the cell result

# %%
rows = dc.plot_rows(pub.rates, "free_places_rate", "of_capacity", L)
fig = plotting.bar_with_ci(
    rows,
    category="label",
    estimate="estimate",
    ci_low="ci_low",
    ci_high="ci_high",
    order=list(rows["label"]),
    title=L(
        "Vrije plaatsen als aandeel van de capaciteit, 31 december 2019",
        "Free places as a share of capacity, 31 December 2019",
    ),
    xlabel="",
    ylabel=L("Aandeel van de capaciteit", "Share of capacity"),
    footnote=L(
        f"Bron: 001 Tabel S.1; noemer: capaciteit (plaatsen); geen interval: plaatsen zijn geen "
        f"steekproef; groepen naar '{A}'; beschrijvend, geen ontwerpeffect.",
        f"Source: 001 Tabel S.1; denominator: capacity (places); no interval: places are not a "
        f"sample; groups by '{A}'; descriptive, not a design effect.",
    ),
    fmt=L.percent,
)
W.figure("published_free_places", fig, title=L("Vrije plaatsen 2019", "Free places 2019"), kind="derived")
plt.close(fig)
fig  # noqa: B018 - shown as the cell result

# %% [markdown]
# ## 3. Headline figures
#
# Recomputed by the package from `data/published/figures.csv` (2019 Tabel S.1, source 001; monitor
# 2020-11-01, source 002) and from `fewsites.min_permutation_p`. These printed values are checked when the
# notebook is tested.

# %%
# NBVAL_CHECK_OUTPUT
H = dc.headline_figures()
print("eindhoven intake 2019:", H["eindhoven_intake"], "of capacity", H["eindhoven_capacity"])
print(
    "eindhoven free places 2019:",
    H["eindhoven_free"],
    f"({H['eindhoven_free_rate'] * 100:.0f} %, printed {H['eindhoven_free_rate_printed']} %)",
)
print(
    "other pilots intake 2019:",
    H["others_intake"],
    "of capacity",
    H["others_capacity"],
    f"(ratio {H['others_intake_per_place']:.2f})",
    "pilots",
    H["others_pilots"],
)
print(
    "other pilots free places 2019:",
    H["others_free"],
    "of",
    H["others_free_capacity"],
    f"({H['others_free_rate'] * 100:.0f} %)",
    "pilots",
    H["others_free_pilots"],
)
print(
    "eindhoven 2020-11-01: departure scenarios",
    H["eindhoven_departure_scenarios"],
    "departures",
    H["eindhoven_departures"],
)
print(
    "other pilots 2020-11-01: departure scenarios",
    H["others_departure_scenarios"],
    "departures",
    H["others_departures"],
)
print("smallest permutation p, 1 of 5 sites:", H["min_p_1_of_5"], "| 2 of 5 sites:", H["min_p_2_of_5"])

# %% [markdown]
# ## 4. Person-level comparison
#
# Counted at the peildatum on the person-level data (units are trajectories). With
# `data_source = "published"` this section is skipped. Count tables pass through disclosure control
# (threshold `disclosure_threshold`); the suppression report is shown under each table. Shares whose
# numerator, or denominator minus numerator, is below the threshold are hidden, and so are group
# differences and curves built on such counts.

# %%
MD = load_person_level(P)
print(note_empty(W, MD, L))
if MD is None:
    print(
        L(
            "Overgeslagen: data_source is 'published', dus er zijn geen gegevens op persoonsniveau.",
            "Skipped: data_source is 'published', so there are no person-level data.",
        )
    )
    frame = None
else:
    frame = analysis_frame(MD.frame, P.pilots)
    SCH = load_scheme(P.scheme)
    res = compare_groups(
        frame, A, peildatum=P.peildatum, scheme=SCH, formal_only=P.formal_only, differences=True
    )  # opt in: descriptive differences
    print(data_banner(P, L))
    display(
        common.show_flow(
            GATE, MD.flow, P.disclosure_threshold, L("Ingelezen en uitgesloten rijen", "Rows read and excluded")
        )
    )
    for note in res.notes:
        print("-", note)

# %%
if frame is not None:
    counts = person_counts(frame, P.peildatum, SCH, formal_only=P.formal_only)
    up_tab, out_tab = dc.count_tables(counts, SCH.class_ids)
    up = disclosure.suppress(up_tab, ["intake", "occupancy"], threshold=P.disclosure_threshold, margins=None)
    out = disclosure.suppress(out_tab, threshold=P.disclosure_threshold)
    W.table(
        "person_uptake_counts",
        common.checked(GATE, "person_uptake_counts", up.table),
        caption=L(
            f"Capaciteit (plaatsen), instroom en bezetting (trajecten) op {P.peildatum}; na onthullingscontrole",
            f"Capacity (places), intake and occupancy (trajectories) at {P.peildatum}; after disclosure control",
        ),
    )
    W.table(
        "person_outflow_counts",
        common.checked(GATE, "person_outflow_counts", out.table),
        caption=L(
            f"Uitstroom per klasse ({P.scheme}) tot {P.peildatum}; na onthullingscontrole",
            f"Outflow per class ({P.scheme}) up to {P.peildatum}; after disclosure control",
        ),
    )
    display(
        common.show_person(
            GATE,
            dc.readable(up.table.reset_index(), L),
            L("Opname per pilot (trajecten)", "Uptake per pilot (trajectories)"),
        )
    )
    display(common.show_person(GATE, up.report, L("Onderdrukte cellen", "Suppressed cells")))
    display(
        common.show_person(
            GATE,
            dc.readable(
                out.table.reset_index().rename(
                    columns=lambda c: L.outcome_class(P.scheme, c) if c in SCH.class_ids else c
                ),
                L,
            ),
            L("Uitstroom per klasse (trajecten)", "Outflow per class (trajectories)"),
        )
    )
    display(common.show_person(GATE, out.report, L("Onderdrukte cellen", "Suppressed cells")))

# %%
if frame is not None:
    rates = disclosure.suppress_rates(res.rates, P.disclosure_threshold, group=["level", "group", "pilot", "measure"])
    W.table(
        "person_rates",
        common.checked(GATE, "person_rates", rates),
        caption=L(
            "Opname, uitstroomklassen en bestendig aandeel per pilot en groep; noemer per rij "
            "(capaciteit, instroom of uitstroom); 95%-BI Wilson; beschrijvend",
            "Uptake, outflow classes and durable share per pilot and group; denominator per row "
            "(capacity, intake or outflow); 95% CI Wilson; descriptive",
        ),
    )
    show = rates.loc[rates["measure"] != "outflow_per_place", cols + ["suppression_rule"]].round(3)
    display(
        common.show_person(
            GATE,
            dc.readable(show, L, P.scheme),
            L(
                "Per pilot en per groep (beschrijvend; personen als eenheid)",
                "Per pilot and per group (descriptive; persons as units)",
            ),
            max_rows=120,
        )
    )

# %%
if frame is not None:
    diffs = dc.suppress_differences(res.differences, P.disclosure_threshold)
    W.table(
        "person_differences",
        common.checked(GATE, "person_differences", diffs),
        caption=L(
            "Verschillen tussen groepen, 95%-BI Newcombe; beschrijvend, geen ontwerpeffect",
            "Differences between groups, 95% CI Newcombe; descriptive, not a design effect",
        ),
    )
    display(
        common.show_person(
            GATE,
            dc.readable(diffs.drop(columns=["label"]).round(3), L, P.scheme),
            L("Verschil groep b min groep a (beschrijvend)", "Difference group b minus group a (descriptive)"),
        )
    )

# %%
if frame is not None:
    occ = dc.occupancy_series(frame, A, P.peildatum)
    occ_s = disclosure.suppress(occ, ["present"], threshold=P.disclosure_threshold, margins=None).table
    W.table(
        "person_occupancy_over_time",
        common.checked(GATE, "person_occupancy_over_time", occ_s),
        caption=L(
            "Aanwezig op de eerste van elke maand, met de capaciteit van dat moment; na onthullingscontrole",
            "Present on the first of each month, with the capacity valid then; after disclosure control",
        ),
    )
    pil = occ_s.loc[occ_s["level"] == "pilot"].astype({"present": "float64"})
    fig = plotting.line_over_time(
        pil,
        time="date",
        value="present",
        group="unit",
        reference="capacity",
        reference_label=L("Capaciteit (gestippeld)", "Capacity (dashed)"),
        labels={p: L.pilot(p) for p in pil["unit"]},
        title=L("Bezetting per pilot en capaciteit", "Occupancy per pilot and capacity"),
        xlabel=L("Maand", "Month"),
        ylabel=L("Aanwezig (trajecten)", "Present (trajectories)"),
        footnote=(L.word("synthetic") + ". " if P.is_synthetic else "")
        + L(
            "Capaciteit uit de ontwerptabel; onderdrukte aantallen ontbreken.",
            "Capacity from the design table; suppressed counts are missing.",
        ),
        fmt=L.number,
    )
    W.figure(
        "person_occupancy",
        common.figure_from(GATE, "person_occupancy", fig, GATE.released["person_occupancy_over_time"]),
        title=L("Bezetting en capaciteit", "Occupancy and capacity"),
    )
    plt.close(fig)
    display(fig)

# %%
if frame is not None:
    for measure, den in (
        ("outflow_share_of_intake", L("instroom", "intake")),
        ("outflow_share_of_outflow", L("uitstroom", "outflow")),
    ):
        rows = dc.plot_rows(rates, measure, "durable", L)
        fig = plotting.bar_with_ci(
            rows,
            category="label",
            estimate="estimate",
            ci_low="ci_low",
            ci_high="ci_high",
            order=list(rows["label"]),
            title=L(
                f"Bestendige uitstroom als aandeel van de {den} tot {L.date(P.peildatum)}",
                f"Durable outflow as a share of {den} up to {L.date(P.peildatum)}",
            ),
            xlabel="",
            ylabel=L("Aandeel", "Share"),
            footnote=L(
                f"Noemer: {den}; 95%-BI Wilson; schema {P.scheme}; beschrijvend. Ontbrekende staaf: onderdrukt.",
                f"Denominator: {den}; 95% CI Wilson; scheme {P.scheme}; descriptive. Missing bar: suppressed.",
            ),
            fmt=L.percent,
        )
        W.figure(
            f"person_{measure}_durable",
            common.figure_from(GATE, f"person_{measure}_durable", fig, GATE.released["person_rates"]),
            title=L("Bestendig aandeel", "Durable share") + f" ({den})",
        )
        plt.close(fig)
        display(fig)

# %% [markdown]
# Time to a durable outcome: Aalen-Johansen cumulative incidence per design group with the other
# outcome classes as competing events and people still present censored at the peildatum (never
# 1 minus Kaplan-Meier for one cause), and the Kaplan-Meier median length of stay (time to any exit).

# %%
if frame is not None:
    fg = dc.with_design_group(frame, A, P.peildatum)
    los = survival.length_of_stay(fg, P.peildatum, by=dc.GROUP_COLUMN, formal_only=P.formal_only)
    cif = survival.cumulative_incidence(fg, P.peildatum, SCH, by=dc.GROUP_COLUMN, formal_only=P.formal_only)
    cif_s = dc.suppress_incidence(cif, P.disclosure_threshold)
    W.table(
        "person_length_of_stay",
        common.checked(GATE, "person_length_of_stay", los),
        caption=L(
            "Mediane verblijfsduur (Kaplan-Meier, gecensureerd op de peildatum) per groep",
            "Median length of stay (Kaplan-Meier, censored at the reference date) per group",
        ),
    )
    W.table(
        "person_cumulative_incidence",
        common.checked(GATE, "person_cumulative_incidence", cif_s),
        caption=L(
            "Cumulatieve incidentie per uitkomst na 182/365/548 dagen (Aalen-Johansen, concurrerende risico's); "
            "onderdrukt bij minder gebeurtenissen dan de drempel",
            "Cumulative incidence per outcome at 182/365/548 days (Aalen-Johansen, competing risks); "
            "suppressed below the threshold of events",
        ),
    )
    display(
        common.show_person(
            GATE, dc.readable(los.drop(columns=["ci_method"]), L), L("Verblijfsduur (dagen)", "Length of stay (days)")
        )
    )
    display(
        common.show_person(
            GATE,
            dc.readable(cif_s.drop(columns=["ci_method"]).round(3), L, P.scheme),
            L("Cumulatieve incidentie per groep", "Cumulative incidence per group"),
            max_rows=80,
        )
    )

# %%
if frame is not None:
    curves = survival.cif_curves(
        fg, P.peildatum, SCH, by=dc.GROUP_COLUMN, formal_only=P.formal_only, min_at_risk=P.disclosure_threshold
    )
    curves = dc.plottable_curves(curves, cif, dc.GROUP_COLUMN, P.disclosure_threshold)
    fig = plotting.cif_plot(
        curves,
        time="time_days",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        panel="outcome",
        group=dc.GROUP_COLUMN,
        panel_order=list(SCH.class_ids),
        panel_labels={c: L.outcome_class(P.scheme, c) for c in SCH.class_ids},
        labels={g: dc.group_label(g, L) for g in set(curves[dc.GROUP_COLUMN])},
        months=True,
        title=L(
            f"Cumulatieve incidentie per uitkomst, groepen naar '{A}'",
            f"Cumulative incidence per outcome, groups by '{A}'",
        ),
        xlabel=L.word("time_months"),
        ylabel=L.word("cumulative_incidence"),
        footnote=L(
            "Aalen-Johansen, 95%-BI log-log; alleen curves met minstens de drempel aan gebeurtenissen; beschrijvend.",
            "Aalen-Johansen, 95% CI log-log; only curves with at least the threshold of events; descriptive.",
        ),
        figsize=(9.0, 4.0),
    )
    W.figure(
        "person_cif",
        common.figure_from(GATE, "person_cif", fig, GATE.released["person_cumulative_incidence"]),
        title=L("Cumulatieve incidentie", "Cumulative incidence"),
    )
    plt.close(fig)
    display(fig)

# %% [markdown]
# Asking for a p-value for the design contrast is refused by the package; the message explains why and
# gives the smallest p-value a permutation test over the sites could reach.

# %%
if frame is not None:
    try:
        compare_groups(frame, A, peildatum=P.peildatum, scheme=SCH, p_values=True)
    except NotIdentifiedError as err:
        print(err.message(P.language))

# %% [markdown]
# **Case mix.** Logistic regression of a durable exit on the person-level covariates with site fixed
# effects, fitted by Firth's penalised likelihood, which stays finite when a covariate level has only
# one outcome (complete separation: no durable exit among people from a safe country or without formal
# LVV status), so those covariates stay in; the shares are shown with and without them. The analysis
# set is **conditioned on having left by the peildatum**: late entrants who already left are quick
# leavers, so the covariate *time since intake* accounts for unequal follow-up (it does not undo the
# selection). The site terms are *site differences conditional on case mix*, not design effects, and
# get no interval (interval policy, `docs/methods.md`); a covariate that varies within one site only
# adjusts the shares but gets no interval or p-value. Standardised shares per pilot by g-computation.
# Complete-case analysis; the accounting table shows who was left out.

# %%
if frame is not None:
    cmd = casemix_data(frame, P.peildatum, SCH, population="outflow")
    kept, dropped = dc.estimable_covariates(cmd)
    cm = fit_casemix(cmd, kept)
    W.table(
        "casemix_accounting",
        common.checked(GATE, "casemix_accounting", cmd.accounting),
        caption=L(
            "Analyseset case mix (uitstroom tot de peildatum): uitgesloten en gebruikt",
            "Case-mix analysis set (outflow up to the reference date): excluded and used",
        ),
    )
    display(common.show_person(GATE, cmd.accounting, L("Boekhouding complete cases", "Complete-case accounting")))
    display(common.show_person(GATE, dropped, L("Weggelaten covariaten", "Covariates left out")))
    print(cm.status, "|", cm.formula, "| n =", cm.n_used)
    for w in cm.warnings:
        print("-", w)
    coefs = cm.coefficients
    W.table(
        "casemix_coefficients",
        common.checked(GATE, "casemix_coefficients", coefs),
        caption=L(
            "Logistische regressie (Firth) met vaste effecten per pilot: pilottermen = verschillen "
            "tussen pilots gegeven de case mix, beschrijvend, zonder interval (geen ontwerpeffect)",
            "Logistic regression (Firth) with site fixed effects: site terms = site differences "
            "conditional on case mix, descriptive, without interval (not a design effect)",
        ),
    )
    display(
        common.show_person(
            GATE,
            coefs.drop(columns=["estimate", "std_err", "ci_low", "ci_high"]).round(3),
            L("Coëfficiënten (odds ratio's)", "Coefficients (odds ratios)"),
        )
    )

# %%
if frame is not None:
    from lvv_eval.stats.sites.case_mix import SEPARATING  # after the parameter check: a tuple is no parameter

    std = dc.suppress_shares(cm.standardised, P.disclosure_threshold)
    W.table(
        "casemix_standardised",
        common.checked(GATE, "casemix_standardised", std),
        caption=L(
            "Bestendig aandeel van de uitstroom per pilot, ruw en gestandaardiseerd naar case mix; beschrijvend",
            "Durable share of outflow per pilot, crude and standardised for case mix; descriptive",
        ),
    )
    display(
        common.show_person(
            GATE,
            dc.readable(std.round(3), L),
            L("Gestandaardiseerde aandelen (g-computatie)", "Standardised shares (g-computation)"),
        )
    )
    both = dc.suppress_shares(
        fit_with_and_without(cmd, kept),
        P.disclosure_threshold,
        columns=("events", "crude_share", "standardised_with", "standardised_without", "difference"),
    )
    both = common.checked(GATE, "casemix_with_and_without", both)
    W.table(
        "casemix_with_and_without",
        both,
        caption=L(
            f"Gestandaardiseerd aandeel met en zonder de scheidende covariaten ({', '.join(SEPARATING)}); "
            "Firth; beschrijvend",
            f"Standardised share with and without the separating covariates ({', '.join(SEPARATING)}); "
            "Firth; descriptive",
        ),
    )
    display(
        common.show_person(
            GATE,
            dc.readable(both.frame.round(3), L),
            L("Met en zonder scheidende covariaten", "With and without separating covariates"),
        )
    )
    pooled, needs = dc.partial_pooling_table(cmd.data, frame, A, P.peildatum, L)
    if needs:
        W.note(needs)
        print(needs)
    pool = dc.suppress_shares(
        pooled,
        P.disclosure_threshold,
        columns=("events", "raw_share", "shrunken_share", "site_effect", "site_effect_sd"),
    )
    W.table(
        "partial_pooling",
        common.checked(GATE, "partial_pooling", pool),
        caption=L(
            "Gevoeligheidsanalyse: partiële pooling (random intercept per pilot), geen ontwerpeffect",
            "Sensitivity analysis: partial pooling (random intercept per pilot), not a design effect",
        ),
    )
    display(
        common.show_person(
            GATE,
            dc.readable(pool.round(3), L),
            L(
                "Gevoeligheidsanalyse: partiële pooling (krimp naar het gemiddelde; vijf pilots)",
                "Sensitivity analysis: partial pooling (shrinkage to the mean; five sites)",
            ),
        )
    )

# %% [markdown]
# **Sensitivity** of the group comparison to the classification scheme (whether forced return or a
# repeat asylum application counts as durable or semi-durable) and to counting formal LVV status only.

# %%
if frame is not None:
    sens = sensitivity_table(frame, A, P.peildatum, schemes=SENS)
    sens_g = disclosure.suppress_rates(dc.sensitivity_summary(sens), P.disclosure_threshold)
    sens_g = common.checked(
        GATE,
        "sensitivity",
        sens_g,
        rates=True,
        versions="scheme",
        version_key=["population", "measure"],
        protect=[P.scheme],
    )  # no small scheme differences
    W.table(
        "sensitivity",
        sens_g,
        caption=L(
            "Bestendig aandeel per groep onder elk schema, alle trajecten en alleen formele status; "
            "95%-BI Wilson; beschrijvend",
            "Durable share per group under every scheme, all trajectories and formal status only; "
            "95% CI Wilson; descriptive",
        ),
    )
    display(
        common.show_person(
            GATE,
            dc.readable(sens_g.frame.round(3), L),
            L("Gevoeligheid voor schema en populatie", "Sensitivity to scheme and population"),
            max_rows=80,
        )
    )
    rng = dc.sensitivity_range(
        sens_g.frame.assign(level="group").dropna(subset=["estimate"])
    )  # released estimates only
    display(
        common.show_person(
            GATE,
            dc.readable(rng.round(3), L),
            L("Bereik van de groepsschattingen (niet-onderdrukt)", "Range of the group estimates (not suppressed)"),
        )
    )

# %%
if frame is not None:
    statement = evidence_statement(res, P.language)
else:
    statement = evidence_statement(pub, P.language)
W.note(statement)
print(statement)

# %% [markdown]
# ## 5. What the evidence can and cannot support
#
# * **Can:** describe how the pilots differ. In the published 2019 figures Eindhoven, the only pilot
#   with a night shelter kept open next to the LVV, had taken in 33 people for 130 places and had 77 %
#   of its places free, while the other pilots had taken in about as many people as they had places;
#   by 1 November 2020 it had 17 departure scenarios and no departures. This fits the evaluators'
#   reading that a voluntary LVV next to an open BBB draws fewer people, but it is one site's figure.
# * **Cannot:** attribute any difference to the design. One parallel-BBB pilot among five means the
#   design group *is* Eindhoven: its size, region, target group, safe-country policy and start date
#   travel with the design. No test over five sites can reach 5 % (the floor is 0.2 with one of five
#   sites, 0.1 with two of five), and person-level intervals do not fix that because persons in a site
#   are not independent draws of the design. The case-mix model adjusts for who entered, not for what
#   else differs between the sites, and partial pooling only shrinks site estimates.
# * **Unknown:** which pilots offer 24-hour shelter is not in the sources, so the "24-hour shelter versus
#   night-only BBB" question in its literal form cannot be answered from the published material.
# * **Data:** by default the person-level section runs on **synthetic** data calibrated to the published
#   totals; its site differences are properties of the generator, not findings about the LVV. On a real
#   export, the same tables are descriptive site comparisons under disclosure control.

# %%
W.finish()
