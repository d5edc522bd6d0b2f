"""Synthetic person-level monitor data calibrated to the published figures.

SYNTHETIC: every row is invented; no row describes a real person.

The generator works in two steps:

1. **Quotas** (:mod:`lvv_eval.synthetic.targets`): whole numbers of trajectories
   entering and leaving each pilot in each period (``w1`` up to 2019-12-31,
   ``w2`` up to 2020-11-01, ``w3`` up to 2022-07-01) by exit reason, fixed
   exactly by the published figures (seeds ``001_08a3e7995258f26d.txt``
   Tabel S.1/S.2, ``002_1f6dbbe6756677e4.txt`` 'Voortgang LVV's',
   ``000_3514d6bc5a3a2801.txt`` 'Effecten van de LVV',
   ``004_b44b716732003f66.txt``) and the assumptions in ``config/synth.yaml``.
   Here it is also decided from which intake period each exit comes
   (cohorts), so that the stock never goes negative.
2. **People and dates** (this module): the quota table is expanded to one
   row per trajectory and every attribute is drawn with
   :class:`numpy.random.Generator` in vectorised numpy, with exact quotas
   inside groups where a figure is published (families, safe countries,
   scenarios, MRT cases, returns by country, prior departure procedures).

No date falls on a peildatum, so a count does not depend on whether the
peildatum day is counted in or out. The same seed and scale give the same
rows and, through :func:`lvv_eval.sources.monitor.write_monitor`, the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lvv_eval.errors import ConfigError
from lvv_eval.reference import monitor_format as schema
from lvv_eval.reference.pilots import pilot_codes
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.sources.monitor_write import write_monitor_fast
from lvv_eval.synthetic.targets import OPEN, WINDOWS, Quotas, build_quotas, largest_remainder, load_config

__all__ = ["generate", "cohort_cells", "scale_counts", "write_synthetic", "DEPARTURE_CODES", "RESIDENCE_CODES"]

DEPARTURE_CODES: tuple[str, ...] = ("independent_return", "onward_migration", "forced_return")
"""Exit codes that follow a departure scenario (preferred when scenarios are assigned)."""

RESIDENCE_CODES: tuple[str, ...] = ("residence_permit", "repeat_asylum_application", "departure_postponed_art64")
"""Exit codes that follow a residence scenario (preferred when scenarios are assigned)."""

_DAY = np.timedelta64(1, "D")
_ALL_WINDOWS = (*WINDOWS, OPEN)


# --------------------------------------------------------------------------- quotas -> cells


def cohort_cells(quotas: Quotas, config: Mapping[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """Decide from which intake window each exit comes (whole counts, scale 1).

    For each pilot and formal status, exits in window ``k`` come partly from
    people who entered in ``k`` itself (``same_window_exit_fraction`` of their
    proportional share) and otherwise from the stock of earlier windows, in
    proportion to what is left of each earlier intake cohort. Which exit
    reasons go to which cohort is drawn at random. What is left at the end is
    still present at the extract date (exit window ``open``).

    Returns
    -------
    pandas.DataFrame
        Columns ``pilot, formal, intake_window, exit_window, reason, count``
        (``reason`` empty for open stays), sorted, counts > 0.

    Raises
    ------
    ConfigError
        A window has more exits than the stock and new intakes allow.
    """
    frac = float(config.get("same_window_exit_fraction", 0.5))
    cells: list[tuple[str, bool, str, str, str, int]] = []
    for (pilot, formal), intake in quotas.intake.groupby(["pilot", "formal"], sort=True):
        inflow = dict(zip(intake["window"], intake["count"].astype(int)))
        ex = quotas.exits[(quotas.exits["pilot"] == pilot) & (quotas.exits["formal"] == formal)]
        remaining: dict[str, int] = {}
        for k, window in enumerate(WINDOWS):
            remaining[window] = inflow.get(window, 0)
            here = ex[ex["window"] == window]
            total = int(here["count"].sum())
            earlier = list(WINDOWS[:k])
            stock = sum(remaining[j] for j in earlier)
            if stock == 0:
                n_new = total
            else:
                new_in = remaining[window]
                target_new = int(round(frac * total * new_in / (stock + new_in))) if new_in else 0
                n_new = total - min(stock, total - target_new)
            if n_new > remaining[window]:
                raise ConfigError(
                    f"{pilot} ({'formal' if formal else 'informal'}) {window}: "
                    f"{total} exits exceed stock {stock} + intake {remaining[window]}"
                )
            from_stock = (
                largest_remainder(
                    total - n_new, {j: remaining[j] for j in earlier}, caps={j: remaining[j] for j in earlier}
                )
                if total - n_new
                else {}
            )
            reasons = np.repeat(here["reason"].to_numpy(dtype=object), here["count"].to_numpy(dtype=int))
            reasons = reasons[rng.permutation(len(reasons))]
            sources = np.repeat(
                np.array([window, *earlier], dtype=object), [n_new, *[from_stock.get(j, 0) for j in earlier]]
            )
            pairs = pd.DataFrame({"src": sources, "reason": reasons}).value_counts(sort=False)
            for (src, reason), n in pairs.items():
                cells.append((pilot, bool(formal), str(src), window, str(reason), int(n)))
            remaining[window] -= n_new
            for j, n in from_stock.items():
                remaining[j] -= n
        for j in WINDOWS:
            if remaining[j] > 0:
                cells.append((pilot, bool(formal), j, OPEN, "", remaining[j]))
    out = pd.DataFrame(cells, columns=["pilot", "formal", "intake_window", "exit_window", "reason", "count"])
    out = out.groupby(["pilot", "formal", "intake_window", "exit_window", "reason"], as_index=False, sort=True)[
        "count"
    ].sum()
    return out[out["count"] > 0].reset_index(drop=True)


def scale_counts(counts: np.ndarray, scale: float) -> np.ndarray:
    """Multiply whole counts by ``scale`` keeping whole numbers (largest remainder).

    The result sums to ``round(counts.sum() * scale)``; ties go to the
    earlier position, so the result is deterministic.

    Examples
    --------
    >>> scale_counts(np.array([1, 1, 1]), 2.5).tolist()
    [3, 3, 2]
    """
    counts = np.asarray(counts, dtype=np.int64)
    if scale == 1:
        return counts.copy()
    if scale <= 0:
        raise ConfigError(f"scale must be positive, got {scale}")
    exact = counts * float(scale)
    base = np.floor(exact).astype(np.int64)
    left = int(round(counts.sum() * float(scale))) - int(base.sum())
    order = np.lexsort((np.arange(len(counts)), -(exact - base)))
    base[order[: max(left, 0)]] += 1
    return base


def _scaled(n: float, scale: float) -> int:
    return int(round(n * scale))


# --------------------------------------------------------------------------- helpers


def _order_by_group_then_key(groups: np.ndarray, key: np.ndarray) -> np.ndarray:
    """``np.lexsort((key, groups))`` for ``key`` drawn by :meth:`numpy.random.Generator.random`.

    Such a key is a whole multiple of 2**-53, so group and key fit together in
    one unsigned 64-bit number when there are fewer than 2**11 groups; one
    unstable sort of that number gives the lexsort order whenever no two rows
    share group and key (ties are checked, and fall back to ``lexsort``).
    """
    scaled = key * 2.0**53
    if (
        len(groups) == 0
        or groups.max(initial=0) >= 2**11
        or groups.min(initial=0) < 0
        or not np.array_equal(np.floor(scaled), scaled)
    ):
        return np.lexsort((key, groups))
    packed = (groups.astype(np.uint64) << np.uint64(53)) | scaled.astype(np.uint64)
    order = np.argsort(packed)
    ordered = packed[order]
    if (ordered[1:] == ordered[:-1]).any():
        return np.lexsort((key, groups))
    return order


def _rank(key: np.ndarray) -> np.ndarray:
    """Rank of each value of ``key`` (0 = smallest; ties by position, as a stable sort)."""
    order = np.argsort(key)
    ordered = key[order]
    if len(key) > 1 and (ordered[1:] == ordered[:-1]).any():
        order = np.argsort(key, kind="stable")
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key))
    return rank


def _quota_assign(groups: np.ndarray, probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Assign categories with exact counts per group (largest remainder), at random order.

    Parameters
    ----------
    groups
        Group index per row (0 .. G-1).
    probs
        G x C matrix of category shares per group (rows sum to 1).

    Returns
    -------
    numpy.ndarray
        Category index (0 .. C-1) per row.
    """
    n_groups, n_categories = probs.shape
    sizes = np.bincount(groups, minlength=n_groups)
    exact = probs * sizes[:, None]
    base = np.floor(exact + 1e-9).astype(np.int64)
    left = sizes - base.sum(axis=1)
    rank = np.argsort(np.argsort(-(exact - base), axis=1, kind="stable"), axis=1, kind="stable")
    base += (rank < left[:, None]).astype(np.int64)
    order = _order_by_group_then_key(groups, rng.random(len(groups)))
    if np.array_equal(base.sum(axis=1), sizes):
        # rows sorted by group: each group's categories follow each other in their quota
        cat_sorted = np.repeat(np.tile(np.arange(n_categories), n_groups), base.reshape(-1))
    else:  # quotas that do not add up to the group (shares not summing to 1)
        g_sorted = groups[order]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        pos = np.arange(len(groups)) - starts[g_sorted]
        cat_sorted = (pos[:, None] >= np.cumsum(base, axis=1)[g_sorted]).sum(axis=1)
    out = np.empty(len(groups), dtype=np.int64)
    out[order] = cat_sorted
    return out


