# %% [markdown]
# # 02 Interim evaluation: programme monitor and Verwey-Jonker, peildatum 1 November 2020
#
# Reproduces the quantitative part of the **interim (effect) evaluation** of the LVV pilots.
# Two sources give figures for the same reference date, 1 November 2020:
#
# - the **programme monitor**, reported in the letter of 17 November 2020
#   (source `002_1f6dbbe6756677e4.txt`, paragraph *Voortgang LVV's*): capacity per pilot (1142 places),
#   107 durable solutions (46 granted + 61 departures or onward migrations, split per pilot),
#   164 to an AZC, 25 art. 64, 95 left with unknown destination, 7 back to a BBB, 84 stays ended by
#   force, 1310 sheltered, 771 present, 471 counselling scenarios (236 departure, split per pilot,
#   235 residence), 10 MRT cases;
# - the **Verwey-Jonker interim evaluation** (March 2021) as quoted in the letter of 28 June 2021
#   (source `000_3514d6bc5a3a2801.txt`, paragraph *Effecten van de LVV*): 43 + 50 + 2 durable,
#   170 + 20 semi-durable, 100 + 76 + 76 no solution; the letter explains one difference
#   (forced departure from immigration detention) and says the cause of the others is not always clear.
#
# **Published vs computed.** Part 1 shows the printed figures (from `data/published/figures.csv`) and
# what the package derives from them: sums, the reconciliation of the two outflow tables
# (`lvv_eval.stats.reconcile` with `data/published/crosswalk_monitor_vji.csv` and
# `reconciliation_explanations.csv`) and the consistency checks. Part 2 (skipped when
# `data_source` is `"published"`) recomputes the same measures from person-level monitor data;
# with the default `data_source="synthetic"` these numbers are **synthetic** and describe no real person.
#
# **Re-run** with other parameters, e.g.
# `lvv-eval run 02_interim -p language en`,
# `lvv-eval run 02_interim -p data_source published`,
# `lvv-eval run 02_interim -p scheme regioplan-2022 -p peildatum 2021-06-30`,
# `lvv-eval run 02_interim -p data_source path/to/export.xlsx`.
# The published part always uses each source's own scheme and date; `scheme`,
# `comparison_scheme`, `peildatum`, `pilots` and `formal_only` steer the person-level part.

# %% tags=["parameters"]
data_source: str = "synthetic"  # published, synthetic, or the path of a monitor export
peildatum: str = "2020-11-01"  # reference date of the person-level part, ISO yyyy-mm-dd
scheme: str = "monitor-2020"  # classification scheme of the person-level part
pilots: list = []  # pilot codes to report on; empty means all five
language: str = "nl"  # report language, nl or en
output_dir: str = ""  # folder for tables and figures; empty means reports/02_interim
disclosure_threshold: int = 10  # person-level counts below this are suppressed
formal_only: bool = True  # count formal LVV status only, as the monitor does
comparison_scheme: str = "verwey-jonker-2021"  # second scheme for the person-level class shares

# %%
import matplotlib.pyplot as plt

from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common, findings, interim
from lvv_eval.evaluations.wording import Texts
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters
from lvv_eval.reporting.writer import ReportWriter, say
from lvv_eval.sources import published

P = validate_parameters(globals(), notebook="02_interim")
L = Labels(P.language)
T = Texts("interim", P.language)
W = ReportWriter.from_parameters(P)

# %% [markdown]
# ## Part 1: published figures
#
# All numbers in this part come from `data/published/figures.csv`; they do not depend on the
# parameters. Each source is classed with its own scheme (`monitor-2020`, `verwey-jonker-2021`).

# %%
FIGS = published.load_figures()
H = interim.headline(FIGS)
RECON = interim.interim_reconciliation(FIGS)
SHOWN = interim.show_published_tables(W, L, FIGS)

# %% [markdown]
# ### Capacity per pilot
# The 2020 letter gives Utrecht 235 places where Tabel S.1 of 2019 (source `001`) gave 230; both are
# published, and only 235 makes the printed total of 1142.

# %%
SHOWN["capacity"]

# %%
# NBVAL_CHECK_OUTPUT
print("\n".join(interim.capacity_lines(H, L)))

# %% [markdown]
# ### The two outflow tables as printed

# %%
SHOWN["outflow_printed"]

# %% [markdown]
# ### Who left, and how much of it each source itemises
# 1310 people were sheltered since the start and 771 were present on 1 November 2020, so 539 left
# (if each person left at most once). The letter itemises 482 of them; 57 left for reasons it does not
# name. Verwey-Jonker, who received the same monitor, itemises 537.

# %%
SHOWN["outflow_flow_published"]

