"""Published figures of the five source documents, as a typed table.

``data/published/figures.csv`` holds every quantitative figure printed in the
source documents (cited by file name; see the README, *Sources*), one row each, in long format;
``data/published/sources.csv`` describes the documents. Both are described
column by column in ``data/published/README.md``.

:func:`load_figures` reads and validates them (every problem is collected and
raised together as :class:`~lvv_eval.errors.InputValidationError`);
:func:`select` filters; :func:`figure` returns one value; :func:`wide_table`
turns one source's figures back into a table shaped like the printed one
(pilots as rows), for notebooks.

Examples
--------
>>> figure("r20-intake-utrecht")      # 001_08a3e7995258f26d.txt, Tabel S.1
268.0
>>> select(source="monitor-2020", measure="capacity", pilot="total")["value"].tolist()
[1142.0]
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lvv_eval.errors import ConfigError, InputValidationError, LvvEvalError, Problem
from lvv_eval.paths import PUBLISHED_DIR
from lvv_eval.reference.pilots import pilot_codes

__all__ = [
    "FIGURE_COLUMNS",
    "MEASURES",
    "SOURCE_COLUMNS",
    "counting_sources",
    "source_population",
    "UNITS",
    "UnknownFigureError",
    "figure",
    "load_figures",
    "load_sources",
    "select",
    "wide_table",
]

DEFAULT_FIGURES_FILE: Path = PUBLISHED_DIR / "figures.csv"
DEFAULT_SOURCES_FILE: Path = PUBLISHED_DIR / "sources.csv"

FIGURE_COLUMNS: tuple[str, ...] = (
    "figure_id",
    "source_id",
    "locator",
    "peildatum",
    "pilot",
    "measure",
    "category",
    "period",
    "value",
    "unit",
    "as_printed",
    "approximate",
    "note",
)
"""Columns of ``figures.csv``, in file order."""

SOURCE_COLUMNS: tuple[str, ...] = (
    "source_id",
    "source_file",
    "published",
    "author",
    "title",
    "evaluation",
    "peildatum",
    "counting_convention",
    "scheme",
    "formal_only",
)
"""Columns of ``sources.csv``, in file order.

``scheme`` and ``formal_only`` say how a source counts people in the monitor: the classification
scheme whose convention it follows and whether it counts people with formal LVV status only (empty
for a source without person counts). :func:`source_population` reads them.
"""

UNITS: dict[str, str] = {
    "count": "a whole number of persons, places, cases, ... (not negative)",
    "percent": "a percentage, 0-100, as printed (rounded)",
    "eur_million": "millions of euros",
    "days": "a number of days",
}
"""Allowed values of the ``unit`` column and what they mean."""

MEASURES: dict[str, str] = {
    "capacity": "places agreed for the pilot (category: places)",
    "occupancy": "persons present on the peildatum (category: persons)",
    "occupancy_rate": "persons present as a percentage of capacity (category: of_capacity)",
    "free_places": "capacity minus occupancy (category: places)",
    "free_places_rate": "free places as a percentage of capacity (category: of_capacity)",
    "intake": "persons who entered since the start (category: all | formal | informal)",
    "outflow": "persons who left since the start (category: exit-reason code, class id, all, "
    "departure_or_onward_migration, other_non_durable)",
    "outflow_share_of_intake": "outflow as a percentage of total intake (category: class id or exit-reason code)",
    "outflow_share_of_outflow": "outflow as a percentage of total outflow (category: class id)",
    "target_outflow_share": "target share of durable outflow over the pilot period (category: durable)",
    "scenarios": "counselling scenarios set in an LSO (category: all | departure | residence)",
    "mrt_cases": "cases discussed in the multidisciplinary review team (category: discussed | "
    "no_durable_solution_possible)",
    "returns_by_country": "returns to a country of origin (category: ISO 3166 alpha-3 code)",
    "population_share": "share of the LVV population with a property (category: the property)",
    "family_members_present": "persons in families present (category: persons)",
    "funding": "programme funding (category: jenv | eu | municipalities)",
    "pilots": "number of pilots or LVVs (category: planned_pilots | added_after_agreement | planned_network)",
    "rest_period_days": "rest period after the dossier is delivered (category: days)",
    "ngo_count": "NGOs involved in a pilot (category: ngos)",
    "regiegroep_ngo_count": "NGOs forming the regiegroep (category: ngos)",
    "interviews_with_migrants": "migrants interviewed by the evaluators (category: persons)",
    "observations": "meetings observed by the evaluators (category: steering_group | lso)",
    "monitor_rounds": "times the municipalities were asked for monitor figures (category: rounds)",
    "mean_age_years": "mean age of the people in the LVV, in whole years, unit count (category: all)",
    "duration_months": "a duration printed in months, unit count (category: convenant_extension | "
    "max_shelter_safe_country)",
    "programme_date": "a date in the programme: value = calendar year, the date as far as printed "
    "in period, unit count (category: the event, e.g. pilots_start)",
}
"""Allowed values of the ``measure`` column and what they mean."""

TOTAL = "total"
"""Pilot code of figures that cover all pilots."""

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOLEAN = {"true": True, "false": False}
_CATEGORY_COLUMNS = ("source_id", "pilot", "measure", "category", "unit")
_REQUIRED_TEXT = ("figure_id", "source_id", "locator", "pilot", "measure", "category", "unit", "as_printed")


class UnknownFigureError(LvvEvalError, KeyError):
    """A figure id (or filter value) that is not in the published figures."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0]) if self.args else ""


