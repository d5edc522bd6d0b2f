# %% [markdown]
# # 03 Final evaluation: Regioplan 2022 (peildatum July 2022)
#
# Reproduces the national figures of the final evaluation of the LVV pilot by Regioplan
# Beleidsonderzoek for the WODC (source `004_b44b716732003f66.txt`, first paragraph and
# 'Resultaten van de LVV'): 2065 participants since mid-2019, 1258 of them outflowed by
# July 2022, and of that outflow 18 % durable, 41 % semi-durable and 41 % no solution.
#
# **Published vs computed.** The figures themselves are *published* (read from
# `data/published/figures.csv`, source `regioplan-2022`). Everything built on them here is
# *derived*: the counts each rounded share allows, the combinations that sum to 1258, Wilson
# intervals on the closest combination, and the durable share with the intake as denominator
# (as Regioplan 2020 did, source `001_08a3e7995258f26d.txt` Tabel S.2). The source publishes **no
# per-pilot figures**, so every per-pilot number below is computed from person-level data
# (by default the SYNTHETIC monitor file, which is not real people).
#
# **Re-run** with other parameters, e.g.
# `lvv-eval run notebooks/03_final.ipynb -p language en -p scheme monitor-2020 -p peildatum 2021-12-31`
# or `-p data_source published` (published part only) or `-p data_source path/to/export.csv`.

# %% tags=["parameters"]
data_source: str = "synthetic"  # published, synthetic, or the path of a monitor export (csv/xlsx)
peildatum: str = "2022-07-01"  # reference date yyyy-mm-dd (the final evaluation counts until July 2022)
scheme: str = "regioplan-2022"  # classification scheme of the exit reasons for person-level tables
pilots: list = []  # pilot codes to report on; empty list means all five pilots
language: str = "nl"  # report language, nl or en
output_dir: str = ""  # folder for tables and figures; empty means reports/03_final
disclosure_threshold: int = 10  # person-level counts below this number are suppressed
formal_only: bool = False  # count only trajectories with formal LVV status
horizons_months: list = [6, 12, 18]  # horizons for the cumulative incidence table, months since intake

# %%
import matplotlib.pyplot as plt
from IPython.display import display

from lvv_eval.disclosure import checked as disclosure_checked
from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common, final, findings, policy, three_evaluations
from lvv_eval.evaluations import report_cells as cells
from lvv_eval.reference.schemes import list_schemes, load_scheme
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters
from lvv_eval.reporting.plots import bar_with_ci, cif_plot, grouped_bars, line_over_time, stacked_shares
from lvv_eval.reporting.writer import ReportWriter, say
from lvv_eval.stats import survival

P = validate_parameters(globals(), notebook="03_final")
L = Labels(P.language)
T = final.texts(P.language)
W = ReportWriter.from_parameters(P)
SCHEME = load_scheme(P.scheme)
SCHEME_NAME = SCHEME.name  # shown in captions (a scheme given as a file path is named by its own name)
SUPPRESSED = L.word("suppressed_value")
SYNTHETIC = (" " + final.synthetic_note(L, P.is_synthetic)) if P.is_synthetic else ""
PEILDATUM = L.date(P.peildatum)
PUB = final.published_final()

# %% [markdown]
# ## 1. The published figures
#
# The headline cells below print the published figures as the package reads and recomputes
# them. 807 participants not (yet) outflowed and the 61 % outflow share are *derived*
# (2065 - 1258; 1258 / 2065 = 60.9 %); the source does not print them.

# %%
# NBVAL_CHECK_OUTPUT
for line in final.published_lines(L, PUB):
    print(line)


# %%
# NBVAL_CHECK_OUTPUT
for line in final.range_lines(L, PUB):
    print(line)


# %%
final.show_published(W, L)


# %% [markdown]
# ### Counts behind the rounded shares
#
# Each printed percentage allows a range of counts of the 1258 outflowed participants
# (`rounding.share_ranges`; both half-up and half-even rounding accepted). Combining the three
# ranges so that they sum to 1258 leaves the combinations counted above; the closest one to the
# exact shares is 226 / 516 / 516. The Wilson intervals use those **reconstructed** counts: the
# source publishes percentages, not counts, so the intervals show the sampling uncertainty a count
# of that size would have, not a published interval.

# %%
final.show_reconstructed(W, L, PUB)