# %% [markdown]
# ### Reconciliation per category
# Differences are Verwey-Jonker minus monitor. The only published explanation (source 000) is that
# forced departure from immigration detention was counted durable by the monitor and other non-durable
# by Verwey-Jonker. Its size is not published, so it explains a range, not a number: between 0 and the largest move
# consistent with the observed differences (9 people). The unexplained part is therefore a range too;
# the other categories differ by +6, -5, +5 and -8 without any explanation.

# %%
SHOWN.update(interim.show_reconciliation(W, L, RECON))
SHOWN["reconciliation_categories"]

# %% [markdown]
# ### Reconciliation per class
# Each source under its own scheme: the monitor has durable / temporary / none, Verwey-Jonker durable /
# semi-durable / none. The move of 189 people between *temporary* and *semi-durable* is purely a
# matter of naming (same categories, different class labels); it is shown as `explained_classification`.

# %%
SHOWN["reconciliation_classes"]

# %%
SHOWN["reconciliation_explanations"]

# %% [markdown]
# ### Consistency checks on these sources
# From `data/published/checks.csv`: sums of printed figures, and the bound that itemised outflow cannot
# exceed the 539 people who left.

# %%
SHOWN.update(interim.show_checks_and_scenarios(W, L, FIGS))
SHOWN["consistency_checks"]

# %% [markdown]
# ### Counselling scenarios and departures per pilot
# The letter splits departures (61) and departure scenarios (236) per pilot but gives residence
# scenarios (235) only in total. So the departure share of scenarios has a confidence interval only for
# all pilots together; per pilot, departures and departure scenarios are shown **per 100 agreed places**
# (a ratio to capacity, not a share of people; no interval).

# %%
display(SHOWN["scenario_shares_published"], SHOWN["departures_by_pilot"])

# %%
interim.draw_published_figures(W, L, RECON, FIGS)

# %%
# NBVAL_CHECK_OUTPUT
print("\n".join(interim.reconciliation_lines(H, L, FIGS)))

# %% [markdown]
# ## Part 2: person-level data
#
# Counted the way the monitor counts: formal LVV status only (`formal_only`), at `peildatum`.
# Every person-level table is registered with the report's disclosure gate (`disclosure_threshold`)
# before any is shown, so a count suppressed in one table is suppressed in all; each table's
# suppressed cells are listed below it.

# %%
DATA = common.load_person_level(P)
print(common.note_empty(W, DATA, L))
print(common.data_banner(P, L))
if DATA is None:
    print(T("no_person_level"))
else:
    FRAME = DATA.frame
    KIND = "synthetic" if P.is_synthetic else "person-level"
    GATE = Gate(P.disclosure_threshold, kind=KIND, report=P.notebook, aliases=common.total_aliases(P))
    print(GATE.explanation(P.language))
    W.note(GATE.explanation(P.language))
    W.note(common.data_banner(P, L))
    # every person-level table of this report is registered before any is released, so a count
    # suppressed in one table is suppressed in all of them
    PERSON = interim.register_person_tables(GATE, DATA, P)
    display(interim.show_validation(GATE, L))

# %%
if DATA is not None:
    display(*interim.show_flow(GATE, W, L, P))
    say(interim.late_intake_text(GATE, L))

# %% [markdown]
# ### Person-level figures next to the published ones
# Each side is counted as the source counts (its own scheme, formal status only, 1 November 2020),
# whatever `peildatum` and `scheme` say.

# %%
if DATA is not None:
    print(common.note_scope(W, FRAME, P, [interim.MONITOR, interim.VJI], L))
    display(*interim.show_comparison(GATE, W, L, interim.source_names(L)))

# %% [markdown]
# ### Class shares of outflow per pilot, under the main and the comparison scheme
# Denominator: everyone who left by the peildatum. Wilson 95% intervals per share; shares resting on a
# count below the threshold are hidden.

# %%
if DATA is not None:
    display(*interim.show_class_tables(GATE, W, L, PERSON))
    shares, fig = interim.show_class_shares(GATE, W, L, P)
    display(shares)
    plt.close(fig.figure)

# %% [markdown]
# ### Counselling scenarios per pilot (person-level)
# Unlike the letter, person-level data give residence scenarios per pilot, so the departure share per pilot
# can be computed. Denominator: persons with a scenario set by the peildatum.

# %%
if DATA is not None:
    display(interim.show_scenario_shares(GATE, W, L))

# %% [markdown]
# ### Time to outcome: cumulative incidence per class (competing risks) and length of stay
# Aalen-Johansen cumulative incidence of each class, with the other classes as competing events and
# people still present censored at the peildatum; Kaplan-Meier median length of stay per pilot.

