# %% [markdown]
# # 01 Plan-and-process evaluation (Regioplan 2020), peildatum 31 December 2019
#
# Reproduces the quantitative part of the plan-and-process evaluation of the LVV pilot by
# Regioplan (June 2020, WODC publication 19041; source `001_08a3e7995258f26d.txt`, summary):
# **Tabel S.1** (capacity, occupancy and intake per pilot on 31 December 2019), **Tabel S.2**
# (target and realised durable outflow) and the paragraph after it (other outflow: repeat asylum
# application, left with unknown destination).
#
# * **Published**: the printed figures, read from `data/published/figures.csv` (source
#   `regioplan-2020`). They are shown as printed and exempt from disclosure control.
# * **Derived**: numbers the package recomputes from the printed ones: occupancy rates, free-place
#   percentages, Wilson intervals, count ranges behind rounded percentages, and the consistency
#   checks of `data/published/checks.csv`.
# * **Person-level** (only when `data_source` is not `"published"`): the same measures counted from a
#   monitor file, plus what the report could not show (rates relative to outflow, occupancy over
#   time, length of stay, competing-risk cumulative incidence, sensitivity to the classification
#   scheme). With the default `data_source = "synthetic"` these numbers come from **synthetic** data.
#
# Re-run with other parameters, e.g.
# `lvv-eval run 01_plan_process -p language en -p scheme monitor-2020 -p peildatum 2020-11-01`, or
# `-p data_source published` for the published part only, or `-p data_source path/to/export.xlsx`
# for a real monitor export.

# %% tags=["parameters"]
data_source: str = "synthetic"  # published, synthetic, or a path to a monitor export (CSV/XLSX)
peildatum: str = "2019-12-31"  # reference date of the person-level part, ISO yyyy-mm-dd
scheme: str = "regioplan-2020"  # classification scheme of outflow (name or YAML path)
pilots: list = []  # pilot codes for the person-level part; empty means all five
language: str = "nl"  # report language, nl or en
output_dir: str = ""  # folder for tables and figures; empty means reports/01_plan_process
disclosure_threshold: int = 10  # person-level counts below this are suppressed
formal_only: bool = False  # person-level part: formal LVV status only

# %%
import matplotlib.pyplot as plt

from lvv_eval.disclosure import checked as disclosure_checked
from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common
from lvv_eval.evaluations import plan_process as pp
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reporting import plots as plotting
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters
from lvv_eval.reporting.writer import ReportWriter, say, show_table
from lvv_eval.stats import counts as aggregate
from lvv_eval.stats import survival

P = validate_parameters(globals(), notebook="01_plan_process")
L = Labels(P.language)
W = ReportWriter.from_parameters(P)
SOURCE = L(
    "Bron: Regioplan (2020), Plan- en procesevaluatie LVV, samenvatting",
    "Source: Regioplan (2020), Plan- en procesevaluatie LVV, summary",
)

# %% [markdown]
# ## 1. Published figures
#
# ### Tabel S.1: capacity, occupancy and intake on 31 December 2019
#
# As printed. Utrecht gives no occupancy count, only an estimate (98 % occupied, about 2 % free;
# footnote *). Amsterdam's intake of 363 consists of 287 people with formal LVV status and 76
# sheltered without it.

# %%
s1 = pp.table_s1_printed()
s1_show = L.columns(
    s1,
    {
        "capacity:places": "capacity",
        "occupancy:persons": "occupancy",
        "occupancy_rate:of_capacity": L("Bezettingsgraad (%)", "Occupancy rate (%)"),
        "free_places:places": "free_places",
        "free_places_rate:of_capacity": L("Vrije plaatsen (%)", "Free places (%)"),
        "intake:all": "intake",
        "intake:formal": L("Instroom met LVV-status", "Intake with LVV status"),
        "intake:informal": L("Instroom zonder formele LVV-status", "Intake without formal LVV status"),
    },
).assign(**{L.word("pilot"): [L.pilot(p) for p in s1["pilot"]]})
caption = L(
    "Tabel S.1 zoals gepubliceerd (capaciteit in plaatsen, bezetting en instroom in personen, "
    "percentages van de capaciteit); gepubliceerd cijfer, uitgezonderd van onthullingscontrole",
    "Tabel S.1 as published (capacity in places, occupancy and intake in persons, percentages of "
    "capacity); published figure, exempt from disclosure control",
)
W.table("tabel_s1_published", s1, kind="published", caption=caption)
show_table(s1_show, caption, kind="derived")

