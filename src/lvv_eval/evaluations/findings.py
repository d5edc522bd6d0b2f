"""Key findings and limits of the evidence for each report's summary, made from the published figures.

Each function returns the sentences of one report, in the report language,
with the numbers recomputed from ``data/published/figures.csv`` by the
evaluation modules (nothing is typed into a sentence) and formatted by
:mod:`lvv_eval.reporting.formatting` (Babel). The texts are data:
``texts/findings.<language>.yaml``. A notebook records them with
:func:`record`; the report's summary lists the findings with where their
numbers come from, then the limits (:meth:`lvv_eval.reporting.writer.ReportWriter.finding`).

Person-level findings are not made here: they must be composed by the
disclosure gate from checked values (``Gate.text``) and recorded by the notebook.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from lvv_eval.disclosure.checked import CheckedTable, CheckedText
from lvv_eval.errors import ConfigError
from lvv_eval.evaluations import design_comparison, final, interim, plan_process
from lvv_eval.evaluations.report_cells import ci_level, ci_method
from lvv_eval.evaluations.wording import Texts
from lvv_eval.reference.schemes import Scheme
from lvv_eval.reporting import formatting as fmt
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.writer import ReportWriter
from lvv_eval.sources import published
from lvv_eval.stats.sites.few_sites import min_permutation_p

__all__ = [
    "Finding",
    "designs",
    "durable_share",
    "final_evaluation",
    "interim_evaluation",
    "person_share",
    "plan_and_process",
    "record",
]


@dataclass(frozen=True)
class Finding:
    """One sentence of a report's summary.

    ``kind`` says where its numbers come from (``published`` or ``derived``,
    as for tables); ``limit`` marks a sentence about what the evidence cannot
    support.
    """

    text: str
    kind: str = "derived"
    limit: bool = False


def record(writer: ReportWriter, findings: Iterable[Finding | CheckedText | None]) -> list[str]:
    """Record ``findings`` in the report's summary, in order; return the sentences as recorded.

    A :class:`Finding` is published or derived; a :class:`~lvv_eval.disclosure.checked.CheckedText`
    was made by the gate (person-level); ``None`` (a person-level finding without data) is skipped.
    """
    recorded = []
    for f in findings:
        if isinstance(f, Finding):
            recorded.append(writer.finding(f.text, kind=f.kind, limit=f.limit))
        elif f is not None:
            recorded.append(writer.finding(f))
    return recorded


def person_share(
    table: CheckedTable,
    language: str,
    *,
    outcome: str,
    scheme: str,
    peildatum: object,
    where: dict[str, object],
) -> CheckedText | None:
    """A person-level finding: one share with its interval and denominator, made from a released table.

    Parameters
    ----------
    table
        A table released by the report's gate with the columns ``estimate``,
        ``ci_low``, ``ci_high``, ``denominator`` and ``ci_level`` and
        ``ci_method`` (as :func:`lvv_eval.stats.rates.class_shares` makes them).
    language
        Report language.
    outcome
        Label of the outcome the share counts (a label, no digits).
    scheme
        Title of the classification scheme (a label).
    peildatum
        Reference date of the counts.
    where
        Column = value pairs selecting the one row (e.g. ``{"pilot": "total", "class": "durable"}``).

    Returns
    -------
    CheckedText or None
        The sentences (the share with its denominator, then its interval: the interval's level
        stands apart from the denominator, so no percentage of it reads as a share of those
        people); a suppressed value shows as the suppression mark. ``None`` when no row matches
        ``where`` (an export without that group or outcome).
    """
    T = Texts("findings", language)
    hit = table.frame
    for column, value in where.items():
        hit = hit.loc[hit[column] == value]
    if len(hit) != 1:
        return None
    level, method = ci_level(hit), ci_method(hit).capitalize()
    template = T(
        "person_share",
        scheme=scheme,
        date=fmt.format_date(peildatum, language),
        outcome=outcome,
        level=fmt.format_percent(level * 100, language),
        method=method,
        share="{share}",
        interval="{interval}",
        denominator="{denominator}",
    )
    return CheckedText.compose(
        template,
        table.kind,
        share=(table.value("estimate", **where), lambda v: fmt.format_share(v, language)),
        interval=(
            table.value("ci_low", **where),
            table.value("ci_high", **where),
            lambda lo, hi: fmt.format_interval(lo, hi, language, brackets=False),
        ),
        denominator=(table.value("denominator", **where), lambda v: fmt.format_count(v, language)),
    )


def durable_share(
    table: CheckedTable, language: str, scheme: Scheme, peildatum: object, where: dict[str, object]
) -> CheckedText | None:
    """:func:`person_share` of the scheme's durable class in the row ``where``.

    ``table`` is a released table of class shares (:func:`lvv_eval.stats.rates.class_shares` columns;
    the row of ``category == "durable"`` is taken) or of durable rates (no ``category`` column);
    ``where`` selects the group, e.g. ``{"pilot": "total"}``, and must give an outflow denominator.
    """
    durable = next((c for c in scheme.classes if c.id == "durable"), None)
    if durable is None:
        raise ConfigError(f"scheme {scheme.name!r} has no class 'durable'")
    return person_share(
        table,
        language,
        outcome=durable.name_nl if language == "nl" else durable.name_en,
        scheme=scheme.title_nl if language == "nl" else scheme.title_en,
        peildatum=peildatum,
        where={**where, "category": "durable"} if "category" in table.frame.columns else dict(where),
    )


def _figures(figures: pd.DataFrame | None) -> pd.DataFrame:
    return published.load_figures() if figures is None else figures


def _count(value: object, language: str) -> str:
    return fmt.format_count(value, language)


def _intervals_limit(T: Texts) -> Finding:
    return Finding(T("limit_intervals"), limit=True)


def plan_and_process(language: str = "nl", figures: pd.DataFrame | None = None) -> list[Finding]:
    """Findings of the plan-and-process evaluation (Regioplan 2020, peildatum 31 December 2019).

    Capacity (sum of Tabel S.1) and formal intake (sum per pilot against the
    printed total), the durable share of intake per pilot recomputed from
    Tabel S.2 against the printed percentages, and the consistency checks.

    Examples
    --------
    >>> print(plan_and_process("en")[0].text)  # doctest: +NORMALIZE_WHITESPACE
    On 31 December 2019 the five pilots together had 1,137 shelter places (sum of Tabel S.1; the source prints no
    total) and 1,019 people with formal LVV status had entered (printed: 1,019).
    """
    T, L = Texts("findings", language), Labels(language)
    figs = _figures(figures)
    head = plan_process.headline(figs)
    rates = plan_process.durable_rates(figs)
    main = rates.loc[rates["intake_category"].eq("formal") | ~rates["pilot"].duplicated(keep=False)]
    date = published.select(source="regioplan-2020", measure="intake", figures=figs)["peildatum"].iloc[0]
    shares = fmt.join_list(
        [
            f"{L.pilot(str(p))} {fmt.format_percent(pct, language)}"
            for p, pct in zip(main["pilot"], main["recomputed_pct"])
        ],
        language,
    )
    agree = bool(main["matches_printed"].all())
    printed = fmt.join_list([fmt.format_percent(p, language) for p in main["printed_pct"]], language)
    checks = head["checks"]
    assert isinstance(checks, dict)
    return [
        Finding(
            T(
                "plan_capacity_intake",
                date=fmt.format_date(date, language),
                capacity=_count(head["capacity_total"], language),
                intake=_count(head["intake_total"], language),
                intake_printed=_count(head["intake_total_printed"], language),
            )
        ),
        Finding(
            T("plan_durable", shares=shares, agree=T("plan_agree") if agree else T("plan_disagree", printed=printed))
        ),
        Finding(
            T(
                "plan_checks",
                total=_count(checks["total"], language),
                ok=_count(checks["ok"], language),
                known=_count(checks["known_discrepancy"], language),
            )
        ),
        _intervals_limit(T),
    ]


def interim_evaluation(language: str = "nl", figures: pd.DataFrame | None = None) -> list[Finding]:
    """Findings of the interim evaluation (programme monitor and Verwey-Jonker, 1 November 2020).

    Examples
    --------
    >>> print(interim_evaluation("en")[0].text)  # doctest: +NORMALIZE_WHITESPACE
    On 1 November 2020 the programme monitor counted 107 durable solutions (46 residence permits + 61
    departures or onward migrations); Verwey-Jonker counts 95 for the same date.
    """
    T = Texts("findings", language)
    figs = _figures(figures)
    h = interim.headline(figs)
    date = published.select(source=interim.MONITOR, measure="capacity", figures=figs)["peildatum"].iloc[0]
    return [
        Finding(
            T(
                "interim_durable",
                date=fmt.format_date(date, language),
                durable=_count(h["durable"], language),
                granted=_count(h["granted"], language),
                departures=_count(h["departures"], language),
                vji_durable=_count(h["vji_durable"], language),
            )
        ),
        Finding(
            T(
                "interim_left",
                left=_count(h["left"], language),
                listed=_count(h["monitor_listed"], language),
                vji_outflow=_count(h["vji_outflow"], language),
            )
        ),
        Finding(T("limit_sources_disagree"), limit=True),
        _intervals_limit(T),
    ]


def final_evaluation(language: str = "nl", figures: pd.DataFrame | None = None) -> list[Finding]:
    """Findings of the final evaluation (Regioplan 2022, July 2022).

    The printed participants, outflow and class shares; the counts behind the
    rounded durable share and that share of all participants (ranges, from
    :func:`lvv_eval.evaluations.final.intake_denominator_ranges`).

    Examples
    --------
    >>> print(final_evaluation("en")[0].text)  # doctest: +NORMALIZE_WHITESPACE
    Of the 2,065 participants, 1,258 had left by 1 July 2022 (61%); of these 18% had a durable, 41% a
    semi-durable and 41% no solution.
    """
    T = Texts("findings", language)
    pub = final.published_final(_figures(figures))
    ranges = final.intake_denominator_ranges(pub).set_index("category")
    durable = ranges.loc["durable"]
    low, high = float(durable["percent_of_intake_low"]), float(durable["percent_of_intake_high"])
    intake_share = (
        fmt.format_percent(low, language)
        if low == high
        else f"{fmt.format_number(low, language, 0)}–{fmt.format_percent(high, language)}"
    )
    return [
        Finding(
            T(
                "final_outcome",
                participants=_count(pub.participants, language),
                outflow=_count(pub.outflow, language),
                date=fmt.format_date(pub.peildatum, language),
                outflow_pct=fmt.format_percent(pub.outflow_percent, language),
                durable=fmt.format_percent(pub.shares["durable"], language),
                semi=fmt.format_percent(pub.shares["semi_durable"], language),
                none=fmt.format_percent(pub.shares["none"], language),
            ),
            kind="published",
        ),
        Finding(
            T(
                "final_counts",
                durable_low=_count(durable["count_low"], language),
                durable_high=_count(durable["count_high"], language),
                intake_share=intake_share,
            )
        ),
        Finding(T("limit_rounding"), limit=True),
        _intervals_limit(T),
    ]


def designs(
    language: str = "nl",
    attribute: str = design_comparison.HEADLINE_ATTRIBUTE,
    groups: Mapping[str, object] | None = None,
) -> list[Finding]:
    """Findings of the design comparison.

    For the headline attribute (a parallel BBB: Eindhoven against the other
    pilots, 2019 figures) the published contrast; for every attribute that
    splits the pilots in two or more groups the limit of such a comparison:
    the smallest reachable permutation p-value with ``len(groups)`` sites of
    which the smallest group has the attribute value.

    Parameters
    ----------
    language
        Report language.
    attribute
        Design attribute of the comparison.
    groups
        Pilot -> design group of the comparison (``CompareResult.groups``);
        default: Eindhoven alone against the other four pilots (the headline).

    Examples
    --------
    >>> print(designs("en")[-2].text)  # doctest: +NORMALIZE_WHITESPACE
    With 5 pilots, 1 of which has the design attribute, the smallest p-value a permutation test can reach is
    0.20: differences between designs are descriptive, not evidence of an effect of the design.
    """
    if groups is None:
        groups = {p: "yes" if p == "eindhoven" else "no" for p in plan_process.tabel_s1_capacity()}
    sizes = Counter(str(g) for g in groups.values())
    T, L = Texts("findings", language), Labels(language)
    found: list[Finding] = []
    if attribute == design_comparison.HEADLINE_ATTRIBUTE:
        h = design_comparison.headline_figures()
        others = fmt.join_list([L.pilot(p.strip()) for p in str(h["others_pilots"]).split(",")], language)
        found.append(
            Finding(
                T(
                    "designs_bbb",
                    capacity=_count(h["eindhoven_capacity"], language),
                    intake=_count(h["eindhoven_intake"], language),
                    free=_count(h["eindhoven_free"], language),
                    others=others,
                    others_rate=fmt.format_number(h["others_intake_per_place"], language, 2),
                )
            )
        )
    if len(sizes) >= 2:
        treated, n_sites = min(sizes.values()), len(groups)
        found.append(
            Finding(
                T(
                    "limit_five_sites",
                    n_sites=fmt.format_count(n_sites, language),
                    treated=_count(treated, language),
                    min_p=fmt.format_number(min_permutation_p(n_sites, treated), language, 2),
                ),
                limit=True,
            )
        )
    return found + [_intervals_limit(T)]
