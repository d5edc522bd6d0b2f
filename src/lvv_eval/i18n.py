"""Report language: Dutch labels by default, English on request.

Every piece of text that a notebook puts in a table header, a figure or a
sentence goes through one :class:`Labels` object, so the same notebook renders
a Dutch (``nl``, default) or an English (``en``) report. The vocabulary is
data, not code:

* pilot names: ``lvv_eval/data/pilots.csv`` (same in both languages);
* exit reasons: ``lvv_eval/data/exit_reasons.csv`` (via :mod:`lvv_eval.taxonomy`);
* outcome classes: the scheme files (via :mod:`lvv_eval.schemes`);
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
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal, Mapping

import pandas as pd

from lvv_eval.errors import ConfigError, LvvEvalError
from lvv_eval.paths import PACKAGE_DATA_DIR

LABELS_FILE: Path = PACKAGE_DATA_DIR / "labels.csv"
"""The word list shipped with the package (``key, nl, en, note``)."""

LANGUAGES: tuple[str, ...] = ("nl", "en")
"""Supported report languages; the first is the default."""

Language = Literal["nl", "en"]

_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
_SEPARATORS = {"nl": (".", ","), "en": (",", ".")}  # (thousands, decimal)
_MISSING = "–"

GROUP_WORD_KEYS: dict[str, str] = {
    "yes": "yes", "no": "no", "unknown": "not_published", "total": "total", "formal_only": "formal_only",
}
"""Group labels (values of a design attribute, see :mod:`lvv_eval.designs`) that have a
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
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def _is_missing(x: object) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


class Labels:
    """Labels and number formats for one report language.

    Parameters
    ----------
    language
        ``"nl"`` (Dutch, default) or ``"en"``.
    labels_file
        Word list (``key, nl, en, note``); defaults to :data:`LABELS_FILE`.
    pilots_file
        Pilot table passed to :func:`lvv_eval.pilots.load_pilots` (default: the shipped one).

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

    def __init__(self, language: str = "nl", *, labels_file: str | Path | None = None,
                 pilots_file: str | Path | None = None) -> None:
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
            from lvv_eval.pilots import load_pilots  # noqa: PLC0415 - avoid import cycles

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
            from lvv_eval.taxonomy import exit_reasons  # noqa: PLC0415

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
            Scheme name or path (see :func:`lvv_eval.schemes.load_scheme`).
        class_id
            A class id of that scheme; ``in_programme`` (the all-cause curve of
            :func:`lvv_eval.survival.cif_curves`) is taken from the word list.

        Examples
        --------
        >>> Labels("nl").outcome_class("regioplan-2022", "semi_durable")
        'semi-bestendige oplossing'
        """
        from lvv_eval.schemes import load_scheme  # noqa: PLC0415

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
        :data:`lvv_eval.designs.UNKNOWN_LABEL`) becomes "not published";
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
                renamed[column] = self._lookup_any(name, default=column)
        seen: dict[object, object] = {}
        clashes = []
        for column, header in renamed.items():
            if header in seen:
                clashes.append(f"columns {seen[header]!r} and {column!r} both become {header!r}")
            else:
                seen[header] = column
        if clashes:
            raise ConfigError("translated column headers must be unique: " + "; ".join(clashes)
                              + "; give one of them another text in the mapping")
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

    def interval(self, low: float | None, high: float | None, decimals: int = 0, *,
                 percent: bool = True) -> str:
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
