"""The person-level monitor exchange format.

One row is one trajectory: one stay of one person in one LVV. The canonical
column names are English; the Dutch aliases of the exchange format are accepted
on import. The typed frame produced by :mod:`lvv_eval.sources.monitor` has exactly the
columns of :data:`MONITOR_COLUMNS`, in this order, with these pandas dtypes.

Source: ``docs/data_dictionary.md``; documented for users in
``docs/data_dictionary.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    """Definition of one monitor column.

    Attributes
    ----------
    name
        Canonical (English) column name.
    alias_nl
        Dutch alias accepted on import.
    dtype
        pandas dtype of the column in the typed frame.
    required
        Whether the column must be present in an input file.
    description
        What the column holds, and its rule.
    """

    name: str
    alias_nl: str
    dtype: str
    required: bool
    description: str


MONITOR_COLUMNS: tuple[Column, ...] = (
    Column("trajectory_id", "traject_id", "string", True, "Unique in the file."),
    Column("person_id", "persoon_id", "string", True, "Pseudonymous; may repeat (re-entry, another pilot)."),
    Column("pilot", "gemeente", "category", True, "Pilot municipality code from the pilot table (lower case)."),
    Column("intake_date", "datum_instroom", "datetime64[us]", True, "Date of intake."),
    Column(
        "exit_date",
        "datum_uitstroom",
        "datetime64[us]",
        True,
        "Date of exit; missing = still in the LVV; not before intake_date.",
    ),
    Column(
        "exit_reason",
        "reden_uitstroom",
        "category",
        True,
        "Exit-reason code; missing if and only if exit_date is missing.",
    ),
    Column(
        "formal_status", "formele_lvv_status", "boolean", True, "False for people sheltered without formal LVV status."
    ),
    Column(
        "scenario",
        "begeleidingsscenario",
        "category",
        False,
        "departure, residence, or missing (not yet set by the LSO).",
    ),
    Column("scenario_date", "datum_scenario", "datetime64[us]", False, "Date the scenario was set."),
    Column("sex", "geslacht", "category", False, "m, f, x or missing."),
    Column("birth_year", "geboortejaar", "Int64", False, "Year of birth."),
    Column("nationality", "nationaliteit", "string", False, "ISO 3166-1 alpha-3 code."),
    Column("family", "gezin", "boolean", False, "Part of a family unit."),
    Column("safe_country", "veilig_land", "boolean", False, "National of a safe country of origin."),
    Column(
        "prior_departure_procedures",
        "eerdere_vertrekprocedures",
        "Int64",
        False,
        "Number of departure procedures before the LVV (>= 0).",
    ),
    Column("mrt", "mrt_besproken", "boolean", False, "Case escalated to the MRT."),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in MONITOR_COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in MONITOR_COLUMNS if c.required)
DUTCH_ALIASES: dict[str, str] = {c.alias_nl: c.name for c in MONITOR_COLUMNS}
"""Map from Dutch alias to canonical name."""

SCENARIO_CODES: tuple[str, ...] = ("departure", "residence")
SCENARIO_ALIASES: dict[str, str] = {
    "departure": "departure",
    "vertrek": "departure",
    "residence": "residence",
    "verblijf": "residence",
}
SEX_CODES: tuple[str, ...] = ("m", "f", "x")
SEX_ALIASES: dict[str, str] = {
    "m": "m",
    "man": "m",
    "male": "m",
    "f": "f",
    "v": "f",
    "vrouw": "f",
    "female": "f",
    "x": "x",
    "other": "x",
    "anders": "x",
    "onbekend": "x",
}
BOOLEAN_ALIASES: dict[str, bool] = {
    "true": True,
    "false": False,
    "ja": True,
    "nee": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
    "waar": True,
    "onwaar": False,
    "j": True,
    "n": False,
    "y": True,
}

PROGRAMME_START: pd.Timestamp = pd.Timestamp("2019-04-01")
"""Start of the LVV programme (source 002: 'Vanaf de start van de pilots, 1 april 2019').

