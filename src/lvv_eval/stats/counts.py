"""From person-level monitor data to the evaluation tables.

Every function here takes the typed monitor frame (one row per trajectory, see
:mod:`lvv_eval.reference.monitor_format`) and a reference date, the *peildatum*, and counts what
the published evaluations count, in the same vocabulary as
``data/published/figures.csv`` (measure / category), so that person-level
figures can be put next to the published ones.

State of a trajectory at the peildatum (all comparisons inclusive of the day):

* **in scope / intake**: ``intake_date <= peildatum``. Trajectories with a later
  intake are *not yet started*; they are left out of every count and reported
  on their own line by :func:`flow` (never dropped silently).
* **present**: in scope and (``exit_date`` missing or ``exit_date > peildatum``).
* **flowed out**: in scope and ``exit_date <= peildatum`` (an exit on the
  peildatum itself is outflow, not presence).
* **scenario set**: in scope, ``scenario`` present and (``scenario_date``
  missing or ``scenario_date <= peildatum``).

So for every pilot, intake = outflow + present, exactly. Counts are of
trajectories (one stay of one person in one LVV), except ``persons/all``,
which counts distinct ``person_id``; the total of ``persons/all`` is the number
of distinct people over all pilots, not the sum of the pilot rows.

Sources of the vocabulary: Regioplan 2020 (source ``001_08a3e7995258f26d.txt``,
Tabel S.1 and S.2), the programme monitor of 1 November 2020 (source
``002_1f6dbbe6756677e4.txt``, paragraph 'Voortgang LVV's'), Verwey-Jonker 2021
as quoted in source ``000_3514d6bc5a3a2801.txt`` (paragraph on 'overige
niet-bestendige uitstroom').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeAlias

import numpy as np
import pandas as pd

from lvv_eval.errors import ConfigError, InputValidationError, Problem
from lvv_eval.reference.monitor_format import SCENARIO_CODES
from lvv_eval.reference.pilots import pilot_codes
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.stats import engine

DateLike: TypeAlias = str | dt.date | pd.Timestamp | np.datetime64

TOTAL: str = "total"
"""Pilot label of the row that sums over all pilots."""

FIGURE_COLUMNS: tuple[str, ...] = ("pilot", "measure", "category", "value")
"""Columns of the long frame returned by :func:`to_figures`."""


def _subtotal(scheme_name: str, subtotal: str) -> tuple[str, ...]:
    """Exit codes of a subtotal defined in a shipped scheme (the single definition)."""
    from lvv_eval.reference.schemes import load_scheme

    scheme = load_scheme(scheme_name)
    if subtotal not in scheme.subtotals:
        raise ConfigError(f"scheme {scheme_name!r} defines no subtotal {subtotal!r}")
    return scheme.subtotals[subtotal]


DEPARTURE_OR_ONWARD_MIGRATION: tuple[str, ...] = _subtotal("monitor-2020", "departure_or_onward_migration")
"""Exit codes counted as 'vertrek ... of doormigratie' by the programme monitor.

Read from the ``subtotals`` of the ``monitor-2020`` scheme: seed
``002_1f6dbbe6756677e4.txt`` (Voortgang LVV's: 61 departures or onward
migrations); forced departure from immigration detention is included, as the
programme counted it (source ``000_3514d6bc5a3a2801.txt``)."""

OTHER_NON_DURABLE: tuple[str, ...] = _subtotal("verwey-jonker-2021", "other_non_durable")
"""Exit codes of Verwey-Jonker's 'overige niet-bestendige uitstroom'.

Read from the ``subtotals`` of the ``verwey-jonker-2021`` scheme. Seed
``000_3514d6bc5a3a2801.txt``: '(detentie, naar andere opvang,
vreemdelingenbewaring, eigen netwerk, terug naar BBB, overleden)', and
immigration detention is counted there also when it ended in forced
departure, so ``forced_return`` is in the list; ``other`` too (the scheme's
reading)."""

PERSON_COUNT_FIGURES: tuple[str, ...] = ("r22-participants-total",)
"""Published intake figures that count people, not trajectories.

