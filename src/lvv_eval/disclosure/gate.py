"""One disclosure gate per report: every person-level table passes through it.

A :class:`Gate` checks the person-level (or synthetic) tables of one report
*together*, so that a count suppressed in one table is not printed in another
(the same people counted in a sibling table, a denominator, a margin), and
releases them as :class:`~lvv_eval.disclosure.checked.CheckedTable`, the only
form the report writer accepts for such data.

Rules (threshold ``t``, default 10; see ``docs/methods.md``):

Primary
    Every count ``1 <= n < t`` in a count column is suppressed: numerators,
    denominators, numbers at risk, events, censored, class counts alike.
Complement
    In a rate row, ``denominator - numerator`` of ``1 .. t-1`` is a small
    count too: the numerator is suppressed.
Margins
    A table with a total row and/or total column goes through
    :func:`lvv_eval.disclosure.suppression.primary.suppress` (secondary suppression on
    the row and column equations), with the cells already suppressed passed
    as hidden.
Groups
    Rows that are classes of one shared denominator (class shares of a
    pilot): a single hidden class that the others give back by subtraction
    gets a second one hidden (:func:`lvv_eval.disclosure.suppression.derived.secondary_in_group`).
Versions
    The same count under several versions (schemes): no two visible versions
    may differ by ``1 .. t-1`` (:func:`lvv_eval.disclosure.suppression.linked.suppress_differences_between`).
Linked tables
    A count suppressed in any table of the report is suppressed in every
    other cell of the report that is the same count of the same people, and
    so is ``denominator - numerator`` of a suppressed numerator. Which cells
    those are follows the tables' declarations: a count column registered
    with a declared identity (``measures``, ``measure_by``, ``population``:
    what is counted, of which population) is linked only to cells with the
    same identity and key; a cell without a declared identity (on either
    side) is linked, as a safe default, wherever the same key (pilot, group)
    shows the same number. A cell hidden once stays hidden under the rule
    that first hid it (its own earlier suppression is not recorded as a
    link to another table). Rules are repeated until nothing changes; tables registered earlier are
    re-checked, and a released table that would have to change raises
    :class:`~lvv_eval.errors.DisclosureConflictError` (register first,
    release later).
Derived numbers
    Shares, intervals, medians, differences resting on a suppressed count
    are suppressed with it (``derived``); sentences take checked values only.
Alternative release
    Where the rows of the national total would be blank, ``fallback="round5"``
    releases those rows with counts rounded to base 5 and the share computed
    from the rounded counts (intervals stay suppressed); the choice is
    recorded.
Published figures
    :meth:`Gate.exempt` passes published figures (and numbers derived only
    from them) untouched and says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lvv_eval.disclosure.checked import (
    CHECKED_KINDS,
    SUPPRESSION_MARK,
    CheckedFigure,
    CheckedTable,
    CheckedText,
    CheckedValue,
)
from lvv_eval.disclosure.suppression import (
    DEFAULT_THRESHOLD,
    EXEMPT_NOTE,
    secondary_in_group,
    suppress,
    suppress_differences_between,
)
from lvv_eval.errors import ConfigError, DisclosureConflictError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["Gate", "TableSpec", "RATE_DERIVED", "UNDECLARED", "UndeclaredCountWarning", "round_base"]

RATE_DERIVED: tuple[str, ...] = ("estimate", "ci_low", "ci_high", "sim_ci_low", "sim_ci_high")
"""Columns of a rate table that rest on its numerator and denominator."""

LINKED_RULE = "secondary: the same count is suppressed in another table of this report"

UNDECLARED: tuple[str, ...] = ("ignore", "warn", "error")
"""What a gate does with a column that looks like a count but is not declared (see :meth:`Gate.register`)."""


class UndeclaredCountWarning(UserWarning):
    """A registered table has a column of whole numbers that is declared neither a count nor not a count."""


Identity = tuple[str, str, str]
"""Declared identity of a count cell: (population, key, measure)."""

Source = tuple[str, int, int, str]
"""Where a suppressed count was learned: (output, row, count column index, ``cell`` or ``complement``)."""
ROUNDED_NOTE = "released at national level with counts rounded to base 5"


def round_base(x: float, base: int = 5) -> int:
    """Round half up to a multiple of ``base``.

    Examples
    --------
    >>> [round_base(v) for v in (102, 103, 107.5, 0)]
    [100, 105, 110, 0]
    """
    return int(np.floor(float(x) / base + 0.5) * base)


@dataclass
class TableSpec:
    """How one table is checked (see :meth:`Gate.register`)."""

    counts: tuple[str, ...]
    key: tuple[str, ...] = ("pilot",)
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)
    margins: dict[str, str] | None = None
    rates: bool = False
    group: tuple[str, ...] | None = None
    versions: str | None = None
    version_key: tuple[str, ...] = ()
    protect: tuple[str, ...] = ()
    fallback: str | None = None
    fallback_key: str = "total"
    caption: str = ""
    measures: dict[str, str] = field(default_factory=dict)
    measure_by: tuple[str, ...] = ()
    population: str = ""


def _looks_like_counts(values: pd.Series) -> bool:
    """Numeric (not Boolean), every shown value a whole number, at least one of them 1 or more."""
    if values.dtype == bool or not pd.api.types.is_numeric_dtype(values):
        return False
    shown = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(len(shown)) and bool(np.all(np.mod(shown, 1) == 0)) and bool((shown >= 1).any())


def _as_tuple(x: str | Sequence[str] | None) -> tuple[str, ...]:
    if x is None:
        return ()
    return (x,) if isinstance(x, str) else tuple(x)


class Gate:
    """The disclosure gate of one report.

    Parameters
    ----------
    threshold
        Smallest count shown (default 10).
    kind
        ``"person-level"`` or ``"synthetic"``: what the checked tables are.
    report
        Report id (recorded).
    aliases
        Key value -> key value counted over the same people, e.g. a design
        group that consists of a single pilot (``{"parallel_bbb=yes": "eindhoven"}``):
        the linked-table rule then treats both names as one.
    undeclared_counts
        ``"warn"`` (default), ``"error"`` or ``"ignore"``: what :meth:`register`
        does with a numeric column of whole numbers that is declared neither a
        count (``counts``), nor derived (``derived``), nor not a count
        (``not_counts``), nor a key or label column: such a column passes the
        gate unchecked, so a count in it would be released as it is.

    Examples
    --------
    >>> g = Gate(10, kind="synthetic")
    >>> los = pd.DataFrame({"pilot": ["a", "b", "total"], "n": [40, 50, 90], "n_events": [3, 20, 23]})
    >>> rates = pd.DataFrame({"pilot": ["a", "b"], "numerator": [1, 5], "denominator": [3, 20],
    ...                       "estimate": [1 / 3, 0.25]})
    >>> g.register("los", los, counts=["n", "n_events"], margins={"total_row": "total"})
    >>> g.check("rates", rates, counts=["numerator", "denominator"], rates=True).frame["denominator"].tolist()
    [<NA>, <NA>]
    """

    def __init__(
        self,
        threshold: int = DEFAULT_THRESHOLD,
        *,
        kind: str = "person-level",
        report: str = "",
        aliases: Mapping[str, str] | None = None,
        undeclared_counts: str = "warn",
    ) -> None:
        if undeclared_counts not in UNDECLARED:
            raise ConfigError(f"undeclared_counts must be one of {UNDECLARED}, got {undeclared_counts!r}")
        self.undeclared_counts = undeclared_counts
        if int(threshold) < 1:
            raise ConfigError(f"threshold must be at least 1, got {threshold!r}")
        if kind not in CHECKED_KINDS:
            raise ConfigError(f"a gate checks {' or '.join(CHECKED_KINDS)} output, not {kind!r}")
        self.threshold = int(threshold)
        self.kind = kind
        self.report = report
        self.aliases = {str(k): str(v) for k, v in (aliases or {}).items()}
        self._raw: dict[str, pd.DataFrame] = {}
        self._upstream: dict[str, pd.DataFrame] = {}
        self._upstream_rules: dict[str, pd.DataFrame] = {}
        self._specs: dict[str, TableSpec] = {}
        self._checked: dict[str, CheckedTable] = {}
        self._released: dict[str, CheckedTable] = {}
        self._exempt: dict[str, CheckedTable] = {}
        self._hidden: dict[tuple[str, float], set[tuple[Identity | None, Source]]] = {}
        self._first_rule: dict[Source, str] = {}
        self._texts: list[CheckedText] = []

    # ------------------------------------------------------------------ public
    def alias(self, name: str, same_as: str) -> None:
        """Declare that key ``name`` counts the same people as key ``same_as``."""
        self.aliases[str(name)] = str(same_as)

    def exempt(self, name: str, frame: pd.DataFrame, *, kind: str = "published", caption: str = "") -> CheckedTable:
        """Pass published figures (or numbers derived only from them) untouched, marked exempt."""
        if kind not in ("published", "derived"):
            raise ConfigError(f"only published or derived output is exempt, not {kind!r}")
        mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
        table = CheckedTable(
            name, frame.copy(), mask, mask.replace({False: ""}), kind, (EXEMPT_NOTE,), None, "", caption, EXEMPT_NOTE
        )
        self._exempt[name] = table
        return table

    def register(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        counts: Sequence[str],
        key: str | Sequence[str] | None = "pilot",
        derived: Mapping[str, Sequence[str]] | None = None,
        margins: Mapping[str, str] | None = None,
        rates: bool = False,
        group: str | Sequence[str] | None = None,
        versions: str | None = None,
        version_key: Sequence[str] = (),
        protect: Sequence[str] = (),
        fallback: str | None = None,
        caption: str = "",
        upstream: pd.DataFrame | None = None,
        upstream_rules: pd.DataFrame | None = None,
        measures: Mapping[str, str] | None = None,
        measure_by: str | Sequence[str] = (),
        population: str = "",
        not_counts: Sequence[str] = (),
    ) -> None:
        """Add a person-level table to the report without releasing it yet.

        Parameters
        ----------
        name
            Output id (table file stem).
        frame
            The raw table.
        counts
            Columns holding counts of persons (trajectories). Every one is
            checked: numerators, denominators and numbers at risk alike.
        key
            Column(s) naming the group of people a row describes (pilot,
            design group); ``None`` for a table of one group.
        derived
            Column -> the count columns it rests on (``("*",)``: every count of
            the row); suppressed with them. Rate tables (``rates=True``) get
            :data:`RATE_DERIVED` on numerator and denominator by default.
        margins
            ``{"total_row": label, "total_col": column}`` for tables whose
            counts add up (secondary suppression on the equations).
        rates
            Rows are rates with ``numerator`` and ``denominator``.
        group
            Column(s) naming rows that are classes of one denominator.
        versions, version_key, protect
            Column naming versions of the same count (e.g. ``scheme``), the
            other columns identifying the count, versions never hidden.
        fallback
            ``"round5"``: release the national total in rounded form when it
            would be blank.
        upstream
            The same table after a table-specific suppression (same rows and
            columns, hidden cells missing): its hidden cells stay hidden, and
            ``frame`` supplies their values to the linked-table rule.
        upstream_rules
            Why ``upstream`` hides each cell: same rows, a rule text per hidden count cell (other
            cells empty), recorded as the cell's rule instead of the generic one (a
            ``suppression_rule`` column of ``upstream`` gives one rule per row).
        measures, measure_by, population
            Declared identity of the counts, for the linked-table rule: per
            count column the name of what it counts, in the report's shared
            vocabulary (``{"denominator": "outflow", "numerator": "outflow_class"}``),
            completed per row by the values of the ``measure_by`` columns
            (``("category",)`` -> ``outflow_class[category=durable]``), and
            the population counted (scheme, peildatum, formal-only; ``""`` =
            the report's default). A declared count is linked only to counts
            of other tables declared the same (same population, key and
            measure) and to undeclared counts of equal value; two declared
            counts that are equal by coincidence are not linked. A declaration
            is a promise: two columns holding the same people must be declared
            with the same name, or the rule cannot link them.
        not_counts
            Numeric columns that are not counts of persons (horizons,
            durations, capacities, published figures): declared so, they pass
            unchecked without a warning (see ``undeclared_counts``).
        """
        if name in self._released:
            raise ConfigError(f"output {name!r} was already released by this gate")
        absent = [c for c in counts if c not in frame.columns]
        if absent:
            raise ConfigError(f"{name}: count column(s) {absent} not in the table")
        undeclared = [c for c in (measures or {}) if c not in counts]
        if undeclared:
            raise ConfigError(f"{name}: measures declared for {undeclared}, which are not count columns")
        missing = [c for c in _as_tuple(measure_by) if c not in frame.columns]
        if missing:
            raise ConfigError(f"{name}: measure_by column(s) {missing} not in the table")
        der = {k: tuple(v) for k, v in (derived or {}).items()}
        if rates:
            for col in RATE_DERIVED:
                if col in frame.columns:
                    der.setdefault(col, ("numerator", "denominator"))
        declared = {
            *counts,
            *der,
            *not_counts,
            *_as_tuple(key),
            *_as_tuple(group),
            *_as_tuple(measure_by),
            *version_key,
            *([versions] if versions else []),
        }
        self._undeclared(name, frame, declared)
        self._raw[name] = frame.reset_index(drop=True).copy()
        if upstream is not None:
            if len(upstream) != len(frame):
                raise ConfigError(f"{name}: upstream table has {len(upstream)} rows, the raw one {len(frame)}")
            self._upstream[name] = upstream.reset_index(drop=True).copy()
        if upstream_rules is not None:
            if len(upstream_rules) != len(frame):
                raise ConfigError(f"{name}: upstream rules have {len(upstream_rules)} rows, the raw table {len(frame)}")
            self._upstream_rules[name] = upstream_rules.reset_index(drop=True).copy()
        self._specs[name] = TableSpec(
            tuple(counts),
            _as_tuple(key),
            der,
            dict(margins) if margins else None,
            rates,
            _as_tuple(group) or None,
            versions,
            tuple(version_key),
            tuple(protect),
            fallback,
            caption=caption,
            measures=dict(measures or {}),
            measure_by=_as_tuple(measure_by),
            population=str(population),
        )
        self._settle()

    def _undeclared(self, name: str, frame: pd.DataFrame, declared: set[str]) -> None:
        """Warn about (or refuse) numeric columns of whole numbers that nobody declared."""
        if self.undeclared_counts == "ignore":
            return
        suspects = [str(c) for c in frame.columns if str(c) not in declared and _looks_like_counts(frame[c])]
        if not suspects:
            return
        message = (
            f"{name.split('#')[0]}: column(s) {suspects} hold whole numbers but are declared neither counts (counts=), "
            "derived (derived=) nor not counts (not_counts=); a count of persons there would pass the gate unchecked"
        )
        if self.undeclared_counts == "error":
            raise ConfigError(message)
        warnings.warn(message, UndeclaredCountWarning, stacklevel=3)

    def check(self, name: str, frame: pd.DataFrame | None = None, **spec: Any) -> CheckedTable:
        """Register ``frame`` (when given) and release the checked table ``name``."""
        if frame is not None:
            self.register(name, frame, **spec)
        if name not in self._checked:
            raise ConfigError(f"output {name!r} is not registered with the gate")
        table = self._checked[name]
        self._released[name] = table
        return table

    def release(self, name: str) -> CheckedTable:
        """Release a table registered earlier."""
        return self.check(name)

    def registered(self, name: str) -> bool:
        """Whether a table ``name`` was registered with this gate (released or not)."""
        return name in self._raw

    def text(self, template: str, **values: object) -> CheckedText:
        """A sentence from checked values (see :meth:`CheckedText.compose`)."""
        text = CheckedText.compose(template, self.kind, **values)
        self._texts.append(text)
        return text

    def figure(self, name: str, data: CheckedTable, draw: Callable[[pd.DataFrame], Figure]) -> CheckedFigure:
        """Draw a figure from the released frame of ``data`` (suppressed values are missing there)."""
        if not isinstance(data, CheckedTable):
            raise ConfigError(f"figure {name!r}: draw from a CheckedTable")
        return CheckedFigure(name, draw(data.frame.copy()), data)

    @property
    def released(self) -> dict[str, CheckedTable]:
        """Released tables by output id (exempt ones included)."""
        return {**self._exempt, **self._released}

    def record(self) -> pd.DataFrame:
        """One row per output: ``output, kind, rules, threshold, cells_suppressed, choice``."""
        rows = [
            {
                "output": t.output_id,
                "kind": t.kind,
                "rules": "; ".join(t.rules),
                "threshold": t.threshold if t.threshold is not None else "",
                "cells_suppressed": t.n_suppressed,
                "choice": t.choice,
            }
            for t in self.released.values()
        ]
        return pd.DataFrame(rows, columns=["output", "kind", "rules", "threshold", "cells_suppressed", "choice"])

    def cells(self) -> pd.DataFrame:
        """Every suppressed cell of the released tables, with its rule (never the value)."""
        parts = [t.report() for t in self._released.values()]
        parts = [p for p in parts if len(p)]
        return (
            pd.concat(parts, ignore_index=True)
            if parts
            else pd.DataFrame(columns=["output", "cell", "row", "column", "rule"])
        )

    def explanation(self, lang: str = "nl") -> str:
        """The one-line explanation of the suppression mark, shown once per report."""
        if lang == "en":
            return (
                f"'{SUPPRESSION_MARK}' = suppressed: a count of persons below {self.threshold}, or a number "
                "from which such a count could be derived (in this or another table of this report). "
                "Published figures are exempt."
            )
        return (
            f"'{SUPPRESSION_MARK}' = onderdrukt: een aantal personen kleiner dan {self.threshold}, of een "
            "getal waaruit zo'n aantal is af te leiden (in deze of een andere tabel van dit rapport). "
            "Gepubliceerde cijfers zijn uitgezonderd."
        )

    # ------------------------------------------------------------------ core
    def _key_of(self, frame: pd.DataFrame, spec: TableSpec) -> list[str]:
        if not spec.key:
            return [""] * len(frame)
        if frame.empty:  # agg over no rows gives a frame, not a series
            return []
        keys = frame[list(spec.key)].astype(str).agg("|".join, axis=1).tolist()
        return [self.aliases.get(k, k) for k in keys]

    def _settle(self) -> None:
        """Re-check every table until no linked suppression changes anything."""
        for _ in range(50):
            before = {k: set(v) for k, v in self._hidden.items()}
            for name in self._raw:
                self._checked[name] = self._check_one(name)
            if self._hidden == before:
                break
        for name, released in self._released.items():
            now = self._checked[name]
            if not now.mask.equals(released.mask):
                diff = now.report().merge(released.report(), how="left", on=["cell", "column"], indicator=True)
                cells = diff.loc[diff["_merge"] == "left_only", "cell"].tolist()
                raise DisclosureConflictError(
                    f"output {name!r} was released, but a table registered later requires suppressing its "
                    f"cell(s) {cells}; register every table of the report before releasing any"
                )

    def _check_one(self, name: str) -> CheckedTable:
        frame, spec, t = self._raw[name], self._specs[name], self.threshold
        counts = list(spec.counts)
        values = (
            np.column_stack(
                [pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan) for c in counts]
            )
            if counts
            else np.zeros((len(frame), 0))
        )
        keys = self._key_of(frame, spec)
        ids = self._identities(name, frame, spec, keys)
        n, m = values.shape
        hidden = np.zeros((n, m), dtype=bool)
        reason = np.full((n, m), "", dtype=object)

        def hide(i: int, j: int, rule: str) -> bool:
            if hidden[i, j]:
                return False
            hidden[i, j] = True
            reason[i, j] = rule
            return True

        col = {c: j for j, c in enumerate(counts)}
        up = self._upstream.get(name)
        if up is not None:
            rule_col = up["suppression_rule"].astype(str) if "suppression_rule" in up.columns else None
            cell_rules = self._upstream_rules.get(name)
            for j, c in enumerate(counts):
                gone = up[c].isna().to_numpy() & ~np.isnan(values[:, j])
                for g in np.flatnonzero(gone):
                    text = rule_col.iloc[g] if rule_col is not None and rule_col.iloc[g] not in ("", "nan") else ""
                    if cell_rules is not None and c in cell_rules.columns:
                        own = cell_rules[c].iloc[g]
                        text = str(own) if isinstance(own, str) and own else text
                    hide(int(g), j, text or "secondary: suppressed by the table's own linked-cell rule")
        for _ in range(50 if n else 0):  # a table without rows has nothing to hide
            changed = False
            for i in range(n):
                for j in range(m):
                    v = values[i, j]
                    if np.isnan(v) or hidden[i, j]:
                        continue
                    if 1 <= v < t:
                        changed |= hide(i, j, f"primary: n < {t}")
                    elif v >= 1 and (link := self._link(keys[i], float(v), ids[i][j], (name, i, j, "cell"))):
                        changed |= hide(i, j, link)
            if spec.rates and "numerator" in col and "denominator" in col:
                jn, jd = col["numerator"], col["denominator"]
                for i in range(n):
                    rest = values[i, jd] - values[i, jn]
                    if not hidden[i, jn] and not hidden[i, jd] and 1 <= rest < t:
                        changed |= hide(i, jn, f"primary: denominator - numerator < {t}")
                    if hidden[i, jd] and not hidden[i, jn] and values[i, jn] > 0:
                        changed |= hide(i, jn, "secondary: its denominator is suppressed")
                if spec.group:
                    changed |= self._groups(frame, spec, values, hidden, hide, jn, jd)
            if spec.margins:
                changed |= self._margins(frame, spec, values, hidden, hide, keys)
            if spec.versions and "numerator" in col:
                changed |= self._versions(frame, spec, values, hidden, hide, col["numerator"])
            if not changed:
                break
        self._learn(name, keys, ids, values, hidden, reason, spec, col)
        return self._release_frame(name, frame, spec, values, hidden, reason, keys)

    def _identities(
        self, name: str, frame: pd.DataFrame, spec: TableSpec, keys: list[str]
    ) -> list[list[Identity | None]]:
        """Declared identity of every count cell (``None`` where the table declares none)."""
        out: list[list[Identity | None]] = []
        labels = (
            frame[list(spec.measure_by)].astype(str).agg(lambda r: ",".join(f"{c}={v}" for c, v in r.items()), axis=1)
            if spec.measure_by and len(frame)
            else pd.Series("", index=frame.index)
        ).tolist()
        for i in range(len(frame)):
            row: list[Identity | None] = []
            for c in spec.counts:
                measure = spec.measures.get(c)
                row.append(
                    None
                    if measure is None
                    else (spec.population, keys[i], f"{measure}[{labels[i]}]" if labels[i] else measure)
                )
            out.append(row)
        return out

    def _link(self, key: str, value: float, identity: Identity | None, source: Source) -> str | None:
        """The rule that keeps this cell hidden because of a suppressed count, or ``None``.

        A suppressed count elsewhere is this cell's count when their declared identities
        agree, or (either undeclared) when the values agree. A cell that is hidden already
        stays hidden (rules are repeated until stable, and what was hidden stays hidden),
        under the rule that first hid it: its own earlier suppression is no link to another
        table.
        """
        own = False
        for other, where in self._hidden.get((key, value), ()):
            if where == source:
                own = True
            elif identity is None or other is None or other == identity:
                return LINKED_RULE
        return self._first_rule.get(source, LINKED_RULE) if own else None

    def _learn(
        self,
        name: str,
        keys: list[str],
        ids: list[list[Identity | None]],
        values: np.ndarray,
        hidden: np.ndarray,
        reason: np.ndarray,
        spec: TableSpec,
        col: dict[str, int],
    ) -> None:
        for i, j in np.argwhere(hidden):
            v = values[i, j]
            if not np.isnan(v) and v >= 1:
                source: Source = (name, int(i), int(j), "cell")
                self._first_rule.setdefault(source, str(reason[i, j]))
                self._hidden.setdefault((keys[i], float(v)), set()).add((ids[i][j], source))
        if spec.rates and "numerator" in col and "denominator" in col:
            jn, jd = col["numerator"], col["denominator"]
            for i in range(len(keys)):
                if hidden[i, jn] and not hidden[i, jd]:
                    rest = values[i, jd] - values[i, jn]
                    if rest >= 1:
                        # the complement has no declared identity: it is linked by its value
                        entry = (None, (name, int(i), int(jn), "complement"))
                        self._hidden.setdefault((keys[i], float(rest)), set()).add(entry)

    def _groups(
        self,
        frame: pd.DataFrame,
        spec: TableSpec,
        values: np.ndarray,
        hidden: np.ndarray,
        hide: Callable[[int, int, str], bool],
        jn: int,
        jd: int,
    ) -> bool:
        changed = False
        ids = frame[list(spec.group or ())].astype(str).agg("|".join, axis=1).to_numpy()
        den = np.nan_to_num(values[:, jd], nan=-1.0)
        for g in dict.fromkeys(zip(ids, den)):
            pos = np.flatnonzero((ids == g[0]) & (den == g[1]))
            if g[1] < 0 or len(pos) < 2:
                continue
            new, den_hidden, texts = secondary_in_group(
                np.nan_to_num(values[pos, jn]), float(g[1]), hidden[pos, jn], self.threshold, True
            )
            for k, i in enumerate(pos):
                if new[k] and not hidden[i, jn]:
                    changed |= hide(int(i), jn, texts[k] or "secondary: protects a suppressed class of its group")
                if den_hidden:
                    changed |= hide(int(i), jd, "secondary: denominator of its group suppressed")
        return changed

    def _margins(
        self,
        frame: pd.DataFrame,
        spec: TableSpec,
        values: np.ndarray,
        hidden: np.ndarray,
        hide: Callable[[int, int, str], bool],
        keys: list[str],
    ) -> bool:
        assert spec.margins is not None
        counts = list(spec.counts)
        groups = (
            frame[list(spec.version_key)].astype(str).agg("|".join, axis=1).to_numpy()
            if spec.version_key
            else np.full(len(frame), "")
        )
        if spec.versions:
            groups = np.char.add(groups.astype(str), frame[spec.versions].astype(str).to_numpy().astype(str))
        changed = False
        labels = (
            frame[list(spec.key)].astype(str).agg("|".join, axis=1).tolist()
            if spec.key
            else [str(i) for i in range(len(frame))]
        )
        for g in dict.fromkeys(groups):
            pos = np.flatnonzero(groups == g)
            use = [c for c in counts if c == spec.margins.get("total_col") or c in counts]
            sub = pd.DataFrame(
                {
                    c: pd.array(
                        np.where(hidden[pos, counts.index(c)], np.nan, values[pos, counts.index(c)]), dtype="Float64"
                    )
                    for c in use
                },
                index=[labels[i] for i in pos],
            )
            if sub.index.duplicated().any():
                continue
            margins = {
                k: v
                for k, v in spec.margins.items()
                if (k == "total_row" and v in sub.index and len(sub) > 1) or k == "total_col"
            }
            if not margins:
                continue
            res = suppress(sub, use, threshold=self.threshold, margins=margins, missing="hidden")
            for rr in res.report.itertuples():
                if str(rr.rule).startswith("missing in the input"):
                    continue
                i = int(pos[list(sub.index).index(str(rr.row))])
                changed |= hide(i, counts.index(str(rr.column)), str(rr.rule))
        return changed

    def _versions(
        self,
        frame: pd.DataFrame,
        spec: TableSpec,
        values: np.ndarray,
        hidden: np.ndarray,
        hide: Callable[[int, int, str], bool],
        jn: int,
    ) -> bool:
        assert spec.versions is not None
        work = frame[[*spec.key, *spec.version_key, spec.versions]].copy()
        work["_n"] = pd.array(np.where(hidden[:, jn], np.nan, values[:, jn]), dtype="Float64")
        res = suppress_differences_between(
            work,
            key_cols=[*spec.key, *spec.version_key],
            version_col=spec.versions,
            count_col="_n",
            threshold=self.threshold,
            protect=list(spec.protect),
        )
        changed = False
        for i in np.flatnonzero(res.mask.to_numpy(dtype=bool)):
            changed |= hide(int(i), jn, f"secondary: difference between {spec.versions}s < {self.threshold}")
        return changed

    def _release_frame(
        self,
        name: str,
        frame: pd.DataFrame,
        spec: TableSpec,
        values: np.ndarray,
        hidden: np.ndarray,
        reason: np.ndarray,
        keys: list[str],
    ) -> CheckedTable:
        counts = list(spec.counts)
        up = self._upstream.get(name)
        out = (up if up is not None else frame).copy()
        mask = pd.DataFrame(False, index=out.index, columns=out.columns)
        reasons = pd.DataFrame("", index=out.index, columns=out.columns, dtype=object)
        for j, c in enumerate(counts):
            whole = np.all(np.mod(values[~np.isnan(values[:, j]), j], 1) == 0)
            arr = pd.array(values[:, j], dtype="Float64")
            arr[hidden[:, j]] = pd.NA
            out[c] = arr.astype("Int64") if whole else arr
            mask[c] = hidden[:, j]
            reasons[c] = np.where(hidden[:, j], reason[:, j], "")
        for dcol, bases in spec.derived.items():
            if dcol not in out.columns:
                continue
            idx = [counts.index(b) for b in (counts if bases == ("*",) else bases) if b in counts]
            row_hidden = hidden[:, idx].any(axis=1) if idx else np.zeros(len(out), dtype=bool)
            if pd.api.types.is_integer_dtype(out[dcol]) and not isinstance(
                out[dcol].dtype, pd.api.extensions.ExtensionDtype
            ):
                out[dcol] = out[dcol].astype("Int64")
            if up is not None and dcol in frame.columns:
                row_hidden = row_hidden | (up[dcol].isna().to_numpy() & frame[dcol].notna().to_numpy())
            out[dcol] = out[dcol].mask(row_hidden)
            mask[dcol] = row_hidden
            reasons[dcol] = np.where(row_hidden, "derived: rests on a suppressed count", "")
        rules = sorted({r for r in reasons.to_numpy().ravel() if r})
        choice = ""
        if spec.fallback == "round5":
            out, mask, reasons, choice = self._round_total(out, mask, reasons, frame, spec, keys)
        for col in ("suppressed",):
            if col in out.columns:
                out[col] = mask[[c for c in counts if c in mask.columns]].any(axis=1).to_numpy()
        if "suppression_rule" in out.columns:
            out["suppression_rule"] = [next((r for r in reasons.iloc[i] if r), "") for i in range(len(out))]
        return CheckedTable(name, out, mask, reasons, self.kind, tuple(rules), self.threshold, choice, spec.caption)

    def _round_total(
        self,
        out: pd.DataFrame,
        mask: pd.DataFrame,
        reasons: pd.DataFrame,
        frame: pd.DataFrame,
        spec: TableSpec,
        keys: list[str],
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
        t = self.threshold
        raw_num = pd.to_numeric(frame["numerator"]).to_numpy(dtype=float)
        raw_den = pd.to_numeric(frame["denominator"]).to_numpy(dtype=float)
        rows = [
            i
            for i, k in enumerate(keys)
            if k.split("|")[0] == spec.fallback_key
            and "estimate" in mask.columns
            and bool(mask["estimate"].iloc[i])
            and raw_num[i] >= t
            and raw_den[i] - raw_num[i] >= t
        ]  # rounding protects only large counts
        if rows and spec.versions:
            # every version of a rounded total is rounded too: an exact version beside a rounded one
            # would narrow their difference (a small count) down again
            def version_group(i: int) -> tuple[object, ...]:
                return tuple(frame[c].iloc[i] for c in spec.version_key)

            groups = {version_group(i) for i in rows}
            rows += [
                i
                for i, k in enumerate(keys)
                if k.split("|")[0] == spec.fallback_key
                and i not in rows
                and version_group(i) in groups
                and raw_num[i] >= t
                and raw_den[i] - raw_num[i] >= t
            ]
        out = out.copy()
        if "release_form" not in out.columns:
            out["release_form"] = "exact"
            mask["release_form"] = False
            reasons["release_form"] = ""
        if not rows:
            return out, mask, reasons, ""
        for c in ("numerator", "denominator", "estimate"):
            if c in out.columns and not isinstance(out[c].dtype, pd.api.extensions.ExtensionDtype):
                out[c] = pd.array(out[c], dtype="Float64")
        for i in rows:
            num = round_base(float(frame["numerator"].iloc[i]))
            den = round_base(float(frame["denominator"].iloc[i]))
            out.loc[out.index[i], "numerator"] = num
            out.loc[out.index[i], "denominator"] = den
            out.loc[out.index[i], "estimate"] = (num / den) if den else pd.NA
            out.loc[out.index[i], "release_form"] = "rounded to base 5"
            for c in ("numerator", "denominator", "estimate"):
                mask.loc[mask.index[i], c] = False
                reasons.loc[reasons.index[i], c] = ROUNDED_NOTE
            for c in RATE_DERIVED:  # an interval of the exact counts would give them back
                if c != "estimate" and c in out.columns:
                    out.loc[out.index[i], c] = pd.NA
                    mask.loc[mask.index[i], c] = True
                    reasons.loc[reasons.index[i], c] = "derived: a rounded release has no interval"
        return out, mask, reasons, ROUNDED_NOTE


def checked_value(table: CheckedTable, column: str, **where: object) -> CheckedValue:
    """Shortcut for :meth:`CheckedTable.value`."""
    return table.value(column, **where)