# %% [markdown]
# ### Tabel S.1 recomputed: occupancy rate and free places from the counts
#
# Occupancy rate = occupancy / capacity and free places = capacity - occupancy, both with capacity
# as denominator (no interval: places are not a sample). The recomputed free-place percentage is set
# against the printed one, with the status of the consistency check. Amsterdam's printed 20 % does not
# follow from 69 / 360 = 19.2 % (it would need 71 to 73 free places).

# %%
s1r = pp.free_place_check()
caption = L(
    "Tabel S.1 herberekend: bezettingsgraad en vrije plaatsen uit de aantallen (noemer: capaciteit); "
    "verschil = herberekend - gepubliceerd, in procentpunten; status van de consistentiecontrole",
    "Tabel S.1 recomputed: occupancy rate and free places from the counts (denominator: capacity); "
    "difference = recomputed - printed, in percentage points; status of the consistency check",
)
W.table("tabel_s1_recomputed", s1r, kind="derived", caption=caption)
show_table(
    L.columns(
        s1r.assign(pilot=[L.pilot(p) for p in s1r["pilot"]]).round(1),
        {
            "free_places": L("Vrije plaatsen (herberekend)", "Free places (recomputed)"),
            "free_places_printed": L("Vrije plaatsen (gepubliceerd)", "Free places (printed)"),
            "occupancy_rate_pct": L("Bezettingsgraad (%, herberekend)", "Occupancy rate (%, recomputed)"),
            "free_places_rate_pct": L("Vrije plaatsen (%, herberekend)", "Free places (%, recomputed)"),
            "free_places_rate_printed": L("Vrije plaatsen (%, gepubliceerd)", "Free places (%, printed)"),
            "difference_pp": L("Verschil (procentpunt)", "Difference (percentage points)"),
            "check_status": L("Status controle", "Check status"),
        },
    ),
    caption,
    kind="derived",
)

# %% [markdown]
# **Utrecht's estimate.** 98 % of 230 places means 225 or 226 people present. That fits the bound
# intake minus durable outflow (268 - 33 = 235), but not once the printed 10 % of intake (26 to 28
# people) who left for state reception after a repeat asylum application is also subtracted: then at
# most 207 to 209 can be present, so the estimate is too high by at least 16 people (17.2 at the point
# values), unless people re-entered.

# %%
utr = pp.utrecht_estimate()
caption = L(
    "Utrecht: geschatte bezetting (98 % van 230 plaatsen) tegen de grenzen uit instroom en uitstroom; "
    "verschil = geschat aantal aanwezig - grens (positief: grens overschreden)",
    "Utrecht: estimated occupancy (98 % of 230 places) against the bounds from intake and outflow; "
    "difference = estimated number present - bound (positive: bound exceeded)",
)
W.table("utrecht_estimate", utr, kind="derived", caption=caption)
show_table(utr.drop(columns="message").round(1), caption, kind="derived")

