"""Calibration report: how well person-level data reproduce the published figures.

One row per constraint: every published figure about people in
``data/published/figures.csv`` (seeds 001, 002, 000 and 004; measures such as
capacity, funding or targets are not about people and are left out), plus a
few plausibility checks from statements without a number (source
``001_08a3e7995258f26d.txt``, 'Instroom op gang': a majority of men, mean age
around forty, top countries; source ``002_1f6dbbe6756677e4.txt``, 'Soort
casussen': top countries, prior departure procedures; families and safe
countries).

The achieved value is computed from the person-level frame with
:func:`lvv_eval.stats.counts.to_figures` under the classification scheme and
population (all or formal LVV status only) that ``config/synth.yaml`` names
for each source. Status:

* ``met``: the count equals the published count (times ``scale``); a figure
  that counts people (:data:`lvv_eval.stats.counts.PERSON_COUNT_FIGURES`, the
  2065 participants of seed 004) is compared with distinct ``person_id``s,
  every other count with trajectories;
* ``within rounding range``: the published percentage is rounded and the
  achieved count prints as it (:func:`lvv_eval.sources.rounding.rounds_to`);
* ``within stated approximation``: the figure is approximate ('ca.',
  'ruim', 'ongeveer') and the value lies in the range given in the config;
* ``within scaling tolerance``: at a scale other than 1, a count within
  0.5 % (at least 2) of the scaled target;
* ``unavoidable difference``: the figure conflicts with a primary figure; the
  config gives the reason;
* ``not representable``: the monitor format has no field for it;
* ``not met``: none of the above (a defect).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lvv_eval.reference.schemes import load_scheme
from lvv_eval.sources import published, rounding
from lvv_eval.stats.counts import PERSON_COUNT_FIGURES, state_at, to_figures
from lvv_eval.synthetic.targets import load_config

__all__ = ["calibration_report", "REPORT_COLUMNS", "OK_STATUSES", "summary"]

REPORT_COLUMNS: tuple[str, ...] = (
    "constraint_id",
    "peildatum",
    "pilot",
    "measure",
    "category",
    "unit",
    "source_id",
    "figure_ids",
    "primary",
    "target",
    "allowed_low",
    "allowed_high",
    "achieved",
    "difference",
    "numerator",
    "denominator",
    "status",
    "reason",
)
"""Columns of :func:`calibration_report`."""

OK_STATUSES: tuple[str, ...] = (
    "met",
    "within rounding range",
    "within stated approximation",
    "within scaling tolerance",
    "unavoidable difference",
    "not representable",
)
"""Every status except ``not met``."""


def _share(num: int, den: int) -> float:
    return round(100.0 * num / den, 3) if den else float("nan")


def calibration_report(
    frame: pd.DataFrame,
    *,
    scale: float = 1.0,
    config: Mapping[str, Any] | str | Path | None = None,
    figures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compare a typed monitor frame with every published figure about people.

    Parameters
    ----------
    frame
        Typed monitor frame (e.g. from :func:`lvv_eval.synthetic.generator.generate`).
    scale
        The scale the frame was generated at; count targets are multiplied by it.
    config
        Parsed ``config/synth.yaml`` or its path (sources, schemes, tolerances,
        reasons for unavoidable differences).
    figures
        Published figures (default: :func:`lvv_eval.sources.published.load_figures`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REPORT_COLUMNS`, one row per constraint, in the order
        of ``figures.csv`` followed by the plausibility checks. ``target``,
        ``allowed_*``, ``achieved`` and ``difference`` are in the figure's
        unit (counts or percent); for percentages ``numerator`` and
        ``denominator`` are the counts behind ``achieved``.
    """
    cfg = load_config(config) if not isinstance(config, Mapping) else dict(config)
    figs = figures if figures is not None else published.load_figures()
    cal = cfg["calibration"]
    counting = set(published.counting_sources())
    ret_codes = list(cfg["demographics"]["return_codes"])
    split_inputs = {cfg["p2020"]["independent_return"], cfg["p2020"]["onward_migration"]}
    capacity = {
        (str(r.source_id), str(r.pilot)): float(r.value) for r in figs.itertuples() if str(r.measure) == "capacity"
    }
    cache: dict[tuple[pd.Timestamp, str], dict] = {}

    def counts(peil: pd.Timestamp, source: str) -> dict:
        key = (peil, source)
        if key not in cache:
            scheme_name, formal_only = published.source_population(source)
            sub = frame
            if formal_only:
                sub = frame.loc[frame["formal_status"].fillna(False).to_numpy(dtype=bool)]
                sub = sub.reset_index(drop=True)
            tf = to_figures(sub, peil, scheme=load_scheme(scheme_name))
            st = state_at(sub, peil)
            cache[key] = {
                "figs": {(p, m, c): int(v) for p, m, c, v in tf.itertuples(index=False, name=None)},
                "frame": sub,
                "state": st,
            }
        return cache[key]

    rows: list[dict[str, Any]] = []
    for r in figs.itertuples():
        measure, category, pilot = str(r.measure), str(r.category), str(r.pilot)
        source = str(r.source_id)
        if measure in cal["not_person_level"] or source not in counting or pd.isna(r.peildatum):
            continue
        peil = pd.Timestamp(r.peildatum)
        row: dict[str, Any] = {
            "constraint_id": f"c-{r.figure_id}",
            "peildatum": peil.strftime("%Y-%m-%d"),
            "pilot": pilot,
            "measure": measure,
            "category": category,
            "unit": str(r.unit),
            "source_id": source,
            "figure_ids": r.figure_id,
            "primary": not (source in cal.get("secondary_sources", []) and r.figure_id not in split_inputs),
            "target": float(r.value),
            "numerator": pd.NA,
            "denominator": pd.NA,
            "reason": "",
        }
        if r.figure_id in cal.get("not_representable", {}):
            row.update(
                status="not representable",
                reason=cal["not_representable"][r.figure_id],
                achieved=np.nan,
                allowed_low=np.nan,
                allowed_high=np.nan,
                difference=np.nan,
            )
            rows.append(row)
            continue
        data = counts(peil, source)
        c = data["figs"]
        sub, st = data["frame"], data["state"]
        in_pilot = (
            np.ones(len(sub), dtype=bool)
            if pilot == "total"
            else (sub["pilot"].astype("string") == pilot).to_numpy(dtype=bool, na_value=False)
        )
        scope = st["in_scope"].to_numpy() & in_pilot
        num: int | None = None
        den: int | None = None
        if measure == "intake" and r.figure_id in PERSON_COUNT_FIGURES:
            num = c[(pilot, "persons", "all")]  # the source counts people, not trajectories
        elif measure in ("intake", "occupancy", "outflow", "scenarios"):
            num = c[(pilot, measure, category)]
        elif measure in ("occupancy_rate", "free_places", "free_places_rate"):
            cap = int(capacity[(source, pilot)] * scale)
            occ = c[(pilot, "occupancy", "persons")]
            num = occ if measure == "occupancy_rate" else cap - occ
            den = cap if measure != "free_places" else None
        elif measure == "outflow_share_of_intake":
            num, den = c[(pilot, "outflow", category)], c[(pilot, "intake", "all")]
        elif measure == "outflow_share_of_outflow":
            num, den = c[(pilot, "outflow", category)], c[(pilot, "outflow", "all")]
        elif measure == "mrt_cases":
            num = int((scope & sub["mrt"].fillna(False).to_numpy(dtype=bool)).sum())
        elif measure == "returns_by_country":
            ret = (
                st["exited"].to_numpy()
                & in_pilot
                & sub["exit_reason"].astype("string").isin(ret_codes).to_numpy(dtype=bool, na_value=False)
                & (sub["nationality"] == category).to_numpy(dtype=bool, na_value=False)
            )
            num = int(ret.sum())
        elif measure == "population_share":
            if category == "safe_country":
                flag = sub["safe_country"].fillna(False).to_numpy(dtype=bool)
            else:
                flag = (sub["prior_departure_procedures"] > 5).to_numpy(dtype=bool, na_value=False)
            num, den = int((scope & flag).sum()), int(scope.sum())
        elif measure == "family_members_present":
            num = int((st["present"].to_numpy() & in_pilot & sub["family"].fillna(False).to_numpy(dtype=bool)).sum())
        else:
            row.update(
                status="not representable",
                reason=f"no person-level rule for measure {measure!r}",
                achieved=np.nan,
                allowed_low=np.nan,
                allowed_high=np.nan,
                difference=np.nan,
            )
            rows.append(row)
            continue
        _judge(row, r, num, den, scale, cal)
        rows.append(row)
    rows += _plausibility(frame, cfg)
    out = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    for col in ("numerator", "denominator"):
        out[col] = out[col].astype("Int64")
    out["primary"] = out["primary"].astype(bool)
    return out


