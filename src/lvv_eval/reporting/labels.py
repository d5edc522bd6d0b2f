"""Report language: Dutch labels by default, English on request.

Every piece of text that a notebook puts in a table header, a figure or a
sentence goes through one :class:`Labels` object, so the same notebook renders
a Dutch (``nl``, default) or an English (``en``) report. The vocabulary is
data, not code:

* pilot names: ``lvv_eval/data/pilots.csv`` (same in both languages);
* exit reasons: ``lvv_eval/data/exit_reasons.csv`` (via :mod:`lvv_eval.reference.taxonomy`);
* outcome classes: the scheme files (via :mod:`lvv_eval.reference.schemes`);
* measures, categories and other words: ``lvv_eval/data/labels.csv``
  (``key, nl, en, note``), covering the vocabulary of
  ``data/published/figures.csv``.

Numbers, percentages and dates are formatted by hand (Dutch: decimal comma,
thousands dot, ``12,3 %``; English: ``1,019``, ``12.3%``), so the output does
not depend on the machine's locale.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from lvv_eval.errors import ConfigError, LvvEvalError
from lvv_eval.paths import PACKAGE_DATA_DIR

LABELS_FILE: Path = PACKAGE_DATA_DIR / "labels.csv"
"""The word list shipped with the package (``key, nl, en, note``)."""

LANGUAGES: tuple[str, ...] = ("nl", "en")
"""Supported report languages; the first is the default."""

Language = Literal["nl", "en"]

_MONTHS = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_SEPARATORS = {"nl": (".", ","), "en": (",", ".")}  # (thousands, decimal)
_MISSING = "–"

GROUP_WORD_KEYS: dict[str, str] = {
    "yes": "yes",
    "no": "no",
    "unknown": "not_published",
    "total": "total",
    "formal_only": "formal_only",
}
"""Group labels (values of a design attribute, see :mod:`lvv_eval.sources.designs`) that have a
word-list key; other values (``municipality``, ``ngo_regiegroep``, ...) are codes shown as they are."""


class UnknownLabelError(LvvEvalError, KeyError):
    """A key, code or class id has no label; the message lists the closest known keys."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@lru_cache(maxsize=4)
def _read_labels(path: str) -> pd.DataFrame:
    # keep_default_na=False: keys such as 'none' and texts such as 'n/a' are data, not missing.
    table = pd.read_csv(path, dtype="str", keep_default_na=False)
    missing = [c for c in ("key", "nl", "en") if c not in table.columns]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {missing}; expected key, nl, en, note")
    dupes = sorted(set(table.loc[table["key"].duplicated(), "key"]))
    if dupes:
        raise ConfigError(f"{path}: column 'key': duplicate keys {dupes}")
    empty = [f"row {i + 2}" for i in table.index[(table[["key", "nl", "en"]] == "").any(axis=1)]]
    if empty:
        raise ConfigError(f"{path}: empty key or label in {', '.join(empty)}")
    return table


def _unknown(kind: str, key: object, known: list[str]) -> UnknownLabelError:
    close = difflib.get_close_matches(str(key), known, n=3, cutoff=0.6)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return UnknownLabelError(f"no {kind} label for {key!r}{hint}")


