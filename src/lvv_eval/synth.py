"""Synthetic person-level monitor data calibrated to the published figures.

SYNTHETIC: every row is invented; no row describes a real person.

The generator works in two steps:

1. **Quotas** (:mod:`lvv_eval.synth_targets`): whole numbers of trajectories
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
rows and, through :func:`lvv_eval.monitor.write_monitor`, the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from lvv_eval import schema
from lvv_eval.errors import ConfigError
from lvv_eval.monitor_write import write_monitor_fast
from lvv_eval.pilots import pilot_codes
from lvv_eval.synth_targets import OPEN, WINDOWS, Quotas, build_quotas, largest_remainder, load_config
from lvv_eval.taxonomy import EXIT_REASON_CODES

__all__ = ["generate", "cohort_cells", "scale_counts", "write_synthetic",
           "DEPARTURE_CODES", "RESIDENCE_CODES"]

DEPARTURE_CODES: tuple[str, ...] = ("independent_return", "onward_migration", "forced_return")
"""Exit codes that follow a departure scenario (preferred when scenarios are assigned)."""

RESIDENCE_CODES: tuple[str, ...] = ("residence_permit", "repeat_asylum_application",
                                    "departure_postponed_art64")
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
                raise ConfigError(f"{pilot} ({'formal' if formal else 'informal'}) {window}: "
                                  f"{total} exits exceed stock {stock} + intake {remaining[window]}")
            from_stock = (largest_remainder(total - n_new, {j: remaining[j] for j in earlier},
                                            caps={j: remaining[j] for j in earlier})
                          if total - n_new else {})
            reasons = np.repeat(here["reason"].to_numpy(dtype=object), here["count"].to_numpy(dtype=int))
            reasons = reasons[rng.permutation(len(reasons))]
            sources = np.repeat(np.array([window, *earlier], dtype=object),
                                [n_new, *[from_stock.get(j, 0) for j in earlier]])
            pairs = pd.DataFrame({"src": sources, "reason": reasons}).value_counts(sort=False)
            for (src, reason), n in pairs.items():
                cells.append((pilot, bool(formal), str(src), window, str(reason), int(n)))
            remaining[window] -= n_new
            for j, n in from_stock.items():
                remaining[j] -= n
        for j in WINDOWS:
            if remaining[j] > 0:
                cells.append((pilot, bool(formal), j, OPEN, "", remaining[j]))
    out = pd.DataFrame(cells, columns=["pilot", "formal", "intake_window", "exit_window",
                                       "reason", "count"])
    out = out.groupby(["pilot", "formal", "intake_window", "exit_window", "reason"],
                      as_index=False, sort=True)["count"].sum()
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
    base[order[:max(left, 0)]] += 1
    return base


def _scaled(n: float, scale: float) -> int:
    return int(round(n * scale))


# --------------------------------------------------------------------------- helpers


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
    n_groups = probs.shape[0]
    sizes = np.bincount(groups, minlength=n_groups)
    exact = probs * sizes[:, None]
    base = np.floor(exact + 1e-9).astype(np.int64)
    left = sizes - base.sum(axis=1)
    rank = np.argsort(np.argsort(-(exact - base), axis=1, kind="stable"), axis=1, kind="stable")
    base += (rank < left[:, None]).astype(np.int64)
    order = np.lexsort((rng.random(len(groups)), groups))
    g_sorted = groups[order]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(len(groups)) - starts[g_sorted]
    cum = np.cumsum(base, axis=1)
    cat_sorted = (pos[:, None] >= cum[g_sorted]).sum(axis=1)
    out = np.empty(len(groups), dtype=np.int64)
    out[order] = cat_sorted
    return out


def _pick(mask: np.ndarray, k: int, rng: np.random.Generator,
          score: np.ndarray | None = None) -> np.ndarray:
    """Indices of ``k`` rows of ``mask`` chosen at random (highest ``score`` first if given)."""
    idx = np.flatnonzero(mask)
    key = rng.random(len(idx))
    if score is not None:
        key = key + score[idx]
    return idx[np.argsort(-key, kind="stable")[:min(k, len(idx))]]


def _uniform_day(lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A day in ``[lo, hi]`` (int day numbers) for ``u`` in [0, 1)."""
    span = np.maximum(hi - lo, 0) + 1
    return lo + np.minimum(np.floor(u * span).astype(np.int64), span - 1)


def _days(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.date(), "D").astype(np.int64))


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    text = np.char.zfill(numbers.astype(str), width)
    return np.char.add(prefix, text).astype(object)


# --------------------------------------------------------------------------- generator


