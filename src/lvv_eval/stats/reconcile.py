"""Reconcile two outflow tables of the same reference date.

Two sources can count the same people differently: the programme monitor
(``002_1f6dbbe6756677e4.txt``, *Voortgang LVV's*) and the Verwey-Jonker interim
evaluation (``000_3514d6bc5a3a2801.txt``, *Effecten van de LVV*) both use the
peildatum 1 November 2020, yet report 107 and 95 durable solutions. This
module lays two such tables side by side and splits every difference into the
part that a documented explanation can account for and an unexplained
remainder.

Logic (also in ``docs/methods.md``):

1. A *crosswalk* maps each source's categories onto common categories
   (e.g. the monitor's ``departure_or_onward_migration`` and VJI's
   ``independent_return`` + ``onward_migration``). Categories absent from the
   crosswalk map to themselves.
2. Per common category ``k``: ``difference = count_b - count_a``.
3. An *explanation* says that people counted in category X by one source are
   counted in category Y by the other. Moving ``m`` people from X (in a) to Y
   (in b) lowers the difference of X by ``m`` and raises that of Y by ``m``.
   When the size is published (column ``size``) that size is *explained*.
   Otherwise the size is not known and nothing is explained as a number: the
   mechanism can account for anything between 0 and the largest move
   consistent with the observed differences, ``m_max = max(0, min(-d_X,
   d_Y))`` (``d`` the differences left after earlier explanations at their
   upper bound, table order). An upper bound is not an explained part.
4. ``bound_low`` .. ``bound_high`` give that range per category (signed), and
   the unexplained part is the range ``unexplained_low`` ..
   ``unexplained_high`` = difference - explained - bound.
5. Per class (each source's own scheme): the class difference is split into
   a *classification* part (people in the same common category that the two
   schemes put in different classes, counted with table a's numbers), the
   moves of published size and the ranges of moves of unknown size
   (attributed to table b's classes of X and Y), and the unexplained range.

The function runs in steps, one helper each: crosswalk lookups, the class of
each category, the common categories, the explanations that apply, the
bounds of the moves, the category table, the class table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lvv_eval.errors import ConfigError, InputValidationError, Problem
from lvv_eval.paths import PUBLISHED_DIR

__all__ = [
    "DEFAULT_CROSSWALK_FILE",
    "DEFAULT_EXPLANATIONS_FILE",
    "Reconciliation",
    "load_crosswalk",
    "load_explanations",
    "reconcile",
]

DEFAULT_CROSSWALK_FILE: Path = PUBLISHED_DIR / "crosswalk_monitor_vji.csv"
"""Crosswalk between the monitor 2020 and Verwey-Jonker 2021 outflow categories."""
DEFAULT_EXPLANATIONS_FILE: Path = PUBLISHED_DIR / "reconciliation_explanations.csv"
"""Published explanations of differences between outflow tables."""

CROSSWALK_COLUMNS = ("source_id", "category", "common_category", "codes", "note")
EXPLANATION_COLUMNS = (
    "explanation_id",
    "source_from",
    "category_from",
    "source_to",
    "category_to",
    "size",
    "description",
    "citation",
)
TOTAL = "total"


@dataclass(frozen=True)
class Reconciliation:
    """Result of :func:`reconcile`.

    Attributes
    ----------
    label_a, label_b
        Names of the two tables; every difference is ``b - a``.
    categories
        One row per common category plus a ``total`` row: ``source_a``,
        ``source_b``, ``common_category``, ``categories_a``, ``categories_b``
        (original categories joined by ``+``), ``class_a``, ``class_b``,
        ``count_a``, ``count_b``, ``difference``, ``explained`` (moves of
        published size only), ``bound_low``, ``bound_high`` (what moves of
        unknown size can account for), ``unexplained_low``,
        ``unexplained_high``, ``explanation_ids``.
    classes
        One row per class plus ``total``: ``count_a``, ``count_b``,
        ``difference``, ``explained_classification``, ``explained_moves``,
        ``explained``, ``bound_low``, ``bound_high``, ``unexplained_low``,
        ``unexplained_high``.
    moves
        One row per applicable explanation: the common categories it moves
        between, ``size_published``, ``bound_low``, ``bound_high`` (equal
        when the size is published), ``description``, ``citation``.
    decomposition
        Long table ``level`` (category/class), ``key``, ``component``
        (``classification``, an explanation id, or ``unexplained``),
        ``low``, ``high``; per key, the mechanisms at one end plus the
        unexplained part at the other add up to the difference.
    """

    label_a: str
    label_b: str
    categories: pd.DataFrame
    classes: pd.DataFrame
    moves: pd.DataFrame
    decomposition: pd.DataFrame


# --------------------------------------------------------------------------- loading
def read_table(path: str | Path, columns: tuple[str, ...], required: tuple[str, ...]) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputValidationError([Problem(str(path), 1, c, "", "required column is missing") for c in missing])
    for c in columns:
        if c not in table.columns:
            table[c] = ""
    return table[list(columns)]


def load_crosswalk(path: str | Path | None = None) -> pd.DataFrame:
    """Load a category crosswalk (default: monitor 2020 vs Verwey-Jonker 2021).

    Columns: ``source_id``, ``category`` (as in that source's table),
    ``common_category``, ``codes`` (exit-reason codes the category comprises,
    separated by ``;``; used to find its class when the category itself is
    not an exit-reason code), ``note``.
    """
    path = path or DEFAULT_CROSSWALK_FILE
    table = read_table(path, CROSSWALK_COLUMNS, ("source_id", "category", "common_category"))
    table.attrs["file"] = str(path)
    return table


def load_explanations(path: str | Path | None = None) -> pd.DataFrame:
    """Load a table of explanations (default: the published ones).

    Columns: ``explanation_id``, ``source_from``, ``category_from``,
    ``source_to``, ``category_to`` (people counted in ``category_from`` by
    ``source_from`` are counted in ``category_to`` by ``source_to``), ``size``
    (number of people, empty when not published), ``description``,
    ``citation``.
    """
    path = path or DEFAULT_EXPLANATIONS_FILE
    table = read_table(path, EXPLANATION_COLUMNS, EXPLANATION_COLUMNS[:5])
    table.attrs["file"] = str(path)
    return table


# --------------------------------------------------------------------------- helpers
def _counts(table: Mapping[str, Any] | pd.Series, label: str, problems: list[Problem]) -> dict[str, float]:
    if isinstance(table, pd.DataFrame):
        raise ConfigError(f"{label}: give a mapping or Series category -> count, not a DataFrame")
    items = list(table.items()) if isinstance(table, (Mapping, pd.Series)) else None
    if items is None:
        raise ConfigError(f"{label}: give a mapping or Series category -> count")
    out: dict[str, float] = {}
    for cat, value in items:
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = float("nan")
        if np.isnan(v) or v < 0:
            problems.append(Problem(label, None, str(cat), str(value), "count must be a number >= 0"))
            continue
        if str(cat) in out:
            problems.append(Problem(label, None, str(cat), str(value), "category occurs more than once"))
            continue
        out[str(cat)] = v
    return out


def _scheme_mapping(scheme: Any) -> tuple[dict[str, str], list[str]]:
    """Return (code/category -> class, ordered class ids) from a scheme-like object."""
    if isinstance(scheme, (str, Path)):
        from lvv_eval.reference.schemes import load_scheme  # local import: optional at import time

        scheme = load_scheme(scheme)
    if hasattr(scheme, "mapping"):
        mapping = {str(k): str(v) for k, v in dict(scheme.mapping).items()}
        order = [str(c) for c in getattr(scheme, "class_ids", [])] or list(dict.fromkeys(mapping.values()))
        return mapping, order
    if isinstance(scheme, Mapping):
        mapping = {str(k): str(v) for k, v in scheme.items()}
        return mapping, list(dict.fromkeys(mapping.values()))
    raise ConfigError(f"scheme must be a scheme name, a Scheme or a mapping, got {type(scheme).__name__}")


def _fmt(x: float) -> str:
    return f"{x:g}"


def _num(values: list[float]) -> pd.Series:
    arr = np.asarray(values, dtype=float)
    if np.all(np.mod(arr, 1) == 0):
        return pd.Series(arr.astype("int64"), dtype="Int64")
    return pd.Series(arr, dtype=float)


# --------------------------------------------------------------------------- steps
@dataclass
class _Inputs:
    """Validated inputs of :func:`reconcile`, shared by its steps."""

    labels: tuple[str, str]
    counts: dict[str, dict[str, float]]
    schemes: dict[str, tuple[dict[str, str], list[str]]]
    common_of: dict[str, dict[str, str]]
    codes_of: dict[str, dict[str, list[str]]]
    cw_file: str

    def common(self, src: str, cat: str) -> str:
        return self.common_of[src].get(cat, cat)


def _crosswalk_lookups(
    cw: pd.DataFrame,
    labels: tuple[str, str],
    problems: list[Problem],
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, list[str]]]]:
    """Per source: category -> common category, and category -> exit codes."""
    cw_file = cw.attrs.get("file", "crosswalk")
    common_of: dict[str, dict[str, str]] = {lab: {} for lab in labels}
    codes_of: dict[str, dict[str, list[str]]] = {lab: {} for lab in labels}
    for i, row in enumerate(cw.itertuples(index=False)):
        src, cat = str(row.source_id), str(row.category)
        if src not in common_of:
            continue
        common = str(row.common_category).strip()
        if not common:
            problems.append(Problem(cw_file, i + 2, "common_category", "", "must not be empty"))
            continue
        if cat in common_of[src] and common_of[src][cat] != common:
            problems.append(
                Problem(
                    cw_file,
                    i + 2,
                    "common_category",
                    common,
                    f"{src}/{cat} is already mapped to {common_of[src][cat]!r}",
                )
            )
            continue
        common_of[src][cat] = common
        raw_codes = str(getattr(row, "codes", "") or "")
        codes_of[src][cat] = [c.strip() for c in raw_codes.split(";") if c.strip()]
    return common_of, codes_of


def _category_classes(inp: _Inputs, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """Class of each original category: from the scheme, or from the crosswalk's exit codes."""
    class_of: dict[str, dict[str, str]] = {lab: {} for lab in inp.labels}
    for src in inp.labels:
        mapping = inp.schemes[src][0]
        for cat in inp.counts[src]:
            if cat in mapping:
                class_of[src][cat] = mapping[cat]
                continue
            codes = inp.codes_of[src].get(cat, [])
            unknown = [c for c in codes if c not in mapping]
            classes = sorted({mapping[c] for c in codes if c in mapping})
            if not codes or unknown:
                problems.append(
                    Problem(
                        src,
                        None,
                        cat,
                        _fmt(inp.counts[src][cat]),
                        "category has no class: it is not in the scheme and the crosswalk "
                        f"lists no known exit codes for it (unknown: {unknown})",
                    )
                )
            elif len(classes) > 1:
                problems.append(
                    Problem(
                        src,
                        None,
                        cat,
                        ";".join(codes),
                        f"the exit codes of this category fall in several classes {classes}",
                    )
                )
            else:
                class_of[src][cat] = classes[0]
    return class_of


def _common_categories(
    inp: _Inputs,
    class_of: dict[str, dict[str, str]],
    problems: list[Problem],
) -> tuple[list[str], dict[str, dict[str, list[str]]], dict[str, dict[str, str | None]]]:
    """Common categories in order of appearance, their members and their class per source."""
    order: list[str] = []
    members: dict[str, dict[str, list[str]]] = {}
    for src in inp.labels:
        for cat in inp.counts[src]:
            k = inp.common(src, cat)
            if k not in members:
                members[k] = {lab: [] for lab in inp.labels}
                order.append(k)
            members[k][src].append(cat)
    common_class: dict[str, dict[str, str | None]] = {lab: {} for lab in inp.labels}
    for k in order:
        for src in inp.labels:
            cls = sorted({class_of[src][c] for c in members[k][src] if c in class_of[src]})
            if len(cls) > 1:
                problems.append(
                    Problem(
                        inp.cw_file,
                        None,
                        "common_category",
                        k,
                        f"{src} categories {members[k][src]} merged into one common category "
                        f"fall in different classes {cls}",
                    )
                )
            common_class[src][k] = cls[0] if cls else None
    return order, members, common_class


def _explanation_rows(
    exp: pd.DataFrame, inp: _Inputs, members: Mapping[str, Any], problems: list[Problem]
) -> list[dict[str, Any]]:
    """The explanations that link the two tables, as moves from a common category of a to one of b."""
    label_a, label_b = inp.labels
    exp_file = exp.attrs.get("file", "explanations")
    move_rows: list[dict[str, Any]] = []
    for i, row in enumerate(exp.itertuples(index=False)):
        sf, st = str(row.source_from), str(row.source_to)
        if {sf, st} != {label_a, label_b}:
            continue
        cf, ct = str(row.category_from), str(row.category_to)
        bad = False
        for src, cat, col in ((sf, cf, "category_from"), (st, ct, "category_to")):
            if inp.common(src, cat) not in members:
                problems.append(
                    Problem(
                        exp_file, i + 2, col, cat, f"not a category of {src} (nor a common category) in these tables"
                    )
                )
                bad = True
        size_text = str(getattr(row, "size", "") or "").strip()
        size = np.nan
        if size_text:
            try:
                size = float(size_text)
            except ValueError:
                size = -1.0
            if not size >= 0:
                problems.append(Problem(exp_file, i + 2, "size", size_text, "must be empty or a number >= 0"))
                bad = True
        if bad:
            continue
        if sf == label_a:
            k_from, k_to = inp.common(sf, cf), inp.common(st, ct)
        else:  # b counts them in cf, a in ct: a move from ct (a) to cf (b)
            k_from, k_to = inp.common(st, ct), inp.common(sf, cf)
        move_rows.append(
            {
                "explanation_id": str(row.explanation_id),
                "source_from": sf,
                "category_from": cf,
                "source_to": st,
                "category_to": ct,
                "common_from_a": k_from,
                "common_to_b": k_to,
                "size_published": size,
                "description": str(getattr(row, "description", "")),
                "citation": str(getattr(row, "citation", "")),
            }
        )
    return move_rows


def _move_bounds(move_rows: list[dict[str, Any]], diff: Mapping[str, float]) -> None:
    """Set ``bound_low``/``bound_high`` of every move (people moved from X in a to Y in b).

    A published size gives ``low == high == size``. Otherwise the size is
    unknown: ``low = 0`` and ``high`` is the largest move consistent with the
    differences left after the earlier moves at their upper bound (table
    order), ``max(0, min(-d_X, d_Y))``. A move within one common category is 0.
    """
    remaining = dict(diff)
    for mv in move_rows:
        x, y = mv["common_from_a"], mv["common_to_b"]
        if x == y:
            low = high = 0.0
        elif not np.isnan(mv["size_published"]):
            low = high = float(mv["size_published"])
        else:
            low, high = 0.0, max(0.0, min(-remaining[x], remaining[y]))
        mv["bound_low"], mv["bound_high"] = low, high
        remaining[x] += high
        remaining[y] -= high


def _shifts(move_rows: list[dict[str, Any]], key_of: Any, keys: list[str], end: str) -> dict[str, float]:
    """Net change per key when every move has its ``end`` size (``bound_low`` or ``bound_high``)."""
    out = dict.fromkeys(keys, 0.0)
    for mv in move_rows:
        size = mv[end]
        out[key_of(mv["common_from_a"])] -= size
        out[key_of(mv["common_to_b"])] += size
    return out


def _ranges(
    lo: Mapping[str, float],
    hi: Mapping[str, float],
    keys: list[str],
) -> tuple[dict[str, float], dict[str, float]]:
    """Lower and upper end per key of a quantity that is linear in the move sizes."""
    return ({k: min(lo[k], hi[k]) for k in keys}, {k: max(lo[k], hi[k]) for k in keys})


def _category_table(
    inp: _Inputs,
    order: list[str],
    members: Mapping[str, Any],
    common_class: Mapping[str, Mapping[str, str | None]],
    a: Mapping[str, float],
    b: Mapping[str, float],
    move_rows: list[dict[str, Any]],
    decomposition: list[dict[str, Any]],
) -> pd.DataFrame:
    """One row per common category plus ``total``: difference, explained part and ranges."""
    label_a, label_b = inp.labels
    diff = {k: b[k] - a[k] for k in order}
    at_low = _shifts(move_rows, lambda k: k, order, "bound_low")
    at_high = _shifts(move_rows, lambda k: k, order, "bound_high")
    known = [mv for mv in move_rows if mv["bound_low"] == mv["bound_high"]]
    explained = _shifts(known, lambda k: k, order, "bound_low")
    b_lo, b_hi = _ranges(
        {k: at_low[k] - explained[k] for k in order}, {k: at_high[k] - explained[k] for k in order}, order
    )
    u_lo = {k: diff[k] - explained[k] - b_hi[k] for k in order}
    u_hi = {k: diff[k] - explained[k] - b_lo[k] for k in order}
    ids: dict[str, list[str]] = {k: [] for k in order}
    for mv in move_rows:
        x, y = mv["common_from_a"], mv["common_to_b"]
        if x == y or mv["bound_high"] == 0:
            continue
        for key, sign in ((x, -1.0), (y, 1.0)):
            ids[key].append(mv["explanation_id"])
            ends = sorted((sign * mv["bound_low"], sign * mv["bound_high"]))
            decomposition.append(
                {"level": "category", "key": key, "component": mv["explanation_id"], "low": ends[0], "high": ends[1]}
            )
    for k in order:
        decomposition.append(
            {"level": "category", "key": k, "component": "unexplained", "low": u_lo[k], "high": u_hi[k]}
        )

    def col(d: Mapping[str, float]) -> pd.Series:
        return _num([d[k] for k in order] + [sum(d.values())])

    return pd.DataFrame(
        {
            "source_a": label_a,
            "source_b": label_b,
            "common_category": order + [TOTAL],
            "categories_a": ["+".join(members[k][label_a]) for k in order] + [""],
            "categories_b": ["+".join(members[k][label_b]) for k in order] + [""],
            "class_a": [common_class[label_a][k] or "" for k in order] + [""],
            "class_b": [common_class[label_b][k] or "" for k in order] + [""],
            "count_a": col(a),
            "count_b": col(b),
            "difference": col(diff),
            "explained": col(explained),
            "bound_low": _with_total(b_lo, order, 0.0),
            "bound_high": _with_total(b_hi, order, 0.0),
            "unexplained_low": _with_total(u_lo, order, sum(diff.values()) - sum(explained.values())),
            "unexplained_high": _with_total(u_hi, order, sum(diff.values()) - sum(explained.values())),
            "explanation_ids": [";".join(ids[k]) for k in order] + [""],
        }
    )


def _with_total(values: Mapping[str, float], keys: list[str], total: float) -> pd.Series:
    """Column of per-key values with a given ``total`` row.

    The ends of ranges do not add up (the lower ends of two categories are
    reached at different move sizes), so range columns get their total row
    from the totals themselves: a move shifts people between keys, so its
    total is 0 at any size and the total unexplained part is exact.
    """
    return _num([values[k] for k in keys] + [total])


def _class_table(
    inp: _Inputs,
    order: list[str],
    common_class: Mapping[str, Mapping[str, str | None]],
    a: Mapping[str, float],
    b: Mapping[str, float],
    move_rows: list[dict[str, Any]],
    decomposition: list[dict[str, Any]],
) -> pd.DataFrame:
    """One row per class plus ``total``: class naming, published moves, ranges of the rest."""
    label_a, label_b = inp.labels
    class_order = list(dict.fromkeys(inp.schemes[label_a][1] + inp.schemes[label_b][1]))
    used = {c for src in inp.labels for c in common_class[src].values() if c}
    class_order = [c for c in class_order if c in used] + sorted(used - set(class_order))

    def b_class(k: str) -> str:
        # the class table b's scheme gives category k; a's when b has no such category
        return common_class[label_b][k] or common_class[label_a][k] or ""

    ca = dict.fromkeys(class_order, 0.0)
    cb = dict.fromkeys(class_order, 0.0)
    reclass = dict.fromkeys(class_order, 0.0)
    for k in order:
        cls_a, cls_b = common_class[label_a][k], common_class[label_b][k]
        if cls_a:
            ca[cls_a] += a[k]
        if cls_b:
            cb[cls_b] += b[k]
        if cls_a and cls_b and cls_a != cls_b and a[k]:
            reclass[cls_a] -= a[k]
            reclass[cls_b] += a[k]
    cdiff = {c: cb[c] - ca[c] for c in class_order}
    known = [mv for mv in move_rows if mv["bound_low"] == mv["bound_high"]]
    moves_c = _shifts(known, b_class, class_order, "bound_low")
    at_low = _shifts(move_rows, b_class, class_order, "bound_low")
    at_high = _shifts(move_rows, b_class, class_order, "bound_high")
    b_lo, b_hi = _ranges(
        {c: at_low[c] - moves_c[c] for c in class_order}, {c: at_high[c] - moves_c[c] for c in class_order}, class_order
    )
    rest = {c: cdiff[c] - reclass[c] - moves_c[c] for c in class_order}
    u_lo = {c: rest[c] - b_hi[c] for c in class_order}
    u_hi = {c: rest[c] - b_lo[c] for c in class_order}
    for mv in move_rows:
        if mv["bound_high"] == 0 or b_class(mv["common_from_a"]) == b_class(mv["common_to_b"]):
            continue
        for key, sign in ((b_class(mv["common_from_a"]), -1.0), (b_class(mv["common_to_b"]), 1.0)):
            ends = sorted((sign * mv["bound_low"], sign * mv["bound_high"]))
            decomposition.append(
                {"level": "class", "key": key, "component": mv["explanation_id"], "low": ends[0], "high": ends[1]}
            )
    for c in class_order:
        decomposition.append(
            {"level": "class", "key": c, "component": "classification", "low": reclass[c], "high": reclass[c]}
        )
        decomposition.append({"level": "class", "key": c, "component": "unexplained", "low": u_lo[c], "high": u_hi[c]})

    def col(d: Mapping[str, float]) -> pd.Series:
        return _num([d[c] for c in class_order] + [sum(d.values())])

    return pd.DataFrame(
        {
            "source_a": label_a,
            "source_b": label_b,
            "class": class_order + [TOTAL],
            "count_a": col(ca),
            "count_b": col(cb),
            "difference": col(cdiff),
            "explained_classification": col(reclass),
            "explained_moves": col(moves_c),
            "explained": col({c: reclass[c] + moves_c[c] for c in class_order}),
            "bound_low": _with_total(b_lo, class_order, 0.0),
            "bound_high": _with_total(b_hi, class_order, 0.0),
            "unexplained_low": _with_total(u_lo, class_order, sum(rest.values())),
            "unexplained_high": _with_total(u_hi, class_order, sum(rest.values())),
        }
    )


# --------------------------------------------------------------------------- main
def reconcile(
    table_a: Mapping[str, Any] | pd.Series,
    table_b: Mapping[str, Any] | pd.Series,
    scheme_a: Any,
    scheme_b: Any,
    label_a: str,
    label_b: str,
    explanations: pd.DataFrame | None = None,
    crosswalk: pd.DataFrame | None = None,
) -> Reconciliation:
    """Compare two outflow tables of the same reference date, category by category.

    Parameters
    ----------
    table_a, table_b
        Outflow counts per category (mapping or Series category -> persons),
        e.g. the programme monitor of 1 November 2020 (``002``, *Voortgang
        LVV's*) and the Verwey-Jonker counts for the same date (``000``,
        *Effecten van de LVV*).
    scheme_a, scheme_b
        Classification of each table: a scheme name (``lvv_eval.reference.schemes``), a
        Scheme, or a mapping category/exit code -> class id.
    label_a, label_b
        Names of the tables; they select the rows of ``crosswalk`` and
        ``explanations`` (column ``source_id`` / ``source_from`` /
        ``source_to``), e.g. ``"monitor-2020"``, ``"verwey-jonker-2021"``.
    explanations
        Table as from :func:`load_explanations`; rows that do not link these
        two labels are not used. ``None``: no explanations.
    crosswalk
        Table as from :func:`load_crosswalk`; ``None`` maps every category to
        itself.

    Returns
    -------
    Reconciliation
        Category and class tables, the moves used and a long decomposition.
        ``explained`` holds only what explanations of published size account
        for; a mechanism of unknown size is a range ``bound_low`` ..
        ``bound_high`` (signed, in the key's direction), and the unexplained
        part is then the range ``unexplained_low`` .. ``unexplained_high``.

    Raises
    ------
    InputValidationError
        Negative or non-numeric counts, a category without a class, a
        crosswalk that maps one category twice or merges classes, an
        explanation naming an unknown category.
    """
    if label_a == label_b:
        raise ConfigError("label_a and label_b must differ")
    labels = (label_a, label_b)
    problems: list[Problem] = []
    counts = {label_a: _counts(table_a, label_a, problems), label_b: _counts(table_b, label_b, problems)}
    schemes = {label_a: _scheme_mapping(scheme_a), label_b: _scheme_mapping(scheme_b)}
    cw = crosswalk if crosswalk is not None else pd.DataFrame(columns=list(CROSSWALK_COLUMNS))
    common_of, codes_of = _crosswalk_lookups(cw, labels, problems)
    inp = _Inputs(labels, counts, schemes, common_of, codes_of, cw.attrs.get("file", "crosswalk"))

    class_of = _category_classes(inp, problems)
    order, members, common_class = _common_categories(inp, class_of, problems)
    exp = explanations if explanations is not None else pd.DataFrame(columns=list(EXPLANATION_COLUMNS))
    move_rows = _explanation_rows(exp, inp, members, problems)
    if problems:
        raise InputValidationError(problems)

    a = {k: sum(counts[label_a][c] for c in members[k][label_a]) for k in order}
    b = {k: sum(counts[label_b][c] for c in members[k][label_b]) for k in order}
    _move_bounds(move_rows, {k: b[k] - a[k] for k in order})
    decomposition: list[dict[str, Any]] = []
    cat_table = _category_table(inp, order, members, common_class, a, b, move_rows, decomposition)
    class_table = _class_table(inp, order, common_class, a, b, move_rows, decomposition)

    moves = pd.DataFrame(
        move_rows,
        columns=[
            "explanation_id",
            "source_from",
            "category_from",
            "source_to",
            "category_to",
            "common_from_a",
            "common_to_b",
            "size_published",
            "bound_low",
            "bound_high",
            "description",
            "citation",
        ],
    )
    dec = pd.DataFrame(decomposition, columns=["level", "key", "component", "low", "high"])
    keep = (dec["low"] != 0) | (dec["high"] != 0) | (dec["component"] == "unexplained")
    return Reconciliation(label_a, label_b, cat_table, class_table, moves, dec[keep].reset_index(drop=True))
