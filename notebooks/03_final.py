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

from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common, final, final_person, findings, policy, three_evaluations
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters
from lvv_eval.reporting.writer import ReportWriter, say

P = validate_parameters(globals(), notebook="03_final")
L = Labels(P.language)
T = final.texts(P.language)
W = ReportWriter.from_parameters(P)
SCHEME = load_scheme(P.scheme)
SCHEME_NAME = SCHEME.name  # shown in captions (a scheme given as a file path is named by its own name)
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
THREE = three_evaluations.three_evaluations(
    FRAME, schemes=final_person.sensitivity_schemes(P), formal_only=P.formal_only, pilots=list(P.pilots)
)
print(common.data_banner(P, L))
if MD is not None:
    W.note(common.data_banner(P, L))
    # every person-level table of this report is registered before any is released, so a count
    # hidden in one table (its own rules or a linked table) is hidden in all of them
    PERSON = final_person.register_person_tables(GATE, MD, FRAME, P, THREE)
    print(GATE.explanation(P.language))
    W.note(GATE.explanation(P.language))
    say(final_person.reading_line(GATE, L))
    display(*final_person.show_excluded(GATE, L))

# %% [markdown]
# ### Flow at the peildatum, with disclosure control
#
# Intake on or before the peildatum = still present + outflow per class. Counts below the
# threshold are hidden, and so are the cells that would let them be recovered from the row
# relation (intake = present + classes) or the column relation (total = sum of pilots). Shares
# and rates below are hidden wherever their count is hidden.

# %%
if FRAME is not None:
    display(*final_person.show_flow(GATE, W, L, P))

# %% [markdown]
# ### Person-level figures vs the published national figures
#
# The source publishes national counts only (2065, 1258 and the class counts it implies are
# not published as counts), so the comparison has one row per published count.

# %%
if FRAME is not None:
    print(common.note_scope(W, FRAME, P, [final.SOURCE_ID], L))
    display(final_person.show_comparison(GATE, W, L))
    for line in final_person.national_share_lines(GATE, L, P):
        say(line)

# %% [markdown]
# ### Outflow class shares per pilot
#
# Denominator: the pilot's outflow by the peildatum. Wilson 95 % intervals treat the people
# of a pilot as independent; differences between pilots are descriptive (five sites, designs
# vary only between sites: no test is done).

# %%
if FRAME is not None:
    shares_table, *figs = final_person.show_class_shares(GATE, W, L, P)
    display(shares_table, *figs)
    for fig in figs:
        plt.close(fig)

# %% [markdown]
# ### Durable rate relative to intake vs relative to outflow
#
# The same durable count divided by two denominators. The gap between the two is largest
# where many people are still present, so a pilot ranking can change with the denominator.

# %%
if FRAME is not None:
    contrast_table, fig = final_person.show_contrast(GATE, W, L, P)
    display(contrast_table, fig)
    plt.close(fig)

# %% [markdown]
# ### Cumulative incidence with competing risks
#
# Probability that an entrant has left with each outcome within *h* months of intake
# (Aalen-Johansen; the other outcomes compete, people still present are censored at the
# peildatum). Never 1 - Kaplan-Meier for a single outcome. Horizons are a parameter; where the
# follow-up is too short the estimate is missing. The curves are drawn only where the table
# shows the outcome for that pilot, and only their steps with at least `disclosure_threshold`
# people at risk.

# %%
if FRAME is not None:
    cif_tables, fig = final_person.show_cumulative_incidence(GATE, W, L, P, PERSON)
    display(*cif_tables, fig)
    plt.close(fig)

# %% [markdown]
# ### Complete follow-up: outcome within 12 months
#
# Among people who entered at least 365 days before the peildatum (so all were followed for a
# full year), the share with each outcome within 365 days. No censoring model, but it
# describes the earlier intake cohorts only.

# %%
if FRAME is not None:
    print(final_person.fixed_title(L))
    display(final_person.show_complete_followup(GATE, W, L, P))

# %% [markdown]
# ### Length of stay
#
# Kaplan-Meier median time to any exit, people still present censored at the peildatum.

# %%
if FRAME is not None:
    display(final_person.show_length_of_stay(GATE, W, L, P))

# %% [markdown]
# ### Occupancy over time
#
# Persons present on the first day of each month, 2019 up to the peildatum, against the most
# recent published capacity (the 2020 monitor, 1142 places; source 002). Monthly counts below the
# threshold are hidden.

# %%
if FRAME is not None:
    occupancy_table, fig = final_person.show_occupancy(GATE, W, L, P, PERSON)
    display(occupancy_table, fig)
    plt.close(fig)

# %% [markdown]
# ### Sensitivity to the classification scheme
#
# The durable share of the outflow under each of the four shipped schemes, nationally and per
# pilot. The schemes differ mainly in forced return and immigration detention (see
# `lvv-eval schemes`), so the spread shows how much of a difference between evaluations is
# definitional. Each scheme's rates are suppressed consistently with that scheme's own
# suppressed flow table, and two schemes never show exact durable counts that differ by fewer
# than `disclosure_threshold` people (the report's own scheme is never the one hidden). Where
# that would leave the national row blank, the national rows are released with counts rounded to
# base 5 (column `release_form`); beside the exact count of the report's scheme in the flow table,
# a rounded count still bounds the difference between two schemes to a range of five people.

# %%
if FRAME is not None:
    sensitivity_table, fig = final_person.show_scheme_sensitivity(GATE, W, L, P)
    display(sensitivity_table, fig)
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
    shares = GATE.released[final_person.SHARES]
    findings.record(W, [findings.durable_share(shares, P.language, SCHEME, P.peildatum, {"pilot": "total"})])

# %%
W.finish()
