"""Scan of every file a report wrote, for person-level counts that must not leave it.

The scan is the last line of disclosure control and deliberately independent of the gate that
suppresses cells while a notebook runs: it does not read the gate's reports or masks. It
recomputes, from the report's person-level input (``data_source`` of the run's parameters, read
with :func:`lvv_eval.sources.monitor.read_monitor`) and the counting functions of
:mod:`lvv_eval.stats`, every count that a report could show at its peildatum, keeps those from 1
to ``threshold - 1`` (the *small counts*), and searches the outputs for them:

* **tables** (``tables/*.csv`` of kind ``synthetic`` or ``person-level`` in ``manifest.json``, and
  the tables rendered in the HTML page and the executed notebook): a cell in a column that holds
  counts whose value is a small count of the row's pilot (or group of pilots); a hidden cell that
  follows from the visible ones (a row or column total minus the other cells; a published figure
  plus a shown difference); two schemes' counts of one cell differing by a small number the
  schemes class differently; a share or estimate whose denominator is shown and whose numerator
  (or the complement) is a small count;
* **text** (HTML, notebook outputs and sources, log, JSON strings, SVG text): a small count next
  to a word that makes it a count ("7 van 26", "n = 7", "7 uitgestroomden"), and a percentage
  ``p`` with a denominator ``d`` in the same sentence (or the named pilot's shown denominator)
  such that ``p * d / 100`` is, within the rounding of ``p``, a small count;
* **identifiers**: a ``trajectory_id`` or ``person_id`` of the input anywhere in the outputs.

Whitelisted: tables of kind ``published`` and ``derived`` (computed from published figures
only), person-level counts equal to a published figure of the same pilot, measure, category and
peildatum (``data/published/figures.csv``), text numbers that are published figures, years,
dates, the threshold itself and horizon lengths.

Each finding names the file, the line or cell, the value and why it is disclosive. A finding is
``fail`` (the value is a recomputed small count, or recomputable from shown values) or
``review`` (a small integer in a count column of a person-level table that matches no recomputed
count: the output checker decides). The report fails the scan when there is at least one
``fail``. What the scan cannot see is listed in :data:`LIMITS` and in ``docs/methods.md``.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from lvv_eval.disclosure.recount import (
    ReportContext,
    SmallCounts,
    Unit,
    extra_measures,
    published_by_pilot,
    published_counts,
    published_percents,
    small_counts,
)
from lvv_eval.errors import ConfigError, LvvEvalError
from lvv_eval.paths import PROJECT_ROOT
from lvv_eval.reference.pilots import load_pilots
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.stats.counts import TOTAL

__all__ = [
    "EXEMPT_KINDS",
    "Finding",
    "LIMITS",
    "PERSON_LEVEL_KINDS",
    "ReportContext",
    "ScanResult",
    "SmallCounts",
    "scan_report",
    "small_counts",
]

PERSON_LEVEL_KINDS: frozenset[str] = frozenset({"synthetic", "person-level"})
"""Table kinds (``manifest.json``) whose cells are checked."""

EXEMPT_KINDS: frozenset[str] = frozenset({"published", "derived"})
"""Table kinds exempt from the cell check: published figures, and numbers computed from them only."""

MANIFEST = "manifest.json"
PROVENANCE = "provenance.json"
SCAN_FILE_SUFFIXES: tuple[str, ...] = (".csv", ".html", ".htm", ".ipynb", ".log", ".json", ".svg", ".txt", ".md")
"""Files read by the scan; other files (PNG) are listed as not readable."""

OWN_FILES: frozenset[str] = frozenset({"release.json", "release.html", "scan.json"})
"""Files the scan and the release record write themselves (not scanned: they quote findings)."""

LIMITS: tuple[str, ...] = (
    "Pictures: PNG files and SVG glyphs (figures are saved with text as paths) are not read; a bar "
    "height or curve point resting on a small count is invisible to the scan.",
    "Counts the scan does not recompute: groupings other than pilot, design group and total (for "
    "example by nationality, sex or age), other peildatums than the report's, intake cohorts, and "
    "time grids other than the horizons of the parameters (occupancy per month is checked only as a "
    "cell equal to a recomputed count of the same pilot).",
    "Differences across tables: a small count that follows only from combining two or more tables "
    "(a margin in one, the other cells in another; two schemes in two tables) is not solved for; "
    "within one table, one missing cell per row or column is, and two schemes' counts of one cell are "
    "compared. A cell pinned down only by several lines together is not found.",
    "Time-to-event counts at other times than the horizons (every event time of a curve) are not recomputed.",
    "Intervals: a confidence interval next to a shown denominator can give the numerator back; the "
    "scan checks shares and estimates, not interval limits.",
    'Text: a small count without a count word or denominator in the same sentence ("Utrecht: 7"), '
    'numbers written as words ("zeven") and percentages without a denominator in the sentence or '
    "a named pilot are not recognised.",
    "Identifiers: only trajectory and person ids with a digit and at least 4 characters (6 when purely "
    "numeric) are searched; names, dates of birth and other quasi-identifiers are not.",
    "Kinds: a table that a notebook labels published or derived is trusted; mislabelled person-level "
    "tables are only caught through the HTML page and the notebook, where the table is rendered.",
    "Whitelist: a small person-level count equal to a published figure of the same pilot, measure, "
    "category and peildatum is treated as published; a text number equal to a published figure is "
    "not reported.",
)
"""What the scan cannot see (also in ``docs/methods.md``, 'Output scan and release record')."""


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One value in one output that the scan considers disclosive.

    Attributes
    ----------
    file
        Path relative to the report folder.
    location
        Line (``line 12``), table cell (``row 3 (eindhoven), column n_events``) or notebook cell.
    value
        The value as written in the file.
    rule
        ``small-count``, ``recoverable``, ``share``, ``identifier``, ``small-count-unmatched``.
    reason
        Why it is disclosive, naming the recomputed count it equals.
    severity
        ``fail`` or ``review``.
    """

    file: str
    location: str
    value: str
    rule: str
    reason: str
    severity: str = "fail"


