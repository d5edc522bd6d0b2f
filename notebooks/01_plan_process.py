# %% [markdown]
# # 01 Plan-and-process evaluation (Regioplan 2020)
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

from lvv_eval.disclosure.gate import Gate
from lvv_eval.evaluations import common, findings
from lvv_eval.evaluations import plan_process as pp
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters
from lvv_eval.reporting.writer import ReportWriter

P = validate_parameters(globals(), notebook="01_plan_process")
L = Labels(P.language)
W = ReportWriter.from_parameters(P)
T = pp.texts(P.language)

# %% [markdown]
# ## 1. Published figures
#
# ### Tabel S.1: capacity, occupancy and intake on 31 December 2019
#
# As printed. Utrecht gives no occupancy count, only an estimate (98 % occupied, about 2 % free;
# footnote *). Amsterdam's intake of 363 consists of 287 people with formal LVV status and 76
# sheltered without it.

# %%
pp.show_tabel_s1(W, L)

# %% [markdown]
# ### Tabel S.1 recomputed: occupancy rate and free places from the counts
#
# Occupancy rate = occupancy / capacity and free places = capacity - occupancy, both with capacity
# as denominator (no interval: places are not a sample). The recomputed free-place percentage is set
# against the printed one, with the status of the consistency check. Amsterdam's printed 20 % does not
# follow from 69 / 360 = 19.2 % (it would need 71 to 73 free places).

# %%
pp.show_tabel_s1_recomputed(W, L)

# %% [markdown]
# **Utrecht's estimate.** 98 % of 230 places means 225 or 226 people present. That fits the bound
# intake minus durable outflow (268 - 33 = 235), but not once the printed 10 % of intake (26 to 28
# people) who left for state reception after a repeat asylum application is also subtracted: then at
# most 207 to 209 can be present, so the estimate is too high by at least 16 people (17.2 at the point
# values), unless people re-entered.

# %%
pp.show_utrecht_estimate(W, L)

# %%
fig = pp.capacity_figure(W, L)
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
pp.show_tabel_s2(W, L)

# %%
fig = pp.durable_rate_figure(W, L)
display(fig)
plt.close(fig)

# %% [markdown]
# ### Other outflow in 2019
#
# The report prints only percentages of total intake for the two most frequent other exits. Every whole
# count whose percentage rounds to the printed one is allowed.

# %%
pp.show_other_outflow(W, L)

# %% [markdown]
# ### Consistency checks of the Regioplan 2020 figures
#
# Every check of `data/published/checks.csv` that involves only figures of this report. Known
# discrepancies are inconsistencies of the source itself (Amsterdam's 20 %, the occupancy of 291 against
# the 287 with formal status, Utrecht's estimate).

# %%
pp.show_source_checks(W, L)

# %% [markdown]
# ## 2. Headline figures (checked on every test run)

# %%
# NBVAL_CHECK_OUTPUT
for line in pp.headline_lines(L):
    print(line)

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
    print(T("published_only"))
else:
    W.note(common.data_banner(P, L))
    KIND = "synthetic" if P.is_synthetic else "person-level"
    FRAME = common.analysis_frame(M.frame, P.pilots, P.formal_only)
    GATE = Gate(P.disclosure_threshold, kind=KIND, report=P.notebook, aliases=common.total_aliases(P))
    print(GATE.explanation(P.language))
    W.note(GATE.explanation(P.language))
    # every person-level table of this report is registered before any is shown, so a count
    # suppressed in one table is suppressed in all of them
    pp.register_person_tables(GATE, M, FRAME, P)

# %% [markdown]
# ### Validation flow
# Rows read, rows excluded per reason (never silently) and rows analysed.

# %%
if M is not None:
    display(pp.show_validation_flow(W, GATE, L))

# %% [markdown]
# ### Person-level counts next to the published Tabel S.1 / S.2
# Counted the way Regioplan counted (its scheme and population, on 31 December 2019), whatever the
# `scheme` and `peildatum` parameters say. Published figures are shown as printed; the person-level
# counts pass disclosure control.

# %%
if M is not None:
    print(common.note_scope(W, M.frame, P, [pp.SOURCE_ID], L))
    for table in pp.show_published_vs_person(W, GATE, L):
        display(table)

# %% [markdown]
# ### Durable rate per pilot under the chosen scheme: relative to intake and to outflow
# Relative to intake (as Regioplan 2020) the rate mixes success with time: people still in the LVV count
# in the denominator. Relative to outflow (as Regioplan 2022) it describes only those who have left,
# which at an early peildatum is a small, selective group. Both with Wilson 95 % intervals.

# %%
if M is not None:
    display(pp.show_person_rates(W, GATE, L, P))
    for fig in pp.person_rate_figures(W, GATE, L, P):
        display(fig)
        plt.close(fig)

# %% [markdown]
# ### Occupancy over time, with the capacity of Tabel S.1
# People present on the first day of each month up to the peildatum (dashed: capacity in 2019).

# %%
if M is not None:
    fig = pp.occupancy_figure(W, GATE, L, P)
    display(fig)
    plt.close(fig)

# %% [markdown]
# ### Length of stay
# Kaplan-Meier median time from intake to any exit, with people still present censored at the
# peildatum. Empty where fewer than half have left (the median is not reached).

# %%
if M is not None:
    for table in pp.show_length_of_stay(W, GATE, L, P):
        display(table)

# %% [markdown]
# ### Cumulative incidence of each outcome class (competing risks)
# Aalen-Johansen estimate of the probability of having left with each outcome within a given time since
# intake, the other outcomes competing and people still present censored at the peildatum; bands are
# pointwise 95 % intervals (log-log).

# %%
if M is not None:
    fig = pp.cumulative_incidence_figure(W, GATE, L, P)
    display(fig)
    plt.close(fig)

# %% [markdown]
# ### Sensitivity of the durable rate to the classification scheme
# The same data classified with each shipped scheme; forced return and repeat asylum applications are
# where the schemes disagree.

# %%
if M is not None:
    display(pp.show_scheme_sensitivity(W, GATE, L, P))

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
pp.show_source_claims(W, L)

# %%
# %% [markdown]
# ## Key findings for the report's summary
# The published findings and limits are recomputed from the published figures
# (`lvv_eval.evaluations.findings`); the person-level one is a sentence made by the gate from
# released values.

# %%
findings.record(W, findings.plan_and_process(P.language))
if M is not None:
    findings.record(
        W,
        [
            findings.durable_share(
                GATE.released["durable_rate_person"],
                P.language,
                load_scheme(P.scheme),
                P.peildatum,
                {"pilot": "total", "denominator_kind": "outflow"},
            )
        ],
    )

# %%
W.finish()