# %%
parts = pp.capacity_parts()
fig = plotting.grouped_bars(
    parts,
    category="pilot",
    group="part",
    value="places",
    stacked=True,
    group_order=["occupancy", "free_places"],
    labels={p: L.pilot(p) for p in parts["pilot"]},
    group_labels={"occupancy": L.measure("occupancy"), "free_places": L.measure("free_places")},
    fmt=L.number,
    title=L(
        "Capaciteit, bezetting en vrije plaatsen per 31 december 2019",
        "Capacity, occupancy and free places on 31 December 2019",
    ),
    xlabel=L.word("pilot"),
    ylabel=L("Plaatsen", "Places"),
    footnote=SOURCE
    + L(
        ", Tabel S.1. Utrecht: schatting (98 % bezet), geen telling.",
        ", Tabel S.1. Utrecht: estimate (98% occupied), not a count.",
    ),
)
W.figure(
    "capacity_occupancy",
    fig,
    title=L("Capaciteit en bezetting per pilot", "Capacity and occupancy per pilot"),
    kind="derived",
)
display(fig)
plt.close(fig)

# %% [markdown]
# ### Tabel S.2: durable outflow relative to intake, with Wilson 95 % intervals
#
# Durable outflow (asylum permit, return, onward migration) divided by **total intake** since the start,
# as Regioplan did. Amsterdam is shown on both denominators (287 with formal status, 363 in all): the
# printed 1 % fits both. The targets are best-effort goals for the **whole pilot period**; on
# 31 December 2019, a few months after the start, "not reached" is what one would expect and is no
# verdict on the pilots.

# %%
rates = pp.durable_rates()
attain = pp.target_attainment(rates)
caption = L(
    "Tabel S.2 herberekend: bestendige uitstroom / totale instroom per pilot, 95%-BI (Wilson), "
    "met het doel voor de hele pilotperiode; status op de peildatum",
    "Tabel S.2 recomputed: durable outflow / total intake per pilot, 95% CI (Wilson), with the target "
    "for the whole pilot period; status on the peildatum",
)
W.table(
    "tabel_s2_recomputed",
    rates.merge(attain[["row", "target_pct", "status"]], on="row"),
    kind="derived",
    caption=caption,
)
show_table(
    L.columns(
        attain.assign(row=[pp.row_labels(rates, L)[r] for r in attain["row"]])
        .drop(columns=["pilot", "ci_method"])
        .round(1),
        {
            "row": "pilot",
            "target_pct": L("Doel (%)", "Target (%)"),
            "realised_pct": L("Gerealiseerd (%)", "Realised (%)"),
            "ci_low_pct": L("Ondergrens 95%-BI (%)", "Lower 95% CI (%)"),
            "ci_high_pct": L("Bovengrens 95%-BI (%)", "Upper 95% CI (%)"),
            "ratio": L("Gerealiseerd / doel", "Realised / target"),
            "status": L("Status", "Status"),
        },
    ),
    caption,
    kind="derived",
)

# %%
fig = plotting.bar_with_ci(
    rates,
    category="row",
    estimate="estimate",
    ci_low="ci_low",
    ci_high="ci_high",
    order=list(rates["row"]),
    labels=pp.row_labels(rates, L),
    reference={r: t / 100 for r, t in zip(attain["row"], attain["target_pct"])},
    reference_label=L("Doel voor de hele pilotperiode", "Target for the whole pilot period"),
    fmt=L.percent,
    title=L(
        "Bestendige uitstroom als aandeel van de instroom, 31 december 2019",
        "Durable outflow as a share of intake, 31 December 2019",
    ),
    horizontal=True,
    xlabel=L("Bestendige uitstroom / instroom", "Durable outflow / intake"),
    ylabel="",
    footnote=SOURCE
    + L(
        ", Tabel S.2. Noemer: totale instroom (Amsterdam: 287 met LVV-status en 363 totaal). "
        "Foutbalken: 95%-BI (Wilson).",
        ", Tabel S.2. Denominator: total intake (Amsterdam: 287 with LVV status and 363 in all). "
        "Error bars: 95% CI (Wilson).",
    ),
)
W.figure(
    "durable_rate_published",
    fig,
    title=L("Bestendige uitstroom per pilot en doel", "Durable outflow per pilot and target"),
    kind="derived",
)
display(fig)
plt.close(fig)

