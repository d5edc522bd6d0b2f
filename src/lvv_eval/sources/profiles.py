"""Mapping profiles: a municipality's own export layout, declared once in YAML.

A registration system exports its own column names (``Dossiernummer``),
spellings (``Terugkeer zelfstandig``) and codes (``UTR``, ``J``/``N``). A
*profile* maps them to the monitor format once, so every later export of that
system is read without editing the file and without code changes::

    lvv-eval profile draft export.xlsx --out utrecht.yaml   # first draft, guesses marked
    lvv-eval validate --profile utrecht.yaml export.xlsx

The format is documented for users in ``docs/data_dictionary.md`` (section
"Mapping profiles"). :func:`load_profile` reads and checks a profile;
:func:`draft_profile` writes a first draft from a file's header and values.
A profile never maps a direct identifier (name, BSN, ...) to a monitor
column, and a draft never lists any value of such a column.
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lvv_eval.errors import ConfigError
from lvv_eval.reference import monitor_format as schema
from lvv_eval.reference import taxonomy

__all__ = ["PROFILE_KEYS", "Profile", "draft_profile", "load_profile"]

PROFILE_KEYS: tuple[str, ...] = (
    "profile",
    "description",
    "encoding",
    "sheet",
    "header_row",
    "columns",
    "constants",
    "identifiers",
    "values",
)
"""Top-level keys a profile may have (all optional except ``columns`` or ``values``)."""

_VALUE_COLUMNS: tuple[str, ...] = (
    "pilot",
    "exit_reason",
    "formal_status",
    "scenario",
    "sex",
    "family",
    "safe_country",
    "mrt",
)
"""Columns whose values a profile may recode (codes and labels, not ids, dates or numbers)."""

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "trajectory_id": (
        "dossiernummer",
        "dossier_nummer",
        "dossier",
        "dossier_id",
        "traject",
        "trajectnummer",
        "traject_nummer",
        "casusnummer",
        "casus_id",
        "zaaknummer",
        "zaak_id",
        "registratienummer",
        "case_id",
    ),
    "person_id": (
        "clientnummer",
        "cli\u00ebntnummer",
        "client_id",
        "cli\u00ebnt_id",
        "persoonsnummer",
        "persoon",
        "pseudoniem",
        "pseudo_id",
        "client",
        "cli\u00ebnt",
        "person",
    ),
    "pilot": ("gemeentecode", "gemeente_code", "lvv", "lvv_locatie", "locatie", "pilot_gemeente", "municipality"),
    "intake_date": (
        "startdatum",
        "start_datum",
        "begindatum",
        "datum_start",
        "datum_begin",
        "instroomdatum",
        "aanmelddatum",
        "datum_aanmelding",
        "datum_intake",
        "intakedatum",
        "start_date",
        "entry_date",
    ),
    "exit_date": (
        "einddatum",
        "eind_datum",
        "datum_einde",
        "datum_eind",
        "uitstroomdatum",
        "vertrekdatum",
        "datum_vertrek",
        "end_date",
    ),
    "exit_reason": (
        "reden_einde",
        "uitstroomreden",
        "reden_vertrek",
        "reden_beeindiging",
        "reden_be\u00ebindiging",
        "uitstroom",
        "end_reason",
    ),
    "formal_status": ("formeel", "formele_status", "lvv_status", "status_lvv", "formeel_lvv"),
    "scenario": ("scenario", "begeleidingsrichting", "perspectief"),
    "sex": ("gender", "sekse"),
    "birth_year": ("geboorte_jaar", "jaar_geboorte", "year_of_birth"),
    "nationality": ("nationaliteit_code", "land_van_herkomst", "herkomstland", "country"),
}
"""Common names in municipal exports, suggested in a draft as guesses (never applied unasked)."""

_DRAFT_VALUES_SHOWN = 50
"""Distinct values listed per column in a draft (the rest are counted)."""


@dataclass(frozen=True)
class Profile:
    """A checked mapping profile.

    Attributes
    ----------
    name
        Name of the profile (``profile:``; default: the file name).
    path
        The YAML file, if read from one.
    columns
        Normalised file header (see :func:`lvv_eval.sources.monitor.normalise_header`)
        -> canonical monitor column.
    ignore
        Normalised headers mapped to ``null``: known, deliberately not read.
    identifiers
        Normalised headers declared as direct identifiers (never read).
    values
        Canonical column -> {value as written, casefolded -> value to read}.
    constants
        Canonical column absent from the export -> the value of every row
        (``pilot: utrecht`` for a one-municipality export).
    encoding, sheet, header_row
        Reading options for this export (``None``: detect).
    description
        Free text.
    """

    name: str
    path: Path | None = None
    columns: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    description: str = ""


class _Loader(yaml.SafeLoader):
    """Safe YAML loader in which only true/false are booleans (``no``, ``ja`` stay text)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def load_profile(path: str | Path) -> Profile:
    """Read and check a profile.

    Parameters
    ----------
    path
        YAML file in the format of ``docs/data_dictionary.md``.

    Returns
    -------
    Profile

    Raises
    ------
    ConfigError
        The file is missing or not YAML, or has any problem (all listed):
        an unknown key, a target that is no monitor column, a direct
        identifier mapped to a column, a value mapped to something the
        column does not accept, an unknown encoding, a bad sheet or header row.
    """
    from lvv_eval.sources.monitor import direct_identifier, normalise_header

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"profile not found: {path}")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid YAML profile: {exc}") from None
    if not isinstance(doc, Mapping):
        raise ConfigError(f"{path}: a profile is a YAML mapping (keys such as 'columns:')")
    errors: list[str] = []
    unknown = [str(k) for k in doc if k not in PROFILE_KEYS]
    if unknown:
        errors.append(f"unknown key(s) {', '.join(unknown)}; a profile has " + ", ".join(PROFILE_KEYS))
    targets = {c.name: c.name for c in schema.MONITOR_COLUMNS}
    targets.update({c.alias_nl: c.name for c in schema.MONITOR_COLUMNS})
    columns: dict[str, str] = {}
    ignore: set[str] = set()
    raw_columns = doc.get("columns") or {}
    if not isinstance(raw_columns, Mapping):
        errors.append("'columns' must map a column of the file to a monitor column")
        raw_columns = {}
    for header, target in raw_columns.items():
        key = normalise_header(_text(header))
        if target is None:
            ignore.add(key)
            continue
        name = targets.get(_text(target))
        if name is None:
            errors.append(
                f"columns: {header!r} -> {target!r}: not a monitor column (one of "
                + ", ".join(schema.COLUMN_NAMES)
                + ")"
            )
        elif direct_identifier(_text(header)) is not None:
            errors.append(
                f"columns: {header!r} looks like a direct identifier "
                f"({direct_identifier(_text(header))}); it may not be read as "
                f"{name!r}: export a pseudonymous id instead"
            )
        else:
            columns[key] = name
    identifiers = doc.get("identifiers") or []
    if not isinstance(identifiers, list):
        errors.append("'identifiers' must be a list of column names")
        identifiers = []
    values: dict[str, dict[str, str]] = {}
    raw_values = doc.get("values") or {}
    if not isinstance(raw_values, Mapping):
        errors.append("'values' must map a monitor column to {value in the file: value}")
        raw_values = {}
    for column, mapping in raw_values.items():
        name = targets.get(_text(column))
        if name not in _VALUE_COLUMNS:
            errors.append(
                f"values: {column!r} is not a column whose values can be recoded (" + ", ".join(_VALUE_COLUMNS) + ")"
            )
            continue
        if not isinstance(mapping, Mapping):
            errors.append(f"values: {column!r} must map values as written to values to read")
            continue
        values[name] = {}
        for written, meant in mapping.items():
            if meant is None:  # left open in a draft: not recoded
                continue
            problem = _check_value(name, _text(meant))
            if problem:
                errors.append(f"values: {column}: {written!r} -> {meant!r}: {problem}")
            values[name][_text(written).casefold()] = _text(meant)
    constants: dict[str, str] = {}
    raw_constants = doc.get("constants") or {}
    if not isinstance(raw_constants, Mapping):
        errors.append("'constants' must map a monitor column to the value of every row")
        raw_constants = {}
    for column, value in raw_constants.items():
        name = targets.get(_text(column))
        if name is None or value is None:
            errors.append(f"constants: {column!r} -> {value!r}: give a monitor column and a value")
            continue
        problem = _check_value(name, _text(value)) if name in _VALUE_COLUMNS else None
        if problem:
            errors.append(f"constants: {column!r} -> {value!r}: {problem}")
        constants[name] = _text(value)
    encoding = doc.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            errors.append(f"encoding {encoding!r} is unknown (e.g. utf-8, cp1252, utf-16)")
    sheet = doc.get("sheet")
    if sheet is not None and (
        isinstance(sheet, bool) or not isinstance(sheet, (str, int)) or (isinstance(sheet, int) and sheet < 1)
    ):
        errors.append(f"sheet {sheet!r}: a worksheet name or number (1 = first)")
    header_row = doc.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        errors.append(f"header_row {header_row!r}: a row number (1 = first row)")
    if errors:
        raise ConfigError(f"{path}: {len(errors)} problem(s) in the profile:\n" + "\n".join(f"  - {e}" for e in errors))
    return Profile(
        name=_text(doc.get("profile") or path.stem),
        path=path,
        columns=columns,
        ignore=frozenset(ignore),
        identifiers=frozenset(normalise_header(_text(h)) for h in identifiers),
        values=values,
        constants=constants,
        encoding=None if encoding is None else str(encoding),
        sheet=sheet,
        header_row=header_row,
        description=_text(doc.get("description") or ""),
    )


