"""Calibration targets of the synthetic monitor data, as whole-number quotas.

The generator (:mod:`lvv_eval.synthetic.generator`) first decides *how many* trajectories
enter and leave each pilot in each period and for which reason, and only then
invents people and dates. This module makes those integer quotas from the
published figures (read from ``data/published/figures.csv`` by the figure ids
named in ``config/synth.yaml``) and the assumptions written in that file.

Periods (windows) between the three peildata:

* ``w1``: pilot start to 2019-12-30 (Regioplan 2020, seed
  ``001_08a3e7995258f26d.txt``, Tabel S.1 and S.2, peildatum 2019-12-31);
* ``w2``: 2020-01-01 to 2020-10-31 (programme monitor, seed
  ``002_1f6dbbe6756677e4.txt``, 'Voortgang LVV's', peildatum 2020-11-01);
* ``w3``: 2020-11-02 to 2022-06-30 (final evaluation, seed
  ``004_b44b716732003f66.txt``, peildatum July 2022).

Every count here is of trajectories (one stay of one person in one LVV),
except where the source counts people: the 2022 participants (seed 004,
'namen 2065 migranten deel') are persons, so the 2022 intake quota adds the
trajectories of the people who re-enter (``reentries.count`` in the config),
and the calibration report compares that figure with distinct persons
(:data:`lvv_eval.stats.counts.PERSON_COUNT_FIGURES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from lvv_eval.errors import ConfigError
from lvv_eval.paths import CONFIG_DIR
from lvv_eval.reference.pilots import pilot_codes
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.sources import published, rounding

DEFAULT_CONFIG: Path = CONFIG_DIR / "synth.yaml"
"""Generator settings: figure ids, assumptions, seed."""

WINDOWS: tuple[str, ...] = ("w1", "w2", "w3")
"""Periods between the peildata (see the module docstring)."""

OPEN: str = "open"
"""Exit window of a stay still open at the extract date (2022-07-01)."""


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read ``config/synth.yaml`` (or another file of the same shape).

    Raises
    ------
    ConfigError
        The file cannot be parsed or is not a mapping.
    """
    path = Path(path) if path is not None else DEFAULT_CONFIG
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return config