def _largest_first(key: np.ndarray, k: int) -> np.ndarray:
    """``np.argsort(-key, kind="stable")[:k]`` without sorting all of ``key``."""
    k = min(int(k), len(key))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    neg = -key
    if 4 * k >= len(key):
        return np.argsort(neg, kind="stable")[:k]
    threshold = neg[np.argpartition(neg, k - 1)[:k]].max()
    below = np.flatnonzero(neg < threshold)
    ties = np.flatnonzero(neg == threshold)[: k - len(below)]
    chosen = np.concatenate([below, ties])
    return chosen[np.argsort(neg[chosen], kind="stable")]


def _pick(mask: np.ndarray, k: int, rng: np.random.Generator, score: np.ndarray | None = None) -> np.ndarray:
    """Indices of ``k`` rows of ``mask`` chosen at random (highest ``score`` first if given)."""
    idx = np.flatnonzero(mask)
    key = rng.random(len(idx))
    if score is not None:
        key = key + score[idx]
    return idx[_largest_first(key, k)]


def _uniform_day(lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A day in ``[lo, hi]`` (int day numbers) for ``u`` in [0, 1)."""
    span = np.maximum(hi - lo, 0) + 1
    return lo + np.minimum(np.floor(u * span).astype(np.int64), span - 1)


def _days(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.date(), "D").astype(np.int64))


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.api.extensions.ExtensionArray:
    """``prefix`` + ``numbers`` zero-padded to ``width`` digits, as a ``string`` array.

    Every id has the same length, so the text is built as one byte matrix (one
    row per id) and handed to Arrow without a Python string per row.
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    if len(numbers) and (numbers.min() < 0 or numbers.max() >= 10**width):
        raise ConfigError(f"id numbers must lie in [0, 10**{width})")
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    size = len(head) + width
    text = np.empty((len(numbers), size), dtype=np.uint8)
    text[:, : len(head)] = head
    rest = numbers.copy()
    for column in range(size - 1, len(head) - 1, -1):
        text[:, column] = 48 + rest % 10
        rest //= 10
    offsets = np.arange(0, len(numbers) * size + 1, size, dtype=np.int64)
    array = pa.LargeStringArray.from_buffers(len(numbers), pa.py_buffer(offsets), pa.py_buffer(text.reshape(-1)))
    return pd.array(pd.arrays.ArrowStringArray(pc.cast(array, pa.string())), dtype="string")


# --------------------------------------------------------------------------- generator


@dataclass
class _Rows:
    """One entry per trajectory: the cell it comes from and what was drawn so far."""

    pilots: list[str]
    pilot_idx: np.ndarray
    formal: np.ndarray
    win_in: np.ndarray
    win_out: np.ndarray
    reason: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    labels: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.pilot_idx)

    def __getattr__(self, name: str) -> np.ndarray:
        columns = self.__dict__.get("columns", {})
        if name in columns:
            return columns[name]
        raise AttributeError(name)