def _judge(row: dict[str, Any], fig: Any, num: int, den: int | None, scale: float, cal: Mapping[str, Any]) -> None:
    """Fill target, allowed range, achieved, difference and status of one figure row."""
    target = float(fig.value)
    approx = cal.get("approximate_ranges", {}).get(fig.figure_id)
    if str(fig.unit) == "percent":
        achieved = _share(num, den)  # type: ignore[arg-type]
        row.update(numerator=num, denominator=den, achieved=achieved, difference=round(achieved - target, 3))
        if approx:
            lo, hi = map(float, approx)
            ok, status = lo <= achieved <= hi, "within stated approximation"
        else:
            lo, hi = target - 0.5, target + 0.5
            ok = den is not None and den > 0 and rounding.rounds_to(num, den, target)
            status = "within rounding range"
    else:
        scaled = target * scale
        row.update(target=scaled, achieved=float(num), difference=float(num - scaled))
        if approx:
            lo, hi = (float(v) * scale for v in approx)
            ok, status = lo <= num <= hi, "within stated approximation"
        elif scale == 1:
            lo = hi = scaled
            ok, status = num == scaled, "met"
        else:
            tol = max(2.0, 0.005 * scaled)
            lo, hi = scaled - tol, scaled + tol
            ok = lo <= num <= hi
            status = "met" if num == round(scaled) else "within scaling tolerance"
    row.update(allowed_low=lo, allowed_high=hi)
    if ok:
        row["status"] = status
    elif fig.figure_id in cal.get("unavoidable", {}):
        row.update(status="unavoidable difference", reason=" ".join(cal["unavoidable"][fig.figure_id].split()))
    else:
        row["status"] = "not met"