# %%
fig = final.published_shares_figure(W, L, PUB)
display(fig)
plt.close(fig)

# %% [markdown]
# ### The denominator matters
#
# Regioplan 2020 divided durable outflow by total **intake**; Regioplan 2022 divides by total
# **outflow**. Re-expressed with the 2065 participants as denominator, the durable count range
# 221-232 is 10.7-11.2 % of intake: about 11 % instead of 18 %. People still in the LVV (807)
# have no outcome yet, so the intake version understates the eventual durable share and the
# outflow version overstates it for quick exits; neither is the probability of a durable
# outcome for an entrant (see the cumulative incidence in section 2).

# %%
line, table = final.show_intake_denominator(W, L, PUB)
print(line)
display(table)

# %% [markdown]
# **No per-pilot figures are published in the source.** The final evaluation gives national
# figures only, so the per-pilot results in section 2 can only come from person-level data. With
# the default `data_source` these are SYNTHETIC: calibrated to the national totals, with a
# per-pilot split that is an assumption of the generator, not a finding.
#
# ## 2. Person-level figures
#
# Skipped when `data_source` is `"published"`. The scheme, peildatum, pilots and population are
# the notebook parameters; the comparison with the published figures counts the way the source
# counts (its own scheme and peildatum).

# %%
MD = common.load_person_level(P)
print(common.note_empty(W, MD, L))
KIND = "synthetic" if P.is_synthetic else "person-level"
GATE = Gate(P.disclosure_threshold, kind=KIND, report=P.notebook, aliases=common.total_aliases(P))
FRAME = common.analysis_frame(MD.frame, P.pilots) if MD is not None else None
PILOTS = list(P.pilots) or None
print(common.data_banner(P, L))
if MD is not None:
    print(T("rows_read", read=len(MD.frame) + len(MD.exclusions), excluded=len(MD.exclusions)))
    W.note(common.data_banner(P, L))

# %%
if MD is not None and len(MD.exclusions):
    display(common.show_person(GATE, MD.problem_summary(), T("excluded_title")))

# %% [markdown]
# ### Flow at the peildatum, with disclosure control
#
# Intake on or before the peildatum = still present + outflow per class. Counts below the
# threshold are hidden, and so are the cells that would let them be recovered from the row
# relation (intake = present + classes) or the column relation (total = sum of pilots). Shares
# and rates below are hidden wherever their count is hidden.

# %%
print(GATE.explanation(P.language))
W.note(GATE.explanation(P.language))
if FRAME is not None:
    COUNTS = final.flow_by_pilot(FRAME, P.peildatum, SCHEME, pilots=PILOTS, formal_only=P.formal_only)
    SUPP = final.suppress_flow(COUNTS, P.disclosure_threshold)
    flow_names = {
        "pilot": "pilot",
        "intake": "intake",
        "present": "present",
        "outflow": "outflow",
        **{c: L.outcome_class(P.scheme, c) for c in SCHEME.class_ids},
    }
    flow_show = SUPP.table.reset_index().assign(pilot=lambda d: [L.pilot(p) for p in d["pilot"]])
    flow_show = L.columns(flow_show, flow_names)
    caption = T("flow_caption", scheme=SCHEME_NAME, peildatum=PEILDATUM, threshold=L.number(P.disclosure_threshold))
    display(
        cells.write_person_table(
            W, GATE, "flow_by_pilot", flow_show, caption=caption, title=T("flow_title"), shown=L.formatted(flow_show)
        )
    )
    display(common.show_person(GATE, L.suppression_report(SUPP.report), T("suppressed_cells")))

# %% [markdown]
# ### Person-level figures vs the published national figures
#
# The source publishes national counts only (2065, 1258 and the class counts it implies are
# not published as counts), so the comparison has one row per published count.