Seed ``004_b44b716732003f66.txt``, first paragraph: 'Sindsdien namen 2065
migranten deel aan deze pilot' counts migrants; a person who re-entered has
two trajectories. :func:`compare_with_published` compares these figures with
``persons/all`` (distinct ``person_id``), and the synthetic data are calibrated
to them as persons (:mod:`lvv_eval.synthetic.targets`, :mod:`lvv_eval.synthetic.calibration`)."""

_REQUIRED = ("trajectory_id", "person_id", "pilot", "intake_date", "exit_date", "exit_reason", "formal_status")


class SchemeLike(Protocol):
    """What this module needs of a classification scheme (contract 3)."""

    @property
    def name(self) -> str: ...  # pragma: no cover

    @property
    def class_ids(self) -> Sequence[str]: ...  # pragma: no cover

    def classify(self, codes: pd.Series) -> pd.Series: ...  # pragma: no cover


# --------------------------------------------------------------------------- helpers


def as_peildatum(peildatum: DateLike) -> pd.Timestamp:
    """Return the peildatum as a day-precision :class:`pandas.Timestamp`.

    Examples
    --------
    >>> as_peildatum("2019-12-31")
    Timestamp('2019-12-31 00:00:00')
    """
    try:
        stamp = pd.Timestamp(peildatum)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"peildatum {peildatum!r} is not a date (use YYYY-MM-DD)") from exc
    if pd.isna(stamp):
        raise ConfigError("peildatum is missing")
    return stamp.normalize()


def _row_number(index_value: object) -> int | None:
    """Spreadsheet row of a frame row (header = row 1) when the index is positional."""
    return int(index_value) + 2 if isinstance(index_value, (int, np.integer)) else None


def check_frame(frame: pd.DataFrame, *, file: str = "") -> None:
    """Check the parts of the typed monitor frame that the counts rely on.

    The typed frame made by :func:`lvv_eval.sources.monitor.read_monitor` already
    satisfies these rules; the check protects hand-made frames. All problems
    are collected and raised together.

    Raises
    ------
    InputValidationError
        A required column is missing; ``pilot``, ``intake_date`` or
        ``formal_status`` is missing in a row; ``exit_reason`` is missing
        while ``exit_date`` is set, or the other way round; ``exit_date`` is
        before ``intake_date``.
    """
    problems: list[Problem] = []
    missing = [c for c in _REQUIRED if c not in frame.columns]
    for column in missing:
        problems.append(Problem(file, None, column, "", "required column is missing"))
    if missing:
        raise InputValidationError(problems)
    for column in ("pilot", "intake_date", "formal_status"):
        for idx in frame.index[frame[column].isna().to_numpy()]:
            problems.append(Problem(file, _row_number(idx), column, "", "value is required"))
    has_exit = frame["exit_date"].notna().to_numpy()
    has_reason = frame["exit_reason"].notna().to_numpy()
    for idx in frame.index[has_exit & ~has_reason]:
        problems.append(
            Problem(file, _row_number(idx), "exit_reason", "", "exit_reason is required when exit_date is set")
        )
    for idx in frame.index[~has_exit & has_reason]:
        problems.append(
            Problem(
                file,
                _row_number(idx),
                "exit_reason",
                str(frame.at[idx, "exit_reason"]),
                "exit_reason must be empty when exit_date is empty",
            )
        )
    before = (frame["exit_date"] < frame["intake_date"]).fillna(False).to_numpy(dtype=bool)
    for idx in frame.index[before]:
        problems.append(
            Problem(
                file,
                _row_number(idx),
                "exit_date",
                str(frame.at[idx, "exit_date"].date()),
                "exit_date is before intake_date",
            )
        )
    if problems:
        raise InputValidationError(problems)


def state_at(frame: pd.DataFrame, peildatum: DateLike) -> pd.DataFrame:
    """Classify every trajectory by its state at the peildatum.

    Parameters
    ----------
    frame
        Typed monitor frame (contract 1).
    peildatum
        Reference date; every comparison includes the day itself.

    Returns
    -------
    pandas.DataFrame
        Same index as ``frame``; boolean columns ``in_scope`` (intake on or
        before the peildatum), ``not_yet_started`` (intake after it),
        ``present``, ``exited`` and ``scenario_set`` (the last three only
        for trajectories in scope). ``in_scope`` = ``present`` | ``exited``.
    """
    day = as_peildatum(peildatum).to_datetime64()
    intake = frame["intake_date"].to_numpy(dtype="datetime64[us]")
    exit_ = frame["exit_date"].to_numpy(dtype="datetime64[us]")
    in_scope = intake <= day
    exited = in_scope & ~np.isnat(exit_) & (exit_ <= day)
    present = in_scope & ~exited
    if "scenario" in frame.columns:
        has_scenario = frame["scenario"].notna().to_numpy()
        if "scenario_date" in frame.columns:
            sdate = frame["scenario_date"].to_numpy(dtype="datetime64[us]")
            dated_ok = np.isnat(sdate) | (sdate <= day)
        else:
            dated_ok = np.ones(len(frame), dtype=bool)
        scenario_set = in_scope & has_scenario & dated_ok
    else:
        scenario_set = np.zeros(len(frame), dtype=bool)
    return pd.DataFrame(
        {
            "in_scope": in_scope,
            "not_yet_started": ~in_scope,
            "present": present,
            "exited": exited,
            "scenario_set": scenario_set,
        },
        index=frame.index,
    )


def _pilot_list(frame: pd.DataFrame, pilots: Iterable[str] | None) -> list[str]:
    """Pilots to report: the given ones, or the pilot table plus any pilot in the data."""
    if pilots is not None:
        return sorted({str(p).strip().lower() for p in pilots})
    observed = {str(p) for p in frame["pilot"].dropna().unique()}
    return sorted(set(pilot_codes()) | observed)


def _select(frame: pd.DataFrame, formal_only: bool, pilots: list[str]) -> pd.DataFrame:
    """Rows of the chosen pilots (and formal status only, if asked)."""
    keep = frame["pilot"].astype("string").isin(pilots).to_numpy(dtype=bool, na_value=False)
    if formal_only:
        keep = keep & frame["formal_status"].to_numpy(dtype=bool, na_value=False)
    return frame.loc[keep].reset_index(drop=True)


def classify_exits(codes: pd.Series, scheme: SchemeLike) -> pd.Series:
    """Classify exit-reason codes with a scheme; refuse codes the scheme leaves out.

    Parameters
    ----------
    codes
        Exit-reason codes of trajectories that have flowed out (no missing values).
    scheme
        Classification scheme (contract 3).

    Returns
    -------
    pandas.Series
        Class ids as strings, same index as ``codes``.

    Raises
    ------
    ConfigError
        A code is not mapped to a class by the scheme.
    """
    classes = scheme.classify(codes)
    unmapped = codes[classes.isna().to_numpy() & codes.notna().to_numpy()]
    if len(unmapped):
        found = ", ".join(sorted({str(c) for c in unmapped}))
        raise ConfigError(f"scheme {getattr(scheme, 'name', '?')!r} does not classify exit reason(s): {found}")
    return classes.astype("string")


def _measure_keys(scheme: SchemeLike | None) -> list[tuple[str, str]]:
    """(measure, category) pairs of :func:`to_figures`, in their fixed order."""
    keys: list[tuple[str, str]] = [
        ("persons", "all"),
        ("intake", "all"),
        ("intake", "formal"),
        ("intake", "informal"),
        ("occupancy", "persons"),
        ("outflow", "all"),
    ]
    class_ids = [str(c) for c in scheme.class_ids] if scheme is not None else []
    keys += [("outflow", c) for c in class_ids]
    for aggregate in ("departure_or_onward_migration", "other_non_durable"):
        if aggregate not in class_ids:
            keys.append(("outflow", aggregate))
    keys += [("outflow", code) for code in EXIT_REASON_CODES]
    keys += [("scenarios", "all")] + [("scenarios", s) for s in SCENARIO_CODES]
    return keys


def _counts(
    rows: pd.DataFrame, state: pd.DataFrame, classes: pd.Series | None, scheme: SchemeLike | None
) -> dict[tuple[str, str], int]:
    """All counts of :func:`to_figures` for one group of rows."""
    st = state.loc[rows.index]
    scope = st["in_scope"].to_numpy()
    exited = st["exited"].to_numpy()
    formal = rows["formal_status"].to_numpy(dtype=bool, na_value=False)
    informal = (~rows["formal_status"]).to_numpy(dtype=bool, na_value=False)
    reasons = rows["exit_reason"].astype("string")[exited]
    by_code = reasons.value_counts()
    out: dict[tuple[str, str], int] = {
        ("persons", "all"): int(rows["person_id"][scope].nunique()),
        ("intake", "all"): int(scope.sum()),
        ("intake", "formal"): int((scope & formal).sum()),
        ("intake", "informal"): int((scope & informal).sum()),
        ("occupancy", "persons"): int(st["present"].sum()),
        ("outflow", "all"): int(exited.sum()),
        ("outflow", "departure_or_onward_migration"): int(
            by_code.reindex(list(DEPARTURE_OR_ONWARD_MIGRATION), fill_value=0).sum()
        ),
        ("outflow", "other_non_durable"): int(by_code.reindex(list(OTHER_NON_DURABLE), fill_value=0).sum()),
    }
    for code in EXIT_REASON_CODES:
        out[("outflow", code)] = int(by_code.get(code, 0))
    if scheme is not None and classes is not None:
        per_class = classes.loc[rows.index[exited]].value_counts()
        for class_id in scheme.class_ids:
            out[("outflow", str(class_id))] = int(per_class.get(str(class_id), 0))
    scen = st["scenario_set"].to_numpy()
    out[("scenarios", "all")] = int(scen.sum())
    if "scenario" in rows.columns:
        values = rows["scenario"].astype("string")[scen].value_counts()
    else:
        values = pd.Series(dtype="int64")
    for code in SCENARIO_CODES:
        out[("scenarios", code)] = int(values.get(code, 0))
    return out


# --------------------------------------------------------------------------- public API


def to_figures(
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: SchemeLike | None = None,
    formal_only: bool = False,
    pilots: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Count the published measures from person-level data at a peildatum.

    Parameters
    ----------
    frame
        Typed monitor frame (contract 1).
    peildatum
        Reference date (inclusive), e.g. ``"2019-12-31"`` for Regioplan 2020
        (source ``001``), ``"2020-11-01"`` for the 2020 monitor (source ``002``).
    scheme
        Classification scheme; adds ``outflow/<class id>`` rows for each class.
    formal_only
        Keep only trajectories with ``formal_status`` True. The Regioplan
        national total of 1,019 and the 2020 monitor count formal status only
        (source ``001``, 'Instroom op gang'; source ``002``, 'Voortgang LVV's').
    pilots
        Pilots to report. Default: every pilot of the pilot table plus any
        other pilot found in the data. When given, rows of other pilots are
        left out of the ``total`` row too.

    Returns
    -------
    pandas.DataFrame
        Long format, columns ``pilot, measure, category, value`` (value: count
        of trajectories, or of distinct people for ``persons/all``). One row
        per pilot and measure, zeros included so the shape does not depend on
        the data, then the ``total`` rows. Measures, in order:
        ``persons/all``; ``intake/all|formal|informal``; ``occupancy/persons``
        (present at the peildatum); ``outflow/all``; ``outflow/<class id>``
        (with a scheme); ``outflow/departure_or_onward_migration``
        (independent_return + onward_migration + forced_return);
        ``outflow/other_non_durable`` (see :data:`OTHER_NON_DURABLE`; left
        out when the scheme has a class with that id, whose count is used);
        ``outflow/<exit code>`` for all 15 codes; ``scenarios/all|departure|
        residence`` (scenario set on or before the peildatum). Trajectories
        with intake after the peildatum are in no count (see :func:`flow`).

    Examples
    --------
    >>> from lvv_eval.reference.monitor_format import empty_monitor_frame
    >>> figs = to_figures(empty_monitor_frame(), "2019-12-31", pilots=["utrecht"])
    >>> figs.head(3).to_dict("records")[0]
    {'pilot': 'utrecht', 'measure': 'persons', 'category': 'all', 'value': 0}
    """
    check_frame(frame)
    pilot_list = _pilot_list(frame, pilots)
    if engine.supports(frame):
        counts = engine.pilot_counts(frame, as_peildatum(peildatum), formal_only, pilot_list)
        return _figures_frame(_counts_from_engine(counts, pilot_list, scheme), pilot_list, scheme)
    return _to_figures_pandas(frame, peildatum, scheme, formal_only, pilot_list)