@dataclass
class ScanResult:
    """Outcome of :func:`scan_report`.

    Attributes
    ----------
    report_dir
        The folder scanned.
    verdict
        ``pass`` (nothing found), ``review`` (only review findings) or ``fail``.
    findings
        Every finding, sorted by file and location.
    files
        Every file scanned (relative paths), with its status ``scanned``, ``exempt`` or ``not readable``.
    threshold
        Smallest count that may be shown.
    note
        How the small counts were obtained (or why none were needed).
    """

    report_dir: str
    verdict: str
    findings: list[Finding]
    files: dict[str, str]
    threshold: int
    note: str = ""
    limits: tuple[str, ...] = LIMITS

    @property
    def failed(self) -> bool:
        return self.verdict == "fail"

    def by_file(self) -> dict[str, list[Finding]]:
        """Findings grouped by file."""
        out: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            out[f.file].append(f)
        return dict(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_dir": self.report_dir,
            "verdict": self.verdict,
            "threshold": self.threshold,
            "note": self.note,
            "files": dict(sorted(self.files.items())),
            "findings": [asdict(f) for f in self.findings],
            "limits": list(self.limits),
        }

    def summary(self) -> str:
        """One line without any of the values found."""
        if not self.findings:
            return f"disclosure scan: nothing found in {len(self.files)} file(s)"
        fails = [f for f in self.findings if f.severity == "fail"]
        files = sorted({f.file for f in fails or self.findings})
        return (
            f"disclosure scan: {len(fails)} disclosive value(s), "
            f"{len(self.findings) - len(fails)} for review, in {', '.join(files[:6])}"
            + (" ..." if len(files) > 6 else "")
        )


# --------------------------------------------------------------------------- vocabulary


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


class _Vocabulary:
    """Pilot names, class names and the column words the scan recognises."""

    NON_COUNT = re.compile(
        r"estimate|schatting|share|aandeel|pct|percent|%|rate|graad|ci[_ ]|_ci|\bbi\b|-bi|grens|median|mediaan|"
        r"days|dagen|months|maanden|horizon|capacit|plaatsen|places|^se$|std|p_value|odds|coef|date|datum|"
        r"published|gepubliceerd|^level$|site_effect|_sd$|difference|verschil|shift|ratio|_id$|-id$|year|jaar|"
        r"age|leeftijd|label|omschrijving|method|methode|rule|reden|source|bron|figure|cijfer|peildatum|"
        r"n_pilots|converged|warning|suppressed|onderdrukt|expected|computed|printed|gedrukt|target|doel|"
        r"p-waarde|weight|gewicht|term|role|status|kind|soort|measure|maat|categor|outcome|uitkomst|"
        r"^pilot|gemeente|group|groep|scheme|schema|unit|eenheid|^value$|waarde|step|stap|check|message|variant",
        re.I,
    )
    """Headers of columns that do not hold person counts (rates, intervals, labels, durations ...)."""

    def __init__(self, schemes: Iterable[str]) -> None:
        table = load_pilots()
        self.pilot_of: dict[str, str] = {}
        for code, name in zip(table["pilot"], table["name"]):
            self.pilot_of[_norm(code)] = str(code)
            self.pilot_of[_norm(name)] = str(code)
        self.total_words = {"total", "totaal", "all", "alle", "landelijk", "national", "nationaal"}
        self.classes: dict[str, str] = {}
        for name in schemes:
            try:
                scheme = load_scheme(name)
            except LvvEvalError:
                continue
            for cls in scheme.classes:
                for label in (cls.id, cls.name_nl, cls.name_en):
                    self.classes[_norm(label)] = str(cls.id)
        self.pilot_pattern = re.compile(
            r"\b(" + "|".join(sorted((re.escape(k) for k in self.pilot_of), key=len, reverse=True)) + r")\b", re.I
        )

    def unit_of_cell(self, text: str, counts: SmallCounts) -> Unit | None:
        value = _norm(text)
        if value in self.pilot_of:
            return frozenset([self.pilot_of[value]])
        if value in self.total_words:
            return counts.everyone
        parts = [p.strip() for p in re.split(r"[,;+]", value) if p.strip()]
        if len(parts) > 1 and all(p in self.pilot_of for p in parts):
            return frozenset(self.pilot_of[p] for p in parts)
        return None

    def is_count_column(self, header: str) -> bool:
        head = _norm(header)
        if not head or head.startswith("unnamed"):
            return False
        if head in self.classes or head in self.pilot_of or head in self.total_words:
            return True
        return not self.NON_COUNT.search(head)


# --------------------------------------------------------------------------- tables


@dataclass
class _Table:
    """A table read from a CSV file or an HTML page."""

    file: str
    name: str
    headers: list[str]
    rows: list[list[str]]
    where: str = ""  # prefix of locations (notebook cell, HTML table number)


_HIDDEN = {"", "<na>", "nan", "na", "none", "–", "-", "—", "x", "×", "*", "…", ".", "onderdrukt", "suppressed"}


def _number(text: str) -> float | None:
    """A cell's number (``26``, ``26.0``, ``12,5``), or None.

    ``1.258`` is read as a decimal number: a Dutch thousands separator only occurs in numbers of a
    thousand or more, which are never small counts.
    """
    value = text.strip().replace("\u00a0", " ").replace(" ", "")
    if re.fullmatch(r"[+-]?\d+,\d+", value):
        value = value.replace(",", ".")
    try:
        out = float(value)
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def _small_int(text: str, threshold: int) -> int | None:
    number = _number(text)
    if number is None or not number.is_integer() or not 1 <= number < threshold:
        return None
    return int(number)


def _row_unit(
    table: _Table, row: list[str], vocab: _Vocabulary, counts: SmallCounts, group_label: Mapping[str, Unit]
) -> Unit | None:
    """The pilot (or group) a row is about: a pilot cell, a pilot list, or a design-group label."""
    found: Unit | None = None
    for cell in row:
        unit = vocab.unit_of_cell(cell, counts)
        if unit is not None and (found is None or len(unit) < len(found)):
            found = unit
    if found is not None:
        return found
    for header, cell in zip(table.headers, row):
        if re.search(r"group|groep", header, re.I) and _norm(cell) in group_label:
            return group_label[_norm(cell)]
    return None


