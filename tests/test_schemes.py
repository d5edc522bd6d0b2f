"""Classification schemes: the four shipped schemes, validation of scheme files, user schemes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.errors import ConfigError, InputValidationError, LvvEvalError
from lvv_eval.paths import PUBLISHED_DIR, SCHEMES_DIR
from lvv_eval.reference.schemes import (
    SCHEMES_DIR_ENV,
    Scheme,
    SchemeError,
    crosswalk,
    disagreements,
    list_schemes,
    load_scheme,
)
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES, to_codes

FIXTURES = Path(__file__).parent / "fixtures" / "classify"
SHIPPED = ["monitor-2020", "regioplan-2020", "regioplan-2020-independent", "regioplan-2022", "verwey-jonker-2021"]
DURABLE_3 = {"residence_permit", "independent_return", "onward_migration"}


@pytest.fixture(autouse=True)
def _no_user_schemes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCHEMES_DIR_ENV, raising=False)


def _copy(tmp_path: Path, name: str, edit=lambda text: text, base: str = "regioplan-2022") -> Path:
    text = (SCHEMES_DIR / f"{base}.yaml").read_text(encoding="utf-8").replace(f"name: {base}", f"name: {name}")
    path = tmp_path / f"{name}.yaml"
    path.write_text(edit(text), encoding="utf-8")
    return path


def _problems(path: Path) -> list:
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    return caught.value.problems


# --------------------------------------------------------------------------- shipped schemes


def test_shipped_schemes_are_listed_sorted() -> None:
    assert list_schemes() == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scheme_is_complete(name: str) -> None:
    scheme = load_scheme(name)
    assert isinstance(scheme, Scheme) and scheme.name == name
    assert tuple(scheme.mapping) == EXIT_REASON_CODES
    assert "durable" in scheme.class_ids
    assert set(scheme.mapping.values()) == set(scheme.class_ids)  # no empty class
    assert scheme.document.endswith(".txt") and scheme.locator
    assert scheme.denominator in ("intake", "outflow", "none") and scheme.denominator_text
    assert scheme.notes["forced_return"]  # the contested choice is always explained
    published = set(pd.read_csv(PUBLISHED_DIR / "figures.csv")["figure_id"])
    assert scheme.figures and set(scheme.figures) <= published


@pytest.mark.parametrize(
    ("name", "class_ids", "durable", "second_class", "denominator"),
    [
        # source 004: durable = permit, independent return, onward; semi = new application, art. 64
        (
            "regioplan-2022",
            ("durable", "semi_durable", "none"),
            DURABLE_3,
            {"repeat_asylum_application", "departure_postponed_art64"},
            "outflow",
        ),
        # source 000: 43 + 50 + 2 durable; 170 + 20 semi-durable; detention counted as other non-durable
        (
            "verwey-jonker-2021",
            ("durable", "semi_durable", "none"),
            DURABLE_3,
            {"repeat_asylum_application", "departure_postponed_art64"},
            "none",
        ),
        # seeds 002 and 000: 107 = 46 granted + 61 departures incl. forced departure; art. 64 temporary
        (
            "monitor-2020",
            ("durable", "temporary", "none"),
            DURABLE_3 | {"forced_return"},
            {"repeat_asylum_application", "departure_postponed_art64"},
            "none",
        ),
        # source 001 Tabel S.2: asylum permit, return, onward migration; divided by intake
        (
            "regioplan-2020",
            ("durable", "not_durable"),
            DURABLE_3 | {"forced_return"},
            set(EXIT_REASON_CODES) - DURABLE_3 - {"forced_return"},
            "intake",
        ),
    ],
)
def test_shipped_scheme_content(name, class_ids, durable, second_class, denominator) -> None:
    scheme = load_scheme(name)
    assert scheme.class_ids == class_ids
    assert set(scheme.codes_in("durable")) == durable
    assert set(scheme.codes_in(class_ids[1])) == second_class
    assert scheme.denominator == denominator


def test_forced_return_is_where_vji_and_the_monitor_disagree() -> None:
    # source 000, 'Effecten van de LVV': the monitor counted forced departure from immigration
    # detention as durable, the Verwey-Jonker researchers as other non-durable outflow.
    table = crosswalk(["verwey-jonker-2021", "monitor-2020"])
    assert table.loc["forced_return"].tolist() == ["none", "durable"]
    assert disagreements(["verwey-jonker-2021", "monitor-2020"], level="durable").index.tolist() == ["forced_return"]
    assert disagreements(["verwey-jonker-2021", "monitor-2020"]).index.tolist() == [
        "forced_return",
        "repeat_asylum_application",
        "departure_postponed_art64",
    ]
    assert disagreements(level="durable").index.tolist() == ["forced_return"]
    assert disagreements(["verwey-jonker-2021", "regioplan-2022"]).empty


def test_crosswalk_shape() -> None:
    table = crosswalk()
    assert table.index.tolist() == list(EXIT_REASON_CODES)
    assert table.columns.tolist() == SHIPPED
    assert table.loc["left_unknown_destination"].tolist() == ["none", "not_durable", "not_durable", "none", "none"]
    with pytest.raises(ValueError, match="level"):
        disagreements(level="solution")  # type: ignore[arg-type]


def test_classify_reproduces_the_vji_totals() -> None:
    # source 000, 'Effecten van de LVV': 43 legalised, 50 returned, 2 onward; 170 repeat
    # application, 20 art. 64; 100 MOB, 76 stay terminated, 76 other non-durable.
    # The split of the 76 over the six codes is made up (the letter does not print it).
    counts = {
        "residence_permit": 43,
        "independent_return": 50,
        "onward_migration": 2,
        "repeat_asylum_application": 170,
        "departure_postponed_art64": 20,
        "left_unknown_destination": 100,
        "stay_terminated": 76,
        "immigration_detention": 30,
        "criminal_detention": 10,
        "other_shelter": 10,
        "own_network": 12,
        "returned_to_bbb": 7,
        "deceased": 7,
    }
    codes = pd.Series([c for c, n in counts.items() for _ in range(n)])
    classes = load_scheme("verwey-jonker-2021").classify(codes)
    assert classes.value_counts(sort=False).to_dict() == {"durable": 95, "semi_durable": 190, "none": 252}
    # Under the monitor scheme, 12 of the detained who were then forcibly removed become durable.
    moved = codes.copy()
    moved.iloc[codes[codes == "immigration_detention"].index[:12]] = "forced_return"
    monitor = load_scheme("monitor-2020").classify(moved).value_counts(sort=False).to_dict()
    assert monitor == {"durable": 107, "temporary": 190, "none": 240}


def test_classify_keeps_index_and_missing_values() -> None:
    codes = pd.Series(["forced_return", None, "deceased"], index=[10, 11, 12], dtype="category")
    out = load_scheme("regioplan-2022").classify(codes)
    assert out.index.tolist() == [10, 11, 12]
    assert out.name == "regioplan-2022"
    assert isinstance(out.dtype, pd.CategoricalDtype) and out.dtype.ordered
    assert list(out.cat.categories) == ["durable", "semi_durable", "none"]
    assert out.isna().tolist() == [False, True, False]
    assert out.iloc[0] == "none" and out.iloc[0] > "durable"


def test_classify_rejects_labels_that_are_not_codes() -> None:
    with pytest.raises(InputValidationError) as caught:
        load_scheme("monitor-2020").classify(pd.Series(["MOB", "MOB", "residence_permit"], name="exit_reason"))
    (problem,) = caught.value.problems
    assert problem.value == "MOB" and problem.column == "exit_reason"
    assert "(2 rows)" in problem.rule and "left_unknown_destination" in problem.rule


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("regioplan-2022", {"durable": 6, "semi_durable": 5, "none": 13}),
        ("verwey-jonker-2021", {"durable": 6, "semi_durable": 5, "none": 13}),
        ("monitor-2020", {"durable": 8, "temporary": 5, "none": 11}),
        ("regioplan-2020", {"durable": 8, "not_durable": 16}),
    ],
)
def test_fixture_counts_per_scheme(scheme: str, expected: dict[str, int]) -> None:
    # tests/fixtures/classify/monitor_dutch.csv: 24 exits (3 permit, 2 return, 1 onward,
    # 2 forced, 3 repeat application, 2 art. 64, 3 MOB, one each of the other 8), 4 still in.
    labels = pd.read_csv(
        FIXTURES / "monitor_dutch.csv", sep=";", dtype="str", keep_default_na=False, encoding="utf-8-sig"
    )["reden_uitstroom"]
    codes = pd.Series(to_codes(labels), dtype="object")
    out = load_scheme(scheme).classify(codes)
    assert out.value_counts(sort=False).to_dict() == expected
    assert int(out.isna().sum()) == 4


# --------------------------------------------------------------------------- invalid scheme files


def test_unmapped_code(tmp_path: Path) -> None:
    path = _copy(tmp_path, "no-other", lambda t: t.replace("  other: none\n", ""))
    (problem,) = _problems(path)
    assert (problem.column, problem.value) == ("mapping", "other")
    assert problem.rule == "exit code not mapped to a class"
    assert problem.file == str(path)


def test_code_mapped_twice(tmp_path: Path) -> None:
    path = _copy(
        tmp_path, "twice", lambda t: t.replace("  deceased: none\n", "  deceased: none\n  forced_return: durable\n")
    )
    (problem,) = _problems(path)
    assert problem.column == "mapping.forced_return"
    assert problem.rule.startswith("exit code mapped twice (first at line ")
    assert path.read_text().splitlines()[problem.row - 1] == "  forced_return: durable"


def test_duplicate_key_elsewhere(tmp_path: Path) -> None:
    path = _copy(tmp_path, "dup-title", lambda t: t.replace("title_en:", "title_nl: nogmaals\ntitle_en:"))
    (problem,) = _problems(path)
    assert problem.column == "title_nl" and problem.rule.startswith("duplicate key")


def test_unknown_class_and_unknown_code(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        text = text.replace("  deceased: none\n", "  deceased: semi\n")
        return text.replace("  other: none\n", "  other: none\n  gedwongen_vertrek: none\n  MOB: none\n")

    problems = _problems(_copy(tmp_path, "bad-keys", edit))
    rules = {(p.column, p.value): p.rule for p in problems}
    assert rules[("mapping.deceased", "semi")] == "unknown class id; classes: durable, semi_durable, none"
    assert rules[("mapping.gedwongen_vertrek", "gedwongen_vertrek")] == (
        "not an exit-reason code; the label means 'forced_return': use the code"
    )
    assert "left_unknown_destination" in rules[("mapping.MOB", "MOB")]
    assert len(problems) == 3


def test_class_without_name_and_no_durable_class(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        text = text.replace("    name_en: no solution\n", "")
        return text.replace("id: durable", "id: solved").replace(": durable\n", ": solved\n")

    problems = _problems(_copy(tmp_path, "nameless", edit))
    rules = {p.rule for p in problems}
    assert "class without name_en" in rules
    assert "a scheme must have a class with id 'durable'" in rules
    # both are reported at once; the mapping to the nameless class is not reported again
    assert len(problems) == 2


def test_class_id_may_not_be_an_exit_code(tmp_path: Path) -> None:
    path = _copy(
        tmp_path, "code-as-class", lambda t: t.replace("id: none", "id: other").replace(": none\n", ": other\n")
    )
    assert any(p.rule == "class id must differ from every exit-reason code" for p in _problems(path))


def test_missing_and_unknown_keys(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        text = text.replace("title_en: Final evaluation of the LVV pilot (Regioplan, 2022)\n", "")
        return text.replace("  basis: outflow", "  basis: exits") + "colour: blue\n"

    problems = _problems(_copy(tmp_path, "keys", edit))
    found = {(p.column, p.value) for p in problems}
    assert (None, "title_en") in found
    assert ("colour", "colour") in found
    assert ("denominator.basis", "exits") in found


def test_name_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text((SCHEMES_DIR / "monitor-2020.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (problem,) = _problems(path)
    assert problem.column == "name" and "'mine'" in problem.rule


def test_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nclasses: [unclosed\nmapping:\n  other: none\n", encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    (problem,) = caught.value.problems
    assert problem.rule.startswith("not valid YAML") and problem.row is not None
    assert str(path) in str(caught.value)


def test_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- durable\n- none\n", encoding="utf-8")
    (problem,) = _problems(path)
    assert problem.rule == "a scheme file must be a YAML mapping of keys"


def test_unknown_scheme_name() -> None:
    with pytest.raises(SchemeError) as caught:
        load_scheme("monitor-2021")
    message = str(caught.value)
    assert "did you mean monitor-2020" in message
    assert (
        "available: monitor-2020, regioplan-2020, regioplan-2020-independent, regioplan-2022, verwey-jonker-2021"
        in message
    )
    assert isinstance(caught.value, ConfigError) and isinstance(caught.value, LvvEvalError)
    assert caught.value.to_frame().loc[0, "value"] == "monitor-2021"


def test_missing_scheme_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_scheme(tmp_path / "nowhere.yaml")


# --------------------------------------------------------------------------- user schemes


def _forced_durable(text: str) -> str:
    return text.replace("  forced_return: none\n", "  forced_return: durable\n")


def test_user_scheme_file_by_path(tmp_path: Path) -> None:
    path = _copy(tmp_path, "regioplan-2022-forced", _forced_durable)
    scheme = load_scheme(str(path))
    assert scheme.name == "regioplan-2022-forced" and scheme.path == path
    assert scheme.class_of("forced_return") == "durable"
    assert disagreements([scheme, "regioplan-2022"]).index.tolist() == ["forced_return"]


def test_user_scheme_directory_by_argument_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path, "my-scheme", _forced_durable)
    assert list_schemes(tmp_path) == sorted(SHIPPED + ["my-scheme"])
    assert load_scheme("my-scheme", tmp_path).class_of("forced_return") == "durable"
    monkeypatch.setenv(SCHEMES_DIR_ENV, str(tmp_path))
    assert "my-scheme" in list_schemes()
    assert crosswalk().columns.tolist() == [
        "monitor-2020",
        "my-scheme",
        "regioplan-2020",
        "regioplan-2020-independent",
        "regioplan-2022",
        "verwey-jonker-2021",
    ]


def test_user_scheme_may_not_shadow_a_shipped_one(tmp_path: Path) -> None:
    _copy(tmp_path, "monitor-2020", base="monitor-2020")
    with pytest.raises(SchemeError, match="already used"):
        list_schemes(tmp_path)


def test_missing_user_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCHEMES_DIR_ENV, str(tmp_path / "absent"))
    with pytest.raises(SchemeError, match="not a directory"):
        list_schemes()


def test_subtotals_agree_with_the_crosswalk() -> None:
    # The crosswalk, the scheme and lvv_eval.stats.counts must define 'overige niet-bestendige
    # uitstroom' (source 000) and 'vertrek ... of doormigratie' (source 002) the same way.
    from lvv_eval.stats import counts as aggregate
    from lvv_eval.stats.reconcile import load_crosswalk

    cw = load_crosswalk()

    def codes(source: str, category: str) -> set[str]:
        row = cw[(cw["source_id"] == source) & (cw["category"] == category)].iloc[0]
        return set(str(row["codes"]).split(";"))

    vji = load_scheme("verwey-jonker-2021").subtotals["other_non_durable"]
    mon = load_scheme("monitor-2020").subtotals["departure_or_onward_migration"]
    assert set(vji) == codes("verwey-jonker-2021", "other_non_durable") == set(aggregate.OTHER_NON_DURABLE)
    assert (
        set(mon)
        == codes("monitor-2020", "departure_or_onward_migration")
        == set(aggregate.DEPARTURE_OR_ONWARD_MIGRATION)
    )


def test_subtotal_must_list_exit_codes(tmp_path: Path) -> None:
    text = (SCHEMES_DIR / "monitor-2020.yaml").read_text(encoding="utf-8")
    path = tmp_path / "monitor-2020.yaml"
    path.write_text(text + "subtotals:\n  departures: [independent_return, terugkeer]\n", encoding="utf-8")
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    assert "subtotals.departures" in str(info.value) and "terugkeer" in str(info.value)


def test_regioplan_2020_reading_of_terugkeer_is_justified_and_has_a_variant() -> None:
    # Seed 001 defines durable outflow as 'verlening asielvergunning, terugkeer of doormigratie'
    # but states the goal as 'zelfstandige terugkeer': the note quotes both, and the other
    # reading is a named scheme that differs only in forced_return.
    main, variant = load_scheme("regioplan-2020"), load_scheme("regioplan-2020-independent")
    note = main.notes["forced_return"]
    assert "terugkeer of doormigratie" in note and "zelfstandige terugkeer" in note
    assert "regioplan-2020-independent" in note
    differ = [c for c in EXIT_REASON_CODES if main.mapping[c] != variant.mapping[c]]
    assert differ == ["forced_return"]
    assert (main.mapping["forced_return"], variant.mapping["forced_return"]) == ("durable", "not_durable")
    assert main.class_ids == variant.class_ids and main.denominator == variant.denominator


def test_bare_terugkeer_is_refused_and_the_docs_say_so() -> None:
    from lvv_eval.reference.taxonomy import lookup_exit_reason

    assert lookup_exit_reason("terugkeer") is None
    text = (Path(__file__).parents[1] / "docs" / "classification_schemes.md").read_text(encoding="utf-8")
    assert "still accepted" not in text
    assert "*terugkeer*" in text and "refused" in text


def test_source_004_phrase_for_medical_postponement_is_a_label() -> None:
    # 004, Resultaten van de LVV: 'er is sprake van uitstel van vertrek vanwege medische redenen'
    from lvv_eval.reference.taxonomy import lookup_exit_reason

    assert lookup_exit_reason("uitstel van vertrek vanwege medische redenen") == "departure_postponed_art64"
    assert lookup_exit_reason("Uitstel van vertrek vanwege medische redenen") == "departure_postponed_art64"
