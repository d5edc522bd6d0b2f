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
import functools

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common, final, policy, three_evaluations
from lvv_eval.reference.schemes import list_schemes, load_scheme
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters
from lvv_eval.reporting.plots import bar_with_ci, cif_plot, grouped_bars, line_over_time, stacked_shares
from lvv_eval.reporting.writer import ReportWriter, say, show_table
from lvv_eval.sources import published
from lvv_eval.stats import counts as aggregate
from lvv_eval.stats import survival

P = validate_parameters(globals(), notebook="03_final")
show_published = functools.partial(show_table, kind="published")
L = Labels(P.language)
W = ReportWriter.from_parameters(P)
SCHEME = load_scheme(P.scheme)
SCHEME_NAME = SCHEME.name  # shown in captions (a scheme given as a file path is named by its own name)
SUPPRESSED = L.word("suppressed_value")
PUB = final.published_final()
RANGES = PUB.ranges()
CLOSEST = RANGES.best()
SOURCE_NOTE = L(
    "Bron: Regioplan (2022), eindevaluatie pilot LVV (WODC)",
    "Source: Regioplan (2022), final evaluation of the LVV pilot (WODC)",
)

# %% [markdown]
# ## 1. The published figures
#
# The headline cells below print the published figures as the package reads and recomputes
# them. 807 participants not (yet) outflowed and the 61 % outflow share are *derived*
# (2065 - 1258; 1258 / 2065 = 60.9 %); the source does not print them.

# %%
# NBVAL_CHECK_OUTPUT
print(L("deelnemers", "participants"), PUB.participants)
print(L("uitstroom", "outflow"), PUB.outflow)
print(L("niet uitgestroomd (afgeleid)", "not outflowed (derived)"), PUB.not_outflowed)
print(L("uitstroom % van deelnemers (afgeleid)", "outflow % of participants (derived)"), PUB.outflow_percent)
print(L("somcontrole", "sum check"), " + ".join(str(int(v)) for v in PUB.shares.values()), "=", int(PUB.share_sum))


# %%
# NBVAL_CHECK_OUTPUT
for label, pct, rng in zip(RANGES.labels, RANGES.percentages, RANGES.ranges):
    print(
        f"{L.outcome_class(final.SOURCE_ID, label) if label in SCHEME.class_ids or label in load_scheme(final.SOURCE_ID).class_ids else label}: "
        f"{int(pct)} % {L('van', 'of')} {RANGES.total} -> {L('aantallen', 'counts')} {rng.start}..{rng.stop - 1}"
    )
print(L("combinaties met som", "combinations summing to"), RANGES.total, ":", len(RANGES.combinations))
print(L("dichtstbijzijnde combinatie", "closest combination"), CLOSEST, L("som", "sum"), sum(CLOSEST))


# %%
published_rows = final.published_rows_used(published.select(source=final.SOURCE_ID))
published_table = published_rows[
    ["figure_id", "locator", "peildatum", "pilot", "measure", "category", "value", "unit", "as_printed"]
].assign(peildatum=lambda d: d["peildatum"].dt.date.astype("str"))
published_show = published_table.assign(
    peildatum=published_rows["peildatum"].map(L.date),
    pilot=published_rows["pilot"].map(L.pilot),
    measure=published_rows["measure"].map(L.measure),
    category=published_rows["category"].map(L.category),
    value=published_rows["value"].map(L.number),
    unit=published_rows["unit"].map(L.word),
)
W.table(
    "published_regioplan_2022",
    L.columns(published_table),
    kind="published",
    caption=L(
        "Gepubliceerde cijfers eindevaluatie (bron 004, eerste alinea en 'Resultaten van de LVV'); "
        "gepubliceerd, daarom uitgezonderd van onthullingscontrole",
        "Published figures of the final evaluation (source 004, first paragraph and 'Resultaten van "
        "de LVV'); published, hence exempt from disclosure control",
    ),
)
show_published(
    L.columns(published_show), L("Gepubliceerde cijfers (Regioplan 2022)", "Published figures (Regioplan 2022)")
)


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
recon = final.reconstructed_shares(PUB)
recon_show = recon.assign(
    category=[L.outcome_class("regioplan-2022", c) for c in recon["category"]],
    note=L(
        "aantallen gereconstrueerd uit afgeronde percentages (dichtstbijzijnde combinatie)",
        "counts reconstructed from rounded percentages (closest combination)",
    ),
)
recon_show = L.columns(L.formatted(recon_show, percent=["estimate", "ci_low", "ci_high"]), {"category": "outcome"})
W.table(
    "reconstructed_counts",
    recon_show,
    kind="derived",
    caption=L(
        "Aantallen achter de afgeronde aandelen 18/41/41 % van 1258 uitgestroomden (noemer: uitstroom); "
        "95%-BI Wilson op gereconstrueerde aantallen",
        "Counts behind the rounded shares 18/41/41 % of 1258 outflowed (denominator: outflow); "
        "95% CI Wilson on reconstructed counts",
    ),
)
show_published(recon_show, L("Gereconstrueerde aantallen (afgeleid)", "Reconstructed counts (derived)"))