_GROUP_WORDS = {"yes": ("ja",), "no": ("nee",), "unknown": ("onbekend",)}


def _group_labels(counts: SmallCounts) -> dict[str, Unit]:
    """Design-group labels (and their Dutch forms) -> the pilots of the group."""
    out: dict[str, Unit] = {}
    for label, unit in counts.groups.items():
        out[_norm(label)] = unit
        for word in _GROUP_WORDS.get(_norm(label), ()):
            out[word] = unit
    return out


def _suffix_unit(
    table: _Table, row: list[str], header: str, vocab: _Vocabulary, counts: SmallCounts, group_label: Mapping[str, Unit]
) -> Unit | None:
    """Unit of a ``numerator_a`` style column: the row's ``group_a`` / ``pilot_a`` cell."""
    match = re.search(r"_([ab])$", header)
    if not match:
        return None
    for h, cell in zip(table.headers, row):
        if h.endswith(f"_{match.group(1)}") and h != header:
            unit = vocab.unit_of_cell(cell, counts) or group_label.get(_norm(cell))
            if unit is not None:
                return unit
    return None


_MEASURE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"at.risk|nog in de lvv", re.I), "at_risk/"),
    (re.compile(r"censor|gecensureerd|present|aanwezig|occupancy|bezetting", re.I), "occupancy/"),
    (re.compile(r"^n$|intake|instroom|ingestroomd|cohort", re.I), "intake/"),
    (re.compile(r"event|uitgestroomd|outflow|uitstroom|denominator|noemer", re.I), "outflow/"),
)


def _measure_hint(header: str) -> str | None:
    for pattern, prefix in _MEASURE_HINTS:
        if pattern.search(header):
            return prefix
    return None


def _class_hint(table: _Table, row: list[str], header: str, vocab: _Vocabulary) -> str | None:
    measure = _measure_hint(header)
    if measure:
        return measure
    head = _norm(header)
    if head in vocab.classes:
        return vocab.classes[head]
    for h, cell in zip(table.headers, row):
        if re.search(r"categor|outcome|uitkomst|class|klasse", h, re.I) and _norm(cell) in vocab.classes:
            return vocab.classes[_norm(cell)]
    return None


_MEASURE_ORDER = (
    "outflow/",
    "intake/",
    "occupancy/",
    "persons/",
    "scenarios/",
    "at_risk/",
    "events/",
    "cohort/",
    "scheme difference/",
)


def _rank(description: str) -> int:
    text = description.split(" ", 1)[-1] if not description.split(" ", 1)[0].count("/") else description
    for i, prefix in enumerate(_MEASURE_ORDER):
        if prefix in text:
            return i
    return len(_MEASURE_ORDER)


def _describe(what: list[str], hint: str | None) -> str:
    """The counts a value equals, grouped by measure (variants in brackets), most telling first."""
    what = sorted(what, key=_rank)  # stable: the report's own scheme stays first within a measure
    if hint:
        preferred = [w for w in what if (hint.endswith("/") and hint in w) or f"/{hint}" in w or f" {hint} " in w]
        what = preferred + [w for w in what if w not in preferred]
    grouped: dict[str, list[str]] = {}
    for item in what:
        name, _, variant = item.partition(" [")
        grouped.setdefault(name, [])
        if variant:
            grouped[name].append(variant.rstrip("]"))
    parts = [
        f"{name} [{'; '.join(v[:2])}{'; ...' if len(v) > 2 else ''}]" if v else name for name, v in grouped.items()
    ]
    return "; ".join(parts[:3]) + (f"; and {len(parts) - 3} more" if len(parts) > 3 else "")


def _scan_table(
    table: _Table,
    vocab: _Vocabulary,
    counts: SmallCounts,
    *,
    person_level: bool,
    published_values: frozenset[int] = frozenset(),
) -> list[Finding]:
    """Cell checks, recoverable cells and shares of one table.

    ``published_values`` (for tables whose kind is unknown) are not reported as cells.
    """
    t = counts.threshold
    group_label = _group_labels(counts)
    findings: list[Finding] = []
    count_cols = [i for i, h in enumerate(table.headers) if vocab.is_count_column(h)]
    units: list[Unit | None] = [_row_unit(table, row, vocab, counts, group_label) for row in table.rows]
    column_units = {i: vocab.unit_of_cell(h, counts) for i, h in enumerate(table.headers)}

    def where(r: int, c: int) -> str:
        unit = units[r]
        label = f" ({counts.unit_label(unit)})" if unit is not None else ""
        return f"{table.where}row {r + 1}{label}, column {table.headers[c]!r}"

    for r, row in enumerate(table.rows):
        for c in count_cols:
            if c >= len(row):
                continue
            value = _small_int(row[c], t)
            if value is None:
                continue
            unit = (
                column_units.get(c)
                or _suffix_unit(table, row, table.headers[c], vocab, counts, group_label)
                or units[r]
            )
            hint = _class_hint(table, row, table.headers[c], vocab)
            small = counts.small(unit or counts.everyone, extra_measures(table.name, table.headers[c]))
            if value in small and value in published_values:
                continue  # a table not listed in the manifest (failed build): published figures pass
            if value in small:
                findings.append(
                    Finding(
                        table.file,
                        where(r, c),
                        row[c],
                        "small-count",
                        f"{value} is a person-level count below the threshold {t}: "
                        f"{counts.unit_label(unit or counts.everyone)} "
                        f"{_describe(small[value], hint)}",
                    )
                )
            elif person_level:
                findings.append(
                    Finding(
                        table.file,
                        where(r, c),
                        row[c],
                        "small-count-unmatched",
                        f"integer {value} below the threshold {t} in a count column of a "
                        "person-level table; it matches no recomputed count (check by hand)",
                        "review",
                    )
                )
    findings += _recoverable(table, vocab, counts, units, count_cols)
    findings += _shares(table, vocab, counts, units)
    return findings