def _to_figures_pandas(
    frame: pd.DataFrame, peildatum: DateLike, scheme: SchemeLike | None, formal_only: bool, pilot_list: list[str]
) -> pd.DataFrame:
    """:func:`to_figures` counted row by row in pandas (frames the engine does not take)."""
    rows = _select(frame, formal_only, pilot_list)
    state = state_at(rows, peildatum)
    classes = None
    if scheme is not None:
        exited_rows = rows.loc[state["exited"].to_numpy()]
        classes = classify_exits(exited_rows["exit_reason"].astype("string"), scheme)
    pilot_of = rows["pilot"].astype("string")
    per_label: dict[str, dict[tuple[str, str], int]] = {}
    for label in [*pilot_list, TOTAL]:
        group = rows if label == TOTAL else rows.loc[(pilot_of == label).to_numpy()]
        per_label[label] = _counts(group, state, classes, scheme)
    return _figures_frame(per_label, pilot_list, scheme)


def _class_of_codes(codes: Sequence[str], scheme: SchemeLike) -> dict[str, str]:
    """Class id of each exit code (the codes found among exited rows), via the scheme."""
    classes = classify_exits(pd.Series(list(codes), dtype="string"), scheme)
    return dict(zip(codes, classes.tolist()))


def _counts_from_engine(
    counts: engine.PilotCounts, pilot_list: list[str], scheme: SchemeLike | None
) -> dict[str, dict[tuple[str, str], int]]:
    """The counts of :func:`_counts` per label (pilots, then ``total``) from the engine."""
    exits = counts.exits
    found = [c for c in exits.columns if int(exits[c].sum()) > 0]
    class_of = _class_of_codes(found, scheme) if scheme is not None else {}
    out: dict[str, dict[tuple[str, str], int]] = {}
    for label in [*pilot_list, TOTAL]:
        if label == TOTAL:
            main, by_code, scen = counts.total, exits.sum(), counts.scenarios.sum()
        else:
            main, by_code, scen = (counts.main.loc[label], exits.loc[label], counts.scenarios.loc[label])
        code_n = {str(c): int(n) for c, n in by_code.items()}
        scen_n = {str(c): int(n) for c, n in scen.items()}
        values: dict[tuple[str, str], int] = {
            ("persons", "all"): int(main["persons"]),
            ("intake", "all"): int(main["intake"]),
            ("intake", "formal"): int(main["intake_formal"]),
            ("intake", "informal"): int(main["intake_informal"]),
            ("occupancy", "persons"): int(main["present"]),
            ("outflow", "all"): int(main["exited"]),
            ("outflow", "departure_or_onward_migration"): sum(code_n.get(c, 0) for c in DEPARTURE_OR_ONWARD_MIGRATION),
            ("outflow", "other_non_durable"): sum(code_n.get(c, 0) for c in OTHER_NON_DURABLE),
        }
        for code in EXIT_REASON_CODES:
            values[("outflow", code)] = code_n.get(code, 0)
        if scheme is not None:
            per_class: dict[str, int] = {}
            for code in found:
                per_class[class_of[code]] = per_class.get(class_of[code], 0) + code_n[code]
            for class_id in scheme.class_ids:
                values[("outflow", str(class_id))] = per_class.get(str(class_id), 0)
        values[("scenarios", "all")] = int(main["scenarios"])
        for code in SCENARIO_CODES:
            values[("scenarios", code)] = scen_n.get(code, 0)
        out[label] = values
    return out