def generate(
    seed: int | None = None,
    scale: float | None = None,
    config: Mapping[str, Any] | str | Path | None = None,
    figures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Generate a synthetic typed monitor frame calibrated to the published figures.

    SYNTHETIC: not real people.

    Parameters
    ----------
    seed
        Seed of :class:`numpy.random.Generator` (default: ``seed`` in the config).
    scale
        Multiplier of every count (default: ``scale`` in the config, 1.0);
        at scale 1 the published counts are met exactly, at other scales the
        shares are kept (about 2,100 trajectories per unit of scale).
    config
        Parsed ``config/synth.yaml`` or a path to such a file.
    figures
        Published figures (default: ``data/published/figures.csv``).

    Returns
    -------
    pandas.DataFrame
        Typed monitor frame (columns and dtypes of :mod:`lvv_eval.reference.monitor_format`),
        sorted by ``trajectory_id``.

    Notes
    -----
    The steps below draw from one generator in a fixed order; changing the
    order changes every row after it (and the committed synthetic file).
    """
    cfg = load_config(config) if not isinstance(config, Mapping) else dict(config)
    seed = int(cfg["seed"] if seed is None else seed)
    scale = float(cfg.get("scale", 1.0) if scale is None else scale)
    if scale <= 0:
        raise ConfigError(f"scale must be positive, got {scale}")
    rng = np.random.default_rng(seed)
    quotas = build_quotas(cfg, figures)
    rows = _expand_cells(cohort_cells(quotas, cfg, rng), scale)
    demo = cfg["demographics"]
    _draw_dates(rows, quotas, cfg, rng)
    _draw_families(rows, quotas, demo, scale, rng)
    _draw_sex(rows, demo, rng)
    _draw_birth_year(rows, demo, rng)
    _draw_nationality(rows, quotas, demo, scale, rng)
    _draw_prior_procedures(rows, demo, rng)
    _draw_scenarios(rows, quotas, cfg["scenarios"], scale, rng)
    _draw_mrt(rows, quotas, cfg, scale, rng)
    _draw_ids_and_reentries(rows, cfg["reentries"], scale, rng)
    return _typed(rows)


def _expand_cells(cells: pd.DataFrame, scale: float) -> _Rows:
    """The cohort cells scaled and expanded to one entry per trajectory."""
    counts = scale_counts(cells["count"].to_numpy(), scale)
    row_cell = np.repeat(np.arange(len(cells)), counts)
    pilots = list(pilot_codes())
    codes = list(EXIT_REASON_CODES)
    reason_cell = np.array([codes.index(r) if r else -1 for r in cells["reason"]], dtype=np.int64)
    return _Rows(
        pilots=pilots,
        pilot_idx=np.searchsorted(pilots, cells["pilot"].to_numpy(dtype=str))[row_cell],
        formal=cells["formal"].to_numpy(dtype=bool)[row_cell],
        win_in=np.searchsorted(_ALL_WINDOWS[:3], cells["intake_window"].to_numpy(dtype=str))[row_cell],
        win_out=np.array([_ALL_WINDOWS.index(w) for w in cells["exit_window"]], dtype=np.int64)[row_cell],
        reason=reason_cell[row_cell],
    )


def _draw_dates(rows: _Rows, quotas: Quotas, cfg: Mapping[str, Any], rng: np.random.Generator) -> None:
    """Intake and exit days (day numbers) inside each row's windows."""
    n = rows.n
    peil = quotas.peildata
    p19, p20, p22 = _days(peil["p2019"]), _days(peil["p2020"]), _days(peil["p2022"])
    start = np.array([_days(quotas.pilot_start[p]) for p in rows.pilots], dtype=np.int64)[rows.pilot_idx]
    lo = np.stack([start, np.full(n, p19 + 1), np.full(n, p20 + 1)])
    hi = np.array([p19 - 1, p20 - 1, p22 - 1], dtype=np.int64)
    win_in, win_out = rows.win_in, rows.win_out
    skew = np.array([float(cfg["intake_skew"][w]) for w in WINDOWS])[win_in]
    lo_in = np.choose(win_in, lo)
    intake = _uniform_day(lo_in, hi[win_in], rng.random(n) ** skew)
    u_exit = rng.random(n)
    is_open = win_out == 3
    wo = np.minimum(win_out, 2)
    same = win_out == win_in
    exit_lo = np.where(same, intake, np.choose(wo, lo))
    exit_day = _uniform_day(exit_lo, hi[wo], u_exit)
    rows.columns.update(  # type: ignore[call-overload]
        p19=np.int64(p19),
        p20=np.int64(p20),
        p22=np.int64(p22),
        intake=intake,
        exit_day=np.where(is_open, -1, exit_day),
        is_open=is_open,
        present_p20=rows.formal & (win_in <= 1) & (win_out >= 2),
    )


def _draw_families(
    rows: _Rows, quotas: Quotas, demo: Mapping[str, Any], scale: float, rng: np.random.Generator
) -> None:
    """Family members and children (002: Utrecht, ca. 20 persons present on 2020-11-01)."""
    codes = list(EXIT_REASON_CODES)
    family = np.zeros(rows.n, dtype=bool)
    for rule in demo["family_rules"]:
        mask = (
            (rows.pilot_idx == rows.pilots.index(rule["pilot"]))
            & np.isin(rows.win_in, [WINDOWS.index(w) for w in rule["intake"]])
            & np.isin(rows.win_out, [_ALL_WINDOWS.index(w) for w in rule["exit"]])
            & ~family
        )
        if "reasons" in rule:
            mask &= np.isin(rows.reason, [codes.index(r) for r in rule["reasons"]])
        if "count_figure" in rule:
            k = _scaled(quotas.figures["family_counts"][rule["count_figure"]], scale)
        else:
            k = int(round(float(rule["share"]) * mask.sum()))
        family[_pick(mask, k, rng)] = True
    child = np.zeros(rows.n, dtype=bool)
    n_family = int(family.sum())
    child[_pick(family, int(round(float(demo["family_child_share"]) * n_family)), rng)] = True
    rows.columns.update(family=family, child=child)


def _draw_sex(rows: _Rows, demo: Mapping[str, Any], rng: np.random.Generator) -> None:
    """Sex code, 0 = m, 1 = f (001: a majority of men in every pilot; Utrecht more women)."""
    male = demo["male_share"]
    male_p = np.array([float(male.get(p, male["default"])) for p in rows.pilots])
    sex_group = np.where(rows.family, len(rows.pilots), rows.pilot_idx)
    sex_probs = np.vstack([np.column_stack([male_p, 1 - male_p]), [[0.5, 0.5]]])
    rows.columns["sex"] = _quota_assign(sex_group, sex_probs, rng)


def _draw_birth_year(rows: _Rows, demo: Mapping[str, Any], rng: np.random.Generator) -> None:
    """Age at intake, then birth year (001: mean age around forty)."""
    n = rows.n

    def normal_age(spec: Mapping[str, float], size: int) -> np.ndarray:
        a = rng.normal(spec["mean"], spec["sd"], size)
        return np.clip(np.rint(a), spec["min"], spec["max"]).astype(np.int64)

    age = normal_age(demo["age_adult"], n)
    fam_age = normal_age(demo["family_adult_age"], n)
    kid_age = rng.integers(0, 18, n)
    age = np.where(rows.child, kid_age, np.where(rows.family, fam_age, age))
    intake_year = rows.intake.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    rows.columns["birth_year"] = intake_year - age - (rng.random(n) < 0.5)


def _draw_nationality(
    rows: _Rows, quotas: Quotas, demo: Mapping[str, Any], scale: float, rng: np.random.Generator
) -> None:
    """Nationality and safe country of origin.

    Returns by country first (002: Armenia 7, China 5, Nigeria 4 by
    2020-11-01), then safe countries (002: Rotterdam ~20 %, Eindhoven some,
    Groningen only ex-BBB), then the rest from the nationality mix.
    """
    n = rows.n
    codes = list(EXIT_REASON_CODES)
    dist = demo["nationality"]
    iso = sorted(set(dist["dist2019"]) | set(dist["dist2020"]))
    labels = np.array(
        sorted(
            {"", *quotas.figures["returns_by_country"], *demo["other_return_countries"], *demo["safe_countries"], *iso}
        )
    )

    def code(values: np.ndarray) -> np.ndarray:
        return np.searchsorted(labels, np.asarray(values, dtype=str)) if len(values) else np.zeros(0, dtype=np.int64)

    nationality = np.full(n, int(code(np.array([""]))[0]), dtype=np.int64)
    ret_codes = [codes.index(c) for c in demo["return_codes"]]
    returner = rows.formal & (rows.win_out <= 1) & np.isin(rows.reason, ret_codes)
    ret_idx = np.flatnonzero(returner)[rng.permutation(int(returner.sum()))]
    named = [(iso, _scaled(k, scale)) for iso, k in quotas.figures["returns_by_country"].items()]
    fixed = np.concatenate([np.repeat(np.array([iso], dtype=object), k) for iso, k in named])
    others = np.array(demo["other_return_countries"], dtype=object)
    rest = max(len(ret_idx) - len(fixed), 0)
    pool = np.concatenate([fixed, np.resize(others[rng.permutation(len(others))], rest)])
    nationality[ret_idx] = code(pool[: len(ret_idx)])

    free = ~returner
    safe_cfg = demo["safe_share"]
    share_pw = np.array([[float(safe_cfg.get(p, {}).get(w, 0.0)) for w in WINDOWS] for p in rows.pilots])
    grp = rows.pilot_idx * 3 + rows.win_in
    n_groups = len(rows.pilots) * 3
    # quota of the whole group (returners included), given to the free rows
    size_all = np.bincount(grp, minlength=n_groups)
    size_free = np.bincount(grp[free], minlength=n_groups)
    group_share = np.minimum(1.0, share_pw.reshape(-1) * size_all / np.maximum(size_free, 1))
    safe = np.zeros(n, dtype=bool)
    safe[free] = _quota_assign(grp[free], np.column_stack([1 - group_share, group_share]), rng) == 1
    safe_list = demo["safe_countries"]
    s_codes = np.array(list(safe_list), dtype=object)
    s_w = np.array([float(v) for v in safe_list.values()])
    nationality[safe] = code(s_codes)[
        _quota_assign(np.zeros(int(safe.sum()), dtype=np.int64), (s_w / s_w.sum())[None, :], rng)
    ]
    probs = np.array([[float(dist[d].get(c, 0.0)) for c in iso] for d in ("dist2019", "dist2020")])
    probs /= probs.sum(axis=1, keepdims=True)
    later = (rows.win_out >= 2) | (rows.win_in == 2)
    rest_mask = free & ~safe
    nationality[rest_mask] = code(np.array(iso))[_quota_assign(later[rest_mask].astype(np.int64), probs, rng)]
    rows.columns.update(nationality=nationality, safe=safe)
    rows.labels["nationality"] = labels


def _draw_prior_procedures(rows: _Rows, demo: Mapping[str, Any], rng: np.random.Generator) -> None:
    """Prior departure procedures (002: majority >= 1; 'ruim 10%' more than 5)."""
    n = rows.n
    pp = demo["prior_procedures"]
    pgroup = (rows.formal & (rows.win_in <= 1)).astype(np.int64)
    pshares = np.array([[pp["zero"], pp["one_to_five"], pp["more_than_five"]]] * 2, dtype=float)
    pcat = _quota_assign(pgroup, pshares / pshares.sum(axis=1, keepdims=True), rng)
    one_to_five = rng.choice(
        np.arange(1, 6), size=n, p=np.array([1 / k for k in range(1, 6)]) / sum(1 / k for k in range(1, 6))
    )
    many = rng.integers(6, int(demo["prior_more_than_five_max"]) + 1, n)
    rows.columns["prior"] = np.select([pcat == 0, pcat == 1], [0, one_to_five], many)


def _draw_scenarios(rows: _Rows, quotas: Quotas, sc: Mapping[str, Any], scale: float, rng: np.random.Generator) -> None:
    """Scenario code (0 departure, 1 residence, -1 none) and day.

    002: 236 departure per pilot + 235 residence on 2020-11-01; later
    scenarios for a share of the formal trajectories present after it.
    """
    n = rows.n
    codes = list(EXIT_REASON_CODES)
    p19, p20, p22 = rows.p19, rows.p20, rows.p22
    intake, exit_day, is_open = rows.intake, rows.exit_day, rows.is_open
    rest_days = int(sc["rest_days"])
    scenario = np.full(n, -1, dtype=np.int64)
    scen_day = np.full(n, -1, dtype=np.int64)
    dep_bonus = np.isin(
        rows.reason, [codes.index(c) for c in DEPARTURE_CODES + ("left_unknown_destination", "stay_terminated")]
    )
    res_bonus = np.isin(rows.reason, [codes.index(c) for c in RESIDENCE_CODES])
    eligible = rows.present_p20 & (intake + rest_days <= p20 - 1)
    for i, p in enumerate(rows.pilots):
        in_pilot = eligible & (rows.pilot_idx == i)
        dep = _pick(in_pilot, _scaled(quotas.scenarios_departure[p], scale), rng, dep_bonus * 1.0)
        scenario[dep] = 0
        res = _pick(in_pilot & (scenario < 0), _scaled(quotas.scenarios_residence[p], scale), rng, res_bonus * 1.0)
        scenario[res] = 1
    chosen = scenario >= 0
    scen_day[chosen] = _uniform_day(
        intake[chosen] + rest_days, np.full(int(chosen.sum()), p20 - 1), rng.random(int(chosen.sum()))
    )
    scen_day[scen_day == p19] += 1  # keep every date off the peildata
    s_lo = np.maximum(intake + rest_days, p20 + 1)
    s_hi = np.where(is_open, p22 - 1, np.minimum(exit_day - 1, p22 - 1))
    later_ok = rows.formal & ~chosen & (rows.present_p20 | (rows.win_in == 2)) & (s_hi >= s_lo + 7)
    later_idx = _pick(later_ok, int(round(float(sc["later_share"]) * later_ok.sum())), rng)
    kind = np.where(
        dep_bonus[later_idx] & ~res_bonus[later_idx],
        0,
        np.where(res_bonus[later_idx], 1, np.where(rng.random(len(later_idx)) < 0.5, 0, 1)),
    )
    scenario[later_idx] = kind
    scen_day[later_idx] = _uniform_day(s_lo[later_idx], s_hi[later_idx], rng.random(len(later_idx)))
    rows.columns.update(scenario=scenario, scen_day=scen_day)


def _draw_mrt(rows: _Rows, quotas: Quotas, cfg: Mapping[str, Any], scale: float, rng: np.random.Generator) -> None:
    """MRT cases (002: 10 cases by 2020-11-01); later cases only for later intakes."""
    intake = rows.intake
    mrt = np.zeros(rows.n, dtype=bool)
    mrt[_pick(rows.present_p20 & (intake <= rows.p20 - 90), _scaled(quotas.figures["mrt"], scale), rng)] = True
    stay_end = np.where(rows.is_open, rows.p22, rows.exit_day)
    mrt[
        _pick(
            rows.formal & (rows.win_in == 2) & (stay_end - intake >= 120),
            _scaled(int(cfg["mrt"]["later_cases"]), scale),
            rng,
        )
    ] = True
    rows.columns["mrt"] = mrt


def _draw_ids_and_reentries(rows: _Rows, re: Mapping[str, Any], scale: float, rng: np.random.Generator) -> None:
    """Trajectory numbers in intake order, person numbers, re-entries (004: 'shoppen').

    A re-entry gives a later formal trajectory the person (and the person's
    sex, birth year, nationality, safe country and prior procedures) of an
    earlier one that ended in one of the re-entry reasons.
    """
    n = rows.n
    codes = list(EXIT_REASON_CODES)
    tie = rng.random(n)
    # np.lexsort((tie, pilot_idx, intake)): intake, then pilot, then the random tie-break
    first = ((rows.intake - rows.intake.min(initial=0)) * (len(rows.pilots) + 1) + rows.pilot_idx) if n else rows.intake
    if n and int(first.max()) < 2**22 and n < 2**40:
        order = np.argsort((first.astype(np.int64) << 40) | _rank(tie))
    else:
        order = np.lexsort((tie, rows.pilot_idx, rows.intake))
    person_no = rng.permutation(n) + 1
    k_re = _scaled(int(re["count"]), scale)
    a_mask = (
        (rows.win_out <= 1) & np.isin(rows.reason, [codes.index(c) for c in re["reasons"]]) & ~rows.family & ~rows.safe
    )
    b_mask = rows.formal & (rows.win_in == 2) & ~rows.family & ~rows.mrt
    a = _pick(a_mask, k_re, rng)
    b = _pick(b_mask, len(a), rng)
    a = a[: len(b)]
    person_no[b] = person_no[a]
    for name in ("sex", "birth_year", "nationality", "safe", "prior"):
        column = rows.columns[name]
        column[b] = column[a]
    rows.columns.update(order=order, person_no=person_no)


def _typed(rows: _Rows) -> pd.DataFrame:
    """The typed monitor frame, rows in trajectory-number order (= intake order)."""
    order = rows.order
    c = {
        name: rows.columns[name][order]
        for name in (
            "intake",
            "exit_day",
            "scenario",
            "scen_day",
            "sex",
            "birth_year",
            "nationality",
            "family",
            "safe",
            "prior",
            "mrt",
            "person_no",
        )
    }
    n = rows.n
    width = max(6, len(str(n)))
    scenario = c["scenario"]
    frame = pd.DataFrame(
        {
            "trajectory_id": _ids("T", np.arange(1, n + 1), width),
            "person_id": _ids("P", c["person_no"], width),
            "pilot": pd.Categorical.from_codes(rows.pilot_idx[order], categories=rows.pilots),
            "intake_date": _to_datetime(c["intake"]),
            "exit_date": _to_datetime(c["exit_day"]),
            "exit_reason": pd.Categorical.from_codes(rows.reason[order], categories=list(EXIT_REASON_CODES)),
            "formal_status": pd.array(rows.formal[order], dtype="boolean"),
            "scenario": pd.Categorical.from_codes(scenario, categories=list(schema.SCENARIO_CODES)),
            "scenario_date": _to_datetime(c["scen_day"]),
            "sex": pd.Categorical.from_codes(c["sex"], categories=list(schema.SEX_CODES)),
            "birth_year": pd.array(c["birth_year"], dtype="Int64"),
            "nationality": pd.array(
                pd.arrays.ArrowStringArray(
                    pc.cast(
                        pa.DictionaryArray.from_arrays(
                            pa.array(c["nationality"], type=pa.int32()),
                            pa.array(rows.labels["nationality"], type=pa.string()),
                        ),
                        pa.string(),
                    )
                ),
                dtype="string",
            ),
            "family": pd.array(c["family"], dtype="boolean"),
            "safe_country": pd.array(c["safe"], dtype="boolean"),
            "prior_departure_procedures": pd.array(c["prior"], dtype="Int64"),
            "mrt": pd.array(c["mrt"], dtype="boolean"),
        }
    )
    return frame[list(schema.COLUMN_NAMES)]


def _to_datetime(days: np.ndarray) -> pd.Series:
    """Day numbers (-1 = missing) to a ``datetime64[us]`` Series with NaT."""
    values = days.astype("datetime64[D]").astype("datetime64[us]")
    values[days < 0] = np.datetime64("NaT")
    return pd.Series(values)


def write_synthetic(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a synthetic frame as canonical monitor CSV.

    Uses :func:`lvv_eval.sources.monitor_write.write_monitor_fast`, which writes the
    bytes of :func:`lvv_eval.sources.monitor.write_monitor`.
    """
    return write_monitor_fast(frame, path)
