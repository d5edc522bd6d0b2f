"""The key findings of each report's summary: recomputed from the published figures, in both languages."""

from __future__ import annotations

import re

import pytest

from lvv_eval.evaluations import findings
from lvv_eval.reporting.writer import ReportWriter
from lvv_eval.sources import published

REPORTS = {
    "01": findings.plan_and_process,
    "02": findings.interim_evaluation,
    "03": findings.final_evaluation,
    "04": findings.designs,
}


@pytest.mark.parametrize("report", sorted(REPORTS))
@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_report_has_findings_and_limits(report: str, language: str) -> None:
    found = REPORTS[report](language)
    assert any(not f.limit for f in found) and any(f.limit for f in found)
    assert all(f.kind in ("published", "derived") for f in found)
    assert all(f.text.strip() and "{" not in f.text for f in found)


def test_dutch_and_english_findings_carry_the_same_numbers() -> None:
    for make in REPORTS.values():
        for nl, en in zip(make("nl"), make("en"), strict=True):
            digits_nl = re.findall(r"\d+", nl.text.replace(".", "").replace(",", ""))
            digits_en = re.findall(r"\d+", en.text.replace(".", "").replace(",", ""))
            assert sorted(digits_nl) == sorted(digits_en), (nl.text, en.text)


def test_findings_follow_the_published_figures() -> None:
    figures = published.load_figures().copy()
    before = findings.final_evaluation("en", figures)[0].text
    assert "2,065 participants" in before and "1,258 had left" in before
    row = figures["figure_id"].astype(str) == findings.final.published_final(figures).figure_ids["participants"]
    figures.loc[row, "value"] = 2165
    after = findings.final_evaluation("en", figures)[0].text
    assert "2,165 participants" in after and "(58%)" in after  # 1258 / 2165 = 58.1 %


def test_the_capacity_total_is_summed_not_typed() -> None:
    figures = published.load_figures().copy()
    capacity = (figures["source_id"].astype(str) == "regioplan-2020") & (figures["measure"].astype(str) == "capacity")
    utrecht = capacity & (figures["pilot"].astype(str) == "utrecht")
    assert utrecht.sum() == 1
    figures.loc[utrecht, "value"] = figures.loc[utrecht, "value"] + 10
    assert "1,147 shelter places" in findings.plan_and_process("en", figures)[0].text


def test_designs_other_attribute_states_only_the_limit_with_its_floor() -> None:
    groups = {"amsterdam": "a", "eindhoven": "b", "groningen": "a", "rotterdam": "b", "utrecht": "a"}
    found = findings.designs("en", "lead", groups)
    assert [f.limit for f in found] == [True, True]
    assert "With 5 pilots, 2 of which" in found[0].text and "0.10" in found[0].text
    one_group = findings.designs("en", "lead", dict.fromkeys(groups, "a"))
    assert [f.limit for f in one_group] == [True] and "permutation" not in one_group[0].text


def test_record_puts_them_in_the_manifest(tmp_path) -> None:
    writer = ReportWriter(tmp_path, notebook="03_final")
    sentences = findings.record(writer, findings.final_evaluation("nl"))
    manifest = writer.manifest()["findings"]
    assert [f["text"] for f in manifest] == sentences
    assert [f["limit"] for f in manifest] == [False, False, True, True]


def _released_shares():
    import pandas as pd

    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.stats.rates import class_shares

    counts = pd.DataFrame(
        {"durable": [40, 3], "semi_durable": [50, 20], "none": [60, 30]},
        index=pd.Index(["amsterdam", "eindhoven"], name="pilot"),
    )
    gate = Gate(10, kind="synthetic", report="t")
    table = class_shares(counts)
    return gate.check("shares", table, counts=["numerator", "denominator"], key=["pilot", "category"], rates=True)


def test_a_person_level_finding_is_made_from_checked_values() -> None:
    shares = _released_shares()
    shown = findings.person_share(
        shares,
        "en",
        outcome="durable solution",
        scheme="Final evaluation",
        peildatum="2022-07-01",
        where={"pilot": "amsterdam", "category": "durable"},
    )
    assert shown.kind == "synthetic" and shown.n_suppressed == 0
    assert str(shown).startswith(
        "At person level, classified by Final evaluation, 27% of the 150 people who had left by 1 July 2022"
    )
    assert str(shown).endswith(
        "had the outcome 'durable solution'. The 95% confidence interval (Wilson) of that share is 20–34%."
    )
    hidden = findings.person_share(
        shares,
        "nl",
        outcome="bestendige oplossing",
        scheme="Eindevaluatie",
        peildatum="2022-07-01",
        where={"pilot": "eindhoven", "category": "durable"},
    )
    from lvv_eval.disclosure.checked import SUPPRESSION_MARK

    assert hidden.n_suppressed >= 1
    assert str(hidden).startswith(f"Op persoonsniveau, ingedeeld volgens Eindevaluatie, had {SUPPRESSION_MARK} van de")


def test_a_person_level_finding_without_its_row_is_skipped(tmp_path) -> None:
    from lvv_eval.reference.schemes import load_scheme

    shares = _released_shares()
    missing = findings.durable_share(shares, "en", load_scheme("regioplan-2022"), "2022-07-01", {"pilot": "utrecht"})
    assert missing is None
    writer = ReportWriter(tmp_path, notebook="03_final")
    found = findings.durable_share(shares, "en", load_scheme("regioplan-2022"), "2022-07-01", {"pilot": "amsterdam"})
    assert findings.record(writer, [missing, found]) == [str(found)]
    assert writer.findings[0]["kind"] == "synthetic"


def test_the_interval_level_stands_apart_from_the_denominator() -> None:
    """A percentage in the sentence of a denominator reads as a share of those people (the output scan
    reads it so): the interval's level must be in another sentence."""
    shares = _released_shares()
    for language in ("nl", "en"):
        text = str(
            findings.person_share(
                shares,
                language,
                outcome="o",
                scheme="s",
                peildatum="2022-07-01",
                where={"pilot": "amsterdam", "category": "durable"},
            )
        )
        first, second = text.split(". ", 1)
        assert "150" in first and "95" not in first
        assert "95" in second and "150" not in second