def _figures_frame(
    per_label: dict[str, dict[tuple[str, str], int]], pilot_list: list[str], scheme: SchemeLike | None
) -> pd.DataFrame:
    """The long frame of :func:`to_figures` from the counts per label."""
    keys = _measure_keys(scheme)
    records: list[tuple[str, str, str, int]] = []
    for label in [*pilot_list, TOTAL]:
        counts = per_label[label]
        records += [(label, m, c, counts[(m, c)]) for m, c in keys]
    out = pd.DataFrame.from_records(records, columns=list(FIGURE_COLUMNS))
    out["value"] = out["value"].astype("int64")
    for column in ("pilot", "measure", "category"):
        out[column] = out[column].astype("str")
    return out


def readable_label(measure: str, category: str) -> str:
    """Column header of :func:`pilot_table` for a (measure, category) pair.

    Examples
    --------
    >>> readable_label("intake", "all"), readable_label("outflow", "durable")
    ('intake', 'outflow durable')
    >>> readable_label("occupancy", "persons")
    'present'
    """
    if (measure, category) == ("occupancy", "persons"):
        return "present"
    if (measure, category) == ("persons", "all"):
        return "persons"
    return measure if category == "all" else f"{measure} {category}"


def pilot_table(
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: SchemeLike | None = None,
    formal_only: bool = False,
    pilots: Iterable[str] | None = None,
    exit_codes: bool | None = None,
) -> pd.DataFrame:
    """Wide, readable version of :func:`to_figures`: one row per pilot plus ``total``.

    Parameters
    ----------
    frame, peildatum, scheme, formal_only, pilots
        As in :func:`to_figures`.
    exit_codes
        Include one column per exit code. Default: only when no scheme is
        given (with a scheme the class columns summarise the codes).

    Returns
    -------
    pandas.DataFrame
        Column ``pilot`` then one integer column per measure, headed as in
        :func:`readable_label` (e.g. ``intake``, ``intake formal``,
        ``present``, ``outflow durable``, ``scenarios departure``).
    """
    figures = to_figures(frame, peildatum, scheme=scheme, formal_only=formal_only, pilots=pilots)
    if exit_codes is None:
        exit_codes = scheme is None
    if not exit_codes:
        is_code = (figures["measure"] == "outflow") & figures["category"].isin(EXIT_REASON_CODES)
        figures = figures.loc[~is_code.to_numpy()]
    labels = [readable_label(m, c) for m, c in zip(figures["measure"], figures["category"])]
    figures = figures.assign(column=labels)
    column_order = list(dict.fromkeys(labels))
    pilot_order = list(dict.fromkeys(figures["pilot"]))
    wide = figures.pivot(index="pilot", columns="column", values="value")
    wide = wide.reindex(index=pilot_order, columns=column_order)
    wide.columns.name = None
    return wide.reset_index()