# %%
if FRAME is not None:
    vs = common.published_vs_person(FRAME, P, final.SOURCE_ID)
    print(common.note_scope(W, FRAME, P, [final.SOURCE_ID], L))
    vs_show = L.columns(vs.assign(pilot=[L.pilot(p) for p in vs["pilot"]]), {"person_level": T("col_person_level")})
    caption = T("vs_caption", source=final.regioplan(L, final.SOURCE_ID))
    display(
        cells.write_person_table(
            W, GATE, "published_vs_person", vs_show, caption=caption, title=T("vs_title"), shown=L.formatted(vs_show)
        )
    )
    total_shares = common.checked(
        GATE,
        "class_shares_total",
        final.class_shares_from_counts(COUNTS.loc[["total"]], SCHEME.class_ids),
        counts=["numerator", "denominator"],
        rates=True,
        group="pilot",
    )
    for cat in total_shares.frame["category"]:
        say(
            GATE.text(
                T.mapping["text_share_of_outflow"],
                outcome=L.outcome_class(P.scheme, cat),
                share=(total_shares.value("estimate", category=cat), L.percent),
                ci=(
                    total_shares.value("ci_low", category=cat),
                    total_shares.value("ci_high", category=cat),
                    L.interval,
                ),
                n=(total_shares.value("denominator", category=cat), L.number),
            )
        )

# %% [markdown]
# ### Outflow class shares per pilot
#
# Denominator: the pilot's outflow by the peildatum. Wilson 95 % intervals treat the people
# of a pilot as independent; differences between pilots are descriptive (five sites, designs
# vary only between sites: no test is done).

# %%
if FRAME is not None:
    SHARES = common.hide_masked_rates(
        final.class_shares_from_counts(COUNTS, SCHEME.class_ids), SUPP.mask, denominator_cell="outflow"
    )
    share_cols = [
        "pilot",
        "category",
        "numerator",
        "denominator",
        "denominator_label",
        "estimate",
        "ci_low",
        "ci_high",
        "ci_method",
        "suppressed",
    ]
    shares_show = SHARES[share_cols].assign(
        pilot=[L.pilot(p) for p in SHARES["pilot"]], category=[L.outcome_class(P.scheme, c) for c in SHARES["category"]]
    )
    shares_display = L.formatted(shares_show, percent=["estimate", "ci_low", "ci_high"])
    shares_show = L.columns(shares_show, {"category": "outcome", "suppressed": T("col_suppressed")})
    display(
        cells.write_person_table(
            W,
            GATE,
            "class_shares_by_pilot",
            shares_show,
            caption=T("class_shares_caption", peildatum=PEILDATUM, ci=cells.interval_of(T, L, SHARES)),
            title=T("class_shares_title"),
            shown=L.columns(shares_display, {"category": "outcome", "suppressed": T("col_suppressed")}),
        )
    )
    pilot_labels = {p: L.pilot(p) for p in SHARES["pilot"].unique()}
    class_labels = {c: L.outcome_class(P.scheme, c) for c in SCHEME.class_ids}
    # a share the gate hides in the released table (its own rules or a linked table) is drawn as suppressed
    SHARES_DRAWN = common.with_released_mask(SHARES, GATE.released["class_shares_by_pilot"], "estimate", L)
    fig = stacked_shares(
        SHARES_DRAWN.fillna({"estimate": 0.0}),
        category="pilot",
        part="category",
        share="estimate",
        part_order=list(SCHEME.class_ids),
        labels=pilot_labels,
        part_labels=class_labels,
        title=T("class_shares_chart_title"),
        xlabel=T("axis_share_outflow"),
        ylabel="",
        footnote=T("class_shares_footnote", peildatum=PEILDATUM, mark=disclosure_checked.SUPPRESSION_MARK) + SYNTHETIC,
        fmt=L.percent,
    )
    W.figure(
        "class_shares_by_pilot",
        common.figure_from(GATE, "class_shares_by_pilot", fig, GATE.released["class_shares_by_pilot"]),
        title=T("class_shares_title"),
    )
    display(fig)
    plt.close(fig)

# %%
if FRAME is not None:
    durable_share = SHARES_DRAWN.loc[SHARES_DRAWN["category"] == "durable"]
    fig = bar_with_ci(
        durable_share,
        category="pilot",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        labels=pilot_labels,
        title=T("durable_title"),
        xlabel=T("axis_pilot"),
        ylabel=T("axis_share_durable"),
        footnote=T("durable_footnote", peildatum=PEILDATUM, ci=cells.interval_of(T, L, durable_share)) + SYNTHETIC,
        fmt=L.percent,
        missing_label=SUPPRESSED,
    )
    W.figure(
        "durable_share_by_pilot",
        common.figure_from(GATE, "durable_share_by_pilot", fig, GATE.released["class_shares_by_pilot"]),
        title=T("durable_figure"),
    )
    display(fig)
    plt.close(fig)