def _group_thousands(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def _is_missing(x: object) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


_RULES: tuple[tuple[str, str, str], ...] = (
    # (regular expression on the English rule of lvv_eval.disclosure.suppression, Dutch, English)
    (r"primary: n < (\d+)", "primair: aantal kleiner dan {0}", "primary: count below {0}"),
    (r"primary: numerator < (\d+)", "primair: teller kleiner dan {0}", "primary: numerator below {0}"),
    (
        r"primary: denominator - numerator < (\d+)",
        "primair: noemer min teller kleiner dan {0}",
        "primary: denominator minus numerator below {0}",
    ),
    (
        r"primary: denominator - sum of the group < (\d+)",
        "primair: noemer min som van de groep kleiner dan {0}",
        "primary: denominator minus the sum of the group below {0}",
    ),
    (
        r"primary: outflow \(intake - present\) < (\d+)",
        "primair: uitstroom (instroom min aanwezig) kleiner dan {0}",
        "primary: outflow (intake minus present) below {0}",
    ),
    (
        r"primary: intake in the last year \(intake - followed a full year\) < (\d+)",
        "primair: instroom in het laatste jaar (instroom min een vol jaar gevolgd) kleiner dan {0}",
        "primary: intake in the last year (intake minus followed a full year) below {0}",
    ),
    (
        r"secondary: protects cell (\S+) in (row|column) (.+)",
        "secundair: beschermt cel {0} in {1} {2}",
        "secondary: protects cell {0} in {1} {2}",
    ),
    (
        r"secondary: protects cell (\S+) \(recoverable by combining rows and columns\)",
        "secundair: beschermt cel {0} (af te leiden door rijen en kolommen te combineren)",
        "secondary: protects cell {0} (recoverable by combining rows and columns)",
    ),
    (
        r"secondary: protects a hidden count of scheme (\S+) against the total",
        "secundair: beschermt een onderdrukt aantal van schema {0} tegen het totaal",
        "secondary: protects a hidden count of scheme {0} against the total",
    ),
    (
        r"secondary: denominator of its group hidden",
        "secundair: noemer van de groep onderdrukt",
        "secondary: denominator of its group suppressed",
    ),
    (
        r"secondary: second row of its group hidden \(rows overlap\)",
        "secundair: tweede rij van de groep onderdrukt (rijen overlappen)",
        "secondary: second row of its group suppressed (rows overlap)",
    ),
    (
        r"secondary: protects a hidden row of its group \(shared denominator\)",
        "secundair: beschermt een onderdrukte rij van de groep (gedeelde noemer)",
        "secondary: protects a suppressed row of its group (shared denominator)",
    ),
    (
        r"difference from version (\S+) is below (\d+)",
        "verschil met {0} kleiner dan {1}",
        "difference from {0} below {1}",
    ),
    (
        r"difference between schemes < (\d+)",
        "verschil tussen schema's kleiner dan {0}",
        "difference between schemes below {0}",
    ),
    (
        r"difference from another scheme or table < (\d+)",
        "verschil met een ander schema of een andere tabel kleiner dan {0}",
        "difference from another scheme or table below {0}",
    ),
    (
        r"missing in the input: treated as hidden",
        "ontbreekt in de invoer: behandeld als onderdrukt",
        "missing in the input: treated as suppressed",
    ),
    (r"published figure, exempt", "gepubliceerd cijfer, uitgezonderd", "published figure, exempt"),
    (
        r"derived: rests on a suppressed count",
        "afgeleid: berust op een onderdrukt aantal",
        "derived: rests on a suppressed count",
    ),
    (
        r"secondary: suppressed by the table's own linked-cell rule",
        "secundair: onderdrukt door de regel voor samenhangende cellen van de tabel",
        "secondary: suppressed by the table's own linked-cell rule",
    ),
    (
        r"secondary: the same count is suppressed in another table of this report",
        "secundair: hetzelfde aantal is in een andere tabel van dit rapport onderdrukt",
        "secondary: the same count is suppressed in another table of this report",
    ),
    (
        r"derived: a rounded release has no interval",
        "afgeleid: een afgeronde uitgave heeft geen interval",
        "derived: a rounded release has no interval",
    ),
    (
        r"primary: a count behind the difference < (\d+)",
        "primair: een aantal achter het verschil kleiner dan {0}",
        "primary: a count behind the difference below {0}",
    ),
    (
        r"primary: zero count \(zeros disclosive\)",
        "primair: aantal nul (nullen zijn onthullend)",
        "primary: zero count (zeros disclosive)",
    ),
    (
        r"secondary: a count of its groups is suppressed in (\S+)",
        "secundair: een aantal van zijn groepen is onderdrukt in {0}",
        "secondary: a count of its groups is suppressed in {0}",
    ),
    (
        r"secondary: denominator of its group suppressed",
        "secundair: noemer van de groep onderdrukt",
        "secondary: denominator of its group suppressed",
    ),
    (
        r"secondary: difference between schemes < (\d+)",
        "secundair: verschil tussen schema's kleiner dan {0}",
        "secondary: difference between schemes below {0}",
    ),
    (
        r"secondary: difference between (\S+) < (\d+)",
        "secundair: verschil tussen versies ({0}) kleiner dan {1}",
        "secondary: difference between {0} below {1}",
    ),
    (
        r"secondary: its denominator is suppressed",
        "secundair: de noemer is onderdrukt",
        "secondary: its denominator is suppressed",
    ),
    (
        r"secondary: protects a suppressed class of its group",
        "secundair: beschermt een onderdrukte klasse van de groep",
        "secondary: protects a suppressed class of its group",
    ),
    (
        r"secondary: the hidden cells of (row|column) (\S+) add up to fewer than (\d+)",
        "secundair: de onderdrukte cellen van {0} {1} tellen op tot minder dan {2}",
        "secondary: the hidden cells of {0} {1} add up to fewer than {2}",
    ),
    (
        r"secondary: the hidden rows of its group and the rest add up to fewer than (\d+)",
        "secundair: de onderdrukte rijen van de groep en de rest tellen op tot minder dan {0}",
        "secondary: the hidden rows of its group and the rest add up to fewer than {0}",
    ),
    (
        r"released at national level with counts rounded to base (\d+)",
        "landelijk vrijgegeven, aantallen afgerond op veelvouden van {0}",
        "released at national level with counts rounded to base {0}",
    ),
)
_LINE_WORDS = {"row": ("rij", "row"), "column": ("kolom", "column")}


class Labels:
    """Labels and number formats for one report language.

    Parameters
    ----------
    language
        ``"nl"`` (Dutch, default) or ``"en"``.
    labels_file
        Word list (``key, nl, en, note``); defaults to :data:`LABELS_FILE`.
    pilots_file
        Pilot table passed to :func:`lvv_eval.reference.pilots.load_pilots` (default: the shipped one).

    Raises
    ------
    lvv_eval.errors.ConfigError
        If ``language`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> nl, en = Labels("nl"), Labels("en")
    >>> nl("Uitstroom per pilot", "Outflow per pilot")
    'Uitstroom per pilot'
    >>> nl.measure("free_places"), en.measure("free_places")
    ('Vrije plaatsen', 'Free places')
    >>> nl.number(1019), en.number(1019)
    ('1.019', '1,019')
    >>> nl.percent(0.123, 1), en.percent(0.123, 1)
    ('12,3 %', '12.3%')
    >>> nl.date("2020-11-01"), en.date("2020-11-01")
    ('1 november 2020', '1 November 2020')
    """

    def __init__(
        self, language: str = "nl", *, labels_file: str | Path | None = None, pilots_file: str | Path | None = None
    ) -> None:
        if language not in LANGUAGES:
            raise ConfigError(f"unknown report language {language!r}; use one of {', '.join(LANGUAGES)}")
        self.language: Language = language  # type: ignore[assignment]
        self._labels_file = str(labels_file or LABELS_FILE)
        self._pilots_file = pilots_file
        table = _read_labels(self._labels_file)
        self._words: dict[str, str] = dict(zip(table["key"], table[language]))
        self._pilots: dict[str, str] | None = None
        self._exit_reasons: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"Labels({self.language!r})"

    # ------------------------------------------------------------------ text
    def __call__(self, nl: str, en: str) -> str:
        """Return ``nl`` or ``en`` for this language (notebook-specific text)."""
        return nl if self.language == "nl" else en

    def word(self, key: str) -> str:
        """Return the label of a key in ``labels.csv`` (a unit, column or category).

        Raises
        ------
        UnknownLabelError
            If the key is not in the word list (the closest keys are named).
        """
        try:
            return self._words[key]
        except KeyError:
            raise _unknown("word", key, sorted(self._words)) from None

    def measure(self, key: str) -> str:
        """Return the label of a measure or category of ``data/published/figures.csv``.

        Reads the same word list as :meth:`word`; use this name where the key
        is a measure (``capacity``, ``occupancy``, ``intake``, ...).
        """
        try:
            return self._words[key]
        except KeyError:
            raise _unknown("measure", key, sorted(self._words)) from None

    def category(self, key: str) -> str:
        """Return the label of a category of ``data/published/figures.csv``.

        Categories are words of the word list (``formal``, ``durable``, ...) or
        exit-reason codes (``repeat_asylum_application``, ...), looked up in that order.

        Examples
        --------
        >>> Labels("en").category("informal"), Labels("en").category("stay_terminated")
        ('Without formal LVV status', 'stay ended by force')
        """
        if key in self._words:
            return self._words[key]
        try:
            return self.exit_reason(key)
        except UnknownLabelError:
            raise _unknown("category", key, sorted(self._words)) from None

    def has(self, key: str) -> bool:
        """Return whether ``key`` is in the word list."""
        return key in self._words

    def pilot(self, code: str) -> str:
        """Return the display name of a pilot code (``total`` gives the word for total).

        Examples
        --------
        >>> Labels("en").pilot("eindhoven"), Labels("en").pilot("total")
        ('Eindhoven', 'Total')
        """
        if self._pilots is None:
            from lvv_eval.reference.pilots import load_pilots

            table = load_pilots(self._pilots_file)
            self._pilots = dict(zip(table["pilot"].astype("str"), table["name"].astype("str")))
        key = str(code).strip().lower()
        if key in self._pilots:
            return self._pilots[key]
        if key == "total":
            return self.word("total")
        raise _unknown("pilot", code, sorted(self._pilots))

    def exit_reason(self, code: str) -> str:
        """Return the label of an exit-reason code (``lvv_eval/data/exit_reasons.csv``)."""
        if self._exit_reasons is None:
            from lvv_eval.reference.taxonomy import exit_reasons

            table = exit_reasons()
            self._exit_reasons = dict(zip(table["code"], table[f"label_{self.language}"]))
        try:
            return self._exit_reasons[code]
        except KeyError:
            raise _unknown("exit-reason", code, sorted(self._exit_reasons)) from None

    def outcome_class(self, scheme: str, class_id: str) -> str:
        """Return the name of an outcome class of a classification scheme.

        Parameters
        ----------
        scheme
            Scheme name or path (see :func:`lvv_eval.reference.schemes.load_scheme`).
        class_id
            A class id of that scheme; ``in_programme`` (the all-cause curve of
            :func:`lvv_eval.stats.survival.cif_curves`) is taken from the word list.

        Examples
        --------
        >>> Labels("nl").outcome_class("regioplan-2022", "semi_durable")
        'semi-bestendige oplossing'
        """
        from lvv_eval.reference.schemes import load_scheme

        classes = {c.id: c for c in load_scheme(scheme).classes}
        if class_id in classes:
            cls = classes[class_id]
            return cls.name_nl if self.language == "nl" else cls.name_en
        if class_id == "in_programme":
            return self.word("in_programme")
        raise _unknown(f"outcome-class ({scheme})", class_id, sorted(classes))

    def group(self, value: object) -> str:
        """Return the display text of a group label or design-attribute value.

        ``yes``/``no`` become ``ja``/``nee`` in Dutch, ``unknown`` (see
        :data:`lvv_eval.sources.designs.UNKNOWN_LABEL`) becomes "not published";
        see :data:`GROUP_WORD_KEYS`. Other values are codes and are returned
        as text, unchanged.

        Examples
        --------
        >>> nl = Labels("nl")
        >>> nl.group("yes"), nl.group("unknown"), nl.group("municipality")
        ('ja', 'niet gepubliceerd', 'municipality')
        """
        key = GROUP_WORD_KEYS.get(str(value))
        return self.word(key) if key is not None else str(value)

    def columns(self, frame: pd.DataFrame, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Return a copy of ``frame`` with translated column names.

        Each column name is looked up, in this order, in ``mapping`` (column ->
        word-list key, or literal text when the value is not a key), the word
        list, the pilot codes and the exit-reason codes. Names found nowhere are
        left as they are. The data are not changed.

        Raises
        ------
        lvv_eval.errors.ConfigError
            If two columns would get the same header (the message names both
            columns and the header); give one of them another text in ``mapping``.

        Examples
        --------
        >>> df = pd.DataFrame({"pilot": ["utrecht"], "intake": [1], "x": [2]})
        >>> list(Labels("nl").columns(df, {"x": "Iets anders"}).columns)
        ['Pilotgemeente', 'Instroom', 'Iets anders']
        """
        mapping = dict(mapping or {})
        renamed = {}
        for column in frame.columns:
            name = str(column)
            if column in mapping:
                target = mapping[column]
                renamed[column] = self._words.get(target, target)
            else:
                renamed[column] = self._lookup_any(name, default=column)  # type: ignore[assignment]
        seen: dict[object, object] = {}
        clashes = []
        for column, header in renamed.items():
            if header in seen:
                clashes.append(f"columns {seen[header]!r} and {column!r} both become {header!r}")
            else:
                seen[header] = column
        if clashes:
            raise ConfigError(
                "translated column headers must be unique: "
                + "; ".join(clashes)
                + "; give one of them another text in the mapping"
            )
        return frame.rename(columns=renamed)

    def _lookup_any(self, key: str, default: object) -> object:
        if key in self._words:
            return self._words[key]
        for method in (self.pilot, self.exit_reason):
            try:
                return method(key)
            except UnknownLabelError:
                continue
        return default

    # --------------------------------------------------------------- reports
    def rule(self, text: str) -> str:
        """Translate a rule of a disclosure-control report (:mod:`lvv_eval.disclosure.suppression`).

        Unknown rules are returned unchanged.

        Examples
        --------
        >>> Labels("nl").rule("primary: n < 10")
        'primair: aantal kleiner dan 10'
        >>> Labels("nl").rule("secondary: protects cell a/n in column n")
        'secundair: beschermt cel a/n in kolom n'
        """
        for pattern, nl, en in _RULES:
            match = re.fullmatch(pattern, str(text))
            if match:
                groups = [
                    (_LINE_WORDS[g][0 if self.language == "nl" else 1] if g in _LINE_WORDS else g)
                    for g in match.groups()
                ]
                return (nl if self.language == "nl" else en).format(*groups)
        return str(text)

    def suppression_report(self, report: pd.DataFrame) -> pd.DataFrame:
        """A disclosure-control report ready to show: translated headers, rules and values.

        Parameters
        ----------
        report
            The ``report`` of a :class:`lvv_eval.disclosure.suppression.SuppressionResult`
            (columns ``cell, row, column, value, rule``).

        Examples
        --------
        >>> r = pd.DataFrame({"cell": ["a/n"], "row": ["a"], "column": ["n"], "value": ["hidden"],
        ...                   "rule": ["primary: n < 10"]})
        >>> Labels("nl").suppression_report(r).iloc[0].tolist()
        ['a/n', 'a', 'n', 'onderdrukt', 'primair: aantal kleiner dan 10']
        >>> list(Labels("en").suppression_report(r).columns)
        ['Cell', 'Row', 'Column', 'Value', 'Rule']
        """
        out = report.copy()
        if "value" in out.columns:
            out["value"] = out["value"].map(lambda v: self.word("suppressed_value") if v == "hidden" else v)
        if "rule" in out.columns:
            out["rule"] = out["rule"].map(self.rule)
        return self.columns(out, {c: f"report_{c}" for c in ("cell", "row", "column", "value", "rule")})

    def formatted(
        self,
        frame: pd.DataFrame,
        *,
        percent: tuple[str, ...] | list[str] = (),
        decimals: int = 0,
        words: tuple[str, ...] | list[str] = ("ci_method",),
    ) -> pd.DataFrame:
        """A copy of ``frame`` as text for display: numbers, percentages, yes/no and '–' for hidden.

        ``percent`` columns (proportions 0-1) are shown with :meth:`percent`;
        other numeric columns with :meth:`number` (``decimals`` for non-whole
        numbers); booleans with :meth:`yes_no`; ``words`` columns through the
        word list where a value is a key (e.g. ``wilson``). Missing values
        (hidden cells) become ``'–'``. Column names are not changed.

        Examples
        --------
        >>> df = pd.DataFrame({"numerator": pd.array([48, None], dtype="Int64"), "estimate": [0.117647, None],
        ...                    "suppressed": [False, True], "ci_method": ["wilson", "wilson"]})
        >>> Labels("en").formatted(df, percent=["estimate"]).values.tolist()
        [['48', '12%', 'no', 'Wilson'], ['–', '–', 'yes', 'Wilson']]
        """
        out = frame.copy()
        for col in out.columns:
            values = out[col]
            if col in percent:
                out[col] = [self.percent(v, decimals) for v in values]
            elif pd.api.types.is_bool_dtype(values.dtype):
                out[col] = [self.yes_no(v) for v in values]
            elif pd.api.types.is_numeric_dtype(values.dtype):
                whole = all(_is_missing(v) or float(v).is_integer() for v in values)
                out[col] = [self.number(v, 0 if whole else decimals) for v in values]
            elif col in words or any(self._words.get(w) == col for w in words):
                out[col] = [_MISSING if _is_missing(v) else self._words.get(str(v), str(v)) for v in values]
            else:
                out[col] = [_MISSING if _is_missing(v) else v for v in values]
        return out

    def yes_no(self, value: object) -> str:
        """``True``/``False`` as 'ja'/'nee' or 'yes'/'no' (missing gives '–')."""
        if _is_missing(value):
            return _MISSING
        return self.word("yes") if bool(value) else self.word("no")

    # --------------------------------------------------------------- numbers
    def number(self, x: float | int | None, decimals: int = 0) -> str:
        """Format a number with the language's separators.

        Parameters
        ----------
        x
            The number; missing (``None``, NaN, ``pd.NA``) gives ``'–'``.
        decimals
            Digits after the decimal sign (rounded half to even, as Python's
            ``format``).

        Examples
        --------
        >>> Labels("nl").number(1234567.891, 2)
        '1.234.567,89'
        >>> Labels("en").number(-1019)
        '-1,019'
        """
        if _is_missing(x):
            return _MISSING
        value = float(x)  # type: ignore[arg-type]
        if not math.isfinite(value):
            return _MISSING
        text = f"{abs(value):.{int(decimals)}f}"
        whole, _, fraction = text.partition(".")
        thousands, decimal_sign = _SEPARATORS[self.language]
        out = _group_thousands(whole, thousands) + (decimal_sign + fraction if fraction else "")
        negative = value < 0 and any(ch not in "0.," for ch in out)
        return ("-" if negative else "") + out

    def percent(self, p: float | None, decimals: int = 0) -> str:
        """Format a proportion (0.123) as a percentage: ``'12,3 %'`` (nl) or ``'12.3%'`` (en).

        Examples
        --------
        >>> Labels("nl").percent(0.5), Labels("en").percent(0.0456, 1)
        ('50 %', '4.6%')
        """
        if _is_missing(p):
            return _MISSING
        number = self.number(float(p) * 100, decimals)  # type: ignore[arg-type]
        return f"{number} %" if self.language == "nl" else f"{number}%"

    def interval(self, low: float | None, high: float | None, decimals: int = 0, *, percent: bool = True) -> str:
        """Format a confidence interval as ``'8–17 %'`` (nl) or ``'8–17%'`` (en).

        Examples
        --------
        >>> Labels("nl").interval(0.081, 0.169)
        '8–17 %'
        """
        if _is_missing(low) or _is_missing(high):
            return _MISSING
        if not percent:
            return f"{self.number(low, decimals)}–{self.number(high, decimals)}"
        lo = self.number(float(low) * 100, decimals)  # type: ignore[arg-type]
        hi = self.percent(high, decimals)
        return f"{lo}–{hi}"

    def date(self, ts: str | date | datetime | pd.Timestamp | None) -> str:
        """Format a date as ``'1 november 2020'`` (nl) or ``'1 November 2020'`` (en).

        Accepts ISO text, :class:`datetime.date`/``datetime`` and
        :class:`pandas.Timestamp`; missing gives ``'–'``.
        """
        if _is_missing(ts):
            return _MISSING
        stamp = pd.Timestamp(ts)
        return f"{stamp.day} {_MONTHS[self.language][stamp.month - 1]} {stamp.year}"
