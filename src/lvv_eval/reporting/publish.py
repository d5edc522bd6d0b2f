"""A report as a publication: a :class:`~lvv_eval.reporting.document.Document` built from a run's records.

After a notebook has run, its folder holds what the report is made of:
``manifest.json`` (tables with caption and kind, figures, notes, the disclosure
record of every checked table, the report language), ``tables/*.csv``,
``figures/*.png`` and the run's parameters and git commit (``provenance.json``,
or the same record in memory while the run is being finished). This module
reads those records, never the notebook's cells, and assembles:

* the title (per report and language, ``title_<notebook>`` in
  ``reporting/texts/<language>.yaml``) with the peildatum as subtitle;
* the parameter banner: data source and whether it is synthetic, peildatum,
  scheme, pilots, formal-status rule, disclosure threshold, commit and the
  notebook's further parameters;
* a generated summary: the first rows of the report's headline table
  (:data:`HEADLINE_TABLES`) with their denominators and intervals, what the
  report holds, whether person-level numbers are synthetic, how many cells are
  suppressed;
* one section per kind of output (published, derived, synthetic or
  person-level), in manifest order: each table read back from its CSV and
  formatted by :mod:`~lvv_eval.reporting.formatting` with labels from
  :class:`~lvv_eval.reporting.labels.Labels` (headers and category values are
  labels, never field names or codes), each figure, and a section of notes.

Columns that document how a number was made rather than the number itself
(:data:`AUDIT_COLUMNS`: ids, interval method and level, denominator wording,
suppression flags, free-text messages) stay in the CSV; the interval method,
level and denominator are printed once as a note under the table instead. A
code or column without a label is an error (:class:`PublishError`) naming the
table, column and value: add the label to ``lvv_eval/data/labels.csv``.

:func:`publish` writes ``<stem>.html`` and ``<stem>.pdf`` (A4, Typst).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from lvv_eval.errors import LvvEvalError
from lvv_eval.reference.schemes import list_schemes, load_scheme
from lvv_eval.reporting import formatting as fmt
from lvv_eval.reporting.document import (
    Banner,
    Block,
    BulletList,
    Document,
    FigureBlock,
    Note,
    Paragraph,
    Section,
    TableBlock,
)
from lvv_eval.reporting.html import render_html
from lvv_eval.reporting.labels import GROUP_WORD_KEYS, LABELS_FILE, Labels, UnknownLabelError
from lvv_eval.reporting.phrases import load_texts, text
from lvv_eval.reporting.typst_pdf import render_pdf

HEADLINE_TABLES: dict[str, str] = {
    "01_plan_process": "tabel_s2_recomputed",
    "02_interim": "outflow_printed",
    "03_final": "published_regioplan_2022",
    "04_designs": "published_rates",
}
"""The table whose first rows make the summary, per notebook (default: the first table)."""

HEADLINE_ROWS = 5
"""Rows of the headline table quoted in the summary."""

AUDIT_COLUMNS: frozenset[str] = frozenset(
    {
        "check_id",
        "figure_id",
        "source_id",
        "row",
        "message",
        "description",
        "derivation",
        "citation",
        "label",
        "warnings",
        "ci_method",
        "ci_level",
        "sim_ci_low",
        "sim_ci_high",
        "sim_ci_method",
        "suppression_rule",
        "release_form",
        "denominator_label",
        "suppressed",
        "se",
        "std_err",
        "explanation_id",
        "explanation_ids",
        "locator",
        "as_printed",
        "converged",
        "method",
        "suppression_reason",
        "explanation",
        "source",
        "note",
        "count_key",
        "basis",
        "numbers",
        "paragraph",
        "holds_under",
    }
)
"""Column keys kept in the CSV but not shown as columns (ids, method, wording, flags, free text)."""

VERBATIM_COLUMNS: frozenset[str] = frozenset({"quote", "claim_id"})
"""Text columns shown as they are: quotations from the Dutch sources and their ids."""

INTERVALS: tuple[tuple[str, str, str], ...] = (
    ("ci_low", "ci_high", "interval_ci"),
    ("or_ci_low", "or_ci_high", "interval_or_ci"),
    ("count_low", "count_high", "interval_count"),
    ("bound_low", "bound_high", "interval_bound"),
    ("unexplained_low", "unexplained_high", "interval_unexplained"),
)
"""(lower, upper, header text key): pairs of columns shown as one interval column."""

SHARE_KEYS: frozenset[str] = frozenset(
    {
        "estimate",
        "estimate_a",
        "estimate_b",
        "crude_share",
        "standardised_share",
        "standardised_with",
        "standardised_without",
        "raw_share",
        "shrunken_share",
        "occupancy_rate",
        "share_outflow_low",
        "share_outflow_high",
        "share_intake_low",
        "share_intake_high",
        "share_of_outflow_low",
        "share_of_outflow_high",
        "share_of_intake_low",
        "share_of_intake_high",
        "cumulative_incidence",
    }
)
"""Columns holding proportions (printed as percentages when every value lies in [0, 1])."""

PERCENT_KEYS: frozenset[str] = frozenset(
    {
        "printed_pct",
        "target_pct",
        "recomputed_pct",
        "occupancy_rate_pct",
        "free_places_rate_pct",
        "free_places_rate_printed",
        "occupancy_rate:of_capacity",
        "free_places_rate:of_capacity",
        "percentage",
        "rounded_pct_intake_low",
        "rounded_pct_intake_high",
        "percent",
        "percent_of_intake_low",
        "percent_of_intake_high",
    }
)
"""Columns holding percentages (0 to 100)."""

DECIMALS: dict[str, int] = {
    "p_value": 3,
    "odds_ratio": 2,
    "or_ci_low": 2,
    "or_ci_high": 2,
    "site_effect": 2,
    "site_effect_sd": 2,
    "between_site_sd": 2,
    "ratio": 2,
}
"""Decimals of real-number columns other than the default of one."""

_CODE = re.compile(r"[a-z0-9_:.\-]+")
_TERM = re.compile(r"C\((\w+)\)\[T\.(\w+)\]")
_CODE_LIST = {sep: re.compile(rf"[a-z0-9_\-]+(?:\s*{re.escape(sep)}\s*[a-z0-9_\-]+)+") for sep in (";", ",", "+")}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@functools.cache
def _excluded_steps() -> dict[str, str]:
    """Flow-table step text -> label key (``excluded_<rule id>``) of the rows excluded under each rule."""
    from lvv_eval.sources.monitor import excluded_step
    from lvv_eval.sources.monitor_rules import RULES

    return {excluded_step(text): f"excluded_{rule}" for rule, text in RULES.items()}


_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_FORMATTED_NUMBER = re.compile(r"[-\u2013]?[\d.,]+(?:[\s\u00a0]?%)?")


class PublishError(LvvEvalError):
    """A report cannot be published from its records (missing labels, unreadable tables, rendering)."""


# --------------------------------------------------------------------------- labels


@lru_cache(maxsize=2)
def _reverse_labels() -> dict[str, dict[str, str]]:
    """Label text -> key, per language (headers already translated by a notebook)."""
    table = pd.read_csv(LABELS_FILE, dtype="str", keep_default_na=False)
    return {lang: {str(v): str(k) for k, v in zip(table["key"], table[lang])} for lang in ("nl", "en")}


def _normal(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


class _Labeller:
    """Header and value labels for one report, collecting what has no label."""

    def __init__(self, language: str, scheme: str) -> None:
        self.language = language
        self.labels = Labels(language)
        self.scheme = scheme
        self.reverse = _reverse_labels()[language]
        self.missing: list[str] = []
        self._class_names: set[str] = set()
        self._classes = self._scheme_classes()
        self._schemes = self._scheme_titles()

    def _scheme_classes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        names = [self.scheme] + [s for s in list_schemes() if s != self.scheme]
        for name in names:
            try:
                scheme = load_scheme(name)
            except Exception:  # noqa: BLE001 - a scheme given as a path that moved: labels come from others
                continue
            for cls in scheme.classes:
                name_here = cls.name_nl if self.language == "nl" else cls.name_en
                out.setdefault(cls.id, name_here)
                self._class_names.add(name_here)  # every scheme's class names count as labels
        return out

    def _scheme_titles(self) -> dict[str, str]:
        out = {}
        for name in list_schemes():
            scheme = load_scheme(name)
            out[scheme.name] = scheme.title_nl if self.language == "nl" else scheme.title_en
        return out

    def key(self, column: str) -> str:
        """The word-list key of a column (its name, or the key of an already translated header)."""
        if self.labels.has(column):
            return column
        return self.reverse.get(column, column)

    def header(self, column: str, where: str) -> str:
        key = self.key(column)
        if self.labels.has(key):
            return self.labels.word(key)
        if self.labels.has(_normal(key)):
            return self.labels.word(_normal(key))
        if not _CODE.fullmatch(column) and "_" not in column and ":" not in column:
            return column  # a header the notebook already wrote in the report language
        self.missing.append(f"{where}: column {column!r} has no header label")
        return column

    def scheme_title(self, name: str) -> str:
        return self._schemes.get(name, name)

    def value(self, value: str, where: str, *, strict: bool = True) -> Any:
        """The label of one text cell."""
        text_value = str(value).strip()
        if self.labels.has(text_value):
            return self.labels.word(text_value)
        lower = text_value.lower()
        try:
            return self.labels.pilot(lower)
        except UnknownLabelError:
            pass
        if text_value in self._classes:
            return self._classes[text_value]
        if text_value in self._schemes:
            return self._schemes[text_value]
        if self.labels.has(_normal(text_value)):
            return self.labels.word(_normal(text_value))
        try:
            return self.labels.exit_reason(text_value)
        except UnknownLabelError:
            pass
        if _FORMATTED_NUMBER.fullmatch(text_value):
            return text_value  # a number the notebook already formatted in the report language
        step = _excluded_steps().get(text_value)
        if step is not None and self.labels.has(step):
            return self.labels.word(step)  # a step of the reading flow: rows excluded under one rule
        quarter = _QUARTER.fullmatch(text_value)
        if quarter:
            return f"{quarter.group(1)} {'K' if self.labels.language == 'nl' else 'Q'}{quarter.group(2)}"
        if text_value in self.reverse or text_value in self._class_names or text_value in self._schemes.values():
            return text_value  # already a label of this language
        if text_value in {
            self.labels.pilot(p) for p in ("amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht")
        }:
            return text_value
        if text_value in GROUP_WORD_KEYS:
            return self.labels.group(text_value)
        term = _TERM.fullmatch(text_value)
        if term:
            variable, level = term.groups()
            if variable == "pilot":
                return self.value(level, where)
            return self.value(f"{variable}_{level}", where)
        for sep in (";", ",", "+"):
            if _CODE_LIST[sep].fullmatch(text_value):
                parts = [p.strip() for p in text_value.split(sep) if p.strip()]
                return fmt.join_list([self.value(p, where) for p in parts], self.language)
        if strict:
            self.missing.append(f"{where}: value {text_value!r} has no label")
        return None if not strict else text_value

    def soft(self, value: str) -> str | None:
        """The label of a value, or ``None`` when it has none (nothing is recorded as missing)."""
        before = len(self.missing)
        out = self.value(value, "", strict=False)
        del self.missing[before:]
        return out


# --------------------------------------------------------------------------- tables


def read_table(path: Path) -> pd.DataFrame:
    """Read a table written by :class:`~lvv_eval.reporting.writer.ReportWriter` back with its column kinds.

    Empty cells are missing; columns of ``True``/``False`` are truth values;
    columns whose every cell is a number are numbers; everything else is text
    (``none`` and ``NA`` stay text: they are codes).
    """
    try:
        frame = pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""])
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PublishError(f"{path}: cannot read the table ({exc})") from None
    for column in frame.columns:
        cells = frame[column].dropna()
        if len(cells) and cells.isin(["True", "False"]).all():
            frame[column] = frame[column].map({"True": True, "False": False})
            continue
        numbers = pd.to_numeric(cells, errors="coerce")
        if len(cells) and numbers.notna().all():
            frame[column] = pd.to_numeric(frame[column])
    return frame


def _column_format(frame: pd.DataFrame, column: str, key: str) -> fmt.ColumnFormat:
    values = frame[column].dropna()
    if values.empty:
        return fmt.ColumnFormat("text")
    if pd.api.types.is_bool_dtype(values.dtype) or values.map(lambda v: isinstance(v, bool)).all():
        return fmt.ColumnFormat("label")
    if pd.api.types.is_numeric_dtype(values.dtype):
        low_key = key.lower()
        if low_key in SHARE_KEYS and values.between(0, 1).all():
            return fmt.ColumnFormat("share", decimals=1)
        if low_key in PERCENT_KEYS or low_key.endswith("_pct"):
            whole = (values == values.round()).all()
            return fmt.ColumnFormat("percent", decimals=0 if whole else 1)
        if (values == values.round()).all() and low_key not in DECIMALS:
            return fmt.ColumnFormat("count")
        return fmt.ColumnFormat("number", decimals=DECIMALS.get(low_key, 1))
    if values.map(lambda v: bool(_ISO_DATE.fullmatch(str(v)))).all():
        return fmt.ColumnFormat("date")
    return fmt.ColumnFormat("text")


@dataclass(frozen=True)
class _Shown:
    block: TableBlock
    label_columns: tuple[int, ...]


def table_block(
    frame: pd.DataFrame,
    *,
    name: str,
    caption: str,
    kind: str,
    labeller: _Labeller,
    cells: Sequence[Sequence[object]] = (),
    rule_notes: Sequence[str] = (),
) -> _Shown:
    """Format one table of the manifest as a :class:`TableBlock` (labels, formats, suppression marks)."""
    language = labeller.language
    where = f"table {name!r}"
    keys = {c: labeller.key(c) for c in frame.columns}
    by_key = {k: c for c, k in keys.items()}
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for row, column in cells:
        if column in mask.columns and 0 <= int(row) < len(mask):  # type: ignore[call-overload]
            mask.iloc[int(row), mask.columns.get_loc(column)] = True  # type: ignore[call-overload]
    if kind in ("synthetic", "person-level"):
        # the gate treats a number missing from a person-level table as hidden (suppressed before the
        # gate saw it, or resting on a suppressed count): it prints as the mark, not as "not available"
        for column in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[column].dtype):
                mask.loc[frame[column].isna(), column] = True
    notes = _table_notes(frame, by_key, labeller, where)
    columns: dict[str, fmt.ColumnFormat] = {}
    headers: dict[str, str] = {}
    shown = frame.copy()
    used: set[str] = set()
    texts = load_texts(language)
    for column in frame.columns:
        key = keys[column]
        if column in used or key in AUDIT_COLUMNS:
            continue
        pair = next(((lo, hi, label) for lo, hi, label in INTERVALS if key in (lo, hi)), None)
        if (
            pair is not None
            and pair[0] in by_key
            and pair[1] in by_key
            and all(pd.api.types.is_numeric_dtype(frame[by_key[k]].dtype) for k in pair[:2])
        ):
            low, high = by_key[pair[0]], by_key[pair[1]]
            used.update((low, high))
            if frame[[low, high]].isna().all().all():
                continue
            bounds = pd.concat([frame[low], frame[high]]).dropna()
            share = (
                pair[2] == "interval_ci"
                and bool(bounds.between(0, 1).all())
                and any(
                    _column_format(frame, c, keys[c]).kind == "share" for c in frame.columns if keys[c] in SHARE_KEYS
                )
            )
            display = f"{pair[2]}::"
            columns[display] = fmt.ColumnFormat(
                "interval", bounds=(low, high), decimals=1 if share else 0, unit="share" if share else "number"
            )
            headers[display] = texts[pair[2]]
            if not share and pair[2] in ("interval_ci", "interval_or_ci"):
                columns[display] = fmt.ColumnFormat(
                    "interval", bounds=(low, high), decimals=DECIMALS.get(pair[0], 1), unit="number"
                )
            continue
        used.add(column)
        spec = _column_format(frame, column, key)
        if spec.kind == "text" and key not in VERBATIM_COLUMNS:
            shown[column] = [
                v if fmt.is_missing(v) else labeller.value(str(v), f"{where}, column {column!r}") for v in frame[column]
            ]
        columns[column] = spec
        header = labeller.header(_header_key(frame, column, key), where)
        headers[column] = header[:1].upper() + header[1:]
    if not columns:
        raise PublishError(f"{where}: no column left to show")
    suppressed = mask[[c for c in mask.columns if c in shown.columns]]
    label_cols = tuple(j for j, spec in enumerate(columns.values()) if not spec.numeric)
    first = next(iter(columns))
    totals = (
        [i for i, v in enumerate(frame[first]) if str(v).strip().lower() in ("total", "totaal")]
        if first in frame.columns
        else []
    )
    emphasis = totals if totals == [len(frame) - 1] else []  # one total row, at the bottom
    block = TableBlock.from_frame(
        shown,
        columns,
        headers,
        language=language,
        caption=caption or name,
        kind=kind,  # type: ignore[arg-type]
        notes=notes,
        suppressed=suppressed,
        rule_notes=tuple(rule_notes),
        key=name,
        emphasis_rows=emphasis,
    )
    return _Shown(block, label_cols)


CHECK_STATUSES: frozenset[str] = frozenset({"ok", "known_discrepancy", "not reached", "reached", "failed"})
"""Values of a ``status`` column that make it the result of a check or target, not an LVV status."""


def _header_key(frame: pd.DataFrame, column: str, key: str) -> str:
    """The word-list key of a column's header; ``status`` of a check is not the LVV status."""
    if key == "status" and set(frame[column].dropna().astype(str)) <= CHECK_STATUSES:
        return "check_status"
    return column