def _recoverable(
    table: _Table, vocab: _Vocabulary, counts: SmallCounts, units: list[Unit | None], count_cols: list[int]
) -> list[Finding]:
    """Hidden cells that follow from a total in the same row or column, or published + difference."""
    findings: list[Finding] = []
    heads = [_norm(h) for h in table.headers]
    class_cols = [i for i in count_cols if heads[i] in vocab.classes]
    total_cols = [i for i in count_cols if heads[i] in {"total", "totaal", "uitstroom", "outflow"}]
    # a row: total = sum of the class columns
    if class_cols and total_cols:
        tc = total_cols[-1]
        for r, row in enumerate(table.rows):
            cells = [row[i].strip().lower() if i < len(row) else "" for i in class_cols]
            hidden = [i for i, cell in zip(class_cols, cells) if cell in _HIDDEN]
            total = _number(row[tc]) if tc < len(row) else None
            if len(hidden) != 1 or total is None:
                continue
            shown = [_number(row[i]) for i in class_cols if i not in hidden]
            if any(v is None for v in shown):
                continue
            value = total - sum(v for v in shown if v is not None)
            findings += _recovered(
                table, counts, units[r], value, r, hidden[0], f"{table.headers[tc]} minus the other classes of the row"
            )
    # a column: the total row = sum of the pilot rows
    total_rows = [r for r, u in enumerate(units) if u == counts.everyone]
    pilot_of = {r: next(iter(u)) for r, u in enumerate(units) if u is not None and len(u) == 1}
    pilot_rows = list(pilot_of)
    if (
        len(total_rows) == 1
        and pilot_rows
        and set(pilot_of.values()) == set(counts.pilots)
        and len(pilot_rows) == len(counts.pilots)
    ):
        tr = total_rows[0]
        for c in count_cols:
            cells = [table.rows[r][c].strip().lower() if c < len(table.rows[r]) else "" for r in pilot_rows]
            hidden = [r for r, cell in zip(pilot_rows, cells) if cell in _HIDDEN]
            total = _number(table.rows[tr][c]) if c < len(table.rows[tr]) else None
            if len(hidden) != 1 or total is None:
                continue
            shown = [_number(table.rows[r][c]) for r in pilot_rows if r not in hidden]
            if any(v is None for v in shown):
                continue
            value = total - sum(v for v in shown if v is not None)
            findings += _recovered(
                table, counts, units[hidden[0]], value, hidden[0], c, "the total row minus the other pilots"
            )
    findings += _scheme_differences_shown(table, counts, units, count_cols)
    # published + difference = person-level
    pub = [i for i, h in enumerate(heads) if h in {"published", "gepubliceerd cijfer", "gepubliceerd"}]
    per = [i for i, h in enumerate(heads) if h in {"person_level", "persoonsniveau"}]
    dif = [i for i, h in enumerate(heads) if h in {"difference", "verschil"}]
    if pub and per and dif:
        for r, row in enumerate(table.rows):
            if row[per[0]].strip().lower() not in _HIDDEN:
                continue
            p, d = _number(row[pub[0]]), _number(row[dif[0]])
            if p is None or d is None:
                continue
            findings += _recovered(
                table, counts, units[r], p + d, r, per[0], f"{table.headers[pub[0]]} plus {table.headers[dif[0]]}"
            )
    return findings


_SCHEME_COLUMN = re.compile(r"^(scheme|schema|classificatieschema|classification scheme)$", re.I)
_NOT_A_KEY = re.compile(r"suppress|onderdrukt|rule|reden|estimate|schatting|ci_|grens|method|methode", re.I)


def _scheme_differences_shown(
    table: _Table, counts: SmallCounts, units: list[Unit | None], count_cols: list[int]
) -> list[Finding]:
    """Two schemes' shown counts of the same cell whose difference is a small recomputed scheme difference.

    The rows of a table with a scheme column are matched on their unit and label cells; when the
    numerators of two schemes differ by 1 .. threshold - 1 and that difference is one the scan
    recomputed between those schemes for the unit, the few people the schemes class differently
    (for example one forced return) can be read off.
    """
    heads = [_norm(h) for h in table.headers]
    scheme_col = next((i for i, h in enumerate(heads) if _SCHEME_COLUMN.match(h)), None)
    if scheme_col is None:
        return []
    numeric = {i for i in range(len(heads)) if any(_number(row[i]) is not None for row in table.rows if i < len(row))}
    keys = [i for i in range(len(heads)) if i != scheme_col and i not in numeric and not _NOT_A_KEY.search(heads[i])]
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for r, row in enumerate(table.rows):
        groups[(units[r], *(row[i] for i in keys if i < len(row)))].append(r)
    findings: list[Finding] = []
    t = counts.threshold
    for (unit, *_), rows in groups.items():
        unit = unit or counts.everyone
        differences = {k[0]: k for k in counts.counts(unit) if k[0] == "scheme difference"}
        if not differences:
            continue
        small = counts.small(unit, frozenset({"scheme difference"}))
        for c in count_cols:
            shown = [(table.rows[r][scheme_col], _number(table.rows[r][c]), r) for r in rows]
            shown = [(s_, v, r) for s_, v, r in shown if v is not None]
            for i, (a, va, ra) in enumerate(shown):
                for b, vb, rb in shown[i + 1 :]:
                    diff = abs((va or 0) - (vb or 0))
                    if a == b or not (1 <= diff < t) or int(diff) not in small:
                        continue
                    pairs = [w for w in small[int(diff)] if w.startswith("scheme difference/") and a in w and b in w]
                    if not pairs:
                        continue
                    findings.append(
                        Finding(
                            table.file,
                            f"{table.where}rows {ra + 1} and {rb + 1} ({counts.unit_label(unit)}), "
                            f"column {table.headers[c]!r}",
                            f"{table.rows[ra][c]} / {table.rows[rb][c]}",
                            "scheme-difference",
                            f"{a} shows {table.rows[ra][c]} and {b} shows {table.rows[rb][c]}: the difference {int(diff)} "
                            f"is the number of people the two schemes class differently, below the threshold {t} "
                            f"({pairs[0]})",
                        )
                    )
    return findings


