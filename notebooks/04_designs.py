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

from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common, findings
from lvv_eval.evaluations import design_comparison as dc
from lvv_eval.evaluations.common import analysis_frame, data_banner, load_person_level, note_empty
from lvv_eval.reporting import plots as plotting
from lvv_eval.reporting.formatting import join_list
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters
from lvv_eval.reporting.writer import ReportWriter, show_table
from lvv_eval.stats.sites.compare import compare_groups
from lvv_eval.stats.sites.few_sites import NotIdentifiedError

P = validate_parameters(globals(), notebook="04_designs")
show_published = functools.partial(show_table, kind="published")
L = Labels(P.language)
T = dc.texts(P.language)
W = ReportWriter.from_parameters(P)
A = P.extra.get("attribute", "parallel_bbb")
A_LABEL = dc.attribute_label(A, L)
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
DATE = L.date(P.peildatum)
design = dc.design_long(P.peildatum)
W.table("design_table", design, kind="published", caption=T("design_caption", peildatum=DATE))
show_published(
    dc.design_matrix(P.peildatum, labels=L),
    T("design_title", peildatum=DATE, file=dc.DESIGNS_FILE.name),
)

# %%
unknown = dc.unknown_attributes(P.peildatum)
W.table("design_unknown", unknown, kind="published", caption=T("unknown_caption", peildatum=DATE))
show_published(dc.readable(unknown.rename(columns={"pilots": "pilot"}), L), T("unknown_title"))

# %%
show_published(
    dc.readable(design.loc[design["attribute"] == A, ["pilot", "value", "source"]], L),
    T("attribute_title", attribute=A_LABEL),
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
    caption=T("published_caption", periods=dc.published_period(pub_long, L)),
)
show_published(dc.readable(dc.published_wide(pub_long, L), L), T("published_title"))

# %% [markdown]
# Shares recomputed from the 2019 counts, per pilot and per design group (persons of the pilots in a
# group pooled), with Wilson intervals for shares of people. Intake per place is a ratio (intake since
# the start over the number of places), and occupancy and free places are shares of places, which are
# not a sample: none of these has an interval (interval policy, `docs/methods.md`). Differences between
# the groups use Newcombe's hybrid score interval for shares of people and no interval for places.
# **All of this is descriptive**: an interval describes the sampling of people within the sites, never a
# design effect.