def compare_with_published(person_figures: pd.DataFrame, published_figures: pd.DataFrame) -> pd.DataFrame:
    """Put person-level counts next to published figures.

    Parameters
    ----------
    person_figures
        Output of :func:`to_figures`.
    published_figures
        Rows of ``data/published/figures.csv`` (e.g. from
        :func:`lvv_eval.sources.published.select` for one source and peildatum). Rows
        with a ``unit`` other than ``count`` are left out, because
        :func:`to_figures` only counts. Intake figures that count people
        (:data:`PERSON_COUNT_FIGURES`) are compared with ``persons/all``; the
        output keeps their published measure and category.

    Returns
    -------
    pandas.DataFrame
        One row per published count that has a person-level counterpart
        (inner merge on ``pilot, measure, category``): the key, the published
        figure's ``figure_id``/``source_id``/``peildatum`` when present,
        ``published``, ``person_level`` and ``difference`` = person_level -
        published. Sorted by pilot (``total`` last), measure, category.
    """
    keys = ["pilot", "measure", "category"]
    published = published_figures
    if "unit" in published.columns:
        published = published.loc[(published["unit"].astype("string") == "count").fillna(False).to_numpy(dtype=bool)]
    extra = [c for c in ("figure_id", "source_id", "peildatum") if c in published.columns]
    left = published[keys + extra + ["value"]].rename(columns={"value": "published"})
    for column in keys:
        left = left.assign(**{column: left[column].astype("str")})
    as_persons = np.zeros(len(left), dtype=bool)
    if "figure_id" in left.columns:
        as_persons = (
            left["figure_id"].astype("str").isin(PERSON_COUNT_FIGURES) & (left["measure"] == "intake")
        ).to_numpy()
    match = left.assign(
        _measure=np.where(as_persons, "persons", left["measure"]),
        _category=np.where(as_persons, "all", left["category"]),
    )
    right = person_figures[keys + ["value"]].rename(
        columns={"value": "person_level", "measure": "_measure", "category": "_category"}
    )
    merged = match.merge(right, on=["pilot", "_measure", "_category"], how="inner", validate="many_to_one").drop(
        columns=["_measure", "_category"]
    )
    merged["published"] = merged["published"].astype("float64")
    merged["person_level"] = merged["person_level"].astype("int64")
    merged["difference"] = merged["person_level"] - merged["published"]
    merged["_total_last"] = (merged["pilot"] == TOTAL).astype(int)
    merged = merged.sort_values(["_total_last", "pilot", "measure", "category", *extra], ignore_index=True).drop(
        columns="_total_last"
    )
    return merged[keys + extra + ["published", "person_level", "difference"]]