def _recovered(
    table: _Table, counts: SmallCounts, unit: Unit | None, value: float, r: int, c: int, how: str
) -> list[Finding]:
    if not float(value).is_integer():
        return []
    small = counts.small(unit if unit is not None else counts.everyone, extra_measures(table.name))
    if int(value) not in small:
        return []
    label = counts.unit_label(unit or counts.everyone)
    return [
        Finding(
            table.file,
            f"{table.where}row {r + 1} ({label}), column {table.headers[c]!r}",
            "(hidden)",
            "recoverable",
            f"the hidden cell follows from {how}: it is {int(value)}, a count below the threshold "
            f"{counts.threshold} ({label} {_describe(small[int(value)], None)})",
        )
    ]


_ESTIMATE = re.compile(r"^(estimate|schatting|share|aandeel|raw_share|crude_share|estimate_[ab])$", re.I)
_DENOMINATOR = re.compile(r"^(denominator|noemer|n)(_[ab])?$", re.I)


def _shares(table: _Table, vocab: _Vocabulary, counts: SmallCounts, units: list[Unit | None]) -> list[Finding]:
    """A shown share (0-1) times a shown denominator giving a small count or a small complement."""
    findings: list[Finding] = []
    heads = [_norm(h) for h in table.headers]
    den_cols = [i for i, h in enumerate(heads) if _DENOMINATOR.match(h)]
    est_cols = [i for i, h in enumerate(heads) if _ESTIMATE.match(h)]
    if not den_cols or not est_cols:
        return findings
    for r, row in enumerate(table.rows):
        for e in est_cols:
            suffix = re.search(r"_[ab]$", heads[e])
            dens = (
                [
                    d
                    for d in den_cols
                    if (re.search(r"_[ab]$", heads[d]) or [None])[0] == (suffix[0] if suffix else None)
                ]
                if suffix
                else [d for d in den_cols if not re.search(r"_[ab]$", heads[d])]
            )
            for d in dens:
                share, den = _number(row[e]) if e < len(row) else None, _number(row[d]) if d < len(row) else None
                if share is None or den is None or not 0 <= share <= 1 or den <= 0:
                    continue
                exact = share * den
                k = round(exact)
                if abs(exact - k) > 1e-3 * max(1.0, den) / 10:
                    continue
                unit = units[r] or counts.everyone
                small = counts.small(unit, extra_measures(table.name, table.headers[e]))
                for value, what in ((k, "numerator"), (int(den) - k, "complement (denominator minus numerator)")):
                    if value in small:
                        findings.append(
                            Finding(
                                table.file,
                                f"{table.where}row {r + 1} ({counts.unit_label(unit)}), column {table.headers[e]!r}",
                                row[e],
                                "share",
                                f"{row[e]} x {table.headers[d]} {int(den)} gives the {what} {value}, "
                                f"a count below the threshold {counts.threshold} "
                                f"({_describe(small[value], None)})",
                            )
                        )
    return findings


def _read_csv_table(path: Path, rel: str) -> _Table:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return _Table(rel, path.stem, [str(c) for c in frame.columns], frame.astype(str).values.tolist())


# --------------------------------------------------------------------------- HTML


