"""Exit-reason codes, accepted spellings and the report on unknown labels."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from lvv_eval.errors import InputValidationError
from lvv_eval.reference.taxonomy import (
    EXIT_REASON_CODES,
    EXIT_REASONS_FILE,
    closest_exit_reasons,
    exit_reasons,
    label,
    lookup_exit_reason,
    normalise_label,
    to_codes,
)

# docs/data_dictionary.md, section "Exit reason codes", in that order.
CONTRACT_CODES = (
    "residence_permit",
    "independent_return",
    "onward_migration",
    "forced_return",
    "repeat_asylum_application",
    "departure_postponed_art64",
    "left_unknown_destination",
    "stay_terminated",
    "immigration_detention",
    "criminal_detention",
    "other_shelter",
    "own_network",
    "returned_to_bbb",
    "deceased",
    "other",
)


def test_codes_follow_the_contract_order() -> None:
    assert EXIT_REASON_CODES == CONTRACT_CODES
    table = exit_reasons()
    assert list(table.columns) == ["code", "label_nl", "label_en"]
    assert tuple(table["code"]) == CONTRACT_CODES
    assert (table["label_nl"].str.len() > 0).all() and (table["label_en"].str.len() > 0).all()
    assert "aliases" in exit_reasons(with_aliases=True).columns


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Art.64", "art 64"),
        ("art64", "art 64"),
        ("ART. 64  Vw2000", "art 64 vw 2000"),
        ("Verblijf gedwongen BEËINDIGD", "verblijf gedwongen beeindigd"),
        ("  terug-naar_BBB ", "terug naar bbb"),
        ("vertrek naar het land van herkomst", "vertrek naar land van herkomst"),
    ],
)
def test_normalise_label(left: str, right: str) -> None:
    assert normalise_label(left) == right


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # spellings in the seeds (000 'Effecten van de LVV', 002 monitor results, 001 after Tabel S.2, 004)
        ("MOB", "left_unknown_destination"),
        ("met onbekende bestemming vertrokken", "left_unknown_destination"),
        ("vertrokken met onbekende bestemming", "left_unknown_destination"),
        ("Vertrokken met onbekende bestemming (MOB)", "left_unknown_destination"),
        ("art. 64", "departure_postponed_art64"),
        ("art 64 Vw", "departure_postponed_art64"),
        ("Art.64", "departure_postponed_art64"),
        ("artikel 64 Vw 2000", "departure_postponed_art64"),
        ("uitstel van vertrek", "departure_postponed_art64"),
        ("tijdelijk uitstel van vertrek", "departure_postponed_art64"),
        ("uitstel van vertrek (art. 64 Vw 2000)", "departure_postponed_art64"),
        ("AZC", "repeat_asylum_application"),
        ("uitstroom naar AZC", "repeat_asylum_application"),
        ("opvolgende asielaanvraag", "repeat_asylum_application"),
        ("HASA", "repeat_asylum_application"),
        ("herhaalde asielaanvraag", "repeat_asylum_application"),
        ("herhaalde asiel aanvraag", "repeat_asylum_application"),
        ("nieuwe asielaanvraag", "repeat_asylum_application"),
        ("inwilliging", "residence_permit"),
        ("verblijfsvergunning", "residence_permit"),
        ("verblijfsvergunning verleend / inwilliging", "residence_permit"),
        ("legalisering", "residence_permit"),
        ("gelegaliseerd", "residence_permit"),
        ("verlening asielvergunning", "residence_permit"),
        ("zelfstandig vertrek", "independent_return"),
        ("zelfstandige terugkeer", "independent_return"),
        ("zelfstandig vertrek naar het land van herkomst", "independent_return"),
        ("uitstroom naar Rijksopvang in verband met een herhaalde asielaanvraag", "repeat_asylum_application"),
        ("doormigratie", "onward_migration"),
        ("doorgemigreerd", "onward_migration"),
        ("gedwongen vertrek", "forced_return"),
        ("gedwongen vertrek (via vreemdelingenbewaring)", "forced_return"),
        ("vreemdelingenbewaring", "immigration_detention"),
        ("Vreemdelingen bewaring", "immigration_detention"),
        ("detentie", "criminal_detention"),
        ("andere opvang", "other_shelter"),
        ("naar andere opvang", "other_shelter"),
        ("eigen netwerk", "own_network"),
        ("terug naar BBB", "returned_to_bbb"),
        ("Terug naar BBB (Eindhoven)", "returned_to_bbb"),
        ("overleden", "deceased"),
        ("verblijf gedwongen beëindigd", "stay_terminated"),
        ("verblijf gedwongen beeindigd", "stay_terminated"),
        ("overig", "other"),
        # English
        ("Forced return", "forced_return"),
        ("onward migration", "onward_migration"),
        ("left, destination unknown", "left_unknown_destination"),
        ("immigration detention", "immigration_detention"),
    ],
)
def test_lookup_accepts_seed_and_spreadsheet_spellings(text: str, code: str) -> None:
    assert lookup_exit_reason(text) == code


@pytest.mark.parametrize("code", CONTRACT_CODES)
def test_codes_and_their_labels_are_accepted(code: str) -> None:
    assert lookup_exit_reason(code) == code
    assert lookup_exit_reason(code.upper()) == code
    assert lookup_exit_reason(label(code, "nl")) == code
    assert lookup_exit_reason(label(code, "en")) == code


def test_every_alias_names_its_own_code() -> None:
    with EXIT_REASONS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    checked = 0
    for row in rows:
        for alias in row["aliases"].split("|"):
            assert lookup_exit_reason(alias) == row["code"], alias
            checked += 1
    assert checked > 180  # ambiguous spellings (unqualified return, Rijksopvang, COA) were removed


@pytest.mark.parametrize("text", [None, "", "   ", float("nan"), pd.NA])
def test_blank_is_not_a_label(text: object) -> None:
    assert lookup_exit_reason(text) is None


@pytest.mark.parametrize("text", ["vertrek", "detention", "onbekend", "MOBB", "kinderpardon"])
def test_ambiguous_or_misspelt_labels_are_not_guessed(text: str) -> None:
    # 'vertrek' may be independent or forced; English 'detention' may be criminal or immigration.
    assert lookup_exit_reason(text) is None


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        # 002 counts forced departure from immigration detention among the 61 departures
        # 'naar het land van herkomst' (000, Effecten van de LVV): unqualified departure or
        # return may be independent or forced.
        ("vertrek naar het land van herkomst", {"independent_return", "forced_return"}),
        ("daadwerkelijk vertrek naar het land van herkomst", {"independent_return", "forced_return"}),
        ("vertrek naar land van herkomst", {"independent_return", "forced_return"}),
        ("teruggekeerd", {"independent_return", "forced_return"}),
        ("terugkeer", {"independent_return", "forced_return"}),
        # families may go to Rijksopvang (gezinslocaties, 001) without a repeat application
        ("rijksopvang", {"repeat_asylum_application"}),
        ("naar rijksopvang", {"repeat_asylum_application"}),
        ("COA", {"repeat_asylum_application"}),
    ],
)
def test_ambiguous_destinations_are_unknown_with_suggestions(text: str, suggested: set[str]) -> None:
    assert lookup_exit_reason(text) is None
    assert suggested <= set(closest_exit_reasons(text))
    with pytest.raises(InputValidationError) as caught:
        to_codes([text])
    (problem,) = caught.value.problems
    assert "closest known: " in problem.rule


def test_closest_exit_reasons() -> None:
    assert closest_exit_reasons("vertrokken met onbekende bestemmng") == ["left_unknown_destination"]
    assert closest_exit_reasons("MOBB") == ["left_unknown_destination"]
    assert closest_exit_reasons("gedwongen vetrek") == ["forced_return"]
    assert closest_exit_reasons("vreemdelingenbewaaring") == ["immigration_detention"]
    assert closest_exit_reasons("vertrek", n=2) == ["independent_return", "forced_return"]
    assert closest_exit_reasons("kinderpardon") == []
    assert closest_exit_reasons("") == []


def test_label() -> None:
    assert label("forced_return") == "gedwongen vertrek (via vreemdelingenbewaring)"
    assert label("forced_return", lang="en") == "forced return (via immigration detention)"
    with pytest.raises(ValueError, match="not an exit-reason code"):
        label("gedwongen vertrek")
    with pytest.raises(ValueError, match="lang"):
        label("other", lang="de")  # type: ignore[arg-type]


def test_to_codes_translates_and_keeps_blanks() -> None:
    values = pd.Series(["MOB", "", None, "Art.64", pd.NA, "forced_return", "  "])
    assert to_codes(values) == [
        "left_unknown_destination",
        None,
        None,
        "departure_postponed_art64",
        None,
        "forced_return",
        None,
    ]


def test_to_codes_reports_every_distinct_unknown_label_once() -> None:
    values = ["MOBB", "inwilliging", "gedwongen vetrek", "", "MOBB", "kinderpardon", "MOBB"]
    with pytest.raises(InputValidationError) as caught:
        to_codes(values, file="export.csv", column="reden_uitstroom")
    problems = caught.value.problems
    assert len(problems) == 3
    by_value = {p.value: p for p in problems}
    assert set(by_value) == {"MOBB", "gedwongen vetrek", "kinderpardon"}
    mobb = by_value["MOBB"]
    assert (mobb.file, mobb.row, mobb.column) == ("export.csv", None, "reden_uitstroom")
    # header = row 1, so the values are rows 2..8
    assert mobb.rule.startswith("unknown exit reason (3 rows: 2, 6, 8); closest known: left_unknown_destination")
    assert by_value["gedwongen vetrek"].rule.startswith("unknown exit reason (1 row: 4); closest known: forced_return")
    assert "no known exit reason is close" in by_value["kinderpardon"].rule
    assert "3 unknown exit reason(s) in 5 row(s) of export.csv" in str(caught.value)
    assert len(caught.value.to_frame()) == 3


def test_to_codes_lists_at_most_ten_rows() -> None:
    with pytest.raises(InputValidationError) as caught:
        to_codes(["xx"] * 12)
    assert "(12 rows: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...)" in caught.value.problems[0].rule