# %% [markdown]
# ### Other outflow in 2019
#
# The report prints only percentages of total intake for the two most frequent other exits. Every whole
# count whose percentage rounds to the printed one is allowed.

# %%
other = pp.other_outflow_ranges()
caption = L(
    "Overige uitstroom 2019: aantallen die bij de afgeronde gepubliceerde percentages passen (noemer: totale instroom)",
    "Other outflow 2019: counts consistent with the rounded printed percentages (denominator: total intake)",
)
W.table("other_outflow_ranges", other, kind="derived", caption=caption)
show_table(
    L.columns(
        other.assign(
            pilot=[L.pilot(p) for p in other["pilot"]], category=[L.exit_reason(c) for c in other["category"]]
        ),
        {
            "category": "exit_reason",
            "printed_pct": L("Gepubliceerd (%)", "Printed (%)"),
            "count_low": L("Aantal, minimaal", "Count, lowest"),
            "count_high": L("Aantal, maximaal", "Count, highest"),
        },
    ),
    caption,
    kind="derived",
)

# %% [markdown]
# ### Consistency checks of the Regioplan 2020 figures
#
# Every check of `data/published/checks.csv` that involves only figures of this report. Known
# discrepancies are inconsistencies of the source itself (Amsterdam's 20 %, the occupancy of 291 against
# the 287 with formal status, Utrecht's estimate).

# %%
checks = pp.source_checks()
caption = L(
    "Consistentiecontroles van de gepubliceerde cijfers (Regioplan 2020)",
    "Consistency checks of the published figures (Regioplan 2020)",
)
W.table("consistency_checks", checks, kind="derived", caption=caption)
show_table(checks[["check_id", "kind", "status", "message"]], caption, kind="derived")

# %% [markdown]
# ## 2. Headline figures (checked on every test run)

# %%
# NBVAL_CHECK_OUTPUT
H = pp.headline()
print(
    L(
        "Totale instroom (som per pilot, Amsterdam met LVV-status):",
        "Total intake (sum over pilots, Amsterdam with LVV status):",
    ),
    H["intake_total"],
    "/",
    L("gepubliceerd", "printed"),
    H["intake_total_printed"],
)
print(L("Capaciteit 2019, totaal van de vijf pilots:", "Capacity 2019, total of the five pilots:"), H["capacity_total"])
print(
    L("Bestendige uitstroom / instroom (%), herberekend:", "Durable outflow / intake (%), recomputed:"),
    *H["durable_pct"],
    "/",
    L("gepubliceerd", "printed"),
    *H["durable_pct_printed"],
)
print(
    L("Consistentiecontroles:", "Consistency checks:"),
    H["checks"]["total"],
    "|",
    "ok",
    H["checks"]["ok"],
    "|",
    L("bekende afwijking", "known discrepancy"),
    H["checks"]["known_discrepancy"],
    "|",
    L("mislukt", "failed"),
    H["checks"]["failed"],
)

# %% [markdown]
# ## 3. Person-level figures
#
# Counted from the monitor file named by `data_source` (skipped when it is `"published"`). Counts are of
# trajectories; person-level count tables pass disclosure control with threshold `disclosure_threshold`
# and the list of suppressed cells is shown below each table.

# %%
M = common.load_person_level(P)
print(common.note_empty(W, M, L))
print(common.data_banner(P, L))
if M is None:
    print(
        L(
            "Alleen gepubliceerde cijfers gevraagd (data_source = published): het deel op persoonsniveau "
            "wordt overgeslagen.",
            "Only published figures requested (data_source = published): the person-level part is skipped.",
        )
    )