class _HtmlSplitter(HTMLParser):
    """Text blocks and tables (with their figure captions) of an HTML fragment; no scripts or styles."""

    BLOCKS = {
        "p",
        "div",
        "li",
        "br",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "section",
        "figcaption",
        "caption",
        "summary",
        "dt",
        "dd",
        "title",
        "td",
        "th",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.tables: list[tuple[str, list[list[str]], int, str]] = []  # caption, rows, header rows, kind
        self._kinds: list[str] = []  # data-kind of the enclosing <figure> elements
        self._skip = 0
        self._buf: list[str] = []
        self._caption: list[str] = []
        self._in_caption = False
        self._stack: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "figure":
            self._kinds.append(dict(attrs).get("data-kind") or "")
        elif tag == "table":
            self._flush()
            self._stack.append(
                {
                    "rows": [],
                    "row": None,
                    "cell": None,
                    "head": 0,
                    "in_head": False,
                    "caption": " ".join(self._caption).strip(),
                    "kind": self._kinds[-1] if self._kinds else "",
                }
            )
        elif self._stack and tag == "thead":
            self._stack[-1]["in_head"] = True
        elif self._stack and tag == "tr":
            self._stack[-1]["row"] = []
        elif self._stack and tag in ("td", "th"):
            self._stack[-1]["cell"] = []
        elif tag == "figcaption":
            self._in_caption = True
            self._caption = []
        elif tag in self.BLOCKS and not self._stack:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure" and self._kinds:
            self._kinds.pop()
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag == "table" and self._stack:
            t = self._stack.pop()
            self.tables.append((t["caption"], t["rows"], t["head"], t["kind"]))
            self._caption = []
        elif self._stack and tag == "thead":
            self._stack[-1]["in_head"] = False
        elif self._stack and tag in ("td", "th"):
            t = self._stack[-1]
            if t["row"] is not None and t["cell"] is not None:
                t["row"].append(" ".join("".join(t["cell"]).split()))
            t["cell"] = None
        elif self._stack and tag == "tr":
            t = self._stack[-1]
            if t["row"] is not None:
                t["rows"].append(t["row"])
                if t["in_head"]:
                    t["head"] += 1
            t["row"] = None
        elif tag == "figcaption":
            self._in_caption = False
            self.texts.append(" ".join(self._caption))
        elif tag in self.BLOCKS and not self._stack:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_caption:
            self._caption.append(data)
            return
        if self._stack:
            cell = self._stack[-1]["cell"]
            if cell is not None:
                cell.append(data)
            return
        self._buf.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.texts.append(text)
        self._buf = []

    def close(self) -> None:
        super().close()
        self._flush()


def _html_parts(text: str) -> tuple[list[str], list[tuple[str, list[str], list[list[str]], str]]]:
    """Text blocks and tables of an HTML fragment: ``(caption, headers, body, kind)`` per table, ``kind``
    being the ``data-kind`` of the enclosing ``<figure>`` (``show_table`` marks published and derived
    tables so) or empty."""
    parser = _HtmlSplitter()
    parser.feed(text)
    parser.close()
    tables = []
    for caption, rows, head, kind in parser.tables:
        if not rows:
            continue
        head = head or 1
        width = max(len(r) for r in rows)
        headers = [""] * width
        for hrow in rows[:head]:  # a multi-row header: the last non-empty label of each column wins
            pad = [""] * (width - len(hrow)) + hrow if len(hrow) < width else hrow
            headers = [h or old for h, old in zip(pad, headers)]
        body = [([""] * (width - len(r)) + r) if len(r) < width else r for r in rows[head:]]
        tables.append((caption, headers, body, kind))
    return parser.texts, tables


# --------------------------------------------------------------------------- text


_WORD_COUNT = (
    r"uitgestroomden|uitgestroomd|ingestroomden|ingestroomd|personen|persoon|deelnemers|deelnemer|"
    r"trajecten|traject|mensen|vertrekkers|vertrokken|aanwezigen|aanwezig|gebeurtenissen|"
    r"people|persons|person|participants|leavers|trajectories|exits|events|cases|at risk|"
    r"gecensureerd|censored|nog in de lvv"
)
_NUM = r"(?<![\w.,/-])(\d{1,3}(?:\.\d{3})+|\d+)(?![\w]|[.,]\d|\s*%|-\d)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "x of y",
        re.compile(
            _NUM + r"\s*(?:van|of|uit|/|op)\s+(?:de\s+|het\s+|the\s+|in\s+totaal\s+)?"
            r"(\d{1,3}(?:\.\d{3})+|\d+)(?![\w]|[.,]\d|\s*%)",
            re.I,
        ),
    ),
    ("n =", re.compile(r"(?<![\w])[nN]\s*(?:=|:)\s*(\d{1,3}(?:\.\d{3})+|\d+)(?![\w]|[.,]\d)")),
    ("count word", re.compile(_NUM + r"\s+(?:\w+\s+)?(?:" + _WORD_COUNT + r")\b", re.I)),
)
_PERCENT = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d+)?)\s*(?:%|procent|percent)", re.I)
_DENOM_IN_TEXT = re.compile(
    r"(?:van|of|uit|n\s*=|n:|noemer|denominator)\s*(?:de\s+|the\s+)?(\d{1,3}(?:\.\d{3})+|\d+)"
    r"(?![\w]|[.,]\d|\s*%)",
    re.I,
)
_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?Z?)?\b|\b\d{1,2}[-/ ]"
    r"(?:\d{1,2}|jan\w*|feb\w*|maa\w*|mar\w*|apr\w*|mei|may|jun\w*|jul\w*|aug\w*|sep\w*|okt\w*|oct\w*|"
    r"nov\w*|dec\w*)[-/ ]\d{4}\b",
    re.I,
)
_BOUND_BEFORE = re.compile(
    r"(at least|at most|fewer than|less than|more than|ten minste|minstens|hoogstens|"
    r"ten hoogste|minimaal|maximaal|minimum|maximum|kleiner dan|minder dan|meer dan|groter dan|"
    r"[<>≤≥]=?)\s*$",
    re.I,
)
"""Words before a number that make it a bound of a rule rather than a count."""
_TABLE_LINE = re.compile(r"\S\s{2,}\S.*\S\s{2,}\S")
"""A line of a text-rendered table (cells separated by runs of spaces); its percentages are not prose."""
_RANGE_BEFORE = re.compile(r"\d\s*%?\s*[–-]\s*$")
_RANGE_AFTER = re.compile(r"\s*[–-]\s*\d")
_THRESHOLD_WORDS = re.compile(
    r"kleiner dan|minder dan|fewer than|less than|below|onder de|drempel|threshold|"
    r"ten minste|at least|<\s*\d",
    re.I,
)


def _int_text(text: str) -> int:
    return int(text.replace(".", ""))


def _sentences(text: str) -> Iterator[str]:
    for line in text.splitlines():
        for part in re.split(r"(?<=[.!?;])\s+(?=[A-Z0-9(])", line):
            if part.strip():
                yield part