def _table_notes(frame: pd.DataFrame, by_key: Mapping[str, str], labeller: _Labeller, where: str) -> list[str]:
    """Interval method and level and the denominators, in words, once under the table."""
    language = labeller.language
    notes = []
    if "ci_method" in by_key:
        found = [labeller.soft(str(m)) for m in dict.fromkeys(frame[by_key["ci_method"]].dropna())]
        methods = [m for m in found if m]
        levels = sorted(set(frame[by_key["ci_level"]].dropna())) if "ci_level" in by_key else []
        if methods and levels:
            notes.append(
                text(
                    language,
                    "interval_note",
                    method=fmt.join_list(methods, language),
                    level=fmt.join_list([fmt.format_share(v, language) for v in levels], language),
                )
            )
        elif methods:
            notes.append(text(language, "interval_note_nolevel", method=fmt.join_list(methods, language)))
    if "denominator_label" in by_key:
        found = [labeller.soft(str(d)) for d in dict.fromkeys(frame[by_key["denominator_label"]].dropna())]
        words = [w for w in found if w]
        if words and len(words) == len(found):
            notes.append(text(language, "denominator_note", denominators=fmt.join_list(words, language)))
    return notes


# --------------------------------------------------------------------------- banner and summary


def _data_source(parameters: Mapping[str, Any], provenance: Mapping[str, Any], language: str) -> tuple[str, bool]:
    source = str(parameters.get("data_source", "published"))
    if source == "published":
        return text(language, "data_source_published"), False
    path = next((e.get("path") for e in provenance.get("inputs", []) if e.get("role") == "data_source"), source)
    name = Path(str(path)).name
    synthetic = source == "synthetic" or "synthetic" in Path(str(path)).parts
    return text(language, "data_source_synthetic" if synthetic else "data_source_file", name=name), synthetic


