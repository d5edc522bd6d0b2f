"""Tests of lvv_eval.reporting.labels: labels and number/date formats in Dutch and English."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lvv_eval.errors import ConfigError
from lvv_eval.reporting.labels import LABELS_FILE, Labels, UnknownLabelError


@pytest.fixture(scope="module")
def nl() -> Labels:
    return Labels("nl")


@pytest.fixture(scope="module")
def en() -> Labels:
    return Labels("en")


def test_default_language_is_dutch() -> None:
    assert Labels().language == "nl"


@pytest.mark.parametrize("language", ["de", "NL", "", "english"])
def test_unknown_language_is_a_config_error(language: str) -> None:
    with pytest.raises(ConfigError, match="unknown report language"):
        Labels(language)


def test_call_picks_the_language(nl: Labels, en: Labels) -> None:
    assert nl("Instroom per pilot", "Intake per pilot") == "Instroom per pilot"
    assert en("Instroom per pilot", "Intake per pilot") == "Intake per pilot"


@pytest.mark.parametrize(
    ("key", "dutch", "english"),
    [
        ("capacity", "Capaciteit", "Capacity"),
        ("occupancy", "Bezetting", "Occupancy"),
        ("free_places", "Vrije plaatsen", "Free places"),
        ("intake", "Instroom", "Intake"),
        ("outflow", "Uitstroom", "Outflow"),
        ("scenarios", "Begeleidingsscenario's", "Guidance scenarios"),
    ],
)
def test_measure(nl: Labels, en: Labels, key: str, dutch: str, english: str) -> None:
    assert nl.measure(key) == dutch
    assert en.measure(key) == english


@pytest.mark.parametrize(
    ("key", "dutch"),
    [
        ("departure", "Vertrek"),
        ("residence", "Verblijf"),
        ("durable", "Bestendig"),
        ("semi_durable", "Semi-bestendig"),
        ("none", "Geen oplossing"),
        ("total", "Totaal"),
        ("pilot", "Pilotgemeente"),
        ("count", "Aantal"),
        ("days", "dagen"),
        ("ci", "95%-betrouwbaarheidsinterval (Wilson)"),
        ("synthetic", "Synthetische gegevens"),
        ("published", "Gepubliceerd cijfer"),
        ("source", "Bron"),
        ("target", "Doel"),
        ("realised", "Gerealiseerd"),
        ("not_available", "n.b."),
    ],
)
def test_word_dutch(nl: Labels, key: str, dutch: str) -> None:
    assert nl.word(key) == dutch


def test_word_english(en: Labels) -> None:
    assert en.word("none") == "No solution"
    assert en.word("not_available") == "n/a"  # not read as missing
    assert en.word("ci") == "95% confidence interval (Wilson)"


def test_every_published_measure_and_category_has_a_label(nl: Labels, en: Labels) -> None:
    from lvv_eval.paths import PUBLISHED_DIR

    figures = pd.read_csv(PUBLISHED_DIR / "figures.csv", dtype="str", keep_default_na=False)
    measures = set(figures["measure"]) | set(figures["unit"])
    missing = sorted(k for k in measures if not nl.has(k))
    assert missing == []
    categories = set(figures["category"]) - {""}
    assert all(nl.category(k) and en.category(k) for k in categories)
    assert nl.category("repeat_asylum_application") != "repeat_asylum_application"


def test_labels_file_has_unique_complete_rows() -> None:
    table = pd.read_csv(LABELS_FILE, dtype="str", keep_default_na=False)
    assert list(table.columns) == ["key", "nl", "en", "note"]
    assert not table["key"].duplicated().any()
    assert (table[["key", "nl", "en"]] != "").all().all()


def test_unknown_word_names_closest(nl: Labels) -> None:
    with pytest.raises(UnknownLabelError, match="capacity"):
        nl.measure("capacty")
    with pytest.raises(KeyError):
        nl.word("no_such_key")


def test_pilot_names(nl: Labels, en: Labels) -> None:
    assert nl.pilot("amsterdam") == "Amsterdam"
    assert en.pilot("Groningen") == "Groningen"
    assert nl.pilot("total") == "Totaal"
    assert en.pilot("total") == "Total"
    with pytest.raises(UnknownLabelError, match="pilot"):
        nl.pilot("tilburg")


def test_exit_reason_labels(nl: Labels, en: Labels) -> None:
    # lvv_eval/data/exit_reasons.csv
    assert nl.exit_reason("left_unknown_destination") == "vertrokken met onbekende bestemming (MOB)"
    assert en.exit_reason("returned_to_bbb") == "back to the night shelter (BBB)"
    assert nl.exit_reason("forced_return") == "gedwongen vertrek (via vreemdelingenbewaring)"
    with pytest.raises(UnknownLabelError):
        nl.exit_reason("gone")


def test_outcome_class_labels(nl: Labels, en: Labels) -> None:
    # lvv_eval/reference/schemes/regioplan-2022.yaml
    assert nl.outcome_class("regioplan-2022", "durable") == "bestendige oplossing"
    assert en.outcome_class("regioplan-2022", "semi_durable") == "semi-durable solution"
    assert en.outcome_class("regioplan-2022", "none") == "no solution"
    assert nl.outcome_class("regioplan-2022", "in_programme") == "Nog in de LVV"
    with pytest.raises(UnknownLabelError, match="durable"):
        nl.outcome_class("regioplan-2022", "durabel")


def test_columns_renames_known_and_keeps_unknown(nl: Labels, en: Labels) -> None:
    df = pd.DataFrame(
        {
            "pilot": ["utrecht"],
            "capacity": [130],
            "occupancy": [73],
            "eindhoven": [1],
            "residence_permit": [2],
            "zz_unknown": [3],
            "x": [4],
        }
    )
    out = nl.columns(df, mapping={"x": "share"})
    assert list(out.columns) == [
        "Pilotgemeente",
        "Capaciteit",
        "Bezetting",
        "Eindhoven",
        "verblijfsvergunning verleend",
        "zz_unknown",
        "Aandeel",
    ]
    assert list(df.columns)[0] == "pilot"  # the input is not changed
    assert out.iloc[0].tolist() == ["utrecht", 130, 73, 1, 2, 3, 4]
    literal = en.columns(df[["x"]], mapping={"x": "Free text"})
    assert list(literal.columns) == ["Free text"]


def test_columns_refuses_duplicate_headers(nl: Labels) -> None:
    df = pd.DataFrame({"share": [0.1], "x": [0.2], "pilot": ["utrecht"]})
    with pytest.raises(ConfigError) as info:
        nl.columns(df, mapping={"x": "share"})
    message = str(info.value)
    assert "'share'" in message and "'x'" in message and "'Aandeel'" in message
    # a literal text that equals another column's label clashes too
    with pytest.raises(ConfigError, match="'pilot' and 'x'"):
        nl.columns(df[["pilot", "x"]], mapping={"x": "Pilotgemeente"})


@pytest.mark.parametrize(
    ("key", "dutch", "english"),
    [
        ("median_days", "Mediaan (dagen)", "Median (days)"),
        ("n", "Aantal (n)", "Number (n)"),
        ("n_events", "Aantal gebeurtenissen", "Number of events"),
        ("n_censored", "Aantal gecensureerd", "Number censored"),
        ("n_at_risk", "Aantal nog in de LVV", "Number at risk"),
        ("estimate", "Schatting", "Estimate"),
        ("ci_low", "Ondergrens 95%-BI", "Lower bound 95% CI"),
        ("ci_high", "Bovengrens 95%-BI", "Upper bound 95% CI"),
        ("numerator", "Teller", "Numerator"),
        ("denominator", "Noemer", "Denominator"),
        ("denominator_label", "Noemer (omschrijving)", "Denominator (description)"),
        ("difference", "Verschil", "Difference"),
        ("published", "Gepubliceerd cijfer", "Published figure"),
        ("person_level", "Persoonsgegevens", "Person-level data"),
        ("status", "LVV-status", "LVV status"),
    ],
)
def test_common_column_keys_are_translated(nl: Labels, en: Labels, key: str, dutch: str, english: str) -> None:
    assert (nl.word(key), en.word(key)) == (dutch, english)
    assert list(nl.columns(pd.DataFrame({key: [1]})).columns) == [dutch]


def test_group_labels(nl: Labels, en: Labels) -> None:
    assert [nl.group(v) for v in ("yes", "no", "unknown", "formal_only")] == [
        "ja",
        "nee",
        "niet gepubliceerd",
        "alleen formele status",
    ]
    assert [en.group(v) for v in ("yes", "no", "unknown")] == ["yes", "no", "not published"]
    assert nl.group("municipality") == "municipality"  # a code, shown as it is
    assert nl.group(20) == "20"


@pytest.mark.parametrize(
    ("x", "decimals", "dutch", "english"),
    [
        (1019, 0, "1.019", "1,019"),
        (1019.0, 0, "1.019", "1,019"),
        (12.345, 1, "12,3", "12.3"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (999, 0, "999", "999"),
        (0, 0, "0", "0"),
        (-2065, 0, "-2.065", "-2,065"),
        (-0.01, 0, "0", "0"),
        (None, 0, "–", "–"),
        (float("nan"), 1, "–", "–"),
        (pd.NA, 0, "–", "–"),
    ],
)
def test_number(nl: Labels, en: Labels, x: object, decimals: int, dutch: str, english: str) -> None:
    assert nl.number(x, decimals) == dutch
    assert en.number(x, decimals) == english


def test_percent(nl: Labels, en: Labels) -> None:
    assert nl.percent(0.123, 1) == "12,3 %"
    assert en.percent(0.123, 1) == "12.3%"
    assert nl.percent(0.41) == "41 %"
    assert en.percent(1) == "100%"
    assert nl.percent(12.345) == "1.234 %"  # proportions, not percentages, go in
    assert nl.percent(None) == "–"


def test_interval(nl: Labels, en: Labels) -> None:
    assert nl.interval(0.081, 0.169) == "8–17 %"
    assert en.interval(0.0812, 0.1694, 1) == "8.1–16.9%"
    assert nl.interval(1000, 2500, percent=False) == "1.000–2.500"


@pytest.mark.parametrize(
    "value", ["2020-11-01", dt.date(2020, 11, 1), pd.Timestamp("2020-11-01"), dt.datetime(2020, 11, 1, 13, 5)]
)
def test_date(nl: Labels, en: Labels, value: object) -> None:
    assert nl.date(value) == "1 november 2020"
    assert en.date(value) == "1 November 2020"


def test_date_other_months(nl: Labels, en: Labels) -> None:
    assert nl.date("2019-12-31") == "31 december 2019"
    assert nl.date("2022-03-15") == "15 maart 2022"
    assert en.date("2022-03-15") == "15 March 2022"
    assert nl.date(pd.NaT) == "–"


def test_suppression_report_is_translated() -> None:
    report = pd.DataFrame(
        {
            "cell": ["eindhoven/durable", "total/durable"],
            "row": ["eindhoven", "total"],
            "column": ["durable", "durable"],
            "value": ["hidden", "hidden"],
            "rule": ["primary: n < 10", "secondary: protects cell eindhoven/durable in column durable"],
        }
    )
    nl = Labels("nl").suppression_report(report)
    assert list(nl.columns) == ["Cel", "Rij", "Kolom", "Waarde", "Regel"]
    assert nl["Waarde"].tolist() == ["onderdrukt", "onderdrukt"]
    assert nl["Regel"].tolist() == [
        "primair: aantal kleiner dan 10",
        "secundair: beschermt cel eindhoven/durable in kolom durable",
    ]
    en = Labels("en").suppression_report(report)
    assert en["Rule"].tolist()[0] == "primary: count below 10"
    # an unknown rule is shown as it is
    assert Labels("nl").rule("something else") == "something else"


def test_yes_no() -> None:
    assert Labels("nl").yes_no(True) == "ja" and Labels("en").yes_no(False) == "no"
    assert Labels("en").yes_no(None) == "–"


def test_formatted_shows_hidden_cells_and_percentages() -> None:
    df = pd.DataFrame(
        {
            "numerator": pd.array([1234, None], dtype="Int64"),
            "estimate": [0.117647, float("nan")],
            "suppressed": [False, True],
            "ci_method": ["wilson", "wilson"],
            "pilot": ["a", None],
        }
    )
    nl = Labels("nl").formatted(df, percent=["estimate"])
    assert nl.loc[0].tolist() == ["1.234", "12 %", "nee", "Wilson", "a"]
    assert nl.loc[1].tolist() == ["–", "–", "ja", "Wilson", "–"]


def test_every_disclosure_rule_the_package_writes_has_a_dutch_text() -> None:
    """A rule written anywhere in the package (primary / secondary / derived ...) is translated, not shown in English."""
    import re
    from pathlib import Path

    import lvv_eval

    sample = {"kind": "column", "where": "n", "versions": "scheme", "scheme": "x", "name(": "a/n"}

    def instance(template: str) -> str:
        def fill(match: re.Match[str]) -> str:
            inner = match.group(1)
            return next((v for k, v in sample.items() if k in inner), "10")

        return re.sub(r"\{([^}]*)\}", fill, template)

    root = Path(lvv_eval.__file__).parent
    pattern = re.compile(r"f?\"((?:primary|secondary|derived): [^\"]+|released at national level[^\"]*)\"")
    sources = [p for p in root.rglob("*.py") if p.name != "labels.py"]  # labels.py holds the translations
    rules = {instance(m.group(1)) for path in sources for m in pattern.finditer(path.read_text("utf-8"))}
    assert len(rules) > 15
    untranslated = sorted(r for r in rules if Labels("nl").rule(r) == r)
    assert untranslated == []