# %%
fig = bar_with_ci(
    recon,
    category="category",
    estimate="estimate",
    ci_low="ci_low",
    ci_high="ci_high",
    order=list(recon["category"]),
    labels={c: L.outcome_class("regioplan-2022", c) for c in recon["category"]},
    title=L("Uitkomst van de uitstroom, landelijk (juli 2022)", "Outcome of the outflow, national (July 2022)"),
    xlabel=L("Uitkomst", "Outcome"),
    ylabel=L("Aandeel van de uitstroom", "Share of the outflow"),
    footnote=SOURCE_NOTE
    + L(
        ". Noemer: 1258 uitgestroomden. 95%-BI Wilson op aantallen gereconstrueerd uit afgeronde percentages.",
        ". Denominator: 1258 outflowed. 95% CI Wilson on counts reconstructed from rounded percentages.",
    ),
    fmt=L.percent,
)
W.figure(
    "published_shares_ci",
    fig,
    title=L("Gepubliceerde uitstroomaandelen met BI", "Published outflow shares with CI"),
    kind="derived",
)
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
intake_den = final.intake_denominator_ranges(PUB)
intake_show = L.columns(
    L.formatted(
        intake_den.assign(category=[L.outcome_class("regioplan-2022", c) for c in intake_den["category"]]),
        percent=[c for c in intake_den.columns if c.startswith("share_of_")],
        decimals=1,
    ),
    {"category": "outcome"},
)
W.table(
    "intake_denominator",
    intake_show,
    kind="derived",
    caption=L(
        "Dezelfde aantallen als aandeel van 2065 deelnemers (noemer instroom, zoals Regioplan 2020) "
        "en van 1258 uitgestroomden (noemer uitstroom, zoals Regioplan 2022)",
        "The same counts as a share of 2065 participants (intake denominator, as Regioplan 2020) "
        "and of 1258 outflowed (outflow denominator, as Regioplan 2022)",
    ),
)
print(
    L(
        f"Bestendig als aandeel van de instroom: {L.percent(intake_den.loc[0, 'share_of_intake_low'], 1)} tot "
        f"{L.percent(intake_den.loc[0, 'share_of_intake_high'], 1)} (van de uitstroom: 18 %).",
        f"Durable as a share of intake: {L.percent(intake_den.loc[0, 'share_of_intake_low'], 1)} to "
        f"{L.percent(intake_den.loc[0, 'share_of_intake_high'], 1)} (of the outflow: 18%).",
    )
)
show_published(intake_show, L("Noemer instroom of uitstroom (afgeleid)", "Intake or outflow denominator (derived)"))

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
    print(
        L(
            f"Rijen gelezen: {len(MD.frame) + len(MD.exclusions)}; uitgesloten (met reden): {len(MD.exclusions)}.",
            f"Rows read: {len(MD.frame) + len(MD.exclusions)}; excluded (with reasons): {len(MD.exclusions)}.",
        )
    )
    W.note(common.data_banner(P, L))