# %%
pub = compare_groups("regioplan-2020", A, differences=True, alpha=dc.ALPHA)  # opt in: descriptive differences
PUB_2019 = pub_long.loc[pub_long["source_id"] == "regioplan-2020"]
PUB_DATE = L.date(pub.peildatum)
W.table(
    "published_rates",
    pub.rates,
    kind="derived",
    caption=T(
        "published_rates_caption",
        peildatum=PUB_DATE,
        source=dc.citation(PUB_2019),
        level=dc.level_text(),
        method=dc.interval_methods(pub.rates, L),
    ),
)
W.table(
    "published_differences",
    pub.differences,
    kind="derived",
    caption=T(
        "published_differences_caption",
        peildatum=PUB_DATE,
        level=dc.level_text(),
        method=dc.interval_methods(pub.differences, L),
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
show_published(dc.readable(pub.rates[cols].round(3), L), T("published_rates_title", peildatum=PUB_DATE))

# %%
show_published(
    dc.readable(pub.differences.drop(columns=["label"]).round(3), L),
    T("differences_title", level=dc.level_text(), method=dc.interval_methods(pub.differences, L)),
)

# %%
dep = dc.departures_per_scenario(A)
MONITOR = pub_long.loc[pub_long["source_id"] == "monitor-2020"]
MONITOR_DATE = L.date(MONITOR["peildatum"].iloc[0])
W.table(
    "published_departures_per_scenario",
    dep,
    kind="derived",
    caption=T("departures_caption", peildatum=MONITOR_DATE, source=dc.citation(MONITOR)),
)
show_published(dc.readable(dep.round(3), L), T("departures_title", peildatum=MONITOR_DATE))

# %%
for note in pub.notes:
    print("-", note)

# %%
uptake = PUB_2019.loc[PUB_2019["measure"].isin(["capacity", "intake", "occupancy"])]
missing = dc.no_exact_occupancy(uptake)
fig = plotting.grouped_bars(
    uptake,
    category="pilot",
    group="measure",
    value="value",
    title=T("uptake_title", peildatum=PUB_DATE),
    xlabel=L.word("pilot"),
    ylabel=T("uptake_ylabel"),
    footnote=T("uptake_footnote", source=dc.citation(uptake))
    + (" " + T("no_exact_occupancy", pilots=dc.pilots_text(missing, L)) if missing else ""),
    labels={p: L.pilot(p) for p in uptake["pilot"]},
    group_order=["capacity", "intake", "occupancy"],
    group_labels={m: L.measure(m) for m in ["capacity", "intake", "occupancy"]},
    fmt=L.number,
)
W.figure(
    "published_uptake",
    fig,
    title=T("uptake_figure_title", year=str(pub.peildatum.year)),
    kind="published",
)
plt.close(fig)
fig  # noqa: B018 - shown as the cell result

# %%
rows = dc.plot_rows(pub.rates, "free_places_rate", "of_capacity", L)
free = pub.rates.loc[pub.rates["measure"] == "free_places_rate"]
fig = plotting.bar_with_ci(
    rows,
    category="label",
    estimate="estimate",
    ci_low="ci_low",
    ci_high="ci_high",
    order=list(rows["label"]),
    title=T("free_title", peildatum=PUB_DATE),
    xlabel="",
    ylabel=T("free_ylabel"),
    footnote=T(
        "free_footnote",
        source=dc.citation(PUB_2019.loc[PUB_2019["measure"].isin(["capacity", "free_places"])]),
        denominator=dc.denominators(free, L),
        method=dc.interval_methods(free, L, skip_none=False),
        attribute=A_LABEL,
    ),
    fmt=L.percent,
)
W.figure(
    "published_free_places",
    fig,
    title=T("free_figure_title", year=str(pub.peildatum.year)),
    kind="derived",
)
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
# `data_source = "published"` this section is skipped. Every person-level table of this report is
# registered with the disclosure gate (threshold `disclosure_threshold`) before any is shown, so a
# count suppressed in one table is suppressed in all of them; the list of suppressed cells is shown
# under the count tables. Shares whose numerator, or denominator minus numerator, is below the
# threshold are hidden, and so are group differences and curves built on such counts.

# %%
MD = load_person_level(P)
print(note_empty(W, MD, L))
if MD is None:
    print(T("skipped"))
    frame = None
else:
    frame = analysis_frame(MD.frame, P.pilots)
    PT = dc.register_person_tables(GATE, MD, frame, P, A, SENS)
    res = PT.result
    print(data_banner(P, L))
    display(*dc.publish(W, GATE, "validation_flow", T("flow_caption"), T("flow_title"), L))
    for note in res.notes:
        print("-", note)

# %%
if frame is not None:
    display(
        *dc.publish(
            W,
            GATE,
            "person_uptake_counts",
            T("uptake_counts_caption", peildatum=DATE),
            T("uptake_counts_title"),
            L,
            cells=True,
        )
    )
    display(
        *dc.publish(
            W,
            GATE,
            "person_outflow_counts",
            T("outflow_counts_caption", scheme=dc.scheme_title(P.scheme, P.language), peildatum=DATE),
            T("outflow_counts_title"),
            L,
            scheme=P.scheme,
            cells=True,
        )
    )

# %%
if frame is not None:
    display(
        *dc.publish(
            W,
            GATE,
            "person_rates",
            T(
                "rates_caption",
                peildatum=DATE,
                denominators=dc.denominators(res.rates, L),
                level=dc.level_text(),
                method=dc.interval_methods(res.rates, L),
            ),
            T("rates_title"),
            L,
            scheme=P.scheme,
            columns=cols + ["suppression_rule"],
            max_rows=120,
        )
    )

# %%
if frame is not None:
    display(
        *dc.publish(
            W,
            GATE,
            "person_differences",
            T(
                "person_differences_caption",
                level=dc.level_text(),
                method=dc.interval_methods(res.differences, L),
            ),
            T("person_differences_title"),
            L,
            scheme=P.scheme,
            drop=["label"],
        )
    )

# %%
if frame is not None:
    occ = GATE.release("person_occupancy_over_time")
    W.table("person_occupancy_over_time", occ, caption=T("occupancy_caption", peildatum=DATE))
    pil = occ.frame.loc[occ.frame["level"] == "pilot"].astype({"present": "float64"})
    fig = plotting.line_over_time(
        pil,
        time="date",
        value="present",
        group="unit",
        reference="capacity",
        reference_label=T("capacity_dashed"),
        labels={p: L.pilot(p) for p in pil["unit"]},
        title=T("occupancy_title"),
        xlabel=T("month"),
        ylabel=T("present_trajectories"),
        footnote=(L.word("synthetic") + ". " if P.is_synthetic else "") + T("occupancy_footnote"),
        fmt=L.number,
    )
    W.figure(
        "person_occupancy",
        common.figure_from(GATE, "person_occupancy", fig, occ),
        title=T("occupancy_figure_title"),
    )
    plt.close(fig)
    display(fig)

# %%
if frame is not None:
    rates = GATE.released["person_rates"]
    for measure in ("outflow_share_of_intake", "outflow_share_of_outflow"):
        rows = dc.plot_rows(rates.frame, measure, "durable", L)
        den = dc.denominators(rates.frame.loc[rates.frame["measure"] == measure], L)
        fig = plotting.bar_with_ci(
            rows,
            category="label",
            estimate="estimate",
            ci_low="ci_low",
            ci_high="ci_high",
            order=list(rows["label"]),
            title=T("share_title", denominator=den, peildatum=DATE),
            xlabel="",
            ylabel=L.word("share"),
            footnote=T(
                "share_footnote",
                denominator=den,
                level=dc.level_text(),
                method=dc.interval_methods(rates.frame.loc[rates.frame["measure"] == measure], L),
                scheme=dc.scheme_title(P.scheme, P.language),
            ),
            fmt=L.percent,
        )
        W.figure(
            f"person_{measure}_durable",
            common.figure_from(GATE, f"person_{measure}_durable", fig, rates),
            title=T("share_figure_title", denominator=den),
        )
        plt.close(fig)
        display(fig)

# %% [markdown]
# Time to a durable outcome: Aalen-Johansen cumulative incidence per design group with the other
# outcome classes as competing events and people still present censored at the peildatum (never
# 1 minus Kaplan-Meier for one cause), and the Kaplan-Meier median length of stay (time to any exit).

# %%
if frame is not None:
    los = GATE.release("person_length_of_stay")
    display(
        *dc.publish(
            W,
            GATE,
            "person_length_of_stay",
            T("los_caption", peildatum=DATE, method=dc.interval_methods(los.frame, L)),
            T("los_title"),
            L,
            drop=["ci_method"],
        )
    )
    cif = GATE.release("person_cumulative_incidence")
    horizons = join_list([L.number(h) for h in dict.fromkeys(cif.frame["horizon_days"])], P.language)
    display(
        *dc.publish(
            W,
            GATE,
            "person_cumulative_incidence",
            T(
                "cif_caption",
                horizons=horizons,
                level=dc.level_text(),
                method=dc.interval_methods(cif.frame, L),
                threshold=L.number(P.disclosure_threshold),
            ),
            T("cif_table_title"),
            L,
            scheme=P.scheme,
            drop=["ci_method"],
            max_rows=80,
        )
    )

# %%
if frame is not None:
    cif = GATE.released["person_cumulative_incidence"]
    curves = dc.plottable_curves(
        PT.curves, cif.frame, dc.GROUP_COLUMN, P.disclosure_threshold, hidden=cif.mask.any(axis=1)
    )
    fig = plotting.cif_plot(
        curves,
        time="time_days",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        panel="outcome",
        group=dc.GROUP_COLUMN,
        panel_order=list(PT.scheme.class_ids),
        panel_labels={c: L.outcome_class(P.scheme, c) for c in PT.scheme.class_ids},
        labels={g: dc.group_label(g, L) for g in set(curves[dc.GROUP_COLUMN])},
        months=True,
        title=T("cif_title", attribute=A_LABEL),
        xlabel=L.word("time_months"),
        ylabel=L.word("cumulative_incidence"),
        footnote=T("cif_footnote", level=dc.level_text(), method=dc.interval_methods(cif.frame, L)),
        figsize=(9.0, 4.0),
    )
    W.figure(
        "person_cif",
        common.figure_from(GATE, "person_cif", fig, cif),
        title=T("cif_figure_title"),
    )
    plt.close(fig)
    display(fig)

# %% [markdown]
# Asking for a p-value for the design contrast is refused by the package; the message explains why and
# gives the smallest p-value a permutation test over the sites could reach.

# %%
if frame is not None:
    try:
        compare_groups(frame, A, peildatum=P.peildatum, scheme=PT.scheme, p_values=True)
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
    display(
        *dc.publish(W, GATE, "casemix_accounting", T("accounting_caption", peildatum=DATE), T("accounting_title"), L)
    )
    dropped = GATE.release("casemix_dropped")
    if len(dropped.frame):
        display(show_table(dc.view(dropped, L), T("dropped_title"), kind=dropped.kind))
    print(T("model", status=T("status_" + PT.model.status), formula=PT.model.formula))
    if PT.model.warnings:
        print(T("model_warnings", n=L.number(len(PT.model.warnings))))
    display(
        *dc.publish(
            W,
            GATE,
            "casemix_coefficients",
            T("coefficients_caption"),
            T("coefficients_title"),
            L,
            drop=["estimate", "std_err", "ci_low", "ci_high"],
        )
    )

# %%
if frame is not None:
    from lvv_eval.stats.sites.case_mix import SEPARATING  # after the parameter check: a tuple is no parameter

    display(*dc.publish(W, GATE, "casemix_standardised", T("standardised_caption"), T("standardised_title"), L))
    display(
        *dc.publish(
            W,
            GATE,
            "casemix_with_and_without",
            T("with_without_caption", covariates=join_list([L.word(c) for c in SEPARATING], P.language)),
            T("with_without_title"),
            L,
        )
    )
    if PT.needs:
        W.note(PT.needs)
        print(PT.needs)
    display(
        *dc.publish(
            W,
            GATE,
            "partial_pooling",
            T("pooling_caption"),
            T("pooling_title", n=L.number(frame["pilot"].nunique())),
            L,
        )
    )

# %% [markdown]
# **Sensitivity** of the group comparison to the classification scheme (whether forced return or a
# repeat asylum application counts as durable or semi-durable) and to counting formal LVV status only.

# %%
if frame is not None:
    sens = GATE.release("sensitivity")
    display(
        *dc.publish(
            W,
            GATE,
            "sensitivity",
            T("sensitivity_caption", level=dc.level_text(), method=dc.interval_methods(sens.frame, L)),
            T("sensitivity_title"),
            L,
            max_rows=80,
        )
    )
    rng = dc.release_range(GATE, GATE.released["sensitivity"])
    display(show_table(dc.view(rng, L), T("range_title"), kind=rng.kind))

# %%
if frame is not None:
    statement = dc.evidence_statement(res, P.language, labelled=True)
else:
    statement = dc.evidence_statement(pub, P.language, labelled=True)
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

# %% [markdown]
# ## Key findings for the report's summary
# Recomputed from the published figures (`lvv_eval.evaluations.findings`), with the limit of a
# comparison between the groups of this run.

# %%
findings.record(W, findings.designs(P.language, A, (res if frame is not None else pub).groups))

# %%
W.finish()