def largest_remainder(
    total: int, weights: Mapping[str, float] | pd.Series, caps: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Split a whole ``total`` in proportion to ``weights`` (Hamilton's method).

    Parameters
    ----------
    total
        Whole number to split (>= 0).
    weights
        Non-negative weights per key; keys keep their order.
    caps
        Optional upper bound per key; the excess goes to the other keys.

    Returns
    -------
    dict
        Whole counts per key summing to ``total``. Ties go to the earlier key.

    Raises
    ------
    ConfigError
        The weights are all zero while ``total`` > 0, or the caps are too small.

    Examples
    --------
    >>> largest_remainder(10, {"a": 1, "b": 1, "c": 1})
    {'a': 4, 'b': 3, 'c': 3}
    >>> largest_remainder(5, {"a": 3, "b": 1}, caps={"a": 2})
    {'a': 2, 'b': 3}
    """
    keys = list(weights.keys())
    w = {k: Fraction(str(float(weights[k]))) for k in keys}
    limit = {k: (caps or {}).get(k, None) for k in keys}
    out = {k: 0 for k in keys}
    remaining = int(total)
    active = [k for k in keys if w[k] > 0]
    while remaining > 0:
        active = [k for k in active if limit[k] is None or out[k] < limit[k]]  # type: ignore[operator]
        mass = sum(w[k] for k in active)
        if not active or mass <= 0:
            raise ConfigError(f"cannot split {total} over weights {dict(weights)} with caps {caps}")
        exact = {k: remaining * w[k] / mass for k in active}
        share = {k: int(exact[k]) for k in active}
        left = remaining - sum(share.values())
        for k in sorted(active, key=lambda k: (-(exact[k] - share[k]), keys.index(k)))[:left]:
            share[k] += 1
        for k in active:
            take = share[k] if limit[k] is None else min(share[k], limit[k] - out[k])  # type: ignore[operator]
            out[k] += take
            remaining -= take
    return out


def closest_count(percent: float, denominator: int) -> int:
    """Return the count in :func:`lvv_eval.sources.rounding.count_range` closest to ``percent`` of ``denominator``.

    Examples
    --------
    >>> closest_count(16, 302)   # Groningen, 001: 16 % of 302 intake
    48
    """
    allowed = rounding.count_range(percent, denominator)
    if not len(allowed):
        raise ConfigError(f"no whole count of {denominator} prints as {percent} %")
    exact = Fraction(str(percent)) * denominator / 100
    return min(allowed, key=lambda c: (abs(c - exact), c))


@dataclass
class Quotas:
    """Integer quotas at scale 1, before people and dates are invented.

    Attributes
    ----------
    exits
        Columns ``pilot, formal, window, reason, count``: trajectories leaving
        in each window, by exit-reason code.
    intake
        Columns ``pilot, formal, window, count``: trajectories entering.
    pilot_start
        Start date of each pilot (assumption, config).
    peildata
        ``p2019``, ``p2020``, ``p2022`` as Timestamps.
    scenarios_departure, scenarios_residence
        Scenarios set on 2020-11-01 per pilot (formal trajectories present).
    figures
        Other whole-number targets by name (MRT cases, family members,
        returns by country).
    """

    exits: pd.DataFrame
    intake: pd.DataFrame
    pilot_start: dict[str, pd.Timestamp]
    peildata: dict[str, pd.Timestamp]
    scenarios_departure: dict[str, int]
    scenarios_residence: dict[str, int]
    figures: dict[str, Any] = field(default_factory=dict)


class _Figures:
    """Look up published values by figure id (counts as int, percents as float)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self._values = dict(zip(table["figure_id"].astype(str), table["value"].astype(float)))
        self.category = dict(zip(table["figure_id"].astype(str), table["category"].astype(str)))

    def __call__(self, figure_id: str) -> float:
        if figure_id not in self._values:
            raise ConfigError(f"config/synth.yaml names unknown figure_id {figure_id!r}")
        return self._values[figure_id]

    def count(self, figure_id: str) -> int:
        value = self(figure_id)
        if not float(value).is_integer():
            raise ConfigError(f"figure {figure_id!r} is not a whole count: {value}")
        return int(value)


def _weights(config_block: Mapping[str, Any], key: str) -> dict[str, float]:
    block = config_block.get(key) or config_block.get("default")
    return {str(k): float(v) for k, v in block.items()}  # type: ignore[union-attr]


def _balance_intake(
    pilot: str, window: str, section: str, present_end: int, present_start: int, exits: Mapping[str, int]
) -> dict:
    """Formal intake of one pilot in a window, from the stock balance.

    intake = present at the end - present at the start + exits in the window.

    Raises
    ------
    ConfigError
        The ``present_weights`` of ``section`` make the intake negative.
    """
    n_in = present_end - present_start + sum(exits.values())
    if n_in < 0:
        raise ConfigError(f"{section}.present_weights give {pilot} a negative intake in {window} ({n_in})")
    return {"pilot": pilot, "formal": True, "window": window, "count": n_in}


def _rows(pilot: str, formal: bool, window: str, counts: Mapping[str, int]) -> list[dict]:
    return [
        {"pilot": pilot, "formal": formal, "window": window, "reason": r, "count": int(c)}
        for r, c in counts.items()
        if c
    ]


@dataclass
class _Tally:
    """Exit and intake rows gathered window by window while the quotas are built."""

    exits: list[dict] = field(default_factory=list)
    intake: list[dict] = field(default_factory=list)


def build_quotas(config: Mapping[str, Any] | None = None, figures: pd.DataFrame | None = None) -> Quotas:
    """Turn published figures and assumptions into integer quotas (scale 1).

    Parameters
    ----------
    config
        Parsed ``config/synth.yaml`` (default: read it).
    figures
        Published figures (default: :func:`lvv_eval.sources.published.load_figures`).

    Returns
    -------
    Quotas
        Exits and intakes per pilot, formal status, window and reason.

    Raises
    ------
    ConfigError
        The assumptions do not fit the figures (a negative intake or stock).
    """
    cfg = dict(config) if config is not None else load_config()
    fig = _Figures(figures if figures is not None else published.load_figures())
    pilots = list(pilot_codes())
    tally = _Tally()
    informal_exits = {w: int(cfg["informal"]["exits"].get(w, 0)) for w in WINDOWS}
    present_p2019 = _window_2019(cfg, fig, pilots, informal_exits, tally)
    present_p2020 = _window_2020(cfg, fig, pilots, present_p2019, tally)
    class_counts = _window_2022(cfg, fig, pilots, informal_exits, present_p2020, tally)
    return _assemble(cfg, fig, pilots, tally, class_counts)


def _window_2019(
    cfg: Mapping[str, Any], fig: _Figures, pilots: list[str], informal_exits: Mapping[str, int], tally: _Tally
) -> dict[str, int]:
    """Exits and intake up to 2019-12-31 (001, Tabel S.1, S.2 and the paragraph after S.2).

    Also the exits of the informal pilot in every window. Returns the formal
    trajectories present per pilot on 2019-12-31.
    """
    c19 = cfg["p2019"]
    inf = cfg["informal"]
    present_p2019_formal: dict[str, int] = {}
    for p in pilots:
        total_in = fig.count(c19["intake"][p])
        informal_in = fig.count(c19["informal_intake"][p]) if p in c19.get("informal_intake", {}) else 0
        if p == inf["pilot"]:
            for w in WINDOWS:
                split = largest_remainder(informal_exits[w], _weights(inf, "reason_weights"))
                tally.exits += _rows(p, False, w, split)
            tally.intake.append({"pilot": p, "formal": False, "window": "w1", "count": informal_in})
        durable = fig.count(c19["durable"][p])
        permits = int(c19["residence_permits"].get(p, 0))
        if permits > durable:
            raise ConfigError(f"p2019.residence_permits[{p}] = {permits} exceeds durable outflow {durable}")
        known = {"residence_permit": permits, "independent_return": durable - permits}
        for code, per_pilot in c19["share_of_intake"].items():
            if p in per_pilot:
                known[code] = known.get(code, 0) + closest_count(fig(per_pilot[p]), total_in)
        if p in c19["occupancy"]:
            occupancy = fig.count(c19["occupancy"][p])
            informal_out = informal_exits["w1"] if p == inf["pilot"] else 0
            rest = total_in - occupancy - sum(known.values()) - informal_out
        else:
            rest = int(c19["unpublished_other_exits"][p])
        if rest < 0:
            raise ConfigError(f"2019 exits of {p} exceed intake minus occupancy by {-rest}")
        for code, n in largest_remainder(rest, c19["other_exit_weights"][p]).items():
            known[code] = known.get(code, 0) + n
        tally.exits += _rows(p, True, "w1", known)
        formal_in = total_in - informal_in
        tally.intake.append({"pilot": p, "formal": True, "window": "w1", "count": formal_in})
        present_p2019_formal[p] = formal_in - sum(known.values())
    return present_p2019_formal


def _totals_2020(
    c20: Mapping[str, Any], fig: _Figures, departures: Mapping[str, int], w1_by_code: Mapping[str, int]
) -> dict[str, int]:
    """Formal exits by code in window w2: the 2020 totals (002) minus those of w1."""
    sheltered = fig.count(c20["sheltered"])
    present20 = fig.count(c20["present"])
    out_by_p2020 = sheltered - present20
    totals20: dict[str, int] = {"residence_permit": fig.count(c20["residence_permit"])}
    totals20["independent_return"] = fig.count(c20["independent_return"])
    totals20["onward_migration"] = fig.count(c20["onward_migration"])
    totals20["forced_return"] = sum(departures.values()) - totals20["independent_return"] - totals20["onward_migration"]
    for code, fid in c20["exits_total"].items():
        totals20[code] = fig.count(fid)
    unitemised = out_by_p2020 - sum(totals20.values())
    if unitemised < 0:
        raise ConfigError(f"itemised 2020 outflow exceeds sheltered - present by {-unitemised}")
    for code, n in largest_remainder(unitemised, c20["unitemised_weights"]).items():
        totals20[code] = totals20.get(code, 0) + n
    w2_total = {code: n - w1_by_code.get(code, 0) for code, n in totals20.items()}
    bad = {c: n for c, n in w2_total.items() if n < 0}
    if bad:
        raise ConfigError(f"2019 exits exceed the 2020 totals for {bad}")
    return w2_total


def _window_2020(
    cfg: Mapping[str, Any], fig: _Figures, pilots: list[str], present_p2019_formal: Mapping[str, int], tally: _Tally
) -> dict[str, int]:
    """Formal exits and intake up to 2020-11-01 (002 'Voortgang LVV's'; 000 for the departure split).

    Returns the formal trajectories present per pilot on 2020-11-01.
    """
    c20 = cfg["p2020"]
    ex = pd.DataFrame(tally.exits)
    w1f = ex[(ex["window"] == "w1") & ex["formal"]]
    w1_by_code = w1f.groupby("reason")["count"].sum().to_dict()
    w1_by_pilot_code = w1f.groupby(["pilot", "reason"])["count"].sum().to_dict()
    present20 = fig.count(c20["present"])
    departures = {p: fig.count(c20["departures"][p]) for p in pilots}
    w2_total = _totals_2020(c20, fig, departures, w1_by_code)
    w2: dict[str, dict[str, int]] = {p: {} for p in pilots}
    # departures per pilot (002), split into forced / onward / independent
    dep_w2 = {
        p: departures[p]
        - sum(w1_by_pilot_code.get((p, c), 0) for c in ("independent_return", "onward_migration", "forced_return"))
        for p in pilots
    }
    if min(dep_w2.values()) < 0:
        raise ConfigError(f"2019 returns exceed the 2020 departures per pilot: {dep_w2}")
    forced = largest_remainder(w2_total["forced_return"], c20["forced_return_weights"], caps=dep_w2)
    caps_onward = {p: dep_w2[p] - forced.get(p, 0) for p in pilots}
    onward = largest_remainder(w2_total["onward_migration"], c20["onward_migration_weights"], caps=caps_onward)
    for p in pilots:
        w2[p]["forced_return"] = forced.get(p, 0)
        w2[p]["onward_migration"] = onward.get(p, 0)
        w2[p]["independent_return"] = dep_w2[p] - forced.get(p, 0) - onward.get(p, 0)
    ew = c20["exit_weights"]
    for code, n in w2_total.items():
        if code in ("forced_return", "onward_migration", "independent_return"):
            continue
        for p, k in largest_remainder(n, _weights(ew, code)).items():
            w2[p][code] = w2[p].get(code, 0) + k
    present_p2020 = largest_remainder(present20, c20["present_weights"])
    for p in pilots:
        tally.exits += _rows(p, True, "w2", w2[p])
        tally.intake.append(_balance_intake(p, "w2", "p2020", present_p2020[p], present_p2019_formal[p], w2[p]))
    return present_p2020


def _class_counts_2022(
    cfg: Mapping[str, Any], fig: _Figures, exits: list[dict]
) -> tuple[int, int, int, dict[str, int]]:
    """Outflow by class on 2022-07-01 that prints as the published shares (004).

    Chooses the durable / semi-durable / none counts closest to the shares
    among those that round to them under both readings of forced return
    (durable in the monitor, not in regioplan-2022). Returns them and the
    class counts of the exits up to 2020-11-01.
    """
    c22 = cfg["p2022"]
    outflow22 = fig.count(c22["outflow"])
    ex = pd.DataFrame(exits)
    scheme = load_scheme(published.source_population("regioplan-2022")[0])
    alt = load_scheme(published.source_population("monitor-2020")[0])
    by_code_p2 = ex[ex["window"] != "w3"].groupby("reason")["count"].sum()
    cls = dict(zip(by_code_p2.index, scheme.classify(pd.Series(by_code_p2.index)).astype(str)))
    by_class_p2 = {c: int(by_code_p2[[k for k in by_code_p2.index if cls[k] == c]].sum()) for c in scheme.class_ids}
    # codes counted durable by the monitor but not by regioplan-2022 (forced return)
    ambiguous = [k for k in by_code_p2.index if scheme.class_of(k) != "durable" and alt.class_of(k) == "durable"]
    f = int(by_code_p2[ambiguous].sum()) if ambiguous else 0
    shares = {c: fig(fid) for c, fid in c22["class_shares"].items()}
    ranges = {c: rounding.count_range(v, outflow22) for c, v in shares.items()}
    best: tuple[float, int, int, int] | None = None
    for d in ranges["durable"]:
        if d + f not in ranges["durable"]:
            continue
        for n in ranges["none"]:
            if n - f not in ranges["none"]:
                continue
            s = outflow22 - d - n
            if s not in ranges["semi_durable"]:
                continue
            score = (
                (d + f / 2 - shares["durable"] * outflow22 / 100) ** 2
                + (s - shares["semi_durable"] * outflow22 / 100) ** 2
                + (n - f / 2 - shares["none"] * outflow22 / 100) ** 2
            )
            if best is None or score < best[0]:
                best = (score, d, s, n)
    if best is None:
        raise ConfigError("no class counts print as the 2022 shares under both forced-return readings")
    _, d22, s22, n22 = best
    return d22, s22, n22, by_class_p2


def _window_2022(
    cfg: Mapping[str, Any],
    fig: _Figures,
    pilots: list[str],
    informal_exits: Mapping[str, int],
    present_p2020: Mapping[str, int],
    tally: _Tally,
) -> dict[str, int]:
    """Formal exits and intake up to 2022-07-01 (004), all trajectories.

    Returns the outflow by class on 2022-07-01.
    """
    c22 = cfg["p2022"]
    participants = fig.count(c22["participants"])
    outflow22 = fig.count(c22["outflow"])
    d22, s22, n22, by_class_p2 = _class_counts_2022(cfg, fig, tally.exits)
    w3_class = {
        "durable": d22 - by_class_p2.get("durable", 0),
        "semi_durable": s22 - by_class_p2.get("semi_durable", 0),
        "none": n22 - by_class_p2.get("none", 0) - informal_exits["w3"],
    }
    if min(w3_class.values()) < 0:
        raise ConfigError(f"2022 class counts below those of 2020: {w3_class}")
    w3: dict[str, dict[str, int]] = {p: {} for p in pilots}
    for c, n in w3_class.items():
        for code, k in largest_remainder(n, c22["class_reason_weights"][c]).items():
            for p, m in largest_remainder(k, _weights(c22["exit_weights"], code)).items():
                w3[p][code] = w3[p].get(code, 0) + m
    from lvv_eval.stats.counts import PERSON_COUNT_FIGURES

    if c22["participants"] in PERSON_COUNT_FIGURES:
        # 004 counts migrants: persons = trajectories - second trajectories of re-entrants
        participants += int(cfg["reentries"]["count"])
    present_total22 = participants - outflow22
    present_p2022 = largest_remainder(present_total22, c22["present_weights"])
    for p in pilots:
        tally.exits += _rows(p, True, "w3", w3[p])
        tally.intake.append(_balance_intake(p, "w3", "p2022", present_p2022[p], present_p2020[p], w3[p]))
    return {"durable": d22, "semi_durable": s22, "none": n22}


def _assemble(
    cfg: Mapping[str, Any], fig: _Figures, pilots: list[str], tally: _Tally, class_counts: dict[str, int]
) -> Quotas:
    """Sorted quota tables plus the scenario, MRT, family and return targets (002)."""
    exits_df = pd.DataFrame(tally.exits).groupby(["pilot", "formal", "window", "reason"], as_index=False)["count"].sum()
    exits_df = exits_df[exits_df["count"] > 0].sort_values(["pilot", "formal", "window", "reason"], ignore_index=True)
    intake_df = pd.DataFrame(tally.intake).sort_values(["pilot", "formal", "window"], ignore_index=True)
    c20 = cfg["p2020"]
    dep = {p: fig.count(c20["scenarios_departure"][p]) for p in pilots}
    res = largest_remainder(fig.count(c20["scenarios_residence"]), c20["residence_scenario_weights"])
    demo = cfg["demographics"]
    extra: dict[str, Any] = {
        "mrt": fig.count(c20["mrt"]),
        "returns_by_country": {fig.category[fid]: fig.count(fid) for fid in demo["returns_by_country"]},
        "family_counts": {
            r["count_figure"]: fig.count(r["count_figure"]) for r in demo["family_rules"] if "count_figure" in r
        },
        "prior_more_than_5_percent": fig(c20["prior_more_than_5"]),
        "class_counts_p2022": dict(class_counts),
    }
    return Quotas(
        exits=exits_df,
        intake=intake_df,
        pilot_start={p: pd.Timestamp(v) for p, v in cfg["pilot_start"].items()},
        peildata={k: pd.Timestamp(v) for k, v in cfg["peildata"].items()},
        scenarios_departure=dep,
        scenarios_residence=res,
        figures=extra,
    )