Pilots started between March and August 2019 (source 000); intake dates before
:data:`EARLIEST_INTAKE` are rejected as impossible."""

EARLIEST_INTAKE: pd.Timestamp = pd.Timestamp("2019-03-01")
"""Earliest plausible intake date: the first pilots started in March 2019 (source 000)."""


def category_levels(pilots_file: str | None = None) -> dict[str, list[str]]:
    """Categories of the categorical columns of a typed monitor frame.

    Parameters
    ----------
    pilots_file
        Pilot table declaring the pilot codes (default: the shipped five pilots).

    Returns
    -------
    dict
        Column name -> ordered categories: ``pilot`` (sorted pilot codes),
        ``exit_reason`` (exit-reason codes in the order of the exchange format),
        ``scenario`` and ``sex``.

    Examples
    --------
    >>> category_levels()["scenario"]
    ['departure', 'residence']
    """
    from lvv_eval.reference.pilots import pilot_codes
    from lvv_eval.reference.taxonomy import EXIT_REASON_CODES

    return {
        "pilot": list(pilot_codes(pilots_file)),
        "exit_reason": list(EXIT_REASON_CODES),
        "scenario": list(SCENARIO_CODES),
        "sex": list(SEX_CODES),
    }


def empty_monitor_frame(pilots_file: str | None = None) -> pd.DataFrame:
    """Return an empty typed monitor frame with the canonical columns and dtypes.

    Categorical columns carry their full categories (see :func:`category_levels`),
    so rows can be added without changing dtypes.

    Returns
    -------
    pandas.DataFrame
        Zero rows; columns and dtypes as in :data:`MONITOR_COLUMNS`.

    Examples
    --------
    >>> list(empty_monitor_frame().columns)[:3]
    ['trajectory_id', 'person_id', 'pilot']
    >>> list(empty_monitor_frame()["pilot"].cat.categories)[:2]
    ['amsterdam', 'eindhoven']
    """
    levels = category_levels(pilots_file)
    columns = {}
    for c in MONITOR_COLUMNS:
        if c.dtype == "category":
            columns[c.name] = pd.Series(pd.Categorical([], categories=levels[c.name]))
        else:
            columns[c.name] = pd.Series(dtype=c.dtype)
    return pd.DataFrame(columns)


def frame_from_records(records: list[dict], pilots_file: str | None = None) -> pd.DataFrame:
    """Build a typed monitor frame from records that name some of the columns.

    Meant for examples, tests and small hand-made data: values must already be
    canonical (pilot codes, exit-reason codes, booleans, ISO dates); columns a
    record leaves out are missing. Real files go through
    :func:`lvv_eval.sources.monitor.read_monitor`, which validates them.

    Parameters
    ----------
    records
        One dict per trajectory, keyed by canonical column names.
    pilots_file
        Pilot table declaring the pilot codes (default: the shipped pilots).

    Returns
    -------
    pandas.DataFrame
        Columns and dtypes as in :data:`MONITOR_COLUMNS`.

    Examples
    --------
    >>> f = frame_from_records([{"trajectory_id": "t1", "pilot": "utrecht",
    ...                          "intake_date": "2019-05-01", "formal_status": True}])
    >>> str(f["intake_date"].dtype), f.loc[0, "pilot"], bool(f["exit_date"].isna()[0])
    ('datetime64[us]', 'utrecht', True)
    """
    levels = category_levels(pilots_file)
    data = {}
    for column in MONITOR_COLUMNS:
        values = [record.get(column.name) for record in records]
        if column.dtype.startswith("datetime"):
            data[column.name] = pd.Series(pd.to_datetime(values), dtype=column.dtype)
        elif column.dtype == "category":
            data[column.name] = pd.Series(pd.Categorical(values, categories=levels[column.name]))
        else:
            data[column.name] = pd.Series(values, dtype="object").astype(column.dtype)
    return pd.DataFrame(data)