def generate(seed: int | None = None, scale: float | None = None,
             config: Mapping[str, Any] | str | Path | None = None,
             figures: pd.DataFrame | None = None) -> pd.DataFrame:
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
        Typed monitor frame (columns and dtypes of :mod:`lvv_eval.schema`),
        sorted by ``trajectory_id``.
    """
    cfg = load_config(config) if not isinstance(config, Mapping) else dict(config)
    seed = int(cfg["seed"] if seed is None else seed)
    scale = float(cfg.get("scale", 1.0) if scale is None else scale)
    if scale <= 0:
        raise ConfigError(f"scale must be positive, got {scale}")
    rng = np.random.default_rng(seed)
    quotas = build_quotas(cfg, figures)
    cells = cohort_cells(quotas, cfg, rng)
    counts = scale_counts(cells["count"].to_numpy(), scale)
    row_cell = np.repeat(np.arange(len(cells)), counts)
    n = len(row_cell)
    pilots = list(pilot_codes())
    pilot_idx = np.searchsorted(pilots, cells["pilot"].to_numpy(dtype=str))[row_cell]
    formal = cells["formal"].to_numpy(dtype=bool)[row_cell]
    win_in = np.searchsorted(_ALL_WINDOWS[:3], cells["intake_window"].to_numpy(dtype=str))[row_cell]
    win_out = np.array([_ALL_WINDOWS.index(w) for w in cells["exit_window"]], dtype=np.int64)[row_cell]
    codes = list(EXIT_REASON_CODES)
    reason_cell = np.array([codes.index(r) if r else -1 for r in cells["reason"]], dtype=np.int64)
    reason = reason_cell[row_cell]

    # ---- dates (day numbers)
    peil = quotas.peildata
    p19, p20, p22 = _days(peil["p2019"]), _days(peil["p2020"]), _days(peil["p2022"])
    start = np.array([_days(quotas.pilot_start[p]) for p in pilots], dtype=np.int64)[pilot_idx]
    lo = np.stack([start, np.full(n, p19 + 1), np.full(n, p20 + 1)])
    hi = np.array([p19 - 1, p20 - 1, p22 - 1], dtype=np.int64)
    skew = np.array([float(cfg["intake_skew"][w]) for w in WINDOWS])[win_in]
    lo_in = np.choose(win_in, lo)
    intake = _uniform_day(lo_in, hi[win_in], rng.random(n) ** skew)
    u_exit = rng.random(n)
    is_open = win_out == 3
    wo = np.minimum(win_out, 2)
    same = win_out == win_in
    exit_lo = np.where(same, intake, np.choose(wo, lo))
    exit_day = _uniform_day(exit_lo, hi[wo], u_exit)
    exit_day = np.where(is_open, -1, exit_day)
    present_p20 = formal & (win_in <= 1) & (win_out >= 2)

    # ---- families (002: Utrecht, ca. 20 persons present on 2020-11-01)
    demo = cfg["demographics"]
    family = np.zeros(n, dtype=bool)
    for rule in demo["family_rules"]:
        mask = ((pilot_idx == pilots.index(rule["pilot"]))
                & np.isin(win_in, [WINDOWS.index(w) for w in rule["intake"]])
                & np.isin(win_out, [_ALL_WINDOWS.index(w) for w in rule["exit"]]) & ~family)
        if "reasons" in rule:
            mask &= np.isin(reason, [codes.index(r) for r in rule["reasons"]])
        if "count_figure" in rule:
            k = _scaled(quotas.figures["family_counts"][rule["count_figure"]], scale)
        else:
            k = int(round(float(rule["share"]) * mask.sum()))
        family[_pick(mask, k, rng)] = True
    child = np.zeros(n, dtype=bool)
    fam_idx = np.flatnonzero(family)
    child[_pick(family, int(round(float(demo["family_child_share"]) * len(fam_idx))), rng)] = True

    # ---- sex (001: a majority of men in every pilot; Utrecht more women)
    male = demo["male_share"]
    male_p = np.array([float(male.get(p, male["default"])) for p in pilots])
    sex_group = np.where(family, len(pilots), pilot_idx)
    sex_probs = np.vstack([np.column_stack([male_p, 1 - male_p]), [[0.5, 0.5]]])
    sex = np.array(["m", "f"], dtype=object)[_quota_assign(sex_group, sex_probs, rng)]

    # ---- age -> birth year (001: mean age around forty)
    def normal_age(spec: Mapping[str, float], size: int) -> np.ndarray:
        a = rng.normal(spec["mean"], spec["sd"], size)
        return np.clip(np.rint(a), spec["min"], spec["max"]).astype(np.int64)

    age = normal_age(demo["age_adult"], n)
    fam_age = normal_age(demo["family_adult_age"], n)
    kid_age = rng.integers(0, 18, n)
    age = np.where(child, kid_age, np.where(family, fam_age, age))
    intake_year = (intake.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)
    birth_year = intake_year - age - (rng.random(n) < 0.5)

    # ---- returns by country (002: Armenia 7, China 5, Nigeria 4 by 2020-11-01)
    nationality = np.full(n, "", dtype=object)
    ret_codes = [codes.index(c) for c in demo["return_codes"]]
    returner = formal & (win_out <= 1) & np.isin(reason, ret_codes)
    ret_idx = np.flatnonzero(returner)[rng.permutation(int(returner.sum()))]
    named = [(iso, _scaled(k, scale)) for iso, k in quotas.figures["returns_by_country"].items()]
    fixed = np.concatenate([np.repeat(np.array([iso], dtype=object), k) for iso, k in named])
    others = np.array(demo["other_return_countries"], dtype=object)
    rest = max(len(ret_idx) - len(fixed), 0)
    pool = np.concatenate([fixed, np.resize(others[rng.permutation(len(others))], rest)])
    nationality[ret_idx] = pool[:len(ret_idx)]

    # ---- safe countries (002: Rotterdam ~20 %, Eindhoven some, Groningen only ex-BBB)
    free = ~returner
    safe_cfg = demo["safe_share"]
    share_pw = np.array([[float(safe_cfg.get(p, {}).get(w, 0.0)) for w in WINDOWS] for p in pilots])
    grp = pilot_idx * 3 + win_in
    n_groups = len(pilots) * 3
    # quota of the whole group (returners included), given to the free rows
    size_all = np.bincount(grp, minlength=n_groups)
    size_free = np.bincount(grp[free], minlength=n_groups)
    group_share = np.minimum(1.0, share_pw.reshape(-1) * size_all / np.maximum(size_free, 1))
    safe = np.zeros(n, dtype=bool)
    safe[free] = _quota_assign(grp[free], np.column_stack([1 - group_share, group_share]), rng) == 1
    safe_list = demo["safe_countries"]
    s_codes = np.array(list(safe_list), dtype=object)
    s_w = np.array([float(v) for v in safe_list.values()])
    nationality[safe] = s_codes[_quota_assign(np.zeros(int(safe.sum()), dtype=np.int64),
                                              (s_w / s_w.sum())[None, :], rng)]
    dist = demo["nationality"]
    iso = sorted(set(dist["dist2019"]) | set(dist["dist2020"]))
    probs = np.array([[float(dist[d].get(c, 0.0)) for c in iso] for d in ("dist2019", "dist2020")])
    probs /= probs.sum(axis=1, keepdims=True)
    later = (win_out >= 2) | (win_in == 2)
    rest_mask = free & ~safe
    nationality[rest_mask] = np.array(iso, dtype=object)[
        _quota_assign(later[rest_mask].astype(np.int64), probs, rng)]

    # ---- prior departure procedures (002: majority >= 1; 'ruim 10%' more than 5)
    pp = demo["prior_procedures"]
    pgroup = (formal & (win_in <= 1)).astype(np.int64)
    pshares = np.array([[pp["zero"], pp["one_to_five"], pp["more_than_five"]]] * 2, dtype=float)
    pcat = _quota_assign(pgroup, pshares / pshares.sum(axis=1, keepdims=True), rng)
    one_to_five = rng.choice(np.arange(1, 6), size=n, p=np.array([1 / k for k in range(1, 6)])
                             / sum(1 / k for k in range(1, 6)))
    many = rng.integers(6, int(demo["prior_more_than_five_max"]) + 1, n)
    prior = np.select([pcat == 0, pcat == 1], [0, one_to_five], many)

    # ---- scenarios (002: 236 departure per pilot + 235 residence on 2020-11-01)
    sc = cfg["scenarios"]
    rest_days = int(sc["rest_days"])
    scenario = np.full(n, "", dtype=object)
    scen_day = np.full(n, -1, dtype=np.int64)
    dep_bonus = np.isin(reason, [codes.index(c) for c in DEPARTURE_CODES + ("left_unknown_destination",
                                                                             "stay_terminated")])
    res_bonus = np.isin(reason, [codes.index(c) for c in RESIDENCE_CODES])
    eligible = present_p20 & (intake + rest_days <= p20 - 1)
    for i, p in enumerate(pilots):
        in_pilot = eligible & (pilot_idx == i)
        dep = _pick(in_pilot, _scaled(quotas.scenarios_departure[p], scale), rng, dep_bonus * 1.0)
        scenario[dep] = "departure"
        res = _pick(in_pilot & (scenario == ""), _scaled(quotas.scenarios_residence[p], scale),
                    rng, res_bonus * 1.0)
        scenario[res] = "residence"
    chosen = scenario != ""
    scen_day[chosen] = _uniform_day(intake[chosen] + rest_days, np.full(int(chosen.sum()), p20 - 1),
                                    rng.random(int(chosen.sum())))
    scen_day[scen_day == p19] += 1          # keep every date off the peildata
    s_lo = np.maximum(intake + rest_days, p20 + 1)
    s_hi = np.where(is_open, p22 - 1, np.minimum(exit_day - 1, p22 - 1))
    later_ok = formal & ~chosen & ((present_p20) | (win_in == 2)) & (s_hi >= s_lo + 7)
    later_idx = _pick(later_ok, int(round(float(sc["later_share"]) * later_ok.sum())), rng)
    kind = np.where(dep_bonus[later_idx] & ~res_bonus[later_idx], "departure",
                    np.where(res_bonus[later_idx], "residence",
                             np.where(rng.random(len(later_idx)) < 0.5, "departure", "residence")))
    scenario[later_idx] = kind
    scen_day[later_idx] = _uniform_day(s_lo[later_idx], s_hi[later_idx], rng.random(len(later_idx)))

    # ---- MRT (002: 10 cases by 2020-11-01); later cases only for later intakes
    mrt = np.zeros(n, dtype=bool)
    mrt[_pick(present_p20 & (intake <= p20 - 90), _scaled(quotas.figures["mrt"], scale), rng)] = True
    stay_end = np.where(is_open, p22, exit_day)
    mrt[_pick(formal & (win_in == 2) & (stay_end - intake >= 120),
              _scaled(int(cfg["mrt"]["later_cases"]), scale), rng)] = True

    # ---- ids and re-entries (004: 'shoppen' between LVVs)
    order = np.lexsort((rng.random(n), pilot_idx, intake))
    traj_no = np.empty(n, dtype=np.int64)
    traj_no[order] = np.arange(1, n + 1)
    person_no = rng.permutation(n) + 1
    re = cfg["reentries"]
    k_re = _scaled(int(re["count"]), scale)
    a_mask = ((win_out <= 1) & np.isin(reason, [codes.index(c) for c in re["reasons"]])
              & ~family & ~safe)
    b_mask = formal & (win_in == 2) & ~family & ~mrt
    a = _pick(a_mask, k_re, rng)
    b = _pick(b_mask, len(a), rng)
    a = a[:len(b)]
    person_no[b] = person_no[a]
    for arr in (sex, birth_year, nationality, safe, prior):
        arr[b] = arr[a]

    width = max(6, len(str(n)))
    frame = pd.DataFrame({
        "trajectory_id": pd.array(_ids("T", traj_no, width), dtype="string"),
        "person_id": pd.array(_ids("P", person_no, width), dtype="string"),
        "pilot": pd.Categorical.from_codes(pilot_idx, categories=pilots),
        "intake_date": _to_datetime(intake),
        "exit_date": _to_datetime(exit_day),
        "exit_reason": pd.Categorical.from_codes(reason, categories=codes),
        "formal_status": pd.array(formal, dtype="boolean"),
        "scenario": pd.Categorical.from_codes(
            np.select([scenario == "departure", scenario == "residence"], [0, 1], -1),
            categories=list(schema.SCENARIO_CODES)),
        "scenario_date": _to_datetime(scen_day),
        "sex": pd.Categorical.from_codes(np.where(sex == "m", 0, 1), categories=list(schema.SEX_CODES)),
        "birth_year": pd.array(birth_year, dtype="Int64"),
        "nationality": pd.array(nationality.astype(str), dtype="string"),
        "family": pd.array(family, dtype="boolean"),
        "safe_country": pd.array(safe, dtype="boolean"),
        "prior_departure_procedures": pd.array(prior, dtype="Int64"),
        "mrt": pd.array(mrt, dtype="boolean"),
    })
    frame = frame.iloc[np.argsort(traj_no, kind="stable")].reset_index(drop=True)
    return frame[list(schema.COLUMN_NAMES)]


def _to_datetime(days: np.ndarray) -> pd.Series:
    """Day numbers (-1 = missing) to a ``datetime64[us]`` Series with NaT."""
    values = days.astype("datetime64[D]").astype("datetime64[us]")
    values[days < 0] = np.datetime64("NaT")
    return pd.Series(values)


def write_synthetic(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a synthetic frame as canonical monitor CSV.

    Uses :func:`lvv_eval.monitor_write.write_monitor_fast`, which writes the
    bytes of :func:`lvv_eval.monitor.write_monitor`.
    """
    return write_monitor_fast(frame, path)