# %%
if DATA is not None:
    cif, fig = interim.show_cumulative_incidence(GATE, W, L, P, FRAME)
    display(cif)
    plt.close(fig.figure)

# %%
if DATA is not None:
    display(*interim.show_length_of_stay(GATE, W, L))

# %% [markdown]
# ### Scheme sensitivity
# Durable rate per pilot under all four shipped schemes (denominators: outflow and intake). The
# monitor-2020 and verwey-jonker-2021 schemes differ in their durable class only by forced return, so the
# gap between them shows which pilot's durable rate depends most on that choice. Descriptive only; no
# test between pilots. The difference between two schemes' durable counts is the number of forced
# returns: the gate hides a scheme's count where two visible versions differ by fewer than
# `disclosure_threshold` persons, and the shift table hides `moved` and everything it follows from.
# Where that would blank the national rows, they are released with counts rounded to base 5 (column
# `release_form`), so the sensitivity stays visible at national level.

# %%
if DATA is not None:
    *tables, moved_most, national = interim.show_scheme_sensitivity(GATE, W, L)
    display(*tables)
    print(moved_most)
    say(national)

# %% [markdown]
# ## What the two sources agree on, where they differ, and why
#
# **Agree.** Both use the peildatum 1 November 2020, and the monitor with that peildatum was shared
# with the researchers (source 000); the letter does not say that they counted from the same data. Total outflow nearly
# matches: Verwey-Jonker itemises 537 people, and the monitor's own intake and presence figures imply
# 1310 - 771 = 539 who left. Residence permits (46 vs 43), repeat asylum applications (164 vs 170),
# art. 64 (25 vs 20) and unknown destination (95 vs 100) differ by 3 to 6 people.
#
# **Differ, explained.** The monitor counts 107 durable solutions, Verwey-Jonker 95 (a gap of 12).
# Source 000 names one mechanism: forced departure from immigration detention is durable for the monitor
# and *other non-durable* for Verwey-Jonker, without saying how many people it concerns. The gap of 12 is
# 3 unexplained (residence permits, 46 vs 43) plus 9 in departures (61 vs 50 + 2), of which between 0
# and 9 is that reclassification; so between 3 and 12 of the durable gap is unexplained. The move of 189 people between the monitor's *temporary* class and
# Verwey-Jonker's *semi-durable* class is only naming: Verwey-Jonker puts repeat applications and art. 64
# together as semi-durable (000); the monitor letter (002) lists them separately and calls only art. 64
# temporary, and it is this package's `monitor-2020` scheme that puts both in *temporary*. Their counts
# differ by 1 (189 vs 190).
#
# **Not explained by the published material.** The monitor letter itemises only 482 of the 539 who
# left; 57 left for reasons it does not name, while Verwey-Jonker lists 76 as *other non-durable*
# against the monitor's 7 returns to a BBB. Whatever the size of the forced-departure move, 60 to 69
# of that difference remains, and it is of the order of the monitor's unitemised 57, which suggests (but the sources do
# not say) that Verwey-Jonker classified the outflow the letter leaves out. The small differences in
# residence permits (-3), unknown destination (+5), stays ended by force (-8), repeat applications (+6)
# and art. 64 (-5) may come from corrections between the letter and the report or from different
# definitions; the letter itself says the cause "is niet in alle gevallen duidelijk". Per pilot, the
# share of departure among scenarios cannot be computed from the letter (residence scenarios per pilot
# are not published); departures per 100 places range from 0 (Eindhoven) to about 26 (Rotterdam), which
# reflects capacity and intake as much as results. The person-level part, on synthetic data by default,
# shows how such figures would be recomputed; it is not evidence about the LVV.

# %% [markdown]
# ## Uitspraken in de bron getoetst / The source's statements checked
# Each numeric statement in the source's text, tested against the published figures
# (`data/published/claims.csv`): published figures only, so no disclosure control applies.

# %%
interim.show_claims(W, L)

# %% [markdown]
# ## Key findings for the report's summary
# The published findings and limits are recomputed from the published figures
# (`lvv_eval.evaluations.findings`); the person-level ones are sentences made by the gate from
# released values.

# %%
findings.record(W, findings.interim_evaluation(P.language))
if DATA is not None:
    findings.record(
        W,
        [
            findings.durable_share(
                GATE.released[interim.CLASS_SHARES],
                P.language,
                load_scheme(P.scheme),
                P.peildatum,
                {"scheme": P.scheme, "pilot": interim.TOTAL},
            ),
            interim.national_shift_text(GATE, GATE.released[interim.SENSITIVITY], L),
        ],
    )

# %%
W.finish()
