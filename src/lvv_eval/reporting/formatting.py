"""Numbers, percentages, intervals and dates as a report prints them, per language.

Formatting is done by Babel (CLDR data) with fixed locales, so the output does
not depend on the machine's locale: ``nl`` uses ``nl_NL`` (``1.258``,
``14,8 %``, ``(14–46 %)``, ``1 november 2020``), ``en`` uses ``en_GB``
(``1,258``, ``14.8%``, ``(14–46%)``, ``1 November 2020``).

Conventions, the same in every table, figure and sentence of a report:

* Rounding is half up on the decimal value as written (``0.145`` with one
  decimal as a percentage is ``14,5 %``; ``0.0125`` with one decimal is
  ``1,3 %``), not half to even and not on the binary float.
* A count is an integer: ``360.0`` prints as ``360``; a count with a fraction
  is an error, not something to round away.
* Dutch puts a no-break space (U+00A0, :data:`PERCENT_SPACE`) between the
  number and ``%``, so the sign never wraps onto the next line; English writes
  ``14.8%``.
* An interval is written once, with an en dash and the unit after the upper
  bound: ``(14–46 %)``.
* :data:`SUPPRESSED_MARK` (``×``) stands for a cell withheld by disclosure
  control, in tables, figures and text alike; :data:`MISSING_MARK` (``–``) for a
  value that is not available or not applicable. A suppressed cell is always
  one mark, never ``(× – ×)``. Both are explained once per report with
  :func:`sign_explanations`. The cross follows the ``x`` ("geheim") of
  Statistics Netherlands' key to signs.

:func:`format_frame` formats a whole table for display from the kind of each
column (:data:`KINDS`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Literal

import numpy as np
import pandas as pd
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal

from lvv_eval.disclosure.checked import SUPPRESSION_MARK
from lvv_eval.errors import ArgumentError, ConfigError, InputValidationError, Problem
from lvv_eval.reporting.phrases import load_texts

Language = Literal["nl", "en"]

LANGUAGES: tuple[str, ...] = ("nl", "en")
"""Report languages; the first is the default."""

LOCALES: dict[str, str] = {"nl": "nl_NL", "en": "en_GB"}
"""Babel locale used for each report language."""

PERCENT_SPACE: dict[str, str] = {"nl": "\u00a0", "en": ""}
"""What stands between a number and ``%``: a no-break space in Dutch, nothing in English."""

SUPPRESSED_MARK: str = SUPPRESSION_MARK
"""The one mark of a value withheld by disclosure control, the gate's own
(:data:`lvv_eval.disclosure.checked.SUPPRESSION_MARK`, ``×``): tables, figures and text of a report
show the same sign."""

MISSING_MARK: str = "–"
"""The mark of a value that is not available or not applicable (U+2013 EN DASH)."""

RANGE_DASH: str = "–"
"""Dash between the bounds of an interval or a range (U+2013 EN DASH)."""

Kind = Literal["count", "number", "share", "percent", "bound", "interval", "date", "text", "label"]

KINDS: dict[str, str] = {
    "count": "whole number of persons, events or places; right-aligned, no decimals",
    "number": "real number (a mean, a ratio, days); right-aligned, `decimals` digits",
    "share": "proportion between 0 and 1, printed as a percentage",
    "percent": "value already in percent (0 to 100), printed as a percentage",
    "bound": "one bound of an interval of a share, printed as a percentage",
    "interval": "an interval of shares from two columns (`bounds`), printed as (14–46 %)",
    "date": "calendar date, printed in words: 1 november 2020",
    "text": "free text, printed as it is",
    "label": "a code printed through `labels` (code -> label); an unknown code is an error",
}
"""Column kinds understood by :func:`format_frame`, with what they hold."""

NUMERIC_KINDS: frozenset[str] = frozenset({"count", "number", "share", "percent", "bound", "interval"})
"""Kinds whose cells are right-aligned."""

DEFAULT_DECIMALS: dict[str, int] = {"number": 1, "share": 0, "percent": 0, "bound": 0, "interval": 0}
"""Decimals used when a :class:`ColumnFormat` gives none."""


# --------------------------------------------------------------------------- helpers


def check_language(language: str) -> str:
    """Return ``language`` when it is a report language, else raise :class:`~lvv_eval.errors.ConfigError`.

    Examples
    --------
    >>> check_language("nl")
    'nl'
    """
    if language not in LANGUAGES:
        raise ConfigError(f"unknown report language {language!r}; use one of {', '.join(LANGUAGES)}")
    return language


def is_missing(value: object) -> bool:
    """True for ``None``, NaN, ``pd.NA`` and ``pd.NaT`` (not for empty text)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _decimal(value: object) -> Decimal:
    """The decimal value as written (``repr`` of a float), so 0.145 stays 0.145."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a truth value is not a number")
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ArgumentError("not a finite number")
        return Decimal(repr(number))
    raise TypeError(f"not a number: {value!r}")


def _quantize(value: Decimal, decimals: int) -> Decimal:
    if decimals < 0:
        raise ConfigError(f"decimals must be 0 or more, not {decimals}")
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_context(value, decimals))


def _context(value: Decimal, decimals: int) -> Context:
    """A decimal context with enough digits for ``value`` at ``decimals`` (the default has 28; an odds
    ratio of a separated covariate can reach 1e+31)."""
    return Context(prec=max(28, value.adjusted() + decimals + 2))


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _digits(value: Decimal, decimals: int, language: str) -> str:
    rounded = _quantize(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    with localcontext(_context(rounded, decimals)):  # Babel quantizes in the current context
        return _babel_decimal(
            rounded, format=_pattern(decimals), locale=LOCALES[check_language(language)], decimal_quantization=False
        )


def _unit(text: str, language: str) -> str:
    return f"{text}{PERCENT_SPACE[language]}%"


# --------------------------------------------------------------------------- single values


def format_count(value: object, language: str = "nl") -> str:
    """Format a whole count: ``1.258`` (nl), ``1,258`` (en).

    Parameters
    ----------
    value
        An integer, or a float with no fraction (``360.0`` prints as ``360``);
        missing gives :data:`MISSING_MARK`.
    language
        ``"nl"`` or ``"en"``.

    Raises
    ------
    lvv_eval.errors.ConfigError
        When the value has a fraction or is not a number.

    Examples
    --------
    >>> format_count(1258), format_count(360.0, "en"), format_count(1258, "en")
    ('1.258', '360', '1,258')
    """
    if is_missing(value):
        return MISSING_MARK
    try:
        number = _decimal(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"a count must be a whole number, not {value!r} ({exc})") from None
    if number != number.to_integral_value():
        raise ConfigError(f"a count must be a whole number, not {value!r}")
    return _digits(number, 0, language)


def format_number(value: object, language: str = "nl", decimals: int = 1) -> str:
    """Format a real number with ``decimals`` digits; an integer type prints without decimals.

    Examples
    --------
    >>> format_number(1234567.891, "nl", 2), format_number(182.25, "en"), format_number(365, "nl")
    ('1.234.567,89', '182.3', '365')
    """
    if is_missing(value):
        return MISSING_MARK
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return format_count(value, language)
    try:
        number = _decimal(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"not a number: {value!r} ({exc})") from None
    return _digits(number, decimals, language)


def format_percent(value: object, language: str = "nl", decimals: int = 0) -> str:
    """Format a value already in percent (``14.8``) as ``14,8 %`` (nl) or ``14.8%`` (en).

    Examples
    --------
    >>> format_percent(14.8, "nl", 1) == "14,8\\u00a0%", format_percent(14.8, "en", 1)
    (True, '14.8%')
    """
    if is_missing(value):
        return MISSING_MARK
    return _unit(format_number(float(_decimal(value)), language, decimals), language)


def format_share(value: object, language: str = "nl", decimals: int = 0) -> str:
    """Format a proportion (``0.148``) as a percentage: ``14,8 %`` (nl), ``14.8%`` (en).

    Examples
    --------
    >>> format_share(0.148, "en", 1), format_share(0.145, "en", 1), format_share(0.5, "en")
    ('14.8%', '14.5%', '50%')
    """
    if is_missing(value):
        return MISSING_MARK
    try:
        percent = _decimal(value) * 100
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"a share must be a number between 0 and 1, not {value!r} ({exc})") from None
    return _unit(_digits(percent, decimals, language), language)


def format_interval(
    low: object,
    high: object,
    language: str = "nl",
    decimals: int = 0,
    *,
    unit: Literal["share", "percent", "number"] = "share",
    brackets: bool = True,
) -> str:
    """Format an interval once: ``(14–46 %)`` (nl), ``(14–46%)`` (en).

    Parameters
    ----------
    low, high
        The bounds; shares (0 to 1) when ``unit="share"``, percentages when
        ``unit="percent"``, plain numbers when ``unit="number"``. When either is
        missing the result is :data:`MISSING_MARK`.
    language, decimals
        As for :func:`format_share`.
    unit
        What the bounds are.
    brackets
        Put the interval between round brackets (the default).

    Examples
    --------
    >>> format_interval(0.14, 0.46, "en")
    '(14–46%)'
    >>> format_interval(182, 548, "en", unit="number", brackets=False)
    '182–548'
    """
    if is_missing(low) or is_missing(high):
        return MISSING_MARK
    if unit == "share":
        lo, hi = _decimal(low) * 100, _decimal(high) * 100
    elif unit == "percent" or unit == "number":
        lo, hi = _decimal(low), _decimal(high)
    else:
        raise ConfigError(f"unknown interval unit {unit!r}; use share, percent or number")
    text = f"{_digits(lo, decimals, language)}{RANGE_DASH}{_digits(hi, decimals, language)}"
    if unit != "number":
        text = _unit(text, language)
    return f"({text})" if brackets else text


def format_date(value: object, language: str = "nl") -> str:
    """Format a date in words: ``1 november 2020`` (nl), ``1 November 2020`` (en).

    Accepts :class:`datetime.date`, ``datetime``, :class:`pandas.Timestamp` and
    ISO text; missing gives :data:`MISSING_MARK`.

    Examples
    --------
    >>> format_date("2020-11-01"), format_date("2019-12-31", "en")
    ('1 november 2020', '31 December 2019')
    """
    if is_missing(value):
        return MISSING_MARK
    try:
        day = pd.Timestamp(value).date()
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"not a date: {value!r} ({exc})") from None
    return str(_babel_date(day, format="long", locale=LOCALES[check_language(language)]))


def format_yes_no(value: object, language: str = "nl") -> str:
    """``ja``/``nee`` (nl) or ``yes``/``no`` (en) for a truth value.

    Examples
    --------
    >>> format_yes_no(True), format_yes_no(False, "en")
    ('ja', 'no')
    """
    if is_missing(value):
        return MISSING_MARK
    texts = load_texts(language)
    return texts["yes_word"] if bool(value) else texts["no_word"]


def sign_explanations(language: str = "nl", *, threshold: int | None = None) -> list[tuple[str, str]]:
    """The key to the signs, printed once per report: ``[(mark, explanation), ...]``.

    Parameters
    ----------
    language
        ``"nl"`` or ``"en"``.
    threshold
        The disclosure threshold (persons) named in the explanation of
        :data:`SUPPRESSED_MARK`; ``None`` leaves the number out.

    Examples
    --------
    >>> [mark for mark, _ in sign_explanations("en", threshold=10)] == [SUPPRESSED_MARK, MISSING_MARK]
    True
    """
    texts = load_texts(language)
    if threshold is None:
        suppressed = texts["sign_suppressed"]
    else:
        suppressed = texts["sign_suppressed_threshold"].format(threshold=format_count(threshold, language))
    return [(SUPPRESSED_MARK, suppressed), (MISSING_MARK, texts["sign_missing"])]


# --------------------------------------------------------------------------- whole tables


@dataclass(frozen=True)
class ColumnFormat:
    """How one display column is formatted.

    Attributes
    ----------
    kind
        One of :data:`KINDS`.
    decimals
        Digits after the decimal sign (numbers, shares, percentages and
        intervals); ``None`` takes :data:`DEFAULT_DECIMALS`.
    bounds
        For ``kind="interval"``: the frame's (lower, upper) columns. The display
        column takes the key under which this format is given.
    unit
        For ``kind="interval"``: whether the bounds are shares, percentages or
        plain numbers.
    labels
        For ``kind="label"``: code -> printed label. Truth values need no
        mapping (``ja``/``nee``, ``yes``/``no``).
    """

    kind: Kind
    decimals: int | None = None
    bounds: tuple[str, str] | None = None
    unit: Literal["share", "percent", "number"] = "share"
    labels: Mapping[object, str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"unknown column kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if (self.kind == "interval") != (self.bounds is not None):
            raise ConfigError("an interval column needs bounds=(lower, upper), and only an interval has bounds")

    @property
    def numeric(self) -> bool:
        """True when the column holds numbers (right-aligned)."""
        return self.kind in NUMERIC_KINDS

    @property
    def places(self) -> int:
        """Decimals actually used."""
        return self.decimals if self.decimals is not None else DEFAULT_DECIMALS.get(self.kind, 0)

    def sources(self, key: str) -> tuple[str, ...]:
        """The frame columns this display column is made from."""
        return tuple(self.bounds) if self.bounds is not None else (key,)


def as_column_format(spec: str | ColumnFormat) -> ColumnFormat:
    """A :class:`ColumnFormat` from a kind name or a format (returned as it is)."""
    return spec if isinstance(spec, ColumnFormat) else ColumnFormat(kind=spec)  # type: ignore[arg-type]


def format_value(value: object, fmt: ColumnFormat, language: str = "nl") -> str:
    """Format one cell (not an interval) according to ``fmt``.

    Examples
    --------
    >>> format_value(0.148, ColumnFormat("share", decimals=1), "en")
    '14.8%'
    >>> format_value("utrecht", ColumnFormat("label", labels={"utrecht": "Utrecht"}))
    'Utrecht'
    """
    kind = fmt.kind
    if is_missing(value):
        return MISSING_MARK
    if kind == "count":
        return format_count(value, language)
    if kind == "number":
        return format_number(value, language, fmt.places)
    if kind in ("share", "bound"):
        number = None if isinstance(value, (bool, np.bool_)) else _decimal(value)
        if number is None or not (0 <= number <= 1):
            raise ConfigError(f"a share must lie between 0 and 1, not {value!r}")
        return format_share(value, language, fmt.places)
    if kind == "percent":
        return format_percent(value, language, fmt.places)
    if kind == "date":
        return format_date(value, language)
    if kind == "text":
        return str(value)
    if kind == "label":
        if fmt.labels is not None and value in fmt.labels:
            return str(fmt.labels[value])
        if isinstance(value, (bool, np.bool_)):
            return format_yes_no(value, language)
        raise ConfigError(f"no label for code {value!r}")
    raise ConfigError(f"column kind {kind!r} is formatted from two columns")  # interval


def _interval_cell(row: pd.Series, fmt: ColumnFormat, language: str) -> str:
    low, high = fmt.bounds  # type: ignore[misc]
    if fmt.unit == "share":
        for bound in (row[low], row[high]):
            if not is_missing(bound) and not (0 <= _decimal(bound) <= 1):
                raise ConfigError(f"a share must lie between 0 and 1, not {bound!r}")
    return format_interval(row[low], row[high], language, fmt.places, unit=fmt.unit)


def format_frame(
    frame: pd.DataFrame,
    columns: Mapping[str, str | ColumnFormat],
    language: str = "nl",
    *,
    suppressed: pd.DataFrame | None = None,
    name: str = "",
) -> pd.DataFrame:
    """Format a table for display: every cell a string, every column by its kind.

    Parameters
    ----------
    frame
        The values (one row per table row; the index is not shown).
    columns
        Display column -> kind name or :class:`ColumnFormat`, in display order.
        A display column is a column of ``frame`` except for intervals, which
        name their two ``bounds``. Columns of ``frame`` not listed are left out.
    language
        ``"nl"`` or ``"en"``.
    suppressed
        Optional boolean mask over ``frame`` (same index, the columns it
        covers): a true cell prints as :data:`SUPPRESSED_MARK`, whatever its
        value. An interval is suppressed when either bound is.
    name
        Name of the table, used in error messages.

    Returns
    -------
    pandas.DataFrame
        Strings, same index as ``frame``, columns as in ``columns``.

    Raises
    ------
    lvv_eval.errors.InputValidationError
        Listing every cell that cannot be formatted (row counted as in a
        spreadsheet: header row 1, first row 2), e.g. a count with a fraction,
        a share above 1, a code without label; and every listed column that
        ``frame`` lacks.

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["utrecht"], "n": [1258.0], "p": [0.148], "lo": [0.14], "hi": [0.46]})
    >>> out = format_frame(t, {"pilot": ColumnFormat("label", labels={"utrecht": "Utrecht"}), "n": "count",
    ...                        "p": ColumnFormat("share", decimals=1),
    ...                        "ci": ColumnFormat("interval", bounds=("lo", "hi"))}, "en")
    >>> out.iloc[0].tolist()
    ['Utrecht', '1,258', '14.8%', '(14–46%)']
    """
    check_language(language)
    formats = {key: as_column_format(spec) for key, spec in columns.items()}
    label = name or "<table>"
    problems = [
        Problem(label, None, source, "", "column is missing from the table")
        for key, fmt in formats.items()
        for source in fmt.sources(key)
        if source not in frame.columns
    ]
    if suppressed is not None:
        if not suppressed.index.equals(frame.index):
            problems.append(Problem(label, None, None, "", "suppression mask does not have the table's index"))
        problems += [
            Problem(label, None, str(c), "", "suppression mask has a column the table lacks")
            for c in suppressed.columns
            if c not in frame.columns
        ]
    if problems:
        raise InputValidationError(problems, f"{label}: cannot format the table")
    out: dict[str, list[str]] = {}
    for key, fmt in formats.items():
        cells: list[str] = []
        for position, (index, row) in enumerate(frame.iterrows()):
            hidden = suppressed is not None and any(
                bool(suppressed.at[index, s]) for s in fmt.sources(key) if s in suppressed.columns
            )
            if hidden:
                cells.append(SUPPRESSED_MARK)
                continue
            try:
                if fmt.kind == "interval":
                    cells.append(_interval_cell(row, fmt, language))
                else:
                    cells.append(format_value(row[key], fmt, language))
            except (ConfigError, InvalidOperation, TypeError, ValueError) as exc:
                value = row[key] if fmt.kind != "interval" else tuple(row[s] for s in fmt.sources(key))
                problems.append(Problem(label, position + 2, key, repr(value), f"{fmt.kind}: {exc}"))
                cells.append("")
        out[key] = cells
    if problems:
        raise InputValidationError(problems, f"{label}: {len(problems)} cell(s) cannot be formatted")
    return pd.DataFrame(out, index=frame.index, columns=list(formats))


def alignments(columns: Mapping[str, str | ColumnFormat]) -> list[str]:
    """``"right"`` for numeric display columns, ``"left"`` otherwise, in display order."""
    return ["right" if as_column_format(spec).numeric else "left" for spec in columns.values()]


def join_list(items: Sequence[str], language: str = "nl") -> str:
    """Join words as a sentence does: ``A, B en C`` (nl), ``A, B and C`` (en).

    Examples
    --------
    >>> join_list(["Amsterdam", "Eindhoven", "Utrecht"]), join_list(["A", "B"], "en")
    ('Amsterdam, Eindhoven en Utrecht', 'A and B')
    """
    items = list(items)
    if not items:
        return MISSING_MARK
    if len(items) == 1:
        return items[0]
    word = load_texts(language)["and_word"]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