def flow(
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: SchemeLike | None = None,
    formal_only: bool = False,
    pilots: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Person-level flow at the peildatum: intake, of which exited and present.

    Parameters
    ----------
    frame, peildatum, scheme, formal_only, pilots
        As in :func:`to_figures`.

    Returns
    -------
    pandas.DataFrame
        Columns ``line`` (identifier), ``description``, one column per pilot
        and ``total``; counts of trajectories. Lines, in order:
        ``intake`` (intake on or before the peildatum); ``exited`` (of which
        flowed out on or before the peildatum); ``exited:<class id>`` for each
        class of the scheme, or ``exited:<exit code>`` for each code without a
        scheme; ``present`` (of which still present); ``not_yet_started``
        (intake after the peildatum: in no other line and in no count of
        :func:`to_figures`). ``intake`` = ``exited`` + ``present`` and
        ``exited`` = sum of the ``exited:`` lines.
    """
    check_frame(frame)
    day = as_peildatum(peildatum)
    pilot_list = _pilot_list(frame, pilots)
    if engine.supports(frame):
        columns = _flow_columns_engine(engine.pilot_counts(frame, day, formal_only, pilot_list), pilot_list, scheme)
        return _flow_frame(columns, day, scheme)
    return _flow_frame(_flow_columns_pandas(frame, day, scheme, formal_only, pilot_list), day, scheme)


def _flow_detail_ids(scheme: SchemeLike | None) -> list[str]:
    """Ids of the ``exited:`` lines of :func:`flow`: class ids, or exit codes without a scheme."""
    return [str(c) for c in scheme.class_ids] if scheme is not None else list(EXIT_REASON_CODES)


def _flow_columns_engine(
    counts: engine.PilotCounts, pilot_list: list[str], scheme: SchemeLike | None
) -> dict[str, list[int]]:
    """Values of each :func:`flow` column (pilots, then ``total``) from the engine's counts."""
    exits = counts.exits
    found = [c for c in exits.columns if int(exits[c].sum()) > 0]
    class_of = _class_of_codes(found, scheme) if scheme is not None else {c: c for c in found}
    detail_ids = _flow_detail_ids(scheme)
    columns: dict[str, list[int]] = {}
    for label in [*pilot_list, TOTAL]:
        main = counts.total if label == TOTAL else counts.main.loc[label]
        by_code = exits.sum() if label == TOTAL else exits.loc[label]
        in_group: dict[str, int] = {}
        for code in found:
            in_group[class_of[code]] = in_group.get(class_of[code], 0) + int(by_code[code])
        values = [int(main["intake"]), int(main["exited"])]
        values += [in_group.get(d, 0) for d in detail_ids]
        values += [int(main["present"]), int(main["not_yet_started"])]
        columns[label] = values
    return columns


def _flow_columns_pandas(
    frame: pd.DataFrame, day: pd.Timestamp, scheme: SchemeLike | None, formal_only: bool, pilot_list: list[str]
) -> dict[str, list[int]]:
    """Values of each :func:`flow` column counted row by row in pandas."""
    rows = _select(frame, formal_only, pilot_list)
    state = state_at(rows, day)
    exited_rows = rows.loc[state["exited"].to_numpy()]
    if scheme is not None:
        detail = classify_exits(exited_rows["exit_reason"].astype("string"), scheme)
    else:
        detail = exited_rows["exit_reason"].astype("string")
    detail_ids = _flow_detail_ids(scheme)
    pilot_of = rows["pilot"].astype("string")
    columns: dict[str, list[int]] = {}
    for label in [*pilot_list, TOTAL]:
        mask = np.ones(len(rows), dtype=bool) if label == TOTAL else (pilot_of == label).to_numpy()
        st = state.loc[mask]
        in_group = detail.loc[detail.index.isin(rows.index[mask])].value_counts()
        values = [int(st["in_scope"].sum()), int(st["exited"].sum())]
        values += [int(in_group.get(d, 0)) for d in detail_ids]
        values += [int(st["present"].sum()), int(st["not_yet_started"].sum())]
        columns[label] = values
    return columns


def _flow_frame(columns: dict[str, list[int]], day: pd.Timestamp, scheme: SchemeLike | None) -> pd.DataFrame:
    """The table of :func:`flow` from the values of each column."""
    detail_ids = _flow_detail_ids(scheme)
    what = "class" if scheme is not None else "exit reason"
    iso = day.date().isoformat()
    lines = ["intake", "exited", *[f"exited:{d}" for d in detail_ids], "present", "not_yet_started"]
    descriptions = [
        f"intake on or before {iso}",
        f"  of which flowed out on or before {iso}",
        *[f"    {what} {d}" for d in detail_ids],
        f"  of which present on {iso}",
        f"intake after {iso} (not yet started; not counted)",
    ]
    out = pd.DataFrame({"line": lines, "description": descriptions})
    for label, values in columns.items():
        out[label] = pd.Series(values, dtype="int64")
    return out


def stock_over_time(
    frame: pd.DataFrame,
    freq: str = "MS",
    start: DateLike | None = None,
    end: DateLike | None = None,
    by: str | None = "pilot",
) -> pd.DataFrame:
    """Number of trajectories present at each date of a regular grid.

    A trajectory is present on date ``d`` when ``intake_date <= d`` and
    (``exit_date`` is missing or ``exit_date > d``), the same rule as
    :func:`state_at`. Computed per group by sorting intake and exit dates and
    counting with :func:`numpy.searchsorted` (no loop over rows), so a
    million trajectories take well under a second.

    Parameters
    ----------
    frame
        Typed monitor frame.
    freq
        pandas frequency of the grid; ``"MS"`` = first day of each month.
    start, end
        First and last date of the grid. Default: the first grid date on or
        after the month start of the earliest intake, up to the latest intake
        or exit date. The grid holds the ``freq`` dates within ``[start,
        end]``; when none falls inside (e.g. ``start = end = 2020-11-15``
        with ``"MS"``), the grid is the single date ``start``, so a one-day
        window always gives the stock on that day.
    by
        Column to group by (``None``: total only).

    Returns
    -------
    pandas.DataFrame
        Long format: ``date``, the ``by`` column (group labels as text, a
        ``total`` group last on each date) and ``present`` (count). Sorted by
        date, then group.
    """
    check_frame(frame)
    intake_all = frame["intake_date"].to_numpy(dtype="datetime64[us]")
    exit_all = frame["exit_date"].to_numpy(dtype="datetime64[us]")
    if start is None:
        if len(frame) == 0:
            raise ConfigError("stock_over_time needs a start date for an empty frame")
        start_day = pd.Timestamp(np.nanmin(intake_all)).to_period("M").to_timestamp()
    else:
        start_day = as_peildatum(start)
    if end is None:
        if len(frame) == 0:
            raise ConfigError("stock_over_time needs an end date for an empty frame")
        candidates = np.concatenate([intake_all, exit_all[~np.isnat(exit_all)]])
        end_day = pd.Timestamp(candidates.max())
    else:
        end_day = as_peildatum(end)
    grid = pd.date_range(start_day, end_day, freq=freq).as_unit("us")
    if len(grid) == 0 and start_day <= end_day:
        grid = pd.DatetimeIndex([start_day]).as_unit("us")
    grid_values = grid.to_numpy()
    group_column = by if by is not None else "group"
    if by is None:
        labels = np.full(len(frame), TOTAL, dtype=object)
        groups: list[str] = []
    else:
        labels = frame[by].astype("string").fillna("<NA>").to_numpy(dtype=object)
        groups = sorted(set(labels))
    pieces = []
    for label in [*groups, TOTAL]:
        mask = np.ones(len(frame), dtype=bool) if label == TOTAL else labels == label
        intakes = np.sort(intake_all[mask])
        exits = exit_all[mask]
        exits = np.sort(exits[~np.isnat(exits)])
        present = np.searchsorted(intakes, grid_values, side="right") - np.searchsorted(
            exits, grid_values, side="right"
        )
        pieces.append(pd.DataFrame({"date": grid, group_column: label, "present": present.astype("int64")}))
    out = pd.concat(pieces, ignore_index=True)
    order = {label: i for i, label in enumerate([*groups, TOTAL])}
    out["_order"] = out[group_column].map(order)
    out = out.sort_values(["date", "_order"], kind="stable", ignore_index=True)
    out[group_column] = out[group_column].astype("str")
    return out.drop(columns="_order")