def build_banner(parameters: Mapping[str, Any], provenance: Mapping[str, Any], labeller: _Labeller) -> Banner:
    """The parameter banner of a run from its recorded parameters and git state."""
    language = labeller.language
    L = labeller.labels
    source, synthetic = _data_source(parameters, provenance, language)
    pilots = list(parameters.get("pilots") or [])
    if pilots:
        pilot_names = tuple(L.pilot(p) for p in pilots)
    else:
        all_names = [L.pilot(p) for p in ("amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht")]
        pilot_names = (text(language, "pilots_all", pilots=fmt.join_list(all_names, language)),)
    git = provenance.get("git") or {}
    commit = str(git.get("commit") or "")[:12]
    if commit and git.get("dirty"):
        commit = text(language, "commit_dirty", commit=commit)
    extra: list[tuple[str, str]] = []
    if parameters.get("comparison_scheme"):
        extra.append(
            (text(language, "param_comparison_scheme"), labeller.scheme_title(str(parameters["comparison_scheme"])))
        )
    if parameters.get("horizons_months"):
        extra.append(
            (
                text(language, "param_horizons_months"),
                fmt.join_list([fmt.format_count(h, language) for h in parameters["horizons_months"]], language),
            )
        )
    if parameters.get("attribute"):
        attribute = str(parameters["attribute"])
        extra.append((text(language, "param_attribute"), labeller.value(attribute, "parameter 'attribute'")))
    if "sensitivity_schemes" in parameters:
        schemes = list(parameters.get("sensitivity_schemes") or [])
        extra.append(
            (
                text(language, "param_sensitivity_schemes"),
                fmt.join_list([labeller.scheme_title(s) for s in schemes], language)
                if schemes
                else text(language, "sensitivity_all"),
            )
        )
    return Banner(
        data_source=source,
        synthetic=synthetic,
        peildatum=str(parameters.get("peildatum", "")),
        scheme=labeller.scheme_title(str(parameters.get("scheme", ""))),
        pilots=pilot_names,
        formal_status_rule=text(language, "formal_only_yes" if parameters.get("formal_only") else "formal_only_no"),
        disclosure_threshold=int(parameters.get("disclosure_threshold", 10)),
        commit=commit,
        extra=tuple(extra),
    )