else:
    W.note(common.data_banner(P, L))
    KIND = "synthetic" if P.is_synthetic else "person-level"
    SCHEME = load_scheme(P.scheme)
    FRAME = common.analysis_frame(M.frame, P.pilots, P.formal_only)
    GATE = Gate(P.disclosure_threshold, kind=KIND, report=P.notebook, aliases=common.total_aliases(P))
    print(GATE.explanation(P.language))
    W.note(GATE.explanation(P.language))
    # every person-level table of this report is registered before any is shown, so a count
    # suppressed in one table is suppressed in all of them
    pp.register_person_tables(GATE, M, FRAME, P)
    PFOOT = L(
        f"Bron: {'synthetische gegevens' if P.is_synthetic else 'monitorbestand'}, peildatum {L.date(P.peildatum)}",
        f"Source: {'synthetic data' if P.is_synthetic else 'monitor file'}, peildatum {L.date(P.peildatum)}",
    )

# %% [markdown]
# ### Validation flow
# Rows read, rows excluded per reason (never silently) and rows analysed.

# %%
if M is not None:
    caption = L(
        "Validatie van het invoerbestand: rijen gelezen, uitgesloten per reden, geanalyseerd",
        "Validation of the input file: rows read, excluded per reason, analysed",
    )
    flow_checked = GATE.release("validation_flow")
    W.table("validation_flow", flow_checked, caption=caption)
    display(show_table(flow_checked, caption))

# %% [markdown]
# ### Person-level counts next to the published Tabel S.1 / S.2
# Counted the way Regioplan counted (its scheme and population, on 31 December 2019), whatever the
# `scheme` and `peildatum` parameters say. Published figures are shown as printed; the person-level
# counts pass disclosure control.

# %%
if M is not None:
    compared = GATE.release("published_vs_person")
    print(common.note_scope(W, M.frame, P, [pp.SOURCE_ID], L))
    caption = L(
        "Gepubliceerd (Regioplan 2020) naast persoonsniveau; verschil = persoonsniveau - gepubliceerd; "
        "kleine aantallen onderdrukt",
        "Published (Regioplan 2020) next to person level; difference = person level - published; "
        "small counts suppressed",
    )
    W.table("published_vs_person", compared, caption=caption)
    display(show_table(compared.view(relabel={"pilot": L.pilot}), caption))
    display(
        show_table(L.suppression_report(compared.report()), L("Onderdrukte cellen", "Suppressed cells"), kind="derived")
    )

# %% [markdown]
# ### Durable rate per pilot under the chosen scheme: relative to intake and to outflow
# Relative to intake (as Regioplan 2020) the rate mixes success with time: people still in the LVV count
# in the denominator. Relative to outflow (as Regioplan 2022) it describes only those who have left,
# which at an early peildatum is a small, selective group. Both with Wilson 95 % intervals.

# %%
if M is not None:
    prates = GATE.release("durable_rate_person")
    caption = L(
        f"Bestendige uitstroom per pilot ({P.scheme}), als aandeel van instroom en van uitstroom, "
        f"95%-BI (Wilson); peildatum {L.date(P.peildatum)}; kleine aantallen onderdrukt",
        f"Durable outflow per pilot ({P.scheme}), as a share of intake and of outflow, 95% CI (Wilson); "
        f"peildatum {L.date(P.peildatum)}; small counts suppressed",
    )
    W.table("durable_rate_person", prates, caption=caption)
    display(
        show_table(
            prates.view(
                columns=[
                    "pilot",
                    "denominator_kind",
                    "numerator",
                    "denominator",
                    "estimate",
                    "ci_low",
                    "ci_high",
                    "suppression_rule",
                ],
                decimals=3,
            ),
            caption,
        )
    )
    for kind_ in ("intake", "outflow"):
        fig = GATE.figure(
            f"durable_rate_person_{kind_}",
            prates,
            lambda frame: plotting.bar_with_ci(
                frame.loc[frame["denominator_kind"] == kind_],  # noqa: B023 - the closure is called within the loop
                category="pilot",
                estimate="estimate",
                ci_low="ci_low",
                ci_high="ci_high",
                labels={p: L.pilot(p) for p in frame["pilot"]},
                fmt=L.percent,
                title=L(
                    f"Bestendige uitstroom / {'instroom' if kind_ == 'intake' else 'uitstroom'}, {L.date(P.peildatum)}",  # noqa: B023 - the closure is called within the loop
                    f"Durable outflow / {kind_}, {L.date(P.peildatum)}",  # noqa: B023 - the closure is called within the loop
                ),
                xlabel=L.word("pilot"),
                ylabel=L.word("share"),
                footnote=PFOOT
                + L(
                    f"; schema {P.scheme}; 95%-BI (Wilson); onderdrukte waarden niet getekend.",
                    f"; scheme {P.scheme}; 95% CI (Wilson); x: suppressed, not drawn.",
                ),
                missing_label=disclosure_checked.SUPPRESSION_MARK,
            ),
        )
        W.figure(
            f"durable_rate_person_{kind_}",
            fig,
            title=L(
                f"Bestendige uitstroom per pilot (noemer: {'instroom' if kind_ == 'intake' else 'uitstroom'})",
                f"Durable outflow per pilot (denominator: {kind_})",
            ),
        )
        display(fig.figure)
        plt.close(fig.figure)

