"""Number, percentage, interval and date formatting per report language (Babel)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lvv_eval.errors import ConfigError, InputValidationError
from lvv_eval.reporting import formatting as f
from lvv_eval.reporting.phrases import load_texts

NBSP = "\u00a0"


@pytest.mark.parametrize(("language", "expected"), [("nl", "1.258"), ("en", "1,258")])
def test_count_thousands_separator(language: str, expected: str) -> None:
    assert f.format_count(1258, language) == expected


@pytest.mark.parametrize("value", [360.0, np.float64(360.0), np.int64(360), 360])
def test_integer_valued_counts_never_show_decimals(value: object) -> None:
    assert f.format_count(value, "nl") == "360"
    assert f.format_count(value, "en") == "360"


def test_count_with_a_fraction_is_an_error_not_rounded() -> None:
    with pytest.raises(ConfigError, match="whole number"):
        f.format_count(12.5)


def test_share_as_percentage_per_language() -> None:
    assert f.format_share(0.148, "nl", 1) == f"14,8{NBSP}%"
    assert f.format_share(0.148, "en", 1) == "14.8%"
    assert f.format_share(0.15, "nl") == f"15{NBSP}%"


def test_percent_already_in_percent() -> None:
    assert f.format_percent(14.8, "nl", 1) == f"14,8{NBSP}%"
    assert f.format_percent(14.8, "en", 1) == "14.8%"


def test_interval_written_once_with_en_dash() -> None:
    assert f.format_interval(0.14, 0.46, "nl") == f"(14–46{NBSP}%)"
    assert f.format_interval(0.14, 0.46, "en") == "(14–46%)"
    assert f.format_interval(14.0, 46.0, "en", unit="percent", brackets=False) == "14–46%"
    assert f.format_interval(1258, 2065, "nl", unit="number") == "(1.258–2.065)"
    assert f.format_interval(0.1, None, "nl") == f.MISSING_MARK


@pytest.mark.parametrize(("language", "expected"), [("nl", "1 november 2020"), ("en", "1 November 2020")])
@pytest.mark.parametrize("value", ["2020-11-01", dt.date(2020, 11, 1), pd.Timestamp("2020-11-01 13:00")])
def test_dates_in_words(language: str, expected: str, value: object) -> None:
    assert f.format_date(value, language) == expected


def test_rounding_is_half_up_on_the_written_decimal() -> None:
    # half to even (Python's format, Babel's default) would give 14,4 / 1,2 / 2 / 0,1
    assert f.format_share(0.1445, "nl", 1) == f"14,5{NBSP}%"
    assert f.format_share(0.0125, "en", 1) == "1.3%"
    assert f.format_number(2.5, "en", 0) == "3"
    assert f.format_number(0.125, "nl", 2) == "0,13"


def test_no_negative_zero() -> None:
    assert f.format_number(-0.04, "nl", 0) == "0"
    assert f.format_number(-3.5, "nl", 1) == "-3,5"


def test_number_of_integer_type_has_no_decimals() -> None:
    assert f.format_number(365, "en", 1) == "365"
    assert f.format_number(182.25, "en", 1) == "182.3"


def test_missing_values_print_the_missing_mark() -> None:
    for value in (None, float("nan"), pd.NA, pd.NaT):
        assert f.format_count(value) == f.MISSING_MARK
        assert f.format_share(value) == f.MISSING_MARK
        assert f.format_date(value) == f.MISSING_MARK


def test_marks_are_distinct_single_printable_characters() -> None:
    assert len(f.SUPPRESSED_MARK) == 1 and len(f.MISSING_MARK) == 1
    assert f.SUPPRESSED_MARK != f.MISSING_MARK
    assert f.SUPPRESSED_MARK.isprintable() and not f.SUPPRESSED_MARK.isalnum()


def test_sign_explanations_name_the_threshold_in_the_language() -> None:
    nl = dict(f.sign_explanations("nl", threshold=10))
    en = dict(f.sign_explanations("en", threshold=10))
    assert "minder dan 10 personen" in nl[f.SUPPRESSED_MARK]
    assert "fewer than 10 persons" in en[f.SUPPRESSED_MARK]
    assert "niet beschikbaar" in nl[f.MISSING_MARK]


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ConfigError, match="report language"):
        f.format_count(1, "de")


def test_text_files_have_the_same_keys_in_both_languages() -> None:
    assert set(load_texts("nl")) == set(load_texts("en"))
    assert load_texts("nl")["yes_word"] == "ja" and load_texts("en")["yes_word"] == "yes"


# --------------------------------------------------------------------------- format_frame


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pilot": ["amsterdam", "eindhoven", "total"],
            "n": [360.0, 8.0, 1258.0],
            "p": [0.148, 0.25, 0.1765],
            "lo": [0.113, 0.04, 0.156],
            "hi": [0.19, 0.6, 0.198],
            "day": pd.to_datetime(["2020-11-01"] * 3),
            "formal": [True, False, True],
            "remark": ["", "klein", "x"],
        }
    )


def _columns() -> dict[str, str | f.ColumnFormat]:
    return {
        "pilot": f.ColumnFormat(
            "label", labels={"amsterdam": "Amsterdam", "eindhoven": "Eindhoven", "total": "Totaal"}
        ),
        "n": "count",
        "p": f.ColumnFormat("share", decimals=1),
        "ci": f.ColumnFormat("interval", bounds=("lo", "hi")),
        "day": "date",
        "formal": "label",
        "remark": "text",
    }


def test_format_frame_formats_every_kind() -> None:
    out = f.format_frame(_frame(), _columns(), "nl")
    assert list(out.columns) == ["pilot", "n", "p", "ci", "day", "formal", "remark"]
    assert out.iloc[0].tolist() == ["Amsterdam", "360", f"14,8{NBSP}%", f"(11–19{NBSP}%)", "1 november 2020", "ja", ""]
    assert out.iloc[2].tolist()[:4] == ["Totaal", "1.258", f"17,7{NBSP}%", f"(16–20{NBSP}%)"]
    assert out.iloc[1]["formal"] == "nee"
    assert f.format_frame(_frame(), _columns(), "en").iloc[2]["n"] == "1,258"


def test_suppressed_cells_are_one_mark_also_for_an_interval_with_one_hidden_bound() -> None:
    frame = _frame()
    mask = pd.DataFrame(False, index=frame.index, columns=["n", "hi"])
    mask.loc[1, ["n", "hi"]] = True
    out = f.format_frame(frame, _columns(), "nl", suppressed=mask)
    assert out.loc[1, "n"] == f.SUPPRESSED_MARK
    assert out.loc[1, "ci"] == f.SUPPRESSED_MARK  # not "(4–×)" or "(× – ×)"
    assert out.loc[1, "p"] == f"25,0{NBSP}%"  # not masked
    assert out.loc[0, "ci"] == f"(11–19{NBSP}%)"


def test_format_frame_lists_every_bad_cell_at_once() -> None:
    frame = _frame()
    frame.loc[0, "n"] = 12.5  # a count with a fraction
    frame.loc[1, "p"] = 1.4  # a share above 1
    frame.loc[2, "pilot"] = "rotterdam"  # a code without label
    with pytest.raises(InputValidationError) as info:
        f.format_frame(frame, _columns(), "nl", name="outflow")
    where = {(p.row, p.column) for p in info.value.problems}
    assert where == {(2, "n"), (3, "p"), (4, "pilot")}
    assert "outflow" in str(info.value)


def test_format_frame_names_missing_columns() -> None:
    with pytest.raises(InputValidationError, match="hi"):
        f.format_frame(_frame().drop(columns="hi"), _columns(), "nl")


def test_label_kind_never_shows_a_raw_code() -> None:
    with pytest.raises(InputValidationError, match="no label for code 'not_reached'"):
        f.format_frame(pd.DataFrame({"c": ["not_reached"]}), {"c": "label"}, "nl")


def test_alignment_follows_the_kind() -> None:
    assert f.alignments(_columns()) == ["left", "right", "right", "right", "left", "left", "left"]


def test_interval_column_needs_bounds() -> None:
    with pytest.raises(ConfigError, match="bounds"):
        f.ColumnFormat("interval")
    with pytest.raises(ConfigError, match="unknown column kind"):
        f.ColumnFormat("money")  # type: ignore[arg-type]


def test_join_list_per_language() -> None:
    assert f.join_list(["A", "B", "C"], "nl") == "A, B en C"
    assert f.join_list(["A", "B", "C"], "en") == "A, B and C"


def test_a_very_large_number_is_formatted_not_refused() -> None:
    """An odds-ratio bound of a separated covariate can reach 1e+31 (beyond Decimal's default 28 digits)."""
    text = f.format_interval(0.0, 1.02642626332612e31, "en", 2, unit="number")
    assert text.startswith("(0.00–10,264,262,633,261,2") and text.endswith(".00)")
    assert f.format_number(9.6895125961827e28, "nl", 1).startswith("96.895.125.961.827")