def _headline_rows(block: TableBlock) -> TableBlock:
    """The first :data:`HEADLINE_ROWS` rows of the headline table, as an unnumbered summary table.

    A table rather than sentences: it keeps the table's kind (published, derived, person-level),
    which the page carries for the output scan, and its suppressed cells marked.
    """
    rows = block.rows[:HEADLINE_ROWS]
    mask = block.suppressed[:HEADLINE_ROWS] if block.suppressed is not None else None
    emphasis = tuple(i for i in getattr(block, "emphasis_rows", ()) if i < len(rows))
    return dataclasses.replace(block, rows=rows, suppressed=mask, emphasis_rows=emphasis, key="", notes=())


def _summary_items(shown: _Shown, language: str) -> list[str]:
    block = shown.block
    label_cols = [j for j in shown.label_columns][:3]
    value_cols = [j for j in range(block.n_columns) if j not in shown.label_columns][:5]
    items = []
    for row in block.rows[:HEADLINE_ROWS]:
        label = " – ".join(row[j] for j in label_cols if row[j] != fmt.MISSING_MARK) or row[0]
        values = "; ".join(
            f"{block.header[j].lower() if language == 'nl' else block.header[j]} {row[j]}" for j in value_cols
        )
        items.append(text(language, "summary_row", label=label, values=values))
    return items


