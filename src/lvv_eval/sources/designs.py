"""The pilot design table: how the LVV pilots differ, per period.

One row describes one pilot during one period (``valid_from`` to ``valid_to``,
both inclusive). Every design attribute has a companion ``<attribute>_source``
column that cites the source file and paragraph; unknown values stay empty. A
national roll-out adds rows (new pilots, declared in the pilot table) to a copy
of the file and passes its path; no code changes are needed.

The shipped table is ``data/published/pilot_designs.csv``, documented in
``data/published/pilot_designs.md`` (sources: seeds 001, 002 and 003).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lvv_eval.errors import InputValidationError, Problem, UnknownNameError
from lvv_eval.paths import PUBLISHED_DIR
from lvv_eval.reference.monitor_format import BOOLEAN_ALIASES
from lvv_eval.reference.pilots import pilot_codes

DEFAULT_DESIGNS_FILE: Path = PUBLISHED_DIR / "pilot_designs.csv"
"""The shipped design table of the five pilots (2019-2022)."""

UNKNOWN_LABEL: str = "unknown"
"""Group label of a pilot whose attribute value is not published (empty cell)."""


@dataclass(frozen=True)
class Attribute:
    """One design attribute of the table.

    Attributes
    ----------
    name
        Column name in the CSV.
    kind
        ``"boolean"``, ``"category"`` (closed vocabulary) or ``"count"``
        (integer >= 0) or ``"percent"`` (integer 0-100).
    allowed
        Allowed codes for ``"category"`` attributes.
    description
        What the attribute means, with its unit.
    """

    name: str
    kind: str
    allowed: tuple[str, ...] = ()
    description: str = ""


DESIGN_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("shelter_24h", "boolean", description="The LVV offers 24-hour shelter (24-uursopvang)."),
    Attribute("parallel_bbb", "boolean", description="A municipal night shelter (BBB) stays open next to the LVV."),
    Attribute(
        "voluntary_participation",
        "boolean",
        description="Participation in the LVV is voluntary (an alternative shelter exists).",
    ),
    Attribute("regie", "category", ("municipality", "ngo_regiegroep"), description="Who holds the local lead (regie)."),
    Attribute("ngo_count", "count", description="Number of NGOs involved in shelter and counselling."),
    Attribute("families_admitted", "boolean", description="Families are admitted to the LVV."),
    Attribute(
        "safe_country_policy",
        "category",
        ("admitted", "admitted_max_3_months", "only_former_bbb", "excluded"),
        description="Admission of nationals of a safe country of origin.",
    ),
    Attribute(
        "cooperation_criterion",
        "category",
        ("formal", "in_practice"),
        description="Willingness to cooperate required formally (in the target-group definition) or only in practice.",
    ),
    Attribute("capacity", "count", description="Planned capacity in places (beoogde capaciteit)."),
    Attribute(
        "target_durable_pct",
        "percent",
        description="Target share of durable outflow over the pilot period, percent "
        "(obligation of effort; denominator not stated).",
    ),
)
ATTRIBUTE_NAMES: tuple[str, ...] = tuple(a.name for a in DESIGN_ATTRIBUTES)
_BY_NAME: dict[str, Attribute] = {a.name: a for a in DESIGN_ATTRIBUTES}

DESIGN_COLUMNS: tuple[str, ...] = (
    ("pilot", "valid_from", "valid_to")
    + tuple(c for a in DESIGN_ATTRIBUTES for c in (a.name, f"{a.name}_source"))
    + ("note",)
)
"""Columns of the design table, in order."""

_DTYPES: dict[str, str] = {"boolean": "boolean", "category": "category", "count": "Int64", "percent": "Int64"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def _parse_date(text: str) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except (ValueError, TypeError):
        return None


def validate_designs(raw: pd.DataFrame, *, file: str = "", pilots_path: str | Path | None = None) -> pd.DataFrame:
    """Check a raw (all-text) design table and return it typed.

    Parameters
    ----------
    raw
        Table as read from CSV with every column as text.
    file
        File name used in problem reports.
    pilots_path
        Pilot table declaring the allowed pilot codes (default: the five pilots).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DESIGN_COLUMNS`; ``valid_from``/``valid_to`` as
        ``datetime64[us]`` (empty ``valid_to`` = open-ended), booleans as
        ``boolean``, counts as ``Int64``, codes as ``category``, sources as
        ``string``. Sorted by pilot and ``valid_from``.

    Raises
    ------
    InputValidationError
        With every problem found (row numbers as in a spreadsheet, header = 1).
    """
    problems: list[Problem] = []
    missing = [c for c in DESIGN_COLUMNS if c not in raw.columns]
    for col in missing:
        problems.append(Problem(file, None, col, "", "required column is missing"))
    if missing:
        raise InputValidationError(problems, f"{file or '<input>'}: design table has missing columns")

    known = set(pilot_codes(pilots_path))
    text = raw.astype("string")
    out: dict[str, list[object]] = {c: [] for c in DESIGN_COLUMNS}
    for i, rec in enumerate(text.to_dict("records")):
        row = i + 2
        pilot = "" if _blank(rec["pilot"]) else str(rec["pilot"]).strip().lower()
        if pilot not in known:
            problems.append(
                Problem(file, row, "pilot", pilot, f"pilot code not declared in the pilot table {sorted(known)}")
            )
        out["pilot"].append(pilot)
        start = None if _blank(rec["valid_from"]) else _parse_date(str(rec["valid_from"]).strip())
        if start is None:
            problems.append(
                Problem(file, row, "valid_from", str(rec["valid_from"] or ""), "required date in ISO format yyyy-mm-dd")
            )
        end = None
        if not _blank(rec["valid_to"]):
            end = _parse_date(str(rec["valid_to"]).strip())
            if end is None:
                problems.append(
                    Problem(
                        file,
                        row,
                        "valid_to",
                        str(rec["valid_to"]),
                        "date in ISO format yyyy-mm-dd, or empty (open-ended)",
                    )
                )
        if start is not None and end is not None and end < start:
            problems.append(
                Problem(file, row, "valid_to", str(rec["valid_to"]), "valid_to must not be before valid_from")
            )
        out["valid_from"].append(start if start is not None else pd.NaT)
        out["valid_to"].append(end if end is not None else pd.NaT)
        for attr in DESIGN_ATTRIBUTES:
            value = rec[attr.name]
            source = rec[f"{attr.name}_source"]
            parsed: object = pd.NA
            if not _blank(value):
                v = str(value).strip()
                if attr.kind == "boolean":
                    if v.lower() in BOOLEAN_ALIASES:
                        parsed = BOOLEAN_ALIASES[v.lower()]
                    else:
                        problems.append(
                            Problem(file, row, attr.name, v, "boolean: true/false (or ja/nee, yes/no, 1/0) or empty")
                        )
                elif attr.kind == "category":
                    if v in attr.allowed:
                        parsed = v
                    else:
                        problems.append(Problem(file, row, attr.name, v, f"one of {list(attr.allowed)} or empty"))
                else:
                    hi = 100 if attr.kind == "percent" else None
                    ok = v.isdigit() and (hi is None or int(v) <= hi)
                    if ok:
                        parsed = int(v)
                    else:
                        rule = "integer 0-100 or empty" if hi else "integer >= 0 or empty"
                        problems.append(Problem(file, row, attr.name, v, rule))
                if _blank(source):
                    problems.append(
                        Problem(
                            file,
                            row,
                            f"{attr.name}_source",
                            "",
                            f"a value of {attr.name!r} needs a source (source file + table/paragraph)",
                        )
                    )
            out[attr.name].append(parsed)
            out[f"{attr.name}_source"].append(pd.NA if _blank(source) else str(source).strip())
        out["note"].append(pd.NA if _blank(rec["note"]) else str(rec["note"]).strip())

    # overlapping periods of one pilot
    frame = pd.DataFrame(
        {
            "pilot": out["pilot"],
            "start": out["valid_from"],
            "end": out["valid_to"],
            "row": range(2, len(out["pilot"]) + 2),
        }
    )
    frame = frame.dropna(subset=["start"])
    for pilot, grp in frame.groupby("pilot", sort=True):
        grp = grp.sort_values("start")
        prev_end, prev_row = None, None
        for rec in grp.itertuples():
            if prev_row is not None and (prev_end is None or pd.isna(prev_end) or rec.start <= prev_end):
                problems.append(
                    Problem(
                        file,
                        rec.row,
                        "valid_from",
                        str(rec.start.date()),
                        f"period of pilot {pilot!r} overlaps the period in row {prev_row}",
                    )
                )
            prev_end, prev_row = rec.end, rec.row
    if problems:
        raise InputValidationError(problems, f"{file or '<input>'}: {len(problems)} problem(s) in the design table")

    typed = pd.DataFrame(
        {
            "pilot": pd.Series(out["pilot"], dtype="string"),
            "valid_from": pd.Series(out["valid_from"], dtype="datetime64[us]"),
            "valid_to": pd.Series(out["valid_to"], dtype="datetime64[us]"),
        }
    )
    for attr in DESIGN_ATTRIBUTES:
        col = pd.Series(out[attr.name], dtype="object")
        if attr.kind == "category":
            typed[attr.name] = pd.Categorical(col.where(col.notna(), None), categories=list(attr.allowed))
        else:
            typed[attr.name] = col.astype(_DTYPES[attr.kind])
        typed[f"{attr.name}_source"] = pd.Series(out[f"{attr.name}_source"], dtype="string")
    typed["note"] = pd.Series(out["note"], dtype="string")
    return typed.sort_values(["pilot", "valid_from"], ignore_index=True)[list(DESIGN_COLUMNS)]


def load_designs(path: str | Path | None = None, *, pilots_path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the pilot design table.

    Parameters
    ----------
    path
        CSV file in the layout of ``data/published/pilot_designs.csv``
        (default: that file).
    pilots_path
        Pilot table declaring the allowed pilot codes (default: the five pilots).

    Returns
    -------
    pandas.DataFrame
        Typed table, see :func:`validate_designs`.

    Raises
    ------
    InputValidationError
        Listing every problem in the file.

    Examples
    --------
    >>> d = load_designs()
    >>> sorted(d.loc[d["parallel_bbb"].fillna(False), "pilot"].unique())
    ['eindhoven']
    """
    p = Path(path) if path is not None else DEFAULT_DESIGNS_FILE
    raw = pd.read_csv(p, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    return validate_designs(raw, file=p.name, pilots_path=pilots_path)


def designs_at(date: str | pd.Timestamp, designs: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Return the design of each pilot on a date.

    Parameters
    ----------
    date
        Reference date (e.g. a peildatum); a row is valid if
        ``valid_from <= date <= valid_to`` (empty ``valid_to`` = open-ended).
    designs
        A typed design table, a path to one, or ``None`` for the shipped table.

    Returns
    -------
    pandas.DataFrame
        One row per pilot that has a valid row on ``date``, sorted by pilot.
        Pilots without a valid row are absent.

    Examples
    --------
    >>> int(designs_at("2019-12-31").set_index("pilot").loc["utrecht", "capacity"])
    230
    >>> int(designs_at("2020-11-01").set_index("pilot").loc["utrecht", "capacity"])
    235
    """
    table = designs if isinstance(designs, pd.DataFrame) else load_designs(designs)
    when = pd.Timestamp(date)
    ok = (table["valid_from"] <= when) & (table["valid_to"].isna() | (table["valid_to"] >= when))
    return table.loc[ok].sort_values("pilot", ignore_index=True)


def value_label(value: object) -> str:
    """Readable group label of an attribute value.

    Booleans become ``"yes"``/``"no"``, missing values :data:`UNKNOWN_LABEL`,
    anything else its text.

    Examples
    --------
    >>> value_label(True), value_label(pd.NA), value_label("formal")
    ('yes', 'unknown', 'formal')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return UNKNOWN_LABEL
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return str(value)


def group_pilots(
    attribute: str, date: str | pd.Timestamp, designs: pd.DataFrame | str | Path | None = None
) -> dict[str, str]:
    """Map each pilot to its group label for one design attribute on a date.

    Parameters
    ----------
    attribute
        A column of :data:`ATTRIBUTE_NAMES` (or any other column of a custom
        design table).
    date
        Reference date, see :func:`designs_at`.
    designs
        A typed design table, a path, or ``None`` for the shipped table.

    Returns
    -------
    dict
        ``pilot -> label`` sorted by pilot; labels from :func:`value_label`
        (``"unknown"`` for empty cells).

    Raises
    ------
    KeyError
        If ``attribute`` is not a column of the design table.

    Examples
    --------
    >>> group_pilots("parallel_bbb", "2019-12-31")["eindhoven"]
    'yes'
    >>> group_pilots("regie", "2019-12-31")["amsterdam"]
    'ngo_regiegroep'
    """
    table = designs_at(date, designs)
    if (
        attribute not in table.columns
        or attribute.endswith("_source")
        or attribute in ("pilot", "valid_from", "valid_to", "note")
    ):
        raise UnknownNameError(f"{attribute!r} is not a design attribute; choose one of {list(ATTRIBUTE_NAMES)}")
    return {str(p): value_label(v) for p, v in zip(table["pilot"], table[attribute])}


def attribute_info(name: str) -> Attribute | None:
    """Return the :class:`Attribute` definition of a column, or ``None``."""
    return _BY_NAME.get(name)


def design_table_for(groups: Mapping[str, str]) -> pd.DataFrame:
    """Return a two-column frame ``pilot, group`` from a pilot -> label mapping (sorted)."""
    return pd.DataFrame({"pilot": list(groups), "group": list(groups.values())}).sort_values("pilot", ignore_index=True)
