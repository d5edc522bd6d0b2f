"""Statistical disclosure control for count tables: small-cell suppression.

Rules (defaults are configurable, they are not a claim of compliance with the
CBS output guidelines or any other body's rules):

Primary suppression
    A count ``n`` with ``1 <= n < threshold`` (default 10) is hidden. With
    ``zeros_disclosive=True`` zeros are hidden too (a zero can reveal that a
    whole group had the other outcome).
Secondary suppression
    When the table has totals (a total row, a total column or both), a hidden
    cell that is the only hidden cell of its row or column can be recovered
    by subtraction. Then the smallest other visible cell of that line is
    hidden too (non-zero inner cells first, then the line's total, then
    zeros; ties broken by table order). This is repeated until stable.
    Finally the whole system of row and column equations is checked: a hidden
    cell that can still be solved from several lines combined (a "bridge"
    between two groups of hidden cells) gets one more cell in its row or
    column hidden, chosen so that it can no longer be solved.
Derived figures
    Percentages computed from a hidden count, or whose denominator is hidden,
    are hidden too (:func:`suppress_percentages`). Rates in tidy rate tables
    are hidden when their numerator, or denominator minus numerator, is below
    the threshold (:func:`suppress_rates`).
Differences between versions
    The same count computed in several versions (e.g. durable exits under
    each classification scheme) reveals, by subtraction, the small group that
    the versions treat differently (e.g. the forced returns).
    :func:`suppress_differences_between` hides, per key, the fewest versions
    so that no two visible versions differ by ``1 .. threshold - 1``.
Published figures
    Figures already published in a source document (sources in
    ``data/published/sources.csv``) pass through untouched, with the note
    ``"published figure, exempt"`` (:func:`is_exempt`).

Every call returns a report that names each hidden cell and the rule that hid
it, never the hidden value.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.linalg import null_space

from lvv_eval.errors import ConfigError, InputValidationError, Problem
from lvv_eval.paths import PUBLISHED_DIR

__all__ = [
    "DEFAULT_THRESHOLD",
    "EXEMPT_NOTE",
    "SuppressionResult",
    "is_exempt",
    "suppress",
    "suppress_differences_between",
    "suppress_percentages",
    "suppress_rates",
    "RATE_COLUMNS_HIDDEN",
    "secondary_in_group",
]

DEFAULT_THRESHOLD = 10
"""Smallest count shown (a configurable default, not an official rule)."""
EXEMPT_NOTE = "published figure, exempt"
REPORT_COLUMNS = ("cell", "row", "column", "value", "rule")
_TOL = 1e-9
TOTAL_LABELS: frozenset[str] = frozenset({"total", "totaal"})
"""Row labels and column names that ``margins="auto"`` reads as totals (case-insensitive)."""


class SuppressionResult(NamedTuple):
    """Result of :func:`suppress`.

    Attributes
    ----------
    table
        Copy of the input with hidden counts replaced by ``<NA>`` (count
        columns become nullable ``Int64``).
    report
        One row per hidden cell: ``cell`` (``"row/column"``), ``row``,
        ``column``, ``value`` (always ``"hidden"``; the value is not shown),
        ``rule``. An exempt table gives one row with rule ``"published figure,
        exempt"``.
    mask
        Boolean DataFrame (same index as ``table``, the count columns): True
        where a cell is hidden.
    """

    table: pd.DataFrame
    report: pd.DataFrame
    mask: pd.DataFrame


# --------------------------------------------------------------------------- exemption
def _published_sources(path: Path | None = None) -> frozenset[str]:
    file = path or PUBLISHED_DIR / "sources.csv"
    if not Path(file).is_file():
        return frozenset()
    return frozenset(pd.read_csv(file, dtype=str)["source_id"].dropna().str.strip())


def is_exempt(source: str | None, sources_file: str | Path | None = None) -> bool:
    """Whether figures from ``source`` are already published (and so exempt).

    Parameters
    ----------
    source
        A source id such as ``"monitor-2020"``; ``None`` is never exempt.
    sources_file
        The source list (default ``data/published/sources.csv``).

    Examples
    --------
    >>> is_exempt("regioplan-2020"), is_exempt("synthetic"), is_exempt(None)
    (True, False, False)
    """
    if source is None:
        return False
    return str(source).strip() in _published_sources(Path(sources_file) if sources_file else None)


# --------------------------------------------------------------------------- helpers
def _row_labels(table: pd.DataFrame, row_labels: str | None) -> list[str]:
    if row_labels is None:
        return [str(x) for x in table.index]
    if row_labels not in table.columns:
        raise ConfigError(f"row_labels column {row_labels!r} is not in the table")
    return [str(x) for x in table[row_labels]]


def _resolve_margins(margins: Any, labels: list[str], count_cols: list[str]) -> tuple[int | None, int | None]:
    if margins is None or margins == "none":
        return None, None
    if isinstance(margins, str) and margins == "auto":
        rows = [i for i, lab in enumerate(labels) if lab.strip().lower() in TOTAL_LABELS]
        cols = [j for j, c in enumerate(count_cols) if c.strip().lower() in TOTAL_LABELS]
        if len(rows) > 1:
            raise ConfigError("more than one row is labelled 'total'; pass margins= explicitly")
        if len(cols) > 1:
            raise ConfigError("more than one column is named 'total'; pass margins= explicitly")
        return (rows[0] if rows else None), (cols[0] if cols else None)
    if isinstance(margins, Mapping):
        unknown = set(margins) - {"total_row", "total_col"}
        if unknown:
            raise ConfigError(f"margins keys must be 'total_row' and/or 'total_col', got {sorted(unknown)}")
        tr = margins.get("total_row")
        tc = margins.get("total_col")
        ri = ci = None
        if tr is not None:
            hits = [i for i, lab in enumerate(labels) if lab == str(tr)]
            if len(hits) != 1:
                raise ConfigError(f"total_row {tr!r} must name exactly one row")
            ri = hits[0]
        if tc is not None:
            if tc not in count_cols:
                raise ConfigError(f"total_col {tc!r} must be one of the count columns {count_cols}")
            ci = count_cols.index(tc)
        return ri, ci
    raise ConfigError("margins must be 'auto', None or a dict with total_row/total_col")


def _lines(
    n_rows: int, n_cols: int, tr: int | None, tc: int | None
) -> list[tuple[str, int, list[tuple[int, int]], tuple[int, int]]]:
    """Additive lines of the table: (kind, index, inner cells, total cell)."""
    inner_rows = [i for i in range(n_rows) if i != tr]
    inner_cols = [j for j in range(n_cols) if j != tc]
    lines = []
    if tc is not None:
        for i in range(n_rows):
            lines.append(("row", i, [(i, j) for j in inner_cols], (i, tc)))
    if tr is not None:
        for j in range(n_cols):
            lines.append(("column", j, [(i, j) for i in inner_rows], (tr, j)))
    return lines


def _determined(hidden: np.ndarray, lines: list) -> list[tuple[int, int]]:
    """Hidden cells that the line equations pin down uniquely."""
    cells = [tuple(x) for x in np.argwhere(hidden)]
    if not cells or not lines:
        return []
    pos = {c: k for k, c in enumerate(cells)}
    a = np.zeros((len(lines), len(cells)))
    for r, (_, _, inner, total) in enumerate(lines):
        for c in inner:
            if c in pos:
                a[r, pos[c]] += 1.0
        if total in pos:
            a[r, pos[total]] -= 1.0
    ns = null_space(a) if a.any() else np.eye(len(cells))
    if ns.size == 0:
        return sorted(cells)
    return sorted(c for c in cells if np.all(np.abs(ns[pos[c]]) < _TOL))


# --------------------------------------------------------------------------- main
def suppress(
    table: pd.DataFrame,
    count_cols: list[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    zeros_disclosive: bool = False,
    margins: Any = "auto",
    *,
    row_labels: str | None = None,
    source: str | None = None,
    exempt: bool | None = None,
    missing: str = "error",
) -> SuppressionResult:
    """Hide small counts, and the cells that would let them be recovered.

    Parameters
    ----------
    table
        Wide count table: one row per group (e.g. pilot), one column per
        category. Rows are named by the index, or by ``row_labels``.
    count_cols
        Columns holding counts (default: every numeric column).
    threshold
        Counts ``1 <= n < threshold`` are hidden (primary suppression).
    zeros_disclosive
        Also hide zeros (primary).
    margins
        ``"auto"`` (default): a row labelled ``total`` or ``totaal`` (any
        case, surrounding spaces ignored) is the total row and a count column
        so named the total column. ``None``: the table has
        no totals (only primary suppression applies). Or a dict
        ``{"total_row": label, "total_col": column}`` (either key optional).
        A one-dimensional table (per pilot plus a total row) works too.
    row_labels
        Column naming the rows (default: the index).
    source, exempt
        ``exempt=True``, or ``exempt=None`` with a ``source`` that
        :func:`is_exempt` recognises, returns the table untouched with the note
        ``"published figure, exempt"``.
    missing
        ``"error"`` (default): a missing count is an input error.
        ``"hidden"``: a missing count was hidden upstream (e.g. by an earlier
        suppression of a linked table); it is kept hidden and protected by the
        secondary step like a primary cell.

    Returns
    -------
    SuppressionResult
        ``(table, report, mask)``.

    Raises
    ------
    InputValidationError
        For missing, negative or non-numeric counts (every one is listed).

    Examples
    --------
    >>> t = pd.DataFrame({"n": [3, 40, 50, 93]}, index=["a", "b", "c", "total"])
    >>> res = suppress(t, ["n"])
    >>> res.table["n"].tolist()
    [<NA>, <NA>, 50, 93]
    >>> res.report["rule"].tolist()
    ['primary: n < 10', 'secondary: protects cell a/n in column n']
    """
    if threshold < 1:
        raise ConfigError(f"threshold must be at least 1, got {threshold!r}")
    if count_cols is None:
        count_cols = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c]) and c != row_labels]
    count_cols = [str(c) for c in count_cols]
    absent = [c for c in count_cols if c not in table.columns]
    if absent:
        raise ConfigError(f"count columns not in table: {absent}")
    labels = _row_labels(table, row_labels)
    out = table.copy()
    mask = pd.DataFrame(False, index=table.index, columns=count_cols)

    if missing not in ("error", "hidden"):
        raise ConfigError(f"missing must be 'error' or 'hidden', got {missing!r}")
    if exempt or (exempt is None and is_exempt(source)):
        report = pd.DataFrame(
            [{"cell": "(all)", "row": "", "column": "", "value": "shown", "rule": EXEMPT_NOTE}],
            columns=list(REPORT_COLUMNS),
        )
        return SuppressionResult(out, report, mask)

    problems = []
    values = np.zeros((len(table), len(count_cols)))
    already_hidden = np.zeros(values.shape, dtype=bool)
    for j, col in enumerate(count_cols):
        raw = table[col]
        numeric = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for i, v in enumerate(numeric):
            if missing == "hidden" and pd.isna(raw.iloc[i]):
                already_hidden[i, j] = True  # hidden upstream (e.g. by an earlier suppression)
            elif np.isnan(v) or v < 0:
                problems.append(Problem("", i + 2, col, str(raw.iloc[i]), "count must be a number >= 0"))
        values[:, j] = np.nan_to_num(numeric, nan=0.0)
    if problems:
        raise InputValidationError(problems)

    tr, tc = _resolve_margins(margins, labels, count_cols)
    n_rows, n_cols = values.shape
    lines = _lines(n_rows, n_cols, tr, tc)
    hidden = np.zeros(values.shape, dtype=bool)
    report: list[dict[str, str]] = []  # type: ignore[no-redef]

    def name(c: tuple[int, int]) -> str:
        return f"{labels[c[0]]}/{count_cols[c[1]]}"

    def hide(c: tuple[int, int], rule: str) -> None:
        hidden[c] = True
        report.append(
            {"cell": name(c), "row": labels[c[0]], "column": count_cols[c[1]], "value": "hidden", "rule": rule}
        )

    def rank(c: tuple[int, int]) -> tuple:
        is_total = c[0] == tr or c[1] == tc
        return (values[c] == 0, is_total, values[c], c[0], c[1])

    # cells missing in the input count as hidden, so the secondary step protects them too
    for i, j in np.argwhere(already_hidden):
        hide((int(i), int(j)), "missing in the input: treated as hidden")

    # primary
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if already_hidden[i, j]:
                continue
            if 1 <= v < threshold:
                hide((i, j), f"primary: n < {threshold}")
            elif v == 0 and zeros_disclosive:
                hide((i, j), "primary: zero count (zeros disclosive)")

    # secondary: one line at a time, rescanning from the first line after each change
    while True:
        fixed = False
        for kind, idx, inner, total in lines:
            cells = inner + [total]
            shut = [c for c in cells if hidden[c]]
            open_cells = sorted((c for c in cells if not hidden[c]), key=rank)
            if len(shut) != 1 or not open_cells:
                continue
            where = labels[idx] if kind == "row" else count_cols[idx]
            hide(open_cells[0], f"secondary: protects cell {name(shut[0])} in {kind} {where}")
            fixed = True
            break
        if fixed:
            continue
        # the hidden cells of a line together: total minus the shown cells is their sum, which must
        # not be a small count either (e.g. 3 + 4 hidden beside 13 of 20 shown gives 7 back)
        for kind, idx, inner, total in lines:
            if hidden[total] or not any(hidden[c] for c in inner):
                continue
            together = values[total] - sum(values[c] for c in inner if not hidden[c])
            open_inner = sorted((c for c in inner if not hidden[c] and values[c] > 0), key=rank)
            if 1 <= together < threshold:
                where = labels[idx] if kind == "row" else count_cols[idx]
                target = open_inner[0] if open_inner else total
                hide(target, f"secondary: the hidden cells of {kind} {where} add up to fewer than {threshold}")
                fixed = True
                break
        if fixed:
            continue
        solvable = _determined(hidden, lines)
        if not solvable:
            break
        target = solvable[0]
        candidates = sorted(
            {
                c
                for _, _, inner, total in lines
                if target in inner or target == total
                for c in inner + [total]
                if not hidden[c]
            },
            key=rank,
        )
        if not candidates:  # every cell of its lines is hidden: look further afield
            candidates = sorted((tuple(c) for c in np.argwhere(~hidden)), key=rank)
        if not candidates:
            break
        choice = candidates[0]
        for c in candidates:
            hidden[c] = True
            still = target in _determined(hidden, lines)
            hidden[c] = False
            if not still:
                choice = c
                break
        hide(choice, f"secondary: protects cell {name(target)} (recoverable by combining rows and columns)")

    for i, j in np.argwhere(hidden):
        mask.iloc[i, j] = True
    for j, col in enumerate(count_cols):
        col_vals = values[:, j]
        dtype = "Int64" if np.all(np.mod(col_vals, 1) == 0) else "Float64"
        arr = pd.array(col_vals, dtype="Float64")
        arr[hidden[:, j]] = pd.NA
        out[col] = arr.astype(dtype) if dtype == "Int64" else arr
    return SuppressionResult(out, pd.DataFrame(report, columns=list(REPORT_COLUMNS)), mask)


# --------------------------------------------------------------------------- derived figures
def suppress_percentages(
    percentages: pd.DataFrame,
    mask: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    denominator_col: str | None = None,
    denominator_row: Any = None,
) -> pd.DataFrame:
    """Hide percentages computed from hidden counts.

    Parameters
    ----------
    percentages
        Table of percentages with the same index as the count table.
    mask
        The ``mask`` of :func:`suppress`.
    columns
        Percentage column -> count column it is computed from (default: the
        same name, for every percentage column that is also in ``mask``).
    denominator_col
        For row percentages: the count column holding each row's denominator
        (e.g. ``"total"``); when it is hidden the whole row is hidden.
    denominator_row
        For column percentages: the index label of the row holding the
        denominators; when its cell is hidden the whole column is hidden.

    Returns
    -------
    pandas.DataFrame
        Copy of ``percentages`` with ``NaN``/``<NA>`` where hidden.
    """
    columns = dict(columns) if columns else {c: c for c in percentages.columns if c in mask.columns}
    out = percentages.copy()
    for pct_col, count_col in columns.items():
        if pct_col not in out.columns or count_col not in mask.columns:
            raise ConfigError(f"unknown column pair {pct_col!r} -> {count_col!r}")
        hide = mask[count_col].reindex(out.index, fill_value=False).to_numpy(dtype=bool, copy=True)
        if denominator_col is not None:
            hide |= mask[denominator_col].reindex(out.index, fill_value=False).to_numpy(dtype=bool)
        if denominator_row is not None and bool(mask.loc[denominator_row, count_col]):
            hide[:] = True
        out[pct_col] = out[pct_col].mask(hide)
    return out


RATE_COLUMNS_HIDDEN: tuple[str, ...] = ("numerator", "estimate", "ci_low", "ci_high", "sim_ci_low", "sim_ci_high")
"""Columns :func:`suppress_rates` hides by default: the count, the rate and every interval
(the midpoint of a Wilson or a simultaneous Goodman interval gives the count back)."""


def _secondary_in_group(
    num: np.ndarray, den: float, hidden: np.ndarray, threshold: int, complement: bool
) -> tuple[np.ndarray, bool, list[str]]:
    """Complementary suppression within one set of rows that share a denominator.

    The rows are classes of the same ``den`` persons. When they are disjoint
    (their sum is at most ``den``) the equation ``sum(classes) + rest = den``
    holds, where ``rest`` (persons in no listed row) is not shown but follows
    from the shown cells. A hidden class that is the only unknown term of
    that equation (no other class hidden, ``rest == 0``) is recovered by
    subtraction, so the smallest non-zero visible class is hidden too (the
    denominator only when no such class is left). With ``complement`` a rest
    of ``1 .. threshold - 1`` persons is itself a small count: a class is
    hidden so that it cannot be derived. Overlapping rows (sum above
    ``den``) have no such equation; then at least two rows are hidden once
    one is.

    Returns the new hidden flags, whether the denominator must be hidden and
    one rule text per row ('' where unchanged).
    """
    hidden = hidden.copy()
    rules = [""] * len(num)
    total = float(np.nansum(num))
    order = sorted((i for i in range(len(num)) if not hidden[i]), key=lambda i: (num[i] == 0, num[i], i))
    nonzero = [i for i in order if num[i] > 0]
    if total > den:
        if hidden.sum() == 1 and order:
            hidden[order[0]] = True
            rules[order[0]] = "secondary: second row of its group hidden (rows overlap)"
        return hidden, False, rules
    rest = den - total
    if complement and 1 <= rest < threshold and not hidden.any() and nonzero:
        hidden[nonzero[0]] = True
        rules[nonzero[0]] = f"primary: denominator - sum of the group < {threshold}"
        return hidden, False, rules
    unknown = den - float(np.nansum(np.where(hidden, 0.0, num)))  # hidden rows + rest, known from the shown ones
    if hidden.any() and 1 <= unknown < threshold:
        for i in nonzero:  # smallest visible class first, until the unknown part is no longer small
            hidden[i] = True
            rules[i] = f"secondary: the hidden rows of its group and the rest add up to fewer than {threshold}"
            unknown += num[i]
            if unknown >= threshold:
                return hidden, False, rules
        return hidden, True, rules
    if hidden.sum() != 1 or rest > 0:
        return hidden, False, rules
    if nonzero:
        hidden[nonzero[0]] = True
        rules[nonzero[0]] = "secondary: protects a hidden row of its group (shared denominator)"
        return hidden, False, rules
    return hidden, True, rules


secondary_in_group = _secondary_in_group
"""Public name of the complementary suppression within one set of class rows (used by the gate)."""


def suppress_rates(
    rates: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    complement: bool = True,
    columns: tuple[str, ...] = RATE_COLUMNS_HIDDEN,
    group: str | Sequence[str] | None = None,
    source: str | None = None,
    exempt: bool | None = None,
) -> pd.DataFrame:
    """Hide rates in a tidy rate table (as from :mod:`lvv_eval.stats.rates`).

    A rate is hidden when its numerator is ``1 <= n < threshold`` or, with
    ``complement=True``, when ``denominator - numerator`` is ``1 <= m <
    threshold`` (the share of the other outcome would reveal the small
    group). Adds the columns ``suppressed`` (bool) and ``suppression_rule``.

    Parameters
    ----------
    rates
        Tidy rate table with ``numerator`` and ``denominator``.
    threshold
        Smallest count shown.
    complement
        Also protect ``denominator - numerator`` (and, with ``group``, the
        persons in no row of the group).
    columns
        Columns hidden in a hidden row (default :data:`RATE_COLUMNS_HIDDEN`;
        names not in the table are skipped).
    group
        Column(s) naming a set of rows that are classes of one denominator,
        e.g. ``"pilot"`` for the class shares of each pilot (rows of a group
        with different denominators form separate sets). Within each set the
        hidden rows are protected by complementary suppression (see
        :func:`_secondary_in_group`): with durable 4 (hidden), semi-durable
        50 and none 46 of 100, ``none`` is hidden too, else ``100 - 50 - 46``
        gives the 4 back. When the denominator itself has to be hidden, the
        ``denominator`` and every rate of the set are hidden. Links *across*
        groups (a ``total`` row equal to the sum of the pilots) are not
        checked here: put such counts through :func:`suppress`.
    source, exempt
        As in :func:`suppress`.

    Examples
    --------
    >>> r = pd.DataFrame({"numerator": [3, 40], "denominator": [100, 45], "estimate": [0.03, 0.89]})
    >>> suppress_rates(r, columns=("numerator", "estimate"))["suppression_rule"].tolist()
    ['primary: numerator < 10', 'primary: denominator - numerator < 10']
    >>> c = pd.DataFrame({"pilot": "eindhoven", "category": ["durable", "semi_durable", "none"],
    ...                   "numerator": [4, 50, 46], "denominator": 100})
    >>> suppress_rates(c, group="pilot")["numerator"].tolist()
    [<NA>, 50, <NA>]
    """
    out = rates.copy()
    if exempt or (exempt is None and is_exempt(source)):
        out["suppressed"] = False
        out["suppression_rule"] = EXEMPT_NOTE
        return out
    num = pd.to_numeric(out["numerator"]).to_numpy(dtype=float, na_value=np.nan)
    den = pd.to_numeric(out["denominator"]).to_numpy(dtype=float, na_value=np.nan)
    small = (num >= 1) & (num < threshold)
    rest = den - num
    small_rest = complement & (rest >= 1) & (rest < threshold) & ~small
    rule = np.where(
        small,
        f"primary: numerator < {threshold}",
        np.where(small_rest, f"primary: denominator - numerator < {threshold}", ""),
    ).astype(object)
    hide = small | small_rest
    hide_den = np.zeros(len(out), dtype=bool)
    if group is not None:
        keys = [group] if isinstance(group, str) else list(group)
        absent = [k for k in keys if k not in out.columns]
        if absent:
            raise ConfigError(f"suppress_rates: group column(s) {absent} not in the table")
        sets = pd.DataFrame({**{k: out[k].astype(str).to_numpy() for k in keys}, "_den": np.nan_to_num(den, nan=-1.0)})
        for _, pos in sets.groupby([*keys, "_den"], sort=False).indices.items():
            pos = np.asarray(pos)
            if np.isnan(den[pos[0]]):
                continue
            new, den_hidden, texts = _secondary_in_group(
                np.nan_to_num(num[pos]), float(den[pos[0]]), hide[pos], int(threshold), complement
            )
            for k, i in enumerate(pos):
                if new[k] and not hide[i]:
                    rule[i] = texts[k]
            hide[pos] = new
            if den_hidden:
                hide_den[pos] = True
                for i in pos:
                    if not rule[i]:
                        rule[i] = "secondary: denominator of its group hidden"
    for col in columns:
        if col in out.columns:
            if pd.api.types.is_integer_dtype(out[col]) and not isinstance(
                out[col].dtype, pd.api.extensions.ExtensionDtype
            ):
                out[col] = out[col].astype("Int64")
            if col == "numerator":
                out[col] = out[col].mask(hide)
            else:
                out[col] = out[col].mask(hide | hide_den)
    if hide_den.any():
        if pd.api.types.is_integer_dtype(out["denominator"]) and not isinstance(
            out["denominator"].dtype, pd.api.extensions.ExtensionDtype
        ):
            out["denominator"] = out["denominator"].astype("Int64")
        out["denominator"] = out["denominator"].mask(hide_den)
    out["suppressed"] = hide | hide_den
    out["suppression_rule"] = rule.astype(str)
    return out


def _small_difference(a: float, b: float, threshold: int) -> bool:
    d = abs(a - b)
    return 1 <= d < threshold


def _fewest_to_hide(counts: Sequence[float], threshold: int, protected: Sequence[bool]) -> tuple[int, ...]:
    """Positions to hide so that no two remaining counts differ by 1 .. threshold-1.

    The smallest such set of unprotected positions; among sets of that size the
    one hiding the smallest counts, then the earliest positions. Pairs of two
    protected positions cannot be resolved and are ignored.
    """
    n = len(counts)
    pairs = [
        (i, j)
        for i, j in itertools.combinations(range(n), 2)
        if _small_difference(counts[i], counts[j], threshold) and not (protected[i] and protected[j])
    ]
    if not pairs:
        return ()
    free = [i for i in range(n) if not protected[i] and any(i in pair for pair in pairs)]
    for size in range(1, len(free) + 1):
        covers = [c for c in itertools.combinations(free, size) if all(i in c or j in c for i, j in pairs)]
        if covers:
            return min(covers, key=lambda c: (sorted(counts[i] for i in c), c))
    raise AssertionError("unreachable: hiding every unprotected position resolves every pair")


def suppress_differences_between(
    table: pd.DataFrame,
    *,
    key_cols: Sequence[str],
    version_col: str,
    count_col: str,
    threshold: int = DEFAULT_THRESHOLD,
    dependent: Sequence[str] = (),
    protect: Sequence[object] = (),
) -> SuppressionResult:
    """Hide versions of a count whose difference from another version is small.

    A long table holds one count per key (e.g. pilot and denominator) and
    version (e.g. classification scheme). The difference between two
    versions' counts for the same key is itself a count of persons (those
    the versions classify differently, such as forced returns between the
    monitor-2020 and verwey-jonker-2021 schemes). For every key, the fewest
    versions are hidden so that no two *visible* counts differ by ``1 ..
    threshold - 1`` (among equally small choices the smaller counts are
    hidden, then the versions that come first in the table). Counts that are
    already missing count as hidden.

    Differences of sums across keys (e.g. a ``total`` row minus the other
    pilots) are not checked here; protect those with :func:`suppress` on the
    table of differences.

    Parameters
    ----------
    table
        Long table, one row per key x version.
    key_cols
        Columns that identify the key (compared within a key only).
    version_col
        Column naming the version (e.g. ``scheme``).
    count_col
        The count (persons).
    threshold
        Smallest difference shown (default :data:`DEFAULT_THRESHOLD`).
    dependent
        Columns hidden together with the count (e.g. ``estimate``,
        ``ci_low``, ``ci_high``: a rate and its denominator reveal the count).
    protect
        Versions never hidden (e.g. a published figure).

    Returns
    -------
    SuppressionResult
        ``table``: a copy with ``count_col`` as ``Int64`` (or float when not
        whole) and the count and ``dependent`` columns missing where hidden;
        ``report``: one row per hidden row (rule names the version it was too
        close to); ``mask``: boolean Series over the rows, True where hidden
        by this function.

    Raises
    ------
    ConfigError
        If a named column is missing, ``threshold`` is below 1, or a key has
        the same version twice.

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["a", "a", "a", "b", "b"], "scheme": ["x", "y", "z", "x", "y"],
    ...                   "numerator": [30, 27, 30, 50, 40]})
    >>> res = suppress_differences_between(t, key_cols=["pilot"], version_col="scheme",
    ...                                    count_col="numerator", threshold=10)
    >>> res.table["numerator"].tolist()
    [30, <NA>, 30, 50, 40]
    >>> res.report["rule"].tolist()
    ['difference from version x is below 10']
    """
    missing = [c for c in [*key_cols, version_col, count_col, *dependent] if c not in table.columns]
    if missing:
        raise ConfigError(f"suppress_differences_between: column(s) {missing} not in the table")
    if int(threshold) < 1:
        raise ConfigError(f"threshold must be at least 1, got {threshold!r}")
    dupes = table.duplicated([*key_cols, version_col], keep=False)
    if dupes.any():
        first = table.loc[dupes, [*key_cols, version_col]].astype(str).agg("/".join, axis=1).iloc[0]
        raise ConfigError(f"suppress_differences_between: key and version {first!r} occur more than once")
    values = pd.to_numeric(table[count_col]).to_numpy(dtype=float, na_value=np.nan)
    hide = np.zeros(len(table), dtype=bool)
    report_rows = []
    protected_versions = {str(v) for v in protect}
    groups = (
        table.groupby(list(key_cols), sort=False, dropna=False).indices if key_cols else {(): np.arange(len(table))}
    )
    for key, positions in groups.items():
        visible = [int(i) for i in positions if not np.isnan(values[i])]
        counts = [values[i] for i in visible]
        prot = [str(table[version_col].iloc[i]) in protected_versions for i in visible]
        for k in _fewest_to_hide(counts, int(threshold), prot):
            i = visible[k]
            hide[i] = True
            others = [
                visible[j]
                for j in range(len(visible))
                if j != k and _small_difference(counts[j], counts[k], int(threshold))
            ]
            near = str(table[version_col].iloc[others[0]])
            key_text = "/".join(str(x) for x in (key if isinstance(key, tuple) else (key,)))
            version = str(table[version_col].iloc[i])
            report_rows.append(
                {
                    "cell": f"{key_text}/{version}",
                    "row": key_text,
                    "column": count_col,
                    "value": "hidden",
                    "rule": f"difference from version {near} is below {int(threshold)}",
                }
            )
    out = table.copy()
    finite = values[~np.isnan(values)]
    whole = bool(np.all(np.mod(finite, 1) == 0))
    count = pd.array(values, dtype="Float64")
    out[count_col] = count.astype("Int64") if whole else count
    out[count_col] = out[count_col].mask(hide)
    for col in dependent:
        if pd.api.types.is_integer_dtype(out[col]) and not isinstance(out[col].dtype, pd.api.extensions.ExtensionDtype):
            out[col] = out[col].astype("Int64")
        out[col] = out[col].mask(hide)
    report = pd.DataFrame(report_rows, columns=list(REPORT_COLUMNS))
    return SuppressionResult(out, report, pd.Series(hide, index=table.index))