# %%
if MD is not None and len(MD.exclusions):
    display(
        common.show_person(GATE, MD.problem_summary(), L("Uitgesloten rijen en redenen", "Excluded rows and reasons"))
    )

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
    W.table(
        "flow_by_pilot",
        common.checked(GATE, "flow_by_pilot", flow_show),
        caption=L(
            f"Instroom, aanwezig en uitstroom per klasse ({SCHEME_NAME}) op {L.date(P.peildatum)}, personen; "
            f"aantallen onder {P.disclosure_threshold} en afleidbare cellen onderdrukt",
            f"Intake, present and outflow per class ({SCHEME_NAME}) at {L.date(P.peildatum)}, persons; "
            f"counts below {P.disclosure_threshold} and derivable cells suppressed",
        ),
    )
    display(common.show_person(GATE, L.formatted(flow_show), L("Stroom per pilot", "Flow per pilot")))
    display(common.show_person(GATE, L.suppression_report(SUPP.report), L("Onderdrukte cellen", "Suppressed cells")))

# %% [markdown]
# ### Person-level figures vs the published national figures
#
# The source publishes national counts only (2065, 1258 and the class counts it implies are
# not published as counts), so the comparison has one row per published count.

# %%
if FRAME is not None:
    vs = common.published_vs_person(FRAME, P, final.SOURCE_ID)
    print(common.note_scope(W, FRAME, P, [final.SOURCE_ID], L))
    vs_show = L.columns(
        vs.assign(pilot=[L.pilot(p) for p in vs["pilot"]]), {"person_level": L("Persoonsniveau", "Person level")}
    )
    W.table(
        "published_vs_person",
        common.checked(GATE, "published_vs_person", vs_show),
        caption=L(
            "Gepubliceerde aantallen (Regioplan 2022) naast aantallen op persoonsniveau op dezelfde peildatum; "
            "verschil = persoonsniveau - gepubliceerd",
            "Published counts (Regioplan 2022) next to person-level counts at the same reference date; "
            "difference = person level - published",
        ),
    )
    display(
        common.show_person(GATE, L.formatted(vs_show), L("Gepubliceerd vs persoonsniveau", "Published vs person level"))
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
                "{outcome}: {share} ({ci}) " + L("van {n} uitgestroomden", "of {n} who left"),
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
    shares_show = L.columns(shares_show, {"category": "outcome", "suppressed": L("Onderdrukt", "Suppressed")})
    W.table(
        "class_shares_by_pilot",
        common.checked(GATE, "class_shares_by_pilot", shares_show),
        caption=L(
            "Aandeel per uitkomstklasse van de uitstroom per pilot (noemer: uitstroom tot de peildatum), "
            "95%-BI Wilson; onderdrukt waar het aantal onderdrukt is",
            "Share of each outcome class of the outflow per pilot (denominator: outflow until the reference date), "
            "95% CI Wilson; suppressed where the count is suppressed",
        ),
    )
    display(
        common.show_person(
            GATE,
            L.columns(shares_display, {"category": "outcome", "suppressed": L("Onderdrukt", "Suppressed")}),
            L("Uitstroomaandelen per pilot", "Outflow shares per pilot"),
        )
    )
    pilot_labels = {p: L.pilot(p) for p in SHARES["pilot"].unique()}
    class_labels = {c: L.outcome_class(P.scheme, c) for c in SCHEME.class_ids}
    fig = stacked_shares(
        SHARES.fillna({"estimate": 0.0}),
        category="pilot",
        part="category",
        share="estimate",
        part_order=list(SCHEME.class_ids),
        labels=pilot_labels,
        part_labels=class_labels,
        title=L("Uitkomst van de uitstroom per pilot", "Outcome of the outflow per pilot"),
        xlabel=L("Aandeel van de uitstroom", "Share of the outflow"),
        ylabel="",
        footnote=L("Noemer: uitstroom tot ", "Denominator: outflow until ")
        + L.date(P.peildatum)
        + L(". Onderdrukte aandelen ontbreken (kortere balk).", ". Suppressed shares are missing (shorter bar).")
        + (L(" SYNTHETISCHE gegevens.", " SYNTHETIC data.") if P.is_synthetic else ""),
        fmt=L.percent,
    )
    W.figure(
        "class_shares_by_pilot",
        common.figure_from(GATE, "class_shares_by_pilot", fig, GATE.released["class_shares_by_pilot"]),
        title=L("Uitstroomaandelen per pilot", "Outflow shares per pilot"),
    )
    display(fig)
    plt.close(fig)

# %%
if FRAME is not None:
    durable_share = SHARES.loc[SHARES["category"] == "durable"]
    fig = bar_with_ci(
        durable_share,
        category="pilot",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        labels=pilot_labels,
        title=L(
            "Bestendige uitstroom per pilot (aandeel van de uitstroom)",
            "Durable outflow per pilot (share of the outflow)",
        ),
        xlabel=L("Pilot", "Pilot"),
        ylabel=L("Aandeel bestendig", "Share durable"),
        footnote=L("Noemer: uitstroom tot ", "Denominator: outflow until ")
        + L.date(P.peildatum)
        + L(
            ". 95%-BI Wilson. Beschrijvend; geen toets tussen pilots. ",
            ". 95% CI Wilson. Descriptive; no test between pilots. ",
        )
        + (L("SYNTHETISCHE gegevens.", "SYNTHETIC data.") if P.is_synthetic else ""),
        fmt=L.percent,
        missing_label=SUPPRESSED,
    )
    W.figure(
        "durable_share_by_pilot",
        common.figure_from(GATE, "durable_share_by_pilot", fig, GATE.released["class_shares_by_pilot"]),
        title=L("Bestendig aandeel per pilot", "Durable share per pilot"),
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
    W.table(
        "durable_intake_vs_outflow",
        common.checked(GATE, "durable_intake_vs_outflow", contrast_show),
        caption=L(
            "Bestendige uitstroom per pilot gedeeld door de instroom en door de uitstroom tot de peildatum; 95%-BI Wilson",
            "Durable outflow per pilot divided by intake and by outflow until the reference date; 95% CI Wilson",
        ),
    )
    display(
        common.show_person(
            GATE,
            L.formatted(contrast_show, percent=[L.word("estimate"), L.word("ci_low"), L.word("ci_high")]),
            L("Noemer instroom vs uitstroom", "Intake vs outflow denominator"),
        )
    )
    den_labels = {
        "intake": L("Noemer: instroom", "Denominator: intake"),
        "outflow": L("Noemer: uitstroom", "Denominator: outflow"),
    }
    fig = grouped_bars(
        CONTRAST,
        category="pilot",
        group="denominator_kind",
        value="estimate",
        percent=True,
        labels=pilot_labels,
        group_labels=den_labels,
        group_order=["intake", "outflow"],
        title=L("Bestendige uitstroom: twee noemers", "Durable outflow: two denominators"),
        xlabel=L("Pilot", "Pilot"),
        ylabel=L("Aandeel bestendig", "Share durable"),
        footnote=L(
            "Zelfde teller, andere noemer (instroom of uitstroom tot ",
            "Same numerator, different denominator (intake or outflow until ",
        )
        + L.date(P.peildatum)
        + ")."
        + (L(" SYNTHETISCHE gegevens.", " SYNTHETIC data.") if P.is_synthetic else ""),
        fmt=L.percent,
        missing_label=SUPPRESSED,
    )
    W.figure(
        "durable_intake_vs_outflow",
        common.figure_from(GATE, "durable_intake_vs_outflow", fig, GATE.released["durable_intake_vs_outflow"]),
        title=L("Noemer instroom vs uitstroom", "Intake vs outflow denominator"),
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
            "horizon_months": L("Horizon (maanden)", "Horizon (months)"),
            "horizon_days": L("Horizon (dagen)", "Horizon (days)"),
            "n": L("Ingestroomd", "Entered"),
            "n_events": L("Uitgestroomd met deze uitkomst", "Left with this outcome"),
            "estimate": "cumulative_incidence",
            "suppressed": L("Onderdrukt", "Suppressed"),
        },
    )
    W.table(
        "cumulative_incidence_horizons",
        common.checked(GATE, "cumulative_incidence_horizons", cif_show),
        caption=L(
            f"Cumulatieve incidentie per uitkomst en pilot na {HORIZONS} maanden (Aalen-Johansen, concurrerende "
            "uitkomsten, gecensureerd op de peildatum), met aantal nog in de LVV; BI log-log; onderdrukt onder "
            f"{P.disclosure_threshold} en waar een uitkomst anders af te leiden is",
            f"Cumulative incidence per outcome and pilot at {HORIZONS} months (Aalen-Johansen, competing "
            "outcomes, censored at the reference date), with numbers at risk; CI log-log; suppressed below "
            f"{P.disclosure_threshold} and where an outcome could otherwise be derived",
        ),
    )
    display(
        common.show_person(
            GATE,
            L.formatted(cif_show, percent=[L.word("cumulative_incidence"), L.word("ci_low"), L.word("ci_high")]),
            L("Cumulatieve incidentie", "Cumulative incidence"),
            max_rows=120,
        )
    )
    display(common.show_person(GATE, L.suppression_report(CIF_SUP.report), L("Onderdrukte cellen", "Suppressed cells")))

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
        title=L("Cumulatieve incidentie per uitkomst", "Cumulative incidence per outcome"),
        xlabel=L("Maanden sinds instroom", "Months since intake"),
        ylabel=L("Cumulatieve incidentie", "Cumulative incidence"),
        footnote=L(
            "Aalen-Johansen met concurrerende uitkomsten; nog aanwezigen gecensureerd op ",
            "Aalen-Johansen with competing outcomes; people still present censored at ",
        )
        + L.date(P.peildatum)
        + L(
            ". 95%-BI log-log. Curven die kleine aantallen zouden onthullen ontbreken.",
            ". 95% CI log-log. Curves that would disclose small counts are left out.",
        )
        + (L(" SYNTHETISCHE gegevens.", " SYNTHETIC data.") if P.is_synthetic else ""),
    )
    W.figure(
        "cumulative_incidence",
        common.figure_from(GATE, "cumulative_incidence", fig, GATE.released["cumulative_incidence_horizons"]),
        title=L("Cumulatieve incidentie", "Cumulative incidence"),
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
    FIXED = survival.fixed_horizon_shares(
        FRAME, P.peildatum, SCHEME, horizon_days=365, by="pilot", formal_only=P.formal_only
    )
    FIXED = disclosure.suppress_rates(FIXED, P.disclosure_threshold, complement=False, group="pilot")
    fixed_show = FIXED.assign(
        pilot=[L.pilot(p) for p in FIXED["pilot"]], outcome=[L.outcome_class(P.scheme, c) for c in FIXED["outcome"]]
    )
    fixed_show = L.columns(
        fixed_show.drop(columns=["horizon_days"]),
        {"suppressed": L("Onderdrukt", "Suppressed"), "suppression_rule": L("Reden onderdrukking", "Suppression rule")},
    )
    W.table(
        "complete_followup_365",
        common.checked(GATE, "complete_followup_365", fixed_show),
        caption=L(
            "Uitkomst binnen 365 dagen bij volledige follow-up (instroom minstens 365 dagen voor de peildatum); "
            "95%-BI Wilson",
            "Outcome within 365 days with complete follow-up (intake at least 365 days before the reference date); "
            "95% CI Wilson",
        ),
    )
    display(
        common.show_person(
            GATE,
            L.formatted(fixed_show, percent=[L.word("estimate"), L.word("ci_low"), L.word("ci_high")]),
            L("Volledige follow-up, 12 maanden", "Complete follow-up, 12 months"),
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
            "n": L("Ingestroomd", "Entered"),
            "n_events": L("Uitgestroomd", "Left"),
            "n_censored": L("Nog aanwezig (gecensureerd)", "Still present (censored)"),
            "median_days": L("Mediaan (dagen)", "Median (days)"),
            "median_months": L("Mediaan (maanden)", "Median (months)"),
            "suppressed": L("Onderdrukt", "Suppressed"),
        },
    )
    W.table(
        "length_of_stay",
        common.checked(GATE, "length_of_stay", los_show),
        caption=L(
            "Mediane verblijfsduur (Kaplan-Meier, gecensureerd op de peildatum) met 95%-BI",
            "Median length of stay (Kaplan-Meier, censored at the reference date) with 95% CI",
        ),
    )
    display(common.show_person(GATE, L.formatted(los_show, decimals=1), L("Verblijfsduur", "Length of stay")))

# %% [markdown]
# ### Occupancy over time
#
# Persons present on the first day of each month, 2019 up to the peildatum, against the most
# recent published capacity (the 2020 monitor, 1142 places; source 002). Monthly counts below the
# threshold are hidden.

# %%
if FRAME is not None:
    CAP = final.capacity_by_pilot(P.peildatum)
    OCC = final.occupancy_over_time(
        FRAME,
        P.peildatum,
        threshold=P.disclosure_threshold,
        hidden_pilots=[p for p in SUPP.mask.index if SUPP.mask.loc[p, "present"]],
    )
    occ_show = OCC.assign(date=OCC["date"].dt.date.astype("str"), pilot=[L.pilot(p) for p in OCC["pilot"]])
    occ_show = L.columns(occ_show, {"date": L("Datum", "Date"), "suppressed": L("Onderdrukt", "Suppressed")})
    W.table(
        "occupancy_over_time",
        common.checked(GATE, "occupancy_over_time", occ_show),
        caption=L(
            "Aanwezigen op de eerste van elke maand per pilot en gepubliceerde capaciteit (monitor 2020); "
            "bezettingsgraad = aanwezigen / capaciteit",
            "Persons present on the first of each month per pilot and published capacity (2020 monitor); "
            "occupancy rate = present / capacity",
        ),
    )
    fig = line_over_time(
        OCC.astype({"present": "float64"}),
        time="date",
        value="present",
        group="pilot",
        reference=dict(zip(CAP["pilot"], CAP["capacity"])),
        reference_label=L("Capaciteit (gepubliceerd)", "Capacity (published)"),
        labels=pilot_labels,
        markers=False,
        title=L("Bezetting per pilot", "Occupancy per pilot"),
        xlabel=L("Maand", "Month"),
        ylabel=L("Aanwezige personen", "Persons present"),
        footnote=L("Capaciteit: monitor 2020 (002). ", "Capacity: 2020 monitor (002). ")
        + (
            L("Bezetting: SYNTHETISCHE gegevens.", "Occupancy: SYNTHETIC data.")
            if P.is_synthetic
            else L("Bezetting: persoonsniveau.", "Occupancy: person level.")
        ),
        fmt=L.number,
    )
    W.figure(
        "occupancy_over_time",
        common.figure_from(GATE, "occupancy_over_time", fig, GATE.released["occupancy_over_time"]),
        title=L("Bezetting en capaciteit", "Occupancy and capacity"),
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
    W.table(
        "scheme_sensitivity",
        common.checked(GATE, "scheme_sensitivity", sens_show),
        caption=L(
            "Bestendig aandeel onder elk classificatieschema, per pilot en landelijk (noemers uitstroom en instroom); "
            "95%-BI Wilson",
            "Durable share under each classification scheme, per pilot and national (denominators outflow and intake); "
            "95% CI Wilson",
        ),
    )
    display(
        common.show_person(
            GATE,
            L.formatted(sens_show, percent=[L.word("estimate"), L.word("ci_low"), L.word("ci_high")]),
            L("Gevoeligheid voor het schema", "Sensitivity to the scheme"),
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
        title=L("Bestendig aandeel van de uitstroom per schema", "Durable share of the outflow per scheme"),
        xlabel=L("Pilot", "Pilot"),
        ylabel=L("Aandeel bestendig", "Share durable"),
        footnote=L("Noemer: uitstroom tot ", "Denominator: outflow until ")
        + L.date(P.peildatum)
        + L(
            ". Onderdrukt: verborgen om kleine aantallen of kleine verschillen tussen schema's te beschermen.",
            ". Suppressed: hidden to protect small counts or small differences between schemes.",
        )
        + (L(" SYNTHETISCHE gegevens.", " SYNTHETIC data.") if P.is_synthetic else ""),
        fmt=L.percent,
        value_labels=False,
        figsize=(8, 4.5),
    )
    W.figure(
        "scheme_sensitivity",
        common.figure_from(GATE, "scheme_sensitivity", fig, GATE.released["scheme_sensitivity"]),
        title=L("Gevoeligheid voor het schema", "Sensitivity to the scheme"),
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
claims_table = common.source_claims([final.SOURCE_ID], L)
W.table("source_claims", claims_table, kind="derived", caption=L(*common.CLAIMS_CAPTION))
display(show_table(claims_table, L(*common.CLAIMS_TITLE), kind="derived"))

# %%
W.finish()