# --------------------------------------------------------------------------- the document


def report_title(stem: str, language: str) -> str:
    """The title of a notebook's report in ``language`` (``title_<stem>`` of the texts), or ``""``."""
    texts = load_texts(language)
    return texts.get(f"title_{stem}", "")


def _notebook_stem(manifest: Mapping[str, Any], provenance: Mapping[str, Any]) -> str:
    stem = str(manifest.get("notebook") or Path(str(provenance.get("notebook", ""))).stem)
    return Path(stem).stem


def build_document(folder: str | Path, *, provenance: Mapping[str, Any] | None = None) -> Document:
    """Assemble the report document of a run folder from its manifest, tables, figures and parameters.

    Parameters
    ----------
    folder
        The run's folder (``manifest.json``, ``tables/``, ``figures/``).
    provenance
        The run's provenance record; default: read ``provenance.json`` from ``folder``.

    Raises
    ------
    PublishError
        Missing manifest, unreadable table or figure, or labels missing (all
        listed in one message).
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise PublishError(f"{folder}: no manifest.json; the notebook must call ReportWriter.finish()")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if provenance is None:
        prov_path = folder / "provenance.json"
        if not prov_path.is_file():
            raise PublishError(f"{folder}: no provenance.json")
        provenance = json.loads(prov_path.read_text(encoding="utf-8"))
    parameters = dict(provenance.get("parameters") or {})
    language = fmt.check_language(str(parameters.get("language") or manifest.get("language") or "nl"))
    labeller = _Labeller(language, str(parameters.get("scheme", "")))
    t = load_texts(language)
    stem = _notebook_stem(manifest, provenance)
    disclosure = (manifest.get("disclosure") or {}).get("outputs", {})

    shown_tables: dict[str, _Shown] = {}
    kinds_order: list[str] = []
    for entry in manifest.get("tables", []) + manifest.get("figures", []):
        if entry["kind"] not in kinds_order:
            kinds_order.append(entry["kind"])
    blocks_by_kind: dict[str, list[Block]] = {k: [] for k in kinds_order}
    figures = {f["name"]: f for f in manifest.get("figures", [])}
    placed: set[str] = set()
    for entry in manifest.get("tables", []):
        name = entry["name"]
        frame = read_table(folder / entry["files"][0])
        record = disclosure.get(name) or {}
        rules = [labeller.labels.rule(r) for r in record.get("rules", [])]
        if frame.empty:
            continue
        shown = table_block(
            frame,
            name=name,
            caption=entry.get("caption") or name,
            kind=entry["kind"],
            labeller=labeller,
            cells=record.get("cells", []),
            rule_notes=rules,
        )
        shown_tables[name] = shown
        blocks_by_kind[entry["kind"]].append(shown.block)
        if name in figures:
            blocks_by_kind[figures[name]["kind"]].append(_figure_block(folder, figures[name]))
            placed.add(name)
    for name, entry in figures.items():
        if name not in placed:
            blocks_by_kind[entry["kind"]].append(_figure_block(folder, entry))
    if labeller.missing:
        listed = "\n".join(f"  - {m}" for m in dict.fromkeys(labeller.missing))
        raise PublishError(
            f"{folder.name}: {len(set(labeller.missing))} label(s) missing for the "
            f"{language} report; add them to {LABELS_FILE.name}:\n{listed}"
        )
    sections = [
        Section(t[f"section_{kind}"], tuple(blocks), key=kind) for kind, blocks in blocks_by_kind.items() if blocks
    ]
    mark = str((manifest.get("disclosure") or {}).get("mark", ""))
    notes = [n for n in manifest.get("notes", []) if not (mark and n.startswith(f"'{mark}'"))]
    if notes:
        sections.append(Section(t["section_notes"], tuple(Note(n) for n in notes), key="notes"))
    banner = build_banner(parameters, provenance, labeller)
    doc_title = report_title(stem, language) or stem
    subtitle = (
        text(language, "subtitle_run", peildatum=fmt.format_date(banner.peildatum, language))
        if banner.peildatum
        else ""
    )
    # summary
    headline_name = HEADLINE_TABLES.get(stem) or next(iter(shown_tables), "")
    if headline_name not in shown_tables and shown_tables:
        headline_name = next(iter(shown_tables))
    draft = Document(
        title=doc_title,
        language=language,
        banner=banner,
        summary=(Paragraph("-"),),
        sections=tuple(sections),
        subtitle=subtitle,
    )
    numbered = {b.block.key: b.label for b in draft.tables()}  # type: ignore[union-attr]
    summary: list[Block] = [
        Paragraph(
            text(
                language,
                "summary_intro",
                tables=_count_words(len(draft.tables()), "tables", language),
                figures=_count_words(len(draft.figures()), "figures", language),
                headline=numbered.get(headline_name, ""),
            )
        )
    ]
    summary += _findings_blocks(manifest.get("findings", []), language)
    if headline_name:
        summary.append(_headline_rows(shown_tables[headline_name].block))
    if banner.synthetic:
        summary.append(Paragraph(t["summary_synthetic"]))
    elif parameters.get("data_source") == "published":
        summary.append(Paragraph(t["summary_published_only"]))
    n_suppressed = sum(s.block.n_suppressed for s in shown_tables.values())
    if n_suppressed:
        summary.append(
            Paragraph(
                text(
                    language,
                    "summary_suppressed",
                    cells=fmt.format_count(n_suppressed, language),
                    mark=fmt.SUPPRESSED_MARK,
                )
            )
        )
    return Document(
        title=doc_title,
        language=language,
        banner=banner,
        summary=tuple(summary),
        sections=tuple(sections),
        subtitle=subtitle,
    )


def _findings_blocks(findings: Sequence[Mapping[str, Any]], language: str) -> list[Block]:
    """The summary's key findings (a titled list, each sentence followed by where its numbers come from)
    and the limits of the evidence (a note), in the order the notebook recorded them."""
    t = load_texts(language)
    shown = [f"{f['text']} ({t['kind_' + f['kind']]})" for f in findings if not f.get("limit")]
    limits = [str(f["text"]) for f in findings if f.get("limit")]
    blocks: list[Block] = []
    if shown:
        blocks.append(BulletList(tuple(shown), title=t["summary_findings"]))
    if limits:
        blocks.append(Note(" ".join(limits), title=t["summary_limits"]))
    return blocks


def _count_words(n: int, what: str, language: str) -> str:
    """``1 tabel``, ``12 tabellen`` (the count in words of the report language)."""
    if n == 1:
        return text(language, f"count_{what}_one")
    return text(language, f"count_{what}", n=fmt.format_count(n, language))


def _figure_block(folder: Path, entry: Mapping[str, Any]) -> FigureBlock:
    files = [f for f in entry.get("files", []) if f.endswith(".png")] or list(entry.get("files", []))
    if not files:
        raise PublishError(f"figure {entry.get('name')!r}: the manifest lists no file")
    path = folder / files[0]
    if not path.is_file():
        raise PublishError(f"figure {entry.get('name')!r}: {path} is missing")
    return FigureBlock.from_file(
        path, caption=entry.get("caption") or entry["name"], kind=entry["kind"], key=entry["name"]
    )


def publish(folder: str | Path, stem: str, *, provenance: Mapping[str, Any] | None = None) -> tuple[Path, Path]:
    """Write ``<stem>.html`` and ``<stem>.pdf`` of the run in ``folder``; return both paths.

    Raises
    ------
    PublishError
        The document cannot be built or rendered (nothing is left half written:
        both files are written only when both renderings succeeded).
    """
    folder = Path(folder)
    try:
        doc = build_document(folder, provenance=provenance)
        page = render_html(doc)
        pdf = render_pdf(doc)
    except PublishError:
        raise
    except LvvEvalError as exc:
        raise PublishError(f"{folder.name}: cannot publish the report: {exc}") from None
    html_path, pdf_path = folder / f"{stem}.html", folder / f"{stem}.pdf"
    html_path.write_text(page, encoding="utf-8", newline="\n")
    pdf_path.write_bytes(pdf)
    return html_path, pdf_path


__all__ = [
    "AUDIT_COLUMNS",
    "HEADLINE_TABLES",
    "PublishError",
    "build_banner",
    "build_document",
    "publish",
    "read_table",
    "report_title",
    "table_block",
]