# %% [markdown]
# ### Occupancy over time, with the capacity of Tabel S.1
# People present on the first day of each month up to the peildatum (dashed: capacity in 2019).

# %%
if M is not None:
    stock = GATE.release("occupancy_over_time")
    fig = GATE.figure(
        "occupancy_over_time",
        stock,
        lambda frame: plotting.line_over_time(
            frame.loc[frame["pilot"] != aggregate.TOTAL],
            time="date",
            value="present",
            group="pilot",
            reference={p: c for p, c in pp.tabel_s1_capacity().items() if p in set(stock.frame["pilot"])},
            reference_label=L.measure("capacity"),
            labels={p: L.pilot(p) for p in stock.frame["pilot"]},
            fmt=L.number,
            title=L("Bezetting per maand per pilot", "Occupancy per month per pilot"),
            xlabel=L("Maand", "Month"),
            ylabel=L("Aanwezige personen", "Persons present"),
            footnote=PFOOT
            + L(
                "; stippellijn: capaciteit 2019 (Regioplan 2020, Tabel S.1).",
                "; dashed: capacity 2019 (Regioplan 2020, Tabel S.1).",
            ),
        ),
    )
    W.figure("occupancy_over_time", fig, title=L("Bezetting in de tijd", "Occupancy over time"))
    display(fig.figure)
    plt.close(fig.figure)

# %% [markdown]
# ### Length of stay
# Kaplan-Meier median time from intake to any exit, with people still present censored at the
# peildatum. Empty where fewer than half have left (the median is not reached).

# %%
if M is not None:
    los = GATE.release("length_of_stay")
    caption = L(
        "Verblijfsduur (dagen): Kaplan-Meier-mediaan, gecensureerd op de peildatum; leeg = mediaan niet "
        "bereikt; kleine aantallen onderdrukt",
        "Length of stay (days): Kaplan-Meier median, censored at the peildatum; empty = median not reached; "
        "small counts suppressed",
    )
    W.table("length_of_stay", los, caption=caption)
    display(show_table(los.view(relabel={"pilot": L.pilot}), caption))
    display(show_table(L.suppression_report(los.report()), L("Onderdrukte cellen", "Suppressed cells"), kind="derived"))

# %% [markdown]
# ### Cumulative incidence of each outcome class (competing risks)
# Aalen-Johansen estimate of the probability of having left with each outcome within a given time since
# intake, the other outcomes competing and people still present censored at the peildatum; bands are
# pointwise 95 % intervals (log-log).