# %% [markdown]
# ### Durable rate relative to intake vs relative to outflow
#
# The same durable count divided by two denominators. The gap between the two is largest
# where many people are still present, so a pilot ranking can change with the denominator.

# %%
if FRAME is not None:
    CONTRAST = final.denominator_contrast_suppressed(COUNTS, SUPP.mask)
    contrast_show = CONTRAST[
        [
            "pilot",
            "denominator_kind",
            "numerator",
            "denominator",
            "denominator_label",
            "estimate",
            "ci_low",
            "ci_high",
            "ci_method",
            "suppressed",
        ]
    ]
    contrast_show = L.columns(
        contrast_show.assign(
            pilot=[L.pilot(p) for p in contrast_show["pilot"]],
            denominator_kind=[L.measure(k) for k in contrast_show["denominator_kind"]],
        )
    )
    display(
        cells.write_person_table(
            W,
            GATE,
            "durable_intake_vs_outflow",
            contrast_show,
            caption=T("contrast_caption", peildatum=PEILDATUM, ci=cells.interval_of(T, L, CONTRAST)),
            title=T("contrast_title"),
            shown=L.formatted(contrast_show, percent=[L.word("estimate"), L.word("ci_low"), L.word("ci_high")]),
        )
    )
    den_labels = {kind: T(f"denominator_{kind}") for kind in ("intake", "outflow")}
    fig = grouped_bars(
        CONTRAST,
        category="pilot",
        group="denominator_kind",
        value="estimate",
        percent=True,
        labels=pilot_labels,
        group_labels=den_labels,
        group_order=["intake", "outflow"],
        title=T("contrast_chart_title"),
        xlabel=T("axis_pilot"),
        ylabel=T("axis_share_durable"),
        footnote=T("contrast_footnote", peildatum=PEILDATUM) + SYNTHETIC,
        fmt=L.percent,
        missing_label=SUPPRESSED,
    )
    W.figure(
        "durable_intake_vs_outflow",
        common.figure_from(GATE, "durable_intake_vs_outflow", fig, GATE.released["durable_intake_vs_outflow"]),
        title=T("contrast_title"),
    )
    display(fig)
    plt.close(fig)

# %% [markdown]
# ### Cumulative incidence with competing risks
#
# Probability that an entrant has left with each outcome within *h* months of intake
# (Aalen-Johansen; the other outcomes compete, people still present are censored at the
# peildatum). Never 1 - Kaplan-Meier for a single outcome. Horizons are a parameter; where the
# follow-up is too short the estimate is missing.

