"""Hand-placed monitor exports for the second disclosure attack (dates chosen per group of trajectories).

Each group is ``(pilot, count, reason, intake, exit)``: ``count`` trajectories of one pilot entering on
``intake`` (ISO date) and leaving on ``exit`` with ``reason`` (``""`` and ``None``: still present); a sixth
item, when given, is the counselling scenario (``departure`` or ``residence``), set on the day of intake.
Intake dates of a group are spread over the following days (one a day) so no two stays coincide.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from disclosure_exports import COLUMNS

Group = tuple[str, int, str, str, str | None] | tuple[str, int, str, str, str | None, str]


def rows_for_groups(groups: list[Group]) -> list[str]:
    """CSV rows of ``groups``, numbered from 1 in order (formal status true)."""
    rows = []
    n = 1
    for group in groups:
        pilot, count, reason, intake, exit_ = group[:5]
        scenario = group[5] if len(group) > 5 else ""
        for i in range(count):
            start = dt.date.fromisoformat(intake) + dt.timedelta(days=i)
            end = "" if not exit_ else (dt.date.fromisoformat(exit_) + dt.timedelta(days=i)).isoformat()
            set_on = start.isoformat() if scenario else ""
            rows.append(
                f"T{n:05d},P{n:05d},{pilot},{start.isoformat()},{end},{reason if end else ''},true,{scenario},{set_on},"
                f"{'f' if n % 2 else 'm'},{1980 + n % 20},SYR,false,false,0,false"
            )
            n += 1
    return rows


def clean_groups(pilot: str, intake: str = "2019-06-01", exit_: str = "2019-11-01") -> list[Group]:
    """A pilot whose every count is at least 10: 12 leavers in each class of regioplan-2022, 24 present."""
    return [
        (pilot, 12, "residence_permit", intake, exit_),
        (pilot, 12, "repeat_asylum_application", intake, exit_),
        (pilot, 12, "left_unknown_destination", intake, exit_),
        (pilot, 24, "", intake, None),
    ]


def write_groups(path: Path, groups: list[Group]) -> Path:
    """Write ``groups`` as a canonical monitor CSV at ``path``."""
    path.write_text("\n".join([COLUMNS, *rows_for_groups(groups)]) + "\n", encoding="utf-8")
    return path