class _TextScanner:
    def __init__(
        self, counts: SmallCounts, vocab: _Vocabulary, published_values: set[int], parameter_numbers: set[int]
    ) -> None:
        self.counts = counts
        self.vocab = vocab
        self.published = published_values
        self.parameters = parameter_numbers
        self.any_small = counts.any_small()
        self.percents = published_percents()
        self.by_pilot = published_by_pilot()

    def _published(self, unit: Unit | None) -> set[int]:
        """Published counts a number in a sentence about ``unit`` may be (any, when no pilot is named)."""
        if unit is None:
            return self.published
        if unit == self.counts.everyone:
            return self.by_pilot.get(TOTAL, set())
        return set().union(*(self.by_pilot.get(p, set()) for p in unit))

    def _unit(self, sentence: str) -> Unit | None:
        names = {self.vocab.pilot_of[_norm(m)] for m in self.vocab.pilot_pattern.findall(sentence)}
        return frozenset(names) if len(names) == 1 else None

    def _small(self, unit: Unit | None, sentence: str = "") -> dict[int, list[str]]:
        extra = extra_measures("", sentence)
        if unit is not None:
            return self.counts.small(unit, extra)
        return self.any_small if not extra else self.counts.any_small(extra)

    def _ignored(self, value: int, sentence: str) -> bool:
        if 1900 <= value <= 2100:
            return True
        if value == self.counts.threshold and _THRESHOLD_WORDS.search(sentence):
            return True
        return value in self.parameters

    def scan(self, text: str, file: str, where: str) -> list[Finding]:
        findings: list[Finding] = []
        t = self.counts.threshold
        for number, line in _numbered_lines(text):
            for sentence in _sentences(line):
                clean = _DATE.sub(" ", sentence)
                unit = self._unit(clean)
                small = self._small(unit, clean)
                label = f" ({self.counts.unit_label(unit)})" if unit else ""
                loc = f"{where}line {number}"
                seen: set[tuple[int, str]] = set()
                for rule, pattern in _PATTERNS:
                    for match in pattern.finditer(clean):
                        values = [match.group(1)] + ([match.group(2)] if rule == "x of y" else [])
                        published = self._published(unit)
                        pair_published = rule == "x of y" and all(_int_text(v) in published for v in values)
                        if _BOUND_BEFORE.search(clean[max(0, match.start() - 24) : match.start()]):
                            continue  # "at least 1 person", "fewer than 10": a rule, not a count
                        for raw in values:
                            value = _int_text(raw)
                            if (value, rule) in seen or value not in small or self._ignored(value, clean):
                                continue
                            if pair_published or (rule != "x of y" and value in published):
                                continue
                            seen.add((value, rule))
                            findings.append(
                                Finding(
                                    file,
                                    loc,
                                    _excerpt(clean, match),
                                    "small-count",
                                    f"'{match.group(0).strip()}' ({rule}) shows {value}, a "
                                    f"person-level count below the threshold {t}{label}: "
                                    f"{_describe(small[value], None)}",
                                )
                            )
                findings += self._percentages(clean, unit, file, loc)
        return findings

    def _percentages(self, sentence: str, unit: Unit | None, file: str, loc: str) -> list[Finding]:
        found: list[Finding] = []
        percents = list(_PERCENT.finditer(sentence))
        if not percents:
            return found
        in_text = {_int_text(m.group(1)) for m in _DENOM_IN_TEXT.finditer(sentence)}
        dens = set(in_text)
        if unit is not None:
            dens |= self.counts.shown_denominators(unit)
        dens = {d for d in dens if d > 0 and not 1900 <= d <= 2100}
        if unit is not None and len(unit) == 1:
            published_pct = self.percents.get(next(iter(unit)), set())
        elif unit == self.counts.everyone:
            published_pct = self.percents.get(TOTAL, set())
        else:
            published_pct = set().union(*self.percents.values()) if self.percents else set()
        small = self._small(unit)
        t = self.counts.threshold
        prose = not _TABLE_LINE.search(sentence)
        for n, match in enumerate(percents):
            if _RANGE_BEFORE.search(sentence[: match.start()]) or _RANGE_AFTER.match(sentence[match.end() :]):
                continue  # a bound of an interval
            raw = match.group(1).replace(",", ".")
            p = float(raw)
            if not 0 < p < 100:
                continue
            decimals = len(raw.split(".")[1]) if "." in raw else 0
            half = 0.5 * 10**-decimals
            for d in sorted(dens if prose and n == 0 else in_text):
                if p in published_pct and (d not in in_text or d in self._published(unit)):
                    continue  # a published percentage of a published (or not stated) denominator
                low, high = d * (p - half) / 100, d * (p + half) / 100
                for k in range(max(1, math.ceil(low - 1e-9)), math.floor(high + 1e-9) + 1):
                    for value, what in ((k, "count"), (d - k, "complement")):
                        if value in small and not (k in self._published(unit) and d in self._published(unit)):
                            found.append(
                                Finding(
                                    file,
                                    loc,
                                    _excerpt(sentence, match),
                                    "share",
                                    f"{match.group(0).strip()} of {d} is {k} of {d}: the {what} "
                                    f"{value} is a person-level count below the threshold {t}"
                                    f"{' (' + self.counts.unit_label(unit) + ')' if unit else ''}: "
                                    f"{_describe(small[value], None)}",
                                )
                            )
                            break
        return found


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    for i, line in enumerate(text.splitlines(), start=1):
        if any(ch.isdigit() for ch in line):
            yield i, line


def _excerpt(text: str, match: re.Match[str], width: int = 40) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


# --------------------------------------------------------------------------- files