# %%
if FRAME is not None:
    CIF_SUP = final.cif_horizons_suppressed(
        FRAME,
        P.peildatum,
        SCHEME,
        P.extra["horizons_months"],
        P.disclosure_threshold,
        SUPP.mask,
        formal_only=P.formal_only,
    )
    CIF = CIF_SUP.table
    HORIZONS = "/".join(L.number(m) for m in P.extra["horizons_months"])
    cif_show = CIF[
        [
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
    ]
    cif_show = cif_show.assign(
        pilot=[L.pilot(p) for p in cif_show["pilot"]],
        outcome=[L.outcome_class(P.scheme, c) for c in cif_show["outcome"]],
    )
    cif_show = L.columns(
        cif_show,
        {
            "horizon_months": T("col_horizon_months"),
            "horizon_days": T("col_horizon_days"),
            "n": T("col_entered"),
            "n_events": T("col_left_with_outcome"),
            "estimate": "cumulative_incidence",
            "suppressed": T("col_suppressed"),
        },
    )
    caption = T(
        "cif_caption",
        horizons=HORIZONS,
        peildatum=PEILDATUM,
        ci=cells.interval_of(T, L, CIF, default_method="log-log"),
        threshold=L.number(P.disclosure_threshold),
    )
    display(
        cells.write_person_table(
            W,
            GATE,
            "cumulative_incidence_horizons",
            cif_show,
            caption=caption,
            title=T("cif_title"),
            shown=L.formatted(cif_show, percent=[L.word("cumulative_incidence"), L.word("ci_low"), L.word("ci_high")]),
            max_rows=120,
        )
    )
    display(common.show_person(GATE, L.suppression_report(CIF_SUP.report), T("suppressed_cells")))

# %%
if FRAME is not None:
    curves = survival.cif_curves(
        FRAME, P.peildatum, SCHEME, by="pilot", formal_only=P.formal_only, min_at_risk=P.disclosure_threshold
    )
    curves = common.hide_cif_curves(
        curves,
        P.disclosure_threshold,
        hidden=zip(CIF.loc[CIF["suppressed"], "pilot"], CIF.loc[CIF["suppressed"], "outcome"]),
    )
    fig = cif_plot(
        curves,
        time="time_days",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        panel="outcome",
        group="pilot",
        panel_order=list(SCHEME.class_ids),
        panel_labels=class_labels,
        labels=pilot_labels,
        months=True,
        figsize=(10, 4.5),
        title=T("cif_chart_title"),
        xlabel=T("axis_months_since_intake"),
        ylabel=T("axis_cumulative_incidence"),
        footnote=T("cif_footnote", peildatum=PEILDATUM, ci=cells.interval_of(T, L, CIF, default_method="log-log"))
        + SYNTHETIC,
    )
    W.figure(
        "cumulative_incidence",
        common.figure_from(GATE, "cumulative_incidence", fig, GATE.released["cumulative_incidence_horizons"]),
        title=T("cif_title"),
    )
    display(fig)
    plt.close(fig)

# %% [markdown]
# ### Complete follow-up: outcome within 12 months
#
# Among people who entered at least 365 days before the peildatum (so all were followed for a
# full year), the share with each outcome within 365 days. No censoring model, but it
# describes the earlier intake cohorts only.

# %%
if FRAME is not None:
    FIXED_DAYS = final.COMPLETE_FOLLOWUP_DAYS
    FIXED_MONTHS = round(FIXED_DAYS / final.DAYS_PER_MONTH)
    FIXED = survival.fixed_horizon_shares(
        FRAME, P.peildatum, SCHEME, horizon_days=FIXED_DAYS, by="pilot", formal_only=P.formal_only
    )
    FIXED = disclosure.suppress_rates(FIXED, P.disclosure_threshold, complement=False, group="pilot")
    fixed_show = FIXED.assign(
        pilot=[L.pilot(p) for p in FIXED["pilot"]], outcome=[L.outcome_class(P.scheme, c) for c in FIXED["outcome"]]
    )
    fixed_show = L.columns(
        fixed_show.drop(columns=["horizon_days"]),
        {"suppressed": T("col_suppressed"), "suppression_rule": T("col_suppression_rule")},
    )
    display(
        cells.write_person_table(
            W,
            GATE,
            "complete_followup_365",
            fixed_show,
            caption=T(
                "fixed_caption", days=L.number(FIXED_DAYS), peildatum=PEILDATUM, ci=cells.interval_of(T, L, FIXED)
            ),
            title=T("fixed_title", months=L.number(FIXED_MONTHS)),
            shown=L.formatted(fixed_show, percent=[L.word("estimate"), L.word("ci_low"), L.word("ci_high")]),
        )
    )

# %% [markdown]
# ### Length of stay
#
# Kaplan-Meier median time to any exit, people still present censored at the peildatum.

# %%
if FRAME is not None:
    LOS = final.length_of_stay_table(FRAME, P.peildatum, SUPP.mask, P.disclosure_threshold, formal_only=P.formal_only)
    los_show = L.columns(
        LOS.assign(pilot=[L.pilot(p) for p in LOS["pilot"]]),
        {
            "n": T("col_entered"),
            "n_events": T("col_left"),
            "n_censored": T("col_censored"),
            "median_days": T("col_median_days"),
            "median_months": T("col_median_months"),
            "suppressed": T("col_suppressed"),
        },
    )
    caption = T("los_caption", peildatum=PEILDATUM, ci=cells.interval_phrase(T, L, "median", cells.ci_level(LOS)))
    display(
        cells.write_person_table(
            W,
            GATE,
            "length_of_stay",
            los_show,
            caption=caption,
            title=T("los_title"),
            shown=L.formatted(los_show, decimals=1),
        )
    )

# %% [markdown]
# ### Occupancy over time
#
# Persons present on the first day of each month, 2019 up to the peildatum, against the most
# recent published capacity (the 2020 monitor, 1142 places; source 002). Monthly counts below the
# threshold are hidden.

# %%
if FRAME is not None:
    CAP = final.capacity_by_pilot(P.peildatum)
    CAPACITY_SOURCE = final.capacity_source(L, CAP)
    OCC = final.occupancy_over_time(
        FRAME,
        P.peildatum,
        threshold=P.disclosure_threshold,
        hidden_pilots=[p for p in SUPP.mask.index if SUPP.mask.loc[p, "present"]],
    )
    occ_show = OCC.assign(date=OCC["date"].dt.date.astype("str"), pilot=[L.pilot(p) for p in OCC["pilot"]])
    occ_show = L.columns(occ_show, {"date": T("col_date"), "suppressed": T("col_suppressed")})
    W.table(
        "occupancy_over_time",
        common.checked(GATE, "occupancy_over_time", occ_show),
        caption=T("occupancy_caption", capacity_source=CAPACITY_SOURCE),
    )
    fig = line_over_time(
        OCC.astype({"present": "float64"}),
        time="date",
        value="present",
        group="pilot",
        reference=dict(zip(CAP["pilot"], CAP["capacity"])),
        reference_label=T("capacity_published"),
        labels=pilot_labels,
        markers=False,
        title=T("occupancy_chart_title"),
        xlabel=T("axis_month"),
        ylabel=T("axis_present"),
        footnote=T(
            "occupancy_footnote_synthetic" if P.is_synthetic else "occupancy_footnote_person",
            capacity_source=CAPACITY_SOURCE,
        ),
        fmt=L.number,
    )
    W.figure(
        "occupancy_over_time",
        common.figure_from(GATE, "occupancy_over_time", fig, GATE.released["occupancy_over_time"]),
        title=T("occupancy_figure"),
    )
    display(fig)
    plt.close(fig)

# %% [markdown]
# ### Sensitivity to the classification scheme
#
# The durable share of the outflow under each of the four shipped schemes, nationally and per
# pilot. The schemes differ mainly in forced return and immigration detention (see
# `lvv-eval schemes`), so the spread shows how much of a difference between evaluations is
# definitional. Each scheme's rates are suppressed consistently with that scheme's own
# suppressed flow table; differences between schemes can still narrow down small exit-reason
# counts (e.g. forced return), so with real data check those counts before publishing this table.

# %%
if FRAME is not None:
    SENS = common.scheme_sensitivity(
        FRAME, P.peildatum, schemes=sorted(set(list_schemes()) | {P.scheme}), formal_only=P.formal_only
    )
    keep = list(P.pilots) + ["total"] if P.pilots else None
    if keep:
        SENS = SENS.loc[SENS["pilot"].isin(keep)].reset_index(drop=True)
    SENS = final.suppress_scheme_sensitivity(
        SENS, FRAME, P.peildatum, P.disclosure_threshold, pilots=PILOTS, formal_only=P.formal_only, protect=[P.scheme]
    )
    SENS = SENS.assign(scheme=[load_scheme(s).name for s in SENS["scheme"]])  # a scheme file is shown by its name
    sens_cols = [
        "scheme",
        "pilot",
        "denominator_kind",
        "numerator",
        "denominator",
        "denominator_label",
        "estimate",
        "ci_low",
        "ci_high",
        "ci_method",
        "suppressed",
    ]
    sens_show = L.columns(
        SENS[sens_cols].assign(
            pilot=[L.pilot(p) for p in SENS["pilot"]], denominator_kind=[L.measure(k) for k in SENS["denominator_kind"]]
        )
    )
    caption = T(
        "sensitivity_caption", schemes=", ".join(dict.fromkeys(SENS["scheme"])), ci=cells.interval_of(T, L, SENS)
    )
    display(
        cells.write_person_table(
            W,
            GATE,
            "scheme_sensitivity",
            sens_show,
            caption=caption,
            title=T("sensitivity_title"),
            shown=L.formatted(sens_show, percent=[L.word("estimate"), L.word("ci_low"), L.word("ci_high")]),
            max_rows=80,
        )
    )
    sens_out = SENS.loc[(SENS["denominator_kind"] == "outflow").to_numpy()]
    fig = grouped_bars(
        sens_out,
        category="pilot",
        group="scheme",
        value="estimate",
        percent=True,
        labels=pilot_labels,
        group_order=list(dict.fromkeys(SENS["scheme"])),
        order=list(dict.fromkeys(SENS["pilot"])),
        missing_label=SUPPRESSED,
        title=T("sensitivity_chart_title"),
        xlabel=T("axis_pilot"),
        ylabel=T("axis_share_durable"),
        footnote=T("sensitivity_footnote", peildatum=PEILDATUM) + SYNTHETIC,
        fmt=L.percent,
        value_labels=False,
        figsize=(8, 4.5),
    )
    W.figure(
        "scheme_sensitivity",
        common.figure_from(GATE, "scheme_sensitivity", fig, GATE.released["scheme_sensitivity"]),
        title=T("sensitivity_title"),
    )
    display(fig)
    plt.close(fig)

# %% [markdown]
# ### The three evaluations on one scale
#
# Durable, semi-durable and no-solution shares of the outflow at the peildata of the three
# evaluations (31 December 2019, 1 November 2020, July 2022) under every shipped scheme: the
# comparison none of the sources could make, because each used its own convention. Each value
# says where it comes from: published (printed by the source), derived (computed from the
# source's published counts, the computation in the last column) or person-level (recomputed
# from the person-level data, through the disclosure gate).

# %%
THREE = three_evaluations.three_evaluations(
    FRAME, schemes=sorted(set(list_schemes()) | {P.scheme}), formal_only=P.formal_only, pilots=list(P.pilots)
)
three_table, fig = three_evaluations.write_section(W, GATE, L, THREE, protect=[SCHEME_NAME])
display(three_table)
display(fig)
plt.close(fig)

# %% [markdown]
# ### Policy figures: flow, durable outflow per quarter, capacity and occupancy
#
# The flow from intake through the counselling scenario to the outcome per pilot, the durable
# outflow per quarter and the persons present against the published capacity over time.
# Counts pass the disclosure gate; suppressed flows and bars are drawn hatched and marked, never
# with their value.

# %%
if FRAME is not None:
    for fig in policy.write_figures(
        W, GATE, L, FRAME, P.peildatum, SCHEME, formal_only=P.formal_only, pilots=list(P.pilots)
    ):
        display(fig)
        plt.close(fig)

# %% [markdown]
# ## 3. What the final figures can and cannot support
#
# * **Published figures.** The final evaluation supports one national statement: of the 1258
#   people who had left by July 2022, about 18 % (221-232 people) left with a durable solution,
#   41 % semi-durable and 41 % without a solution. The counts are reconstructed from rounded
#   percentages; 120 combinations fit, so any count-based interval is approximate.
# * **Denominators.** 18 % is a share of the *outflow*. With the *intake* as denominator (as
#   Regioplan 2020) the same durable count is about 11 % of 2065 participants. Neither is the
#   probability that an entrant reaches a durable solution: 807 people had no outcome yet. The
#   2020 and 2022 percentages are not directly comparable.
# * **Competing risks.** Outcomes exclude each other; the cumulative incidence (Aalen-Johansen)
#   with people still present censored at the peildatum is the estimate for an entrant, at fixed
#   horizons, and the complete-follow-up shares give the same for the early cohorts without a
#   model. 1 - Kaplan-Meier for one outcome would overstate it.
# * **Per-pilot differences** are descriptive. The source publishes no per-pilot figures; the
#   per-pilot numbers come from person-level data (SYNTHETIC by default, whose per-pilot split
#   is an assumption). The pilots differ in target group, design and timing, with only five
#   sites, so no test between pilots is made and no difference is attributed to a design.
# * **Schemes.** The durable share depends on how forced return, detention and medical
#   postponement are classified; the sensitivity table shows by how much.

# %% [markdown]
# ## Uitspraken in de bron getoetst / The source's statements checked
# Each numeric statement in the source's text, tested against the published figures
# (`data/published/claims.csv`): published figures only, so no disclosure control applies.

# %%
final.show_source_claims(W, L)

# %% [markdown]
# ## Key findings for the report's summary
# The published findings and limits are recomputed from the published figures
# (`lvv_eval.evaluations.findings`); the person-level one is a sentence made by the gate from
# released values.

# %%
findings.record(W, findings.final_evaluation(P.language))
if FRAME is not None:
    findings.record(W, [findings.durable_share(total_shares, P.language, SCHEME, P.peildatum, {"pilot": "total"})])

# %%
W.finish()