def _plausibility(frame: pd.DataFrame, cfg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Checks of statements without a number (seeds 001 and 002)."""
    peil = {k: pd.Timestamp(v) for k, v in cfg["peildata"].items()}
    rows: list[dict[str, Any]] = []

    def add(
        cid: str,
        peildatum: str,
        pilot: str,
        measure: str,
        category: str,
        unit: str,
        source: str,
        low: float,
        high: float,
        achieved: float,
        num: int | None = None,
        den: int | None = None,
    ) -> None:
        ok = low <= achieved <= high
        rows.append(
            {
                "constraint_id": cid,
                "peildatum": peil[peildatum].strftime("%Y-%m-%d"),
                "pilot": pilot,
                "measure": measure,
                "category": category,
                "unit": unit,
                "source_id": source,
                "figure_ids": "",
                "primary": True,
                "target": np.nan,
                "allowed_low": low,
                "allowed_high": high,
                "achieved": achieved,
                "difference": np.nan,
                "numerator": num if num is not None else pd.NA,
                "denominator": den if den is not None else pd.NA,
                "status": "met" if ok else "not met",
                "reason": "statement without a number",
            }
        )

    st19 = state_at(frame, peil["p2019"])
    scope19 = st19["in_scope"].to_numpy()
    pilot = frame["pilot"].astype("string").to_numpy(dtype=object, na_value="")
    male = (frame["sex"].astype("string") == "m").to_numpy(dtype=bool, na_value=False)
    for p in sorted(set(pilot[scope19])):
        m = scope19 & (pilot == p)
        add(
            f"p-male-majority-{p}",
            "p2019",
            p,
            "population_share",
            "male",
            "percent",
            "regioplan-2020 (001, Instroom op gang)",
            50.001,
            100.0,
            _share(int((m & male).sum()), int(m.sum())),
            int((m & male).sum()),
            int(m.sum()),
        )
    age = (frame["intake_date"].dt.year - frame["birth_year"]).to_numpy(dtype=float, na_value=np.nan)
    add(
        "p-mean-age-total",
        "p2019",
        "total",
        "mean_age_at_intake",
        "all",
        "years",
        "regioplan-2020 (001, Instroom op gang)",
        37.0,
        43.0,
        round(float(np.nanmean(age[scope19])), 2),
    )
    nat = frame["nationality"].astype("string")

    def top_hits(mask: np.ndarray, wanted: list[str]) -> float:
        top = nat[mask].value_counts().sort_index().sort_values(ascending=False, kind="stable")
        return float(len(set(top.index[: len(wanted)]) & set(wanted)))

    add(
        "p-top-countries-2019",
        "p2019",
        "total",
        "top_nationalities",
        "IRN|ERI|AFG",
        "count",
        "regioplan-2020 (001, Instroom op gang)",
        3,
        3,
        top_hits(scope19, ["IRN", "ERI", "AFG"]),
    )
    formal = frame["formal_status"].fillna(False).to_numpy(dtype=bool)
    st20 = state_at(frame, peil["p2020"])
    present20 = st20["present"].to_numpy() & formal
    add(
        "p-top-countries-2020",
        "p2020",
        "total",
        "top_nationalities",
        "ERI|IRN|NGA|GIN",
        "count",
        "monitor-2020 (002, Soort casussen)",
        4,
        4,
        top_hits(present20, ["ERI", "IRN", "NGA", "GIN"]),
    )
    scope20 = st20["in_scope"].to_numpy() & formal
    prior = (frame["prior_departure_procedures"] >= 1).to_numpy(dtype=bool, na_value=False)
    add(
        "p-prior-majority-total",
        "p2020",
        "total",
        "population_share",
        "at_least_1_prior_departure_procedure",
        "percent",
        "monitor-2020 (002, Soort casussen)",
        50.001,
        100.0,
        _share(int((scope20 & prior).sum()), int(scope20.sum())),
        int((scope20 & prior).sum()),
        int(scope20.sum()),
    )
    fam = frame["family"].fillna(False).to_numpy(dtype=bool)
    fam_u = int((scope20 & fam & (pilot == "utrecht")).sum())
    add(
        "p-families-mainly-utrecht",
        "p2020",
        "utrecht",
        "family_share_in_pilot",
        "family",
        "percent",
        "monitor-2020 (002, Afwijkingen); regioplan-2020 (001)",
        50.001,
        100.0,
        _share(fam_u, int((scope20 & fam).sum())),
        fam_u,
        int((scope20 & fam).sum()),
    )
    safe = frame["safe_country"].fillna(False).to_numpy(dtype=bool)
    n_excl = int((safe & np.isin(pilot, ["amsterdam", "utrecht"])).sum())
    add(
        "p-safe-none-amsterdam-utrecht",
        "p2022",
        "total",
        "safe_country_members",
        "amsterdam|utrecht",
        "count",
        "monitor-2020 (002, Doelstellingen en doelgroep)",
        0,
        0,
        float(n_excl),
    )
    late = (frame["intake_date"] > peil["p2019"]).to_numpy(dtype=bool)
    n_gro = int((safe & (pilot == "groningen") & late).sum())
    add(
        "p-safe-groningen-only-former-bbb",
        "p2022",
        "groningen",
        "safe_country_intake_after_2019",
        "persons",
        "count",
        "monitor-2020 (002, Doelstellingen en doelgroep)",
        0,
        0,
        float(n_gro),
    )
    return rows


def summary(report: pd.DataFrame) -> pd.DataFrame:
    """Number of constraints per status (for printing)."""
    return report.groupby("status", sort=True).size().rename("constraints").reset_index()
