"""Exit-reason codes (*reden uitstroom*) and the spellings accepted for them.

The fifteen codes are fixed by the monitor exchange format
(``docs/data_dictionary.md``, section "Exit reason codes"). Their Dutch and
English labels, and every accepted spelling (alias), are data:
``lvv_eval/data/exit_reasons.csv``. A label is matched after
:func:`normalise_label` (case, diacritics, punctuation, spacing and articles
are ignored), so ``'Art.64'``, ``'art 64'`` and ``'ART. 64 Vw2000'`` are the
same. Matching is exact after normalisation: a misspelling is never guessed;
it is reported with the closest known exit reasons as suggestions.

Which class (durable, semi-durable, ...) a code falls in is not decided here
but by a classification scheme (:mod:`lvv_eval.reference.schemes`).
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from lvv_eval.errors import ArgumentError, ConfigError, InputValidationError, Problem
from lvv_eval.paths import PACKAGE_DATA_DIR

EXIT_REASONS_FILE: Path = PACKAGE_DATA_DIR / "exit_reasons.csv"
"""The exit-reason table shipped with the package."""

EXIT_REASON_CODES: tuple[str, ...] = (
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
"""The exit-reason codes of the monitor exchange format, in the order of the format."""

_ARTICLES = frozenset({"de", "het", "een", "the", "a", "an"})
_NON_WORD = re.compile(r"[\W_]+")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_PARENTHESES = re.compile(r"\([^()]*\)")
_MAX_ROWS_LISTED = 10
MAX_EXPLAINED = 50
"""Distinct unknown exit reasons (the most frequent) that get closest-match suggestions; the rest are listed without."""
_SUGGESTION_CUTOFF = 0.6
_SUGGESTION_MARGIN = 0.15


@dataclass(frozen=True)
class _Table:
    """The parsed exit-reason table: labels per code and the lookup keys."""

    labels_nl: dict[str, str]
    labels_en: dict[str, str]
    keys: dict[str, str]  # normalised spelling -> code
    compact: dict[str, str]  # normalised spelling without spaces -> code


def normalise_label(text: str) -> str:
    """Return the comparison form of an exit-reason label.

    Case is folded, diacritics are removed (``ë`` -> ``e``), every run of
    punctuation, underscores and white space becomes one space, letters and
    digits are split (``art64`` -> ``art 64``) and the articles *de, het, een,
    the, a, an* are dropped.

    Parameters
    ----------
    text
        A label as written in a file.

    Returns
    -------
    str
        The normalised label (may be empty).

    Examples
    --------
    >>> normalise_label("Art.64 Vw2000")
    'art 64 vw 2000'
    >>> normalise_label("  Verblijf gedwongen BEËINDIGD ")
    'verblijf gedwongen beeindigd'
    >>> normalise_label("vertrek naar het land van herkomst")
    'vertrek naar land van herkomst'
    """
    folded = unicodedata.normalize("NFKD", str(text).casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = _LETTER_DIGIT.sub(" ", folded)
    words = _NON_WORD.sub(" ", folded).split()
    return " ".join(w for w in words if w not in _ARTICLES)


@lru_cache(maxsize=1)
def _table() -> _Table:
    """Read and check ``exit_reasons.csv`` (codes in contract order, no ambiguous spelling)."""
    with EXIT_REASONS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = tuple(row["code"] for row in rows)
    if codes != EXIT_REASON_CODES:
        raise ConfigError(
            f"{EXIT_REASONS_FILE}: column 'code' must list {EXIT_REASON_CODES} in this order, found {codes}"
        )
    keys: dict[str, str] = {}
    clashes: list[str] = []
    for row in rows:
        code = row["code"]
        spellings = [code, row["label_nl"], row["label_en"], *row["aliases"].split("|")]
        for spelling in spellings:
            key = normalise_label(spelling)
            if not key:
                continue
            if keys.setdefault(key, code) != code:
                clashes.append(f"{spelling!r} ({keys[key]} and {code})")
    if clashes:
        raise ConfigError(
            f"{EXIT_REASONS_FILE}: column 'aliases': spellings that name two codes: " + "; ".join(clashes)
        )
    compact: dict[str, str] = {}
    for key, code in keys.items():
        if compact.setdefault(key.replace(" ", ""), code) != code:
            clashes.append(f"{key!r} without spaces ({compact[key.replace(' ', '')]} and {code})")
    if clashes:
        raise ConfigError(
            f"{EXIT_REASONS_FILE}: column 'aliases': spellings that name two codes: " + "; ".join(clashes)
        )
    return _Table(
        labels_nl={row["code"]: row["label_nl"] for row in rows},
        labels_en={row["code"]: row["label_en"] for row in rows},
        keys=keys,
        compact=compact,
    )


def exit_reasons(with_aliases: bool = False) -> pd.DataFrame:
    """Return the exit-reason table.

    Parameters
    ----------
    with_aliases
        Add a column ``aliases`` with every accepted spelling (pipe-separated).

    Returns
    -------
    pandas.DataFrame
        Columns ``code, label_nl, label_en`` (and ``aliases``), one row per code
        in the order of :data:`EXIT_REASON_CODES`.

    Examples
    --------
    >>> exit_reasons().loc[3, ["code", "label_nl"]].tolist()
    ['forced_return', 'gedwongen vertrek (via vreemdelingenbewaring)']
    """
    table = pd.read_csv(EXIT_REASONS_FILE, dtype="str", keep_default_na=False)
    columns = ["code", "label_nl", "label_en"] + (["aliases"] if with_aliases else [])
    return table[columns].copy()


def label(code: str, lang: Literal["nl", "en"] = "nl") -> str:
    """Return the label of an exit-reason code.

    Parameters
    ----------
    code
        One of :data:`EXIT_REASON_CODES`.
    lang
        ``"nl"`` (Dutch, default) or ``"en"``.

    Raises
    ------
    ValueError
        If ``code`` is not an exit-reason code or ``lang`` is not nl/en.

    Examples
    --------
    >>> label("left_unknown_destination")
    'vertrokken met onbekende bestemming (MOB)'
    >>> label("returned_to_bbb", lang="en")
    'back to the night shelter (BBB)'
    """
    table = _table()
    labels = {"nl": table.labels_nl, "en": table.labels_en}.get(lang)
    if labels is None:
        raise ArgumentError(f"lang must be 'nl' or 'en', not {lang!r}")
    if code not in labels:
        raise ArgumentError(f"{code!r} is not an exit-reason code; codes: {', '.join(EXIT_REASON_CODES)}")
    return labels[code]


def lookup_exit_reason(text: object) -> str | None:
    """Return the code an exit-reason label stands for, or ``None``.

    The label is compared after :func:`normalise_label` with every code, label
    and alias, first as is, then without spaces (``'vreemdelingen bewaring'``).
    If that fails, text in parentheses is dropped and the rest is compared
    again (``'terug naar BBB (Eindhoven)'`` -> ``returned_to_bbb``).

    Parameters
    ----------
    text
        A label as written in a file, or a code. Missing or blank gives ``None``.

    Returns
    -------
    str or None
        The exit-reason code, or ``None`` when the label is unknown or blank.

    Examples
    --------
    >>> lookup_exit_reason("MOB")
    'left_unknown_destination'
    >>> lookup_exit_reason("Art.64 Vw")
    'departure_postponed_art64'
    >>> lookup_exit_reason("Uitstroom naar AZC")
    'repeat_asylum_application'
    >>> lookup_exit_reason("forced_return")
    'forced_return'
    >>> lookup_exit_reason("herhaalde asiel-aanvraag")
    'repeat_asylum_application'
    >>> lookup_exit_reason("onbekend") is None
    True
    """
    if _is_missing(text):
        return None
    raw = str(text)
    code = _match(normalise_label(raw))
    if code is None and "(" in raw:
        code = _match(normalise_label(_PARENTHESES.sub(" ", raw)))
    return code


def _match(key: str) -> str | None:
    table = _table()
    code = table.keys.get(key)
    if code is None and key:
        code = table.compact.get(key.replace(" ", ""))
    return code


def closest_exit_reasons(text: object, n: int = 3) -> list[str]:
    """Return the codes whose spellings are closest to an unknown label.

    Similarity is :class:`difflib.SequenceMatcher` ratio between normalised
    spellings; a spelling contained in the label (or the other way round)
    scores at least 0.75. Only codes scoring 0.6 or more, and no more than
    0.15 below the best, are returned.

    Parameters
    ----------
    text
        The unknown label.
    n
        Maximum number of codes returned.

    Returns
    -------
    list of str
        Codes, best first (ties in the order of :data:`EXIT_REASON_CODES`);
        empty when nothing is close.

    Examples
    --------
    >>> closest_exit_reasons("vertrokken met onbekende bestemmng")
    ['left_unknown_destination']
    >>> closest_exit_reasons("gedwongen vetrek", n=1)
    ['forced_return']
    """
    query = normalise_label("" if _is_missing(text) else str(text))
    if not query:
        return []
    return list(_closest_codes(query))[:n]


@lru_cache(maxsize=1)
def _spelling_index() -> tuple[tuple[str, str, int, Counter], ...]:
    """Every normalised spelling with its code, length and letter counts (built once)."""
    return tuple((key, code, len(key), Counter(key)) for key, code in _table().keys.items())


@lru_cache(maxsize=4096)
def _closest_codes(query: str) -> tuple[str, ...]:
    """Codes closest to a normalised label, best first (see :func:`closest_exit_reasons`).

    A spelling is compared with :meth:`difflib.SequenceMatcher.ratio` only
    when two cheap upper bounds of that ratio reach the cutoff: the length
    bound ``2 min(a, b) / (a + b)`` and the shared-letter bound; spellings
    contained in the label (or the other way round) always count. The result
    is the same as comparing every spelling.
    """
    best: dict[str, float] = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(query)
    n_query, letters = len(query), Counter(query)
    for key, code, n_key, key_letters in _spelling_index():
        contained = min(n_key, n_query) >= 3 and (key in query or query in key)
        score = 0.75 if contained else 0.0
        total = n_key + n_query
        if (
            2.0 * min(n_key, n_query) / total >= _SUGGESTION_CUTOFF
            and 2.0 * sum((key_letters & letters).values()) / total >= _SUGGESTION_CUTOFF
        ):
            matcher.set_seq1(key)
            score = max(score, matcher.ratio())
        if score > best.get(code, 0.0):
            best[code] = score
    if not best:
        return ()
    floor = max(_SUGGESTION_CUTOFF, max(best.values()) - _SUGGESTION_MARGIN)
    order = {code: i for i, code in enumerate(EXIT_REASON_CODES)}
    ranked = sorted(
        (code for code, score in best.items() if score >= floor),
        key=lambda code: (-best[code], order[code]),
    )
    return tuple(ranked)


def to_codes(
    values: Iterable[object],
    *,
    file: str = "",
    column: str | None = "exit_reason",
    first_row: int = 2,
    rows: Sequence[int] | None = None,
) -> list[str | None]:
    """Translate exit-reason labels to codes, failing on any unknown label.

    Parameters
    ----------
    values
        Labels in file order (a column of a monitor file). Missing and blank
        values mean "still in the LVV" and become ``None``.
    file
        Name of the file the values come from, for the error report.
    column
        Column name as written in the file, for the error report.
    first_row
        Spreadsheet row number of the first value (header = row 1, so 2).
    rows
        Spreadsheet row number of every value (when empty rows were skipped);
        overrides ``first_row``.

    Returns
    -------
    list of str or None
        One code (or ``None`` for blank) per value.

    Raises
    ------
    InputValidationError
        With one :class:`~lvv_eval.errors.Problem` per distinct unknown label:
        its value, and in the rule the number of rows, their row numbers and
        the closest known exit reasons.

    Examples
    --------
    >>> to_codes(["MOB", "", "inwilliging"])
    ['left_unknown_destination', None, 'residence_permit']
    """
    codes: list[str | None] = []
    unknown_rows: dict[str, list[int]] = {}
    for position, value in enumerate(values):
        if _is_missing(value):
            codes.append(None)
            continue
        code = lookup_exit_reason(value)
        codes.append(code)
        if code is None:
            unknown_rows.setdefault(str(value), []).append(
                int(rows[position]) if rows is not None else first_row + position
            )
    if unknown_rows:
        explained = _most_frequent(unknown_rows)
        problems = [
            Problem(
                file=file,
                row=None,
                column=column,
                value=text,
                rule=_unknown_rule(text, rows, explain=text in explained, n_distinct=len(unknown_rows)),
            )
            for text, rows in unknown_rows.items()
        ]
        total = sum(len(rows) for rows in unknown_rows.values())
        raise InputValidationError(
            problems,
            summary=(
                f"{len(problems)} unknown exit reason(s) in {total} row(s)"
                f"{' of ' + file if file else ''}; accepted spellings: "
                "lvv_eval.reference.taxonomy.exit_reasons(with_aliases=True)"
            ),
        )
    return codes


def _most_frequent(rows_by_value: dict[str, list[int]], limit: int | None = None) -> set[str]:
    """The ``limit`` (default :data:`MAX_EXPLAINED`) values with the most rows; ties: first in the file."""
    limit = MAX_EXPLAINED if limit is None else limit
    ranked = sorted(rows_by_value, key=lambda v: (-len(rows_by_value[v]), rows_by_value[v][0]))
    return set(ranked[:limit])


def _unknown_rule(text: str, rows: list[int], *, explain: bool = True, n_distinct: int = 1) -> str:
    listed = ", ".join(str(r) for r in rows[:_MAX_ROWS_LISTED])
    if len(rows) > _MAX_ROWS_LISTED:
        listed += ", ..."
    noun = "row" if len(rows) == 1 else "rows"
    if not explain:
        return (
            f"unknown exit reason ({len(rows)} {noun}: {listed}); closest match not searched: only the "
            f"{MAX_EXPLAINED} most frequent of {n_distinct} distinct unknown exit reasons are"
        )
    suggestions = closest_exit_reasons(text)
    if suggestions:
        hint = "closest known: " + ", ".join(f"{c} ({label(c)!r})" for c in suggestions)
    else:
        hint = f"no known exit reason is close; codes: {', '.join(EXIT_REASON_CODES)}"
    return f"unknown exit reason ({len(rows)} {noun}: {listed}); {hint}"


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