@dataclass
class _Scanner:
    folder: Path
    counts: SmallCounts
    vocab: _Vocabulary
    text: _TextScanner
    exempt_captions: set[str]
    findings: list[Finding] = field(default_factory=list)
    exempt_numbers: set[float | None] = field(default_factory=set)

    def table(self, table: _Table, person_level: bool, published_values: frozenset[int] = frozenset()) -> None:
        self.findings += _scan_table(
            table, self.vocab, self.counts, person_level=person_level, published_values=published_values
        )

    def html(self, text: str, rel: str, where: str = "") -> None:
        texts, tables = _html_parts(text)
        for n, (caption, headers, body, kind) in enumerate(tables, start=1):
            if kind in EXEMPT_KINDS or _norm(caption) in self.exempt_captions or self._only_exempt_numbers(body):
                continue
            name = f"{where}table {n}" + (f" '{caption[:40]}'" if caption else "")
            self.table(_Table(rel, name, headers, body, f"{name}, "), person_level=False)
        for n, block in enumerate(texts, start=1):
            self.findings += [
                Finding(
                    f.file,
                    f.location.replace(f"{where}line 1", f"{where}text block {n}"),
                    f.value,
                    f.rule,
                    f.reason,
                    f.severity,
                )
                for f in self.text.scan(block, rel, where)
            ]

    def _only_exempt_numbers(self, body: list[list[str]]) -> bool:
        """True when every whole number of a rendered table is a number of a published or derived table.

        Shares and rates are left out of the comparison: a notebook may format them differently
        (``19,2 %`` for 0.191667) in the page than in the CSV file.
        """
        numbers = {n for n in (_number(cell) for row in body for cell in row) if n is not None and n.is_integer()}
        return bool(numbers) and numbers <= self.exempt_numbers

    def plain(self, text: str, rel: str, where: str = "") -> None:
        self.findings += self.text.scan(text, rel, where)

    def identifiers(self, text: str, rel: str) -> None:
        if not self.counts.identifiers:
            return
        for number, line in enumerate(text.splitlines(), start=1):
            for token in set(re.findall(r"[A-Za-z0-9_-]{4,}", line)) & self.counts.identifiers:
                self.findings.append(
                    Finding(
                        rel,
                        f"line {number}",
                        token,
                        "identifier",
                        "a trajectory or person identifier of the input data",
                    )
                )

    def notebook(self, text: str, rel: str) -> None:
        nb = json.loads(text)
        for n, cell in enumerate(nb.get("cells", []), start=1):
            where = f"cell {n}, "
            self.plain(_joined(cell.get("source", "")), rel, f"{where}source ")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    self.plain(_joined(output.get("text", "")), rel, f"{where}output ")
                elif output.get("output_type") == "error":
                    self.plain(
                        f"{output.get('ename', '')}: {output.get('evalue', '')}\n"
                        + "\n".join(output.get("traceback", [])),
                        rel,
                        f"{where}error ",
                    )
                data = output.get("data", {})
                if "text/html" in data:
                    self.html(_joined(data["text/html"]), rel, where)
                elif "text/plain" in data:
                    self.plain(_joined(data["text/plain"]), rel, f"{where}output ")
                if "text/markdown" in data:
                    self.plain(_joined(data["text/markdown"]), rel, f"{where}output ")

    def json_strings(self, text: str, rel: str) -> None:
        for path, value in _strings(json.loads(text)):
            self.plain(value, rel, f"{path}: ")


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _strings(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in ("sha256", "notebook_sha256"):
                continue
            yield from _strings(v, f"{path}.{k}")


def _parameter_numbers(parameters: Mapping[str, Any]) -> set[int]:
    """Numbers of parameter values (horizons, threshold, ...) that are no counts in text."""
    out: set[int] = set()
    for key, value in parameters.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, bool):
                continue
            if isinstance(item, int) and key != "disclosure_threshold":
                out.add(item)
    return out


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def scan_report(
    report_dir: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    root: str | Path = PROJECT_ROOT,
    threshold: int | None = None,
) -> ScanResult:
    """Scan every file of a built report for disclosive person-level counts.

    Parameters
    ----------
    report_dir
        The report folder (``reports/<id>/``).
    parameters
        The run's parameters; default those in the folder's ``provenance.json``.
    root
        Project root (relative data sources are resolved against it).
    threshold
        Override of the run's ``disclosure_threshold`` (never lower than it).

    Returns
    -------
    ScanResult
        ``verdict`` ``fail`` when a small person-level count (or one recoverable from shown
        values) appears in any file; a report with ``data_source = published`` has no
        person-level counts and passes unless an identifier appears.

    Raises
    ------
    ConfigError
        No parameters given and the folder has no readable ``provenance.json``.
    """
    folder = Path(report_dir)
    provenance = _read_json(folder / PROVENANCE) or {}
    if parameters is None:
        if "parameters" not in provenance:
            raise ConfigError(f"{folder}: no {PROVENANCE} with the run's parameters; give them to the scan")
        parameters = provenance["parameters"]
    context = ReportContext.from_parameters(parameters, root)
    if threshold is not None:
        context = ReportContext(
            **{**asdict(context), "threshold": max(int(threshold), context.threshold), "data_path": context.data_path}
        )
    manifest = _read_json(folder / MANIFEST) or {}
    kinds = {str(t.get("files", [""])[0]): str(t.get("kind")) for t in manifest.get("tables", [])}
    exempt_captions = {
        _norm(t.get("caption", ""))
        for t in manifest.get("tables", [])
        if t.get("kind") in EXEMPT_KINDS and t.get("caption")
    }
    files: dict[str, str] = {}
    findings: list[Finding] = []
    if context.data_path is None:
        counts = SmallCounts(context.threshold, (), {}, {})
        note = "no person-level input (data_source = published): no person-level counts to look for"
    elif not context.data_path.is_file():
        counts = SmallCounts(context.threshold, (), {}, {})
        note = f"person-level input not found: {context.data_path.name}"
        findings.append(
            Finding(
                PROVENANCE,
                "parameters.data_source",
                context.data_path.name,
                "no-input",
                "the person-level input is not available, so the outputs cannot be checked",
            )
        )
    else:
        try:
            counts = small_counts(context)
            note = (
                f"small counts recomputed from {context.data_path.name} at {context.peildatum} "
                f"under {', '.join(context.schemes)} (all trajectories and formal status only)"
            )
        except LvvEvalError as exc:
            counts = SmallCounts(context.threshold, (), {}, {})
            note = "the person-level input could not be read, so the outputs cannot be checked"
            findings.append(
                Finding(
                    PROVENANCE,
                    "parameters.data_source",
                    context.data_path.name,
                    "no-input",
                    f"{note}: {type(exc).__name__}",
                )
            )
    _, published_values = published_counts(context.peildatum)
    vocab = _Vocabulary(context.schemes)
    text = _TextScanner(counts, vocab, published_values, _parameter_numbers(parameters))
    scanner = _Scanner(folder, counts, vocab, text, exempt_captions, findings)
    for rel, table_kind in kinds.items():
        if table_kind in EXEMPT_KINDS and (folder / rel).is_file():
            try:
                table = _read_csv_table(folder / rel, rel)
            except (pd.errors.ParserError, pd.errors.EmptyDataError):
                continue
            scanner.exempt_numbers |= {_number(cell) for row in table.rows for cell in row} - {None}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel in OWN_FILES:
            continue
        if path.suffix.lower() not in SCAN_FILE_SUFFIXES:
            files[rel] = "not readable"
            continue
        try:
            body = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            files[rel] = "not readable"
            continue
        scanner.identifiers(body, rel)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            kind = kinds.get(rel)
            if kind in EXEMPT_KINDS:
                files[rel] = f"exempt ({kind})"
                continue
            files[rel] = "scanned"
            try:
                scanner.table(
                    _read_csv_table(path, rel),
                    person_level=kind in PERSON_LEVEL_KINDS or kind is None,
                    published_values=frozenset(published_values) if kind is None else frozenset(),
                )
            except (pd.errors.ParserError, pd.errors.EmptyDataError):
                scanner.plain(body, rel)
            continue
        files[rel] = "scanned"
        if suffix in (".html", ".htm", ".svg"):
            scanner.html(body, rel)
        elif suffix == ".ipynb":
            try:
                scanner.notebook(body, rel)
            except ValueError:
                scanner.plain(body, rel)
        elif suffix == ".json":
            try:
                scanner.json_strings(body, rel)
            except ValueError:
                scanner.plain(body, rel)
        else:
            scanner.plain(body, rel)
    unique = sorted(set(scanner.findings), key=lambda f: (f.file, _natural(f.location), f.rule, f.value))
    verdict = "fail" if any(f.severity == "fail" for f in unique) else "review" if unique else "pass"
    return ScanResult(str(folder), verdict, unique, files, context.threshold, note)


def _natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def write_scan(result: ScanResult, path: str | Path) -> Path:
    """Write a scan result as JSON (sorted keys, UTF-8)."""
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path
