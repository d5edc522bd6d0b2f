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
   When the size is published (column ``size``) that size is used. Otherwise
   it is not known, so the explained part is the largest move that is
   consistent with the observed differences: ``m = max(0, min(-d_X, d_Y))``
   with ``d`` the differences left after earlier explanations (applied in
   table order). This is an upper bound; the lower bound is 0.
4. ``unexplained = difference - explained``.
5. Per class (each source's own scheme): the class difference is split into
   a *classification* part (people in the same common category that the two
   schemes put in different classes, counted with table a's numbers), the
   explained moves (attributed to table b's classes of X and Y) and the
   unexplained remainder (the category remainders summed by table b's class).
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
    "explanation_id", "source_from", "category_from", "source_to", "category_to",
    "size", "description", "citation",
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
        ``count_a``, ``count_b``, ``difference``, ``explained``,
        ``unexplained``, ``explanation_ids``.
    classes
        One row per class plus ``total``: ``count_a``, ``count_b``,
        ``difference``, ``explained_classification``, ``explained_moves``,
        ``explained``, ``unexplained``.
    moves
        One row per applicable explanation: the common categories it moves
        between, ``size_published``, ``upper_bound``, ``explained`` (the size
        used), ``description``, ``citation``.
    decomposition
        Long table ``level`` (category/class), ``key``, ``component``
        (``classification``, an explanation id, or ``unexplained``),
        ``value``; per key the components add up to the difference.
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
        raise InputValidationError(
            [Problem(str(path), 1, c, "", "required column is missing") for c in missing]
        )
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

    Raises
    ------
    InputValidationError
        Negative or non-numeric counts, a category without a class, a
        crosswalk that maps one category twice or merges classes, an
        explanation naming an unknown category.
    """
    if label_a == label_b:
        raise ConfigError("label_a and label_b must differ")
    problems: list[Problem] = []
    counts = {label_a: _counts(table_a, label_a, problems), label_b: _counts(table_b, label_b, problems)}
    schemes = {label_a: _scheme_mapping(scheme_a), label_b: _scheme_mapping(scheme_b)}
    cw = crosswalk if crosswalk is not None else pd.DataFrame(columns=list(CROSSWALK_COLUMNS))
    cw_file = cw.attrs.get("file", "crosswalk")

    # crosswalk lookups per source
    common_of: dict[str, dict[str, str]] = {label_a: {}, label_b: {}}
    codes_of: dict[str, dict[str, list[str]]] = {label_a: {}, label_b: {}}
    for i, row in enumerate(cw.itertuples(index=False)):
        src, cat = str(row.source_id), str(row.category)
        if src not in common_of:
            continue
        common = str(row.common_category).strip()
        if not common:
            problems.append(Problem(cw_file, i + 2, "common_category", "", "must not be empty"))
            continue
        if cat in common_of[src] and common_of[src][cat] != common:
            problems.append(Problem(cw_file, i + 2, "common_category", common,
                                    f"{src}/{cat} is already mapped to {common_of[src][cat]!r}"))
            continue
        common_of[src][cat] = common
        raw_codes = str(getattr(row, "codes", "") or "")
        codes_of[src][cat] = [c.strip() for c in raw_codes.split(";") if c.strip()]

    def common(src: str, cat: str) -> str:
        return common_of[src].get(cat, cat)

    # class of each original category
    class_of: dict[str, dict[str, str]] = {label_a: {}, label_b: {}}
    for src in (label_a, label_b):
        mapping = schemes[src][0]
        for cat in counts[src]:
            if cat in mapping:
                class_of[src][cat] = mapping[cat]
                continue
            codes = codes_of[src].get(cat, [])
            unknown = [c for c in codes if c not in mapping]
            classes = sorted({mapping[c] for c in codes if c in mapping})
            if not codes or unknown:
                problems.append(Problem(src, None, cat, _fmt(counts[src][cat]),
                                        "category has no class: it is not in the scheme and the crosswalk "
                                        f"lists no known exit codes for it (unknown: {unknown})"))
            elif len(classes) > 1:
                problems.append(Problem(src, None, cat, ";".join(codes),
                                        f"the exit codes of this category fall in several classes {classes}"))
            else:
                class_of[src][cat] = classes[0]

    # common categories in order of appearance
    order: list[str] = []
    members: dict[str, dict[str, list[str]]] = {}
    for src in (label_a, label_b):
        for cat in counts[src]:
            k = common(src, cat)
            if k not in members:
                members[k] = {label_a: [], label_b: []}
                order.append(k)
            members[k][src].append(cat)
    common_class: dict[str, dict[str, str | None]] = {label_a: {}, label_b: {}}
    for k in order:
        for src in (label_a, label_b):
            cls = sorted({class_of[src][c] for c in members[k][src] if c in class_of[src]})
            if len(cls) > 1:
                problems.append(Problem(cw_file, None, "common_category", k,
                                        f"{src} categories {members[k][src]} merged into one common category "
                                        f"fall in different classes {cls}"))
            common_class[src][k] = cls[0] if cls else None

    # explanations
    exp = explanations if explanations is not None else pd.DataFrame(columns=list(EXPLANATION_COLUMNS))
    exp_file = exp.attrs.get("file", "explanations")
    move_rows: list[dict[str, Any]] = []
    for i, row in enumerate(exp.itertuples(index=False)):
        sf, st = str(row.source_from), str(row.source_to)
        if {sf, st} != {label_a, label_b}:
            continue
        cf, ct = str(row.category_from), str(row.category_to)
        bad = False
        for src, cat, col in ((sf, cf, "category_from"), (st, ct, "category_to")):
            if common(src, cat) not in members:
                problems.append(Problem(exp_file, i + 2, col, cat,
                                        f"not a category of {src} (nor a common category) in these tables"))
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
            k_from, k_to = common(sf, cf), common(st, ct)
        else:  # b counts them in cf, a in ct: a move from ct (a) to cf (b)
            k_from, k_to = common(st, ct), common(sf, cf)
        move_rows.append({"explanation_id": str(row.explanation_id), "source_from": sf,
                          "category_from": cf, "source_to": st, "category_to": ct,
                          "common_from_a": k_from, "common_to_b": k_to, "size_published": size,
                          "description": str(getattr(row, "description", "")),
                          "citation": str(getattr(row, "citation", ""))})
    if problems:
        raise InputValidationError(problems)

    # category differences and moves
    a = {k: sum(counts[label_a][c] for c in members[k][label_a]) for k in order}
    b = {k: sum(counts[label_b][c] for c in members[k][label_b]) for k in order}
    diff = {k: b[k] - a[k] for k in order}
    remaining = dict(diff)
    explained = dict.fromkeys(order, 0.0)
    ids: dict[str, list[str]] = {k: [] for k in order}
    decomposition: list[dict[str, Any]] = []
    for mv in move_rows:
        x, y = mv["common_from_a"], mv["common_to_b"]
        bound = 0.0 if x == y else max(0.0, min(-remaining[x], remaining[y]))
        m = 0.0 if x == y else (mv["size_published"] if not np.isnan(mv["size_published"]) else bound)
        mv["upper_bound"], mv["explained"] = bound, m
        if m:
            remaining[x] += m
            remaining[y] -= m
            explained[x] -= m
            explained[y] += m
            ids[x].append(mv["explanation_id"])
            ids[y].append(mv["explanation_id"])
            decomposition += [
                {"level": "category", "key": x, "component": mv["explanation_id"], "value": -m},
                {"level": "category", "key": y, "component": mv["explanation_id"], "value": m},
            ]
    unexplained = {k: diff[k] - explained[k] for k in order}
    for k in order:
        decomposition.append({"level": "category", "key": k, "component": "unexplained", "value": unexplained[k]})

    cat_table = pd.DataFrame(
        {
            "source_a": label_a,
            "source_b": label_b,
            "common_category": order + [TOTAL],
            "categories_a": ["+".join(members[k][label_a]) for k in order] + [""],
            "categories_b": ["+".join(members[k][label_b]) for k in order] + [""],
            "class_a": [common_class[label_a][k] or "" for k in order] + [""],
            "class_b": [common_class[label_b][k] or "" for k in order] + [""],
            "count_a": _num([a[k] for k in order] + [sum(a.values())]),
            "count_b": _num([b[k] for k in order] + [sum(b.values())]),
            "difference": _num([diff[k] for k in order] + [sum(diff.values())]),
            "explained": _num([explained[k] for k in order] + [sum(explained.values())]),
            "unexplained": _num([unexplained[k] for k in order] + [sum(unexplained.values())]),
            "explanation_ids": [";".join(ids[k]) for k in order] + [""],
        }
    )

    # classes
    class_order = list(dict.fromkeys(schemes[label_a][1] + schemes[label_b][1]))
    used = {c for src in (label_a, label_b) for c in common_class[src].values() if c}
    class_order = [c for c in class_order if c in used] + sorted(used - set(class_order))

    def b_class(k: str) -> str:
        # the class table b's scheme gives category k; a's when b has no such category
        return common_class[label_b][k] or common_class[label_a][k] or ""

    ca = dict.fromkeys(class_order, 0.0)
    cb = dict.fromkeys(class_order, 0.0)
    reclass = dict.fromkeys(class_order, 0.0)
    moves_c = dict.fromkeys(class_order, 0.0)
    unexp_c = dict.fromkeys(class_order, 0.0)
    for k in order:
        cls_a, cls_b = common_class[label_a][k], common_class[label_b][k]
        if cls_a:
            ca[cls_a] += a[k]
        if cls_b:
            cb[cls_b] += b[k]
        if cls_a and cls_b and cls_a != cls_b and a[k]:
            reclass[cls_a] -= a[k]
            reclass[cls_b] += a[k]
        unexp_c[b_class(k)] += unexplained[k]
    for mv in move_rows:
        if mv["explained"]:
            moves_c[b_class(mv["common_from_a"])] -= mv["explained"]
            moves_c[b_class(mv["common_to_b"])] += mv["explained"]
            for key, sign in ((b_class(mv["common_from_a"]), -1), (b_class(mv["common_to_b"]), 1)):
                decomposition.append({"level": "class", "key": key, "component": mv["explanation_id"],
                                      "value": sign * mv["explained"]})
    for c in class_order:
        decomposition.append({"level": "class", "key": c, "component": "classification", "value": reclass[c]})
        decomposition.append({"level": "class", "key": c, "component": "unexplained", "value": unexp_c[c]})
    cdiff = {c: cb[c] - ca[c] for c in class_order}
    rows = class_order + [TOTAL]

    def col(d: dict[str, float]) -> pd.Series:
        return _num([d[c] for c in class_order] + [sum(d.values())])

    class_table = pd.DataFrame(
        {
            "source_a": label_a,
            "source_b": label_b,
            "class": rows,
            "count_a": col(ca),
            "count_b": col(cb),
            "difference": col(cdiff),
            "explained_classification": col(reclass),
            "explained_moves": col(moves_c),
            "explained": col({c: reclass[c] + moves_c[c] for c in class_order}),
            "unexplained": col(unexp_c),
        }
    )

    moves = pd.DataFrame(
        move_rows,
        columns=["explanation_id", "source_from", "category_from", "source_to", "category_to",
                 "common_from_a", "common_to_b", "size_published", "upper_bound", "explained",
                 "description", "citation"],
    )
    dec = pd.DataFrame(decomposition, columns=["level", "key", "component", "value"])
    dec = dec[(dec["value"] != 0) | (dec["component"] == "unexplained")].reset_index(drop=True)
    return Reconciliation(label_a, label_b, cat_table, class_table, moves, dec)