def _read_raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def _column_problems(raw: pd.DataFrame, expected: tuple[str, ...], file: str) -> list[Problem]:
    problems = []
    for col in expected:
        if col not in raw.columns:
            problems.append(Problem(file, None, col, "", "required column is missing"))
    for col in raw.columns:
        if col not in expected:
            problems.append(Problem(file, 1, col, col, f"unexpected column; allowed: {', '.join(expected)}"))
    return problems


def _valid_date(text: str) -> bool:
    if not _DATE_PATTERN.match(text):
        return False
    try:
        pd.Timestamp(text)
    except ValueError:
        return False
    return True


def load_sources(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the table of source documents.

    Parameters
    ----------
    path
        ``sources.csv``; defaults to ``data/published/sources.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per source, in file order. ``peildatum`` is ``datetime64[us]``
        (NaT when the document has no reference date); every other column is
        ``str`` (``published`` may be a year or a date, as printed).

    Raises
    ------
    InputValidationError
        Listing every problem: missing or unexpected columns, empty or
        duplicate ``source_id``, empty ``source_file``, a ``peildatum`` that is
        not an ISO date (YYYY-MM-DD).
    """
    path = Path(path) if path is not None else DEFAULT_SOURCES_FILE
    file = str(path)
    raw = _read_raw(path)
    problems = _column_problems(raw, SOURCE_COLUMNS, file)
    if any(p.row is None for p in problems):
        raise InputValidationError(problems, f"{file}: cannot read the table of sources")
    seen: dict[str, int] = {}
    for i, rec in enumerate(raw.to_dict("records")):
        row = i + 2
        sid = rec["source_id"].strip()
        if not sid:
            problems.append(Problem(file, row, "source_id", sid, "must not be empty"))
        elif sid in seen:
            problems.append(Problem(file, row, "source_id", sid, f"duplicate: also on row {seen[sid]}"))
        else:
            seen[sid] = row
        if not rec["source_file"].strip():
            problems.append(Problem(file, row, "source_file", "", "must not be empty"))
        formal = rec["formal_only"].strip()
        if formal not in ("", "true", "false"):
            problems.append(Problem(file, row, "formal_only", formal, "must be true, false or empty"))
        if bool(formal) != bool(rec["scheme"].strip()):
            problems.append(
                Problem(
                    file,
                    row,
                    "scheme",
                    rec["scheme"].strip(),
                    "scheme and formal_only are given together or not at all",
                )
            )
        pd_text = rec["peildatum"].strip()
        if pd_text and not _valid_date(pd_text):
            problems.append(Problem(file, row, "peildatum", pd_text, "must be an ISO date YYYY-MM-DD or empty"))
    if problems:
        raise InputValidationError(problems, f"{file}: {len(problems)} problem(s) in the sources")
    table = raw.loc[:, list(SOURCE_COLUMNS)].copy()
    for col in SOURCE_COLUMNS:
        table[col] = table[col].str.strip().astype("str")
    table["peildatum"] = pd.to_datetime(table["peildatum"].replace("", None)).astype("datetime64[us]")
    return table


def source_population(source_id: str, path: str | Path | None = None) -> tuple[str, bool]:
    """Scheme and population a published source counts people with.

    Parameters
    ----------
    source_id
        A ``source_id`` of ``sources.csv`` that counts people (``scheme`` not empty).
    path
        ``sources.csv``; defaults to ``data/published/sources.csv``.

    Returns
    -------
    (scheme name, formal_only)
        e.g. ``("monitor-2020", True)``: the 2020 programme monitor counts people with formal LVV
        status only (source 002, 'Voortgang LVV's').

    Raises
    ------
    ConfigError
        When the source is unknown or declares no counting convention.

    Examples
    --------
    >>> source_population("monitor-2020")
    ('monitor-2020', True)
    """
    table = load_sources(path)
    row = table.loc[table["source_id"] == source_id]
    counting = table.loc[table["scheme"] != "", "source_id"].tolist()
    if row.empty or not row["scheme"].iloc[0]:
        raise ConfigError(
            f"no scheme/population declared for source {source_id!r} in sources.csv; "
            f"sources that count people: {counting}"
        )
    return str(row["scheme"].iloc[0]), row["formal_only"].iloc[0] == "true"


def counting_sources(path: str | Path | None = None) -> list[str]:
    """The ``source_id`` of every source that counts people in the monitor (``scheme`` given)."""
    table = load_sources(path)
    return table.loc[table["scheme"] != "", "source_id"].tolist()


def load_figures(
    path: str | Path | None = None,
    *,
    sources_path: str | Path | None = None,
    pilots_path: str | Path | None = None,
) -> pd.DataFrame:
    """Load and validate the published figures.

    Parameters
    ----------
    path
        ``figures.csv``; defaults to ``data/published/figures.csv``.
    sources_path
        ``sources.csv`` to check ``source_id`` against; defaults to the
        ``sources.csv`` next to ``path`` if there is one, else the shipped one.
    pilots_path
        Pilot table (see :func:`lvv_eval.reference.pilots.load_pilots`); defaults to the
        five pilots shipped with the package.

    Returns
    -------
    pandas.DataFrame
        One row per figure, in file order, columns :data:`FIGURE_COLUMNS`.
        Dtypes: ``peildatum`` datetime64[us] (NaT if none), ``value`` float64,
        ``approximate`` boolean; ``source_id``, ``pilot``, ``measure``,
        ``category`` and ``unit`` category; the other columns str (empty
        string when not given).

    Raises
    ------
    InputValidationError
        Listing every problem with file, row (header = row 1), column, value
        and rule: missing/unexpected columns; empty, malformed or duplicate
        ``figure_id``; unknown ``source_id``; ``pilot`` not in the pilot table
        nor ``total``; ``measure`` not in :data:`MEASURES`; ``unit`` not in
        :data:`UNITS`; a non-numeric value, a percentage outside 0-100, a
        negative or fractional count; a ``peildatum`` that is not YYYY-MM-DD;
        ``approximate`` not ``true``/``false``; empty required text.

    Examples
    --------
    >>> figs = load_figures()
    >>> str(figs["value"].dtype), str(figs["peildatum"].dtype), str(figs["approximate"].dtype)
    ('float64', 'datetime64[us]', 'boolean')
    """
    path = Path(path) if path is not None else DEFAULT_FIGURES_FILE
    if sources_path is None:
        sibling = path.parent / "sources.csv"
        sources_path = sibling if sibling.is_file() else DEFAULT_SOURCES_FILE
    file = str(path)
    sources = set(load_sources(sources_path)["source_id"])
    pilots = set(pilot_codes(pilots_path))
    raw = _read_raw(path)
    problems = _column_problems(raw, FIGURE_COLUMNS, file)
    if any(p.row is None for p in problems):
        raise InputValidationError(problems, f"{file}: cannot read the published figures")

    raw = raw.loc[:, list(FIGURE_COLUMNS)].apply(lambda s: s.str.strip())
    seen: dict[str, int] = {}
    values: list[float] = []
    for i, rec in enumerate(raw.to_dict("records")):
        row = i + 2

        def bad(column: str, rule: str, value: str | None = None) -> None:
            problems.append(Problem(file, row, column, rec[column] if value is None else value, rule))  # noqa: B023 - the closure is called within the loop

        for col in _REQUIRED_TEXT:
            if not rec[col]:
                bad(col, "must not be empty")
        fid = rec["figure_id"]
        if fid:
            if not _ID_PATTERN.match(fid):
                bad("figure_id", "must be lower-case letters, digits, '-', '.' or '_'")
            if fid in seen:
                bad("figure_id", f"duplicate: also on row {seen[fid]}")
            else:
                seen[fid] = row
        if rec["source_id"] and rec["source_id"] not in sources:
            bad("source_id", f"unknown source; known: {', '.join(sorted(sources))}")
        if rec["pilot"] and rec["pilot"] not in pilots and rec["pilot"] != TOTAL:
            bad("pilot", f"must be a pilot code ({', '.join(sorted(pilots))}) or '{TOTAL}'")
        if rec["measure"] and rec["measure"] not in MEASURES:
            close = difflib.get_close_matches(rec["measure"], list(MEASURES), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            bad("measure", f"unknown measure (see data/published/README.md){hint}")
        unit = rec["unit"]
        if unit and unit not in UNITS:
            bad("unit", f"unknown unit; allowed: {', '.join(UNITS)}")
        if rec["peildatum"] and not _valid_date(rec["peildatum"]):
            bad("peildatum", "must be an ISO date YYYY-MM-DD or empty")
        if rec["approximate"].lower() not in _BOOLEAN:
            bad("approximate", "must be true or false")
        try:
            value = float(rec["value"])
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            bad("value", "must be a finite number (use '.' as decimal separator)")
            value = math.nan
        else:
            if unit == "percent" and not 0 <= value <= 100:
                bad("value", "a percentage must lie between 0 and 100")
            if unit in ("count", "days") and (value < 0 or not value.is_integer()):
                bad("value", f"a value in {unit} must be a whole number, not negative")
            if unit == "eur_million" and value < 0:
                bad("value", "an amount must not be negative")
        values.append(value)
    if problems:
        raise InputValidationError(problems, f"{file}: {len(problems)} problem(s) in the published figures")

    frame = raw.copy()
    frame["value"] = pd.Series(values, index=frame.index, dtype="float64")
    frame["approximate"] = frame["approximate"].str.lower().map(_BOOLEAN).astype("boolean")
    frame["peildatum"] = pd.to_datetime(frame["peildatum"].replace("", None)).astype("datetime64[us]")
    for col in ("figure_id", "locator", "period", "as_printed", "note"):
        frame[col] = frame[col].astype("str")
    for col in _CATEGORY_COLUMNS:
        frame[col] = pd.Categorical(frame[col], categories=sorted(frame[col].unique()))
    return frame.loc[:, list(FIGURE_COLUMNS)].reset_index(drop=True)


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _check_known(column: str, wanted: list[str], known: Iterable[str]) -> None:
    known = sorted(set(known))
    unknown = [w for w in wanted if w not in known]
    if unknown:
        parts = []
        for w in unknown:
            close = difflib.get_close_matches(w, known, n=3, cutoff=0.5)
            parts.append(f"{w!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        raise UnknownFigureError(f"unknown {column} {', '.join(parts)}; known values: {', '.join(known)}")


def select(
    source: str | Iterable[str] | None = None,
    measure: str | Iterable[str] | None = None,
    category: str | Iterable[str] | None = None,
    pilot: str | Iterable[str] | None = None,
    peildatum: str | pd.Timestamp | None = None,
    *,
    figures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the published figures that match every given filter.

    Parameters
    ----------
    source, measure, category, pilot
        One value or several (any of them matches); ``None`` = no filter.
        ``pilot="total"`` selects the figures for all pilots together.
    peildatum
        Reference date (``"2019-12-31"`` or a Timestamp).
    figures
        A frame from :func:`load_figures`; loaded from the default file if not given.

    Returns
    -------
    pandas.DataFrame
        Matching rows in file order, index reset, same dtypes as :func:`load_figures`.

    Raises
    ------
    UnknownFigureError
        If a filter value does not occur at all (with close matches), so a
        typo is not mistaken for "no figures".

    Examples
    --------
    Tabel S.2 of ``001_08a3e7995258f26d.txt``, durable outflow:

    >>> select(source="regioplan-2020", measure="outflow", category="durable")["value"].tolist()
    [3.0, 1.0, 10.0, 12.0, 33.0]
    """
    figs = load_figures() if figures is None else figures
    mask = pd.Series(True, index=figs.index)
    for column, wanted in (("source_id", source), ("measure", measure), ("category", category), ("pilot", pilot)):
        values = _as_list(wanted)
        if values is None:
            continue
        _check_known(column, values, figs[column].astype("str"))
        mask &= figs[column].astype("str").isin(values)
    if peildatum is not None:
        mask &= figs["peildatum"] == pd.Timestamp(peildatum)
    return figs.loc[mask].reset_index(drop=True)


def figure(figure_id: str, figures: pd.DataFrame | None = None) -> float:
    """Return the value of one published figure.

    Parameters
    ----------
    figure_id
        The ``figure_id`` in ``figures.csv``, e.g. ``"m20-capacity-total"``.
    figures
        A frame from :func:`load_figures`; loaded from the default file if not given.

    Returns
    -------
    float
        The value, in the figure's unit (see its ``unit`` column).

    Raises
    ------
    UnknownFigureError
        If the id is unknown; the message lists the closest known ids.

    Examples
    --------
    >>> figure("m20-capacity-total")   # 002_1f6dbbe6756677e4.txt, Voortgang LVV's
    1142.0
    """
    figs = load_figures() if figures is None else figures
    hit = figs.loc[figs["figure_id"] == figure_id, "value"]
    if hit.empty:
        close = difflib.get_close_matches(str(figure_id), figs["figure_id"].tolist(), n=5, cutoff=0.4)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise UnknownFigureError(f"unknown figure_id {figure_id!r}{hint}")
    return float(hit.iloc[0])


def wide_table(
    source: str,
    *,
    locator: str | None = None,
    peildatum: str | pd.Timestamp | None = None,
    figures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return one source's figures as a wide table: pilots as rows, measures as columns.

    Parameters
    ----------
    source
        A ``source_id``, e.g. ``"regioplan-2020"``.
    locator
        Keep only figures whose ``locator`` starts with this text, e.g.
        ``"Tabel S.1"`` to get that table as printed.
    peildatum
        Keep only figures with this reference date.
    figures
        A frame from :func:`load_figures`; loaded from the default file if not given.

    Returns
    -------
    pandas.DataFrame
        Index ``pilot`` (pilot codes sorted, then ``total``); one float column
        per ``measure:category`` (plus ``:period`` where a period is given),
        in order of first appearance in the file. NaN where the source prints
        nothing.

    Raises
    ------
    UnknownFigureError
        If the source is unknown.
    LvvEvalError
        If two figures would land in the same cell.

    Examples
    --------
    >>> s1 = wide_table("regioplan-2020", locator="Tabel S.1")
    >>> s1.loc["eindhoven", ["capacity:places", "occupancy:persons", "intake:all"]].tolist()
    [130.0, 30.0, 33.0]
    """
    figs = select(source=source, peildatum=peildatum, figures=figures)
    if locator is not None:
        figs = figs.loc[figs["locator"].str.startswith(locator)]
    labels = figs["measure"].astype("str") + ":" + figs["category"].astype("str")
    labels = labels.where(figs["period"] == "", labels + ":" + figs["period"])
    long = pd.DataFrame({"pilot": figs["pilot"].astype("str"), "column": labels, "value": figs["value"]})
    dupes = long.duplicated(["pilot", "column"], keep=False)
    if dupes.any():
        cells = sorted(set(zip(long.loc[dupes, "pilot"], long.loc[dupes, "column"])))
        raise LvvEvalError(f"{source}: several figures for the same cell: {cells}")
    columns = list(dict.fromkeys(long["column"]))
    pilots = sorted(p for p in long["pilot"].unique() if p != TOTAL)
    if (long["pilot"] == TOTAL).any():
        pilots.append(TOTAL)
    table = long.pivot(index="pilot", columns="column", values="value")
    table = table.reindex(index=pilots, columns=columns).astype("float64")
    table.columns.name = None
    table.index.name = "pilot"
    return table
