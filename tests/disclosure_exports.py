"""Small, skewed monitor exports for the disclosure tests (built in code, written as canonical CSV).

Every trajectory starts between May and September 2019 and every exit falls in October to
December 2019, so the counts are the same at each notebook's default peildatum (2019-12-31,
2020-11-01, 2022-07-01). Formal status is true throughout; scenarios are left empty.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

COLUMNS = (
    "trajectory_id,person_id,pilot,intake_date,exit_date,exit_reason,formal_status,scenario,"
    "scenario_date,sex,birth_year,nationality,family,safe_country,prior_departure_procedures,mrt"
)

CLEAN_PILOT: dict[str, int] = {
    "residence_permit": 12,
    "repeat_asylum_application": 12,
    "left_unknown_destination": 12,
    "": 24,
}
"""A pilot whose every count is at least 10: 36 leavers in three classes, 24 present."""

PILOTS = ("amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht")

SKEWED: dict[str, dict[str, dict[str, int]]] = {
    # one pilot with 3 leavers (one in each class of regioplan-2022)
    "three_leavers": {
        "utrecht": {"residence_permit": 1, "repeat_asylum_application": 1, "left_unknown_destination": 1, "": 37}
    },
    # a pilot with all but one leaver in one class
    "all_but_one": {"rotterdam": {"left_unknown_destination": 19, "residence_permit": 1, "": 20}},
    # two schemes differing by one person: one forced return (durable for monitor-2020, not for regioplan-2022)
    "one_forced_return": {
        "groningen": {"independent_return": 12, "forced_return": 1, "left_unknown_destination": 12, "": 24}
    },
    # a municipal export of two small pilots (the other three absent): many small counts, linked tables
    "two_small_pilots": {
        "amsterdam": {},
        "groningen": {},
        "rotterdam": {},
        "utrecht": {
            "residence_permit": 4,
            "repeat_asylum_application": 6,
            "left_unknown_destination": 9,
            "independent_return": 3,
            "": 23,
        },
        "eindhoven": {"residence_permit": 2, "left_unknown_destination": 5, "": 8},
    },
}
"""The attack exports: the pilots that differ from :data:`CLEAN_PILOT` (``{}``: a pilot with no rows)."""


def rows_for(pilot: str, counts: dict[str, int], start: int) -> list[str]:
    """CSV rows of one pilot: one row per trajectory (``""`` = still present)."""
    rows = []
    n = start
    for reason, count in counts.items():
        for _ in range(count):
            intake = dt.date(2019, 5, 1) + dt.timedelta(days=(n * 7) % 150)
            exit_ = "" if not reason else (dt.date(2019, 10, 1) + dt.timedelta(days=(n * 3) % 90)).isoformat()
            rows.append(
                f"T{n:05d},P{n:05d},{pilot},{intake.isoformat()},{exit_},{reason},true,,,"
                f"{'f' if n % 2 else 'm'},{1980 + n % 20},SYR,false,false,0,false"
            )
            n += 1
    return rows


def write_export(path: Path, overrides: dict[str, dict[str, int]] | None = None) -> Path:
    """Write an export: every pilot as :data:`CLEAN_PILOT` except those in ``overrides``."""
    lines = [COLUMNS]
    start = 1
    for pilot in PILOTS:
        counts = (overrides or {}).get(pilot, CLEAN_PILOT)
        lines += rows_for(pilot, counts, start)
        start += sum(counts.values())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