def _accepts(column: str, text: str) -> bool:
    """True when ``text`` is a value the column reads as it is."""
    if column == "exit_reason":
        return taxonomy.lookup_exit_reason(text) is not None
    if column == "pilot":
        from lvv_eval.reference.pilots import pilot_codes

        return text.lower() in pilot_codes()
    if column == "scenario":
        return text.lower() in schema.SCENARIO_ALIASES
    if column == "sex":
        return text.lower() in schema.SEX_ALIASES
    return text.lower() in schema.BOOLEAN_ALIASES


def _check_value(column: str, text: str) -> str | None:
    if column == "pilot" or _accepts(column, text):
        return None  # pilot codes depend on the pilot table, checked when reading
    return f"not a value {column!r} accepts"


# --------------------------------------------------------------------------- draft
def _guess_column(key: str) -> tuple[str | None, float, str]:
    """Most similar monitor column of a normalised header, and its similarity (0-1).

    A common export name (:data:`_SYNONYMS`) is taken first; otherwise the
    similarity of :func:`lvv_eval.sources.monitor.closest_header` is used. The third
    element says why, for the draft's comment.
    """
    from lvv_eval.sources.monitor import header_similarity, normalise_header

    for column, names in _SYNONYMS.items():
        if key in names:
            return column, 1.0, "a common name in exports"
    best, score = None, 0.0
    for column in schema.MONITOR_COLUMNS:  # type: ignore[assignment]
        s = max(
            header_similarity(key, normalise_header(column.name)),  # type: ignore[attr-defined]
            header_similarity(key, normalise_header(column.alias_nl)),  # type: ignore[attr-defined]
        )
        if s > score:
            best, score = column.name, s  # type: ignore[attr-defined]
    return best, score, f"similarity {score:.2f}"