# %%
if M is not None:
    curves = GATE.release("cumulative_incidence_curves")
    fig = GATE.figure(
        "cumulative_incidence",
        curves,
        lambda frame: plotting.cif_plot(
            frame.loc[(frame["outcome"] != "in_programme") & (frame["pilot"] != aggregate.TOTAL)],
            time="time_days",
            estimate="estimate",
            ci_low="ci_low",
            ci_high="ci_high",
            panel="outcome",
            group="pilot",
            panel_order=list(SCHEME.class_ids),
            panel_labels={c: L.outcome_class(P.scheme, c) for c in SCHEME.class_ids},
            labels={p: L.pilot(p) for p in curves.frame["pilot"]},
            months=True,
            fmt=L.percent,
            title=L("Cumulatieve incidentie per uitkomst en pilot", "Cumulative incidence per outcome and pilot"),
            xlabel=L.word("time_months"),
            ylabel=L.word("cumulative_incidence"),
            footnote=PFOOT
            + L(
                f"; schema {P.scheme}; Aalen-Johansen, 95%-BI (log-log).",
                f"; scheme {P.scheme}; Aalen-Johansen, 95% CI (log-log).",
            ),
            figsize=(8.0, 4.5),
        ),
    )
    W.figure("cumulative_incidence", fig, title=L("Cumulatieve incidentie", "Cumulative incidence"))
    display(fig.figure)
    plt.close(fig.figure)

# %% [markdown]
# ### Sensitivity of the durable rate to the classification scheme
# The same data classified with each shipped scheme; forced return and repeat asylum applications are
# where the schemes disagree.

# %%
if M is not None:
    sens = GATE.release("scheme_sensitivity")
    caption = L(
        "Bestendige uitstroom per schema en pilot, noemer uitstroom en instroom, 95%-BI (Wilson); "
        "kleine aantallen onderdrukt",
        "Durable outflow per scheme and pilot, denominators outflow and intake, 95% CI (Wilson); "
        "small counts suppressed",
    )
    W.table("scheme_sensitivity", sens, caption=caption)
    display(
        show_table(
            sens.view(
                columns=[
                    "scheme",
                    "pilot",
                    "denominator_kind",
                    "numerator",
                    "denominator",
                    "estimate",
                    "ci_low",
                    "ci_high",
                    "release_form",
                    "suppression_rule",
                ],
                decimals=3,
            ),
            caption,
        )
    )

# %% [markdown]
# ## 4. What the 2019 figures can and cannot support
#
# * **Short exposure.** The pilots started between March and August 2019; by 31 December 2019 most
#   people had been in the LVV for a few months. Durable outcomes (a repeat asylum procedure, return)
#   take longer, so the low rates of Tabel S.2 say little about what the pilots will achieve, and
#   "target not reached" is expected: the targets are for the whole pilot period and are
#   best-effort goals.
# * **Denominators.** Regioplan divides durable outflow by *intake*, which counts people still in the
#   LVV; a later evaluation divides by *outflow*. The two answer different questions and must not be
#   compared with each other. Amsterdam's denominator (287 or 363) is not stated; the printed 1 % fits
#   both. The national total of 1,019 counts only Amsterdam's people with formal status, while its
#   occupancy of 291 includes those without.
# * **Utrecht's estimate.** Utrecht's 98 % occupancy is an estimate, and with the printed outflow to state
#   reception it cannot hold (it exceeds what intake minus outflow allows by at least 16 people). Its
#   free places and occupancy rate should not be used as data.
# * **Between pilots.** The five pilots differ in target group, shelter and context (Utrecht's families
#   and the children's pardon, Eindhoven's parallel night shelter); differences in rates are described,
#   not tested, and are not evidence of what works.
# * **Person-level part.** With the default parameters these numbers are synthetic, calibrated to the
#   published figures: they show what the analysis would give on a real monitor export, not findings.

# %% [markdown]
# ## Uitspraken in de bron getoetst / The source's statements checked
# Each numeric statement in the source's text, tested against the published figures
# (`data/published/claims.csv`): published figures only, so no disclosure control applies.

# %%
claims_table = common.source_claims([pp.SOURCE_ID], L)
W.table("source_claims", claims_table, kind="derived", caption=L(*common.CLAIMS_CAPTION))
display(show_table(claims_table, L(*common.CLAIMS_TITLE), kind="derived"))

# %%
W.finish()