def _guess_value(column: str, text: str) -> str | None:
    lowered = text.lower()
    if column == "exit_reason":
        near = taxonomy.closest_exit_reasons(text)
        return near[0] if near else None
    if column == "pilot":
        from lvv_eval.reference.pilots import pilot_codes

        choices = list(pilot_codes())
        near = difflib.get_close_matches(lowered, choices, n=1, cutoff=0.5)
        prefix = [c for c in choices if len(lowered) >= 2 and c.startswith(lowered[:3])]
        return near[0] if near else (prefix[0] if len(prefix) == 1 else None)
    aliases = {"scenario": schema.SCENARIO_ALIASES, "sex": schema.SEX_ALIASES}.get(column, schema.BOOLEAN_ALIASES)
    near = difflib.get_close_matches(lowered, list(aliases), n=1, cutoff=0.6)
    if not near:
        return None
    target = aliases[near[0]]
    return ("true" if target else "false") if isinstance(target, bool) else str(target)


def _q(text: object) -> str:
    """A YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def draft_profile(
    path: str | Path, *, sheet: str | int | None = None, header_row: int | None = None, name: str | None = None
) -> str:
    """Write a first draft of a profile for a file, with every guess marked.

    Parameters
    ----------
    path
        A municipality's export (CSV or .xlsx), read as :func:`read_monitor`
        reads it (encoding, sheet and header row detected or given).
    sheet, header_row
        As in :func:`lvv_eval.sources.monitor.read_monitor`.
    name
        Name of the profile (default: the file's stem).

    Returns
    -------
    str
        YAML text. Each column mapping ends in a comment: ``# exact`` (a
        monitor name), ``# guess (similarity 0.72)`` or ``# unknown``; each
        value mapping ``# guess`` or ``# unknown`` (``null``: not recoded).
        Direct-identifier columns are listed under ``identifiers`` and none of
        their values is shown; neither are ids, dates or numbers.

    Raises
    ------
    UnreadableInputError
        The file cannot be read at all.
    """
    from lvv_eval.sources.monitor import (
        HEADER_LOOKUP,
        ReadOptions,
        direct_identifier,
        normalise_header,
        read_table,
    )
    from lvv_eval.sources.monitor_rules import RawColumn

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"file not found: {path}")
    options = ReadOptions(sheet=sheet, header_row=header_row, known_headers=frozenset(HEADER_LOOKUP))
    table = read_table(path, path.read_bytes(), options)
    lines = [
        f"# Mapping profile drafted by `lvv-eval profile draft` from {path.name}.",
        "# Check every line marked 'guess' or 'unknown', then use it with",
        f"#   lvv-eval validate --profile {name or path.stem}.yaml EXPORT",
        "# Format: docs/data_dictionary.md, section 'Mapping profiles'.",
        f"profile: {_q(name or path.stem)}",
    ]
    if table.encoding not in (None, "utf-8", "utf-8-sig"):
        lines.append(f"encoding: {_q(table.encoding)}  # detected")
    if table.sheet is not None:
        lines.append(f"sheet: {_q(table.sheet)}  # detected")
    if table.header_row != 1:
        lines.append(f"header_row: {table.header_row}  # detected")
    lines.append("columns:  # column in the file: monitor column (null: not read)")
    mapped: dict[str, int] = {}
    identifiers: list[tuple[str, str]] = []
    entries: list[tuple[str, str | None, str]] = []
    exact = {HEADER_LOOKUP[normalise_header(h)] for h in table.headers if normalise_header(h) in HEADER_LOOKUP}
    for pos, header in enumerate(table.headers):
        header = header.strip()
        key = normalise_header(header)
        if not key:
            continue
        kind = direct_identifier(header)
        if kind is not None:
            identifiers.append((header, kind))
            continue
        if key in HEADER_LOOKUP:
            target = HEADER_LOOKUP[key]
            entries.append((header, target, "exact"))
            mapped[target] = pos
            continue
        guess, score, why = _guess_column(key)
        if guess is not None and score >= 0.6 and guess not in exact and guess not in mapped:
            entries.append((header, guess, f"guess ({why})"))
            mapped[guess] = pos
        else:
            entries.append((header, None, "unknown: map it to a monitor column or leave null"))
    for shown, column_name, comment in entries:
        lines.append(f"  {_q(shown)}: {column_name or 'null'}  # {comment}")
    missing = [c for c in schema.REQUIRED_COLUMNS if c not in mapped]
    if missing:
        lines.append("  # required monitor columns not found: " + ", ".join(missing))
    lines.append(
        "identifiers:" + ("" if identifiers else " []") + "  # direct identifiers: "
        "never read; such a file must not leave the municipality"
    )
    lines += [f"  - {_q(h)}  # {kind}" for h, kind in identifiers]
    value_lines: list[str] = []
    for column in _VALUE_COLUMNS:
        if column not in mapped:
            continue
        col = RawColumn(table.cells[mapped[column]])  # type: ignore[index]
        unread = sorted(u for u in col.uniques if u and not _accepts(column, u))
        if not unread:
            continue
        value_lines.append(f"  {column}:")
        for text in unread[:_DRAFT_VALUES_SHOWN]:
            guess = _guess_value(column, text)
            value_lines.append(f"    {_q(text)}: " + (f"{_q(guess)}  # guess" if guess else "null  # unknown"))
        if len(unread) > _DRAFT_VALUES_SHOWN:
            value_lines.append(f"    # ... and {len(unread) - _DRAFT_VALUES_SHOWN} more distinct value(s) not listed")
    if value_lines:
        lines.append("values:  # monitor column: {value in the file: value to read}")
        lines += value_lines
    return "\n".join(lines) + "\n"
