"""Shared builders of the tests: a hand-made monitor frame and a stand-in scheme.

Imported by test modules as ``from builders import ...`` (``tests/`` is on pytest's ``pythonpath``);
fixtures built from them are in ``tests/conftest.py``.
"""

from __future__ import annotations

import pandas as pd

from lvv_eval.reference.monitor_format import COLUMN_NAMES, empty_monitor_frame
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES

P1 = "2019-12-31"
P2 = "2020-11-01"

# (trajectory, person, pilot, intake, exit, reason, formal, scenario, scenario_date)
ROWS = [
    ("A1", "p01", "amsterdam", "2019-05-01", "2019-09-01", "residence_permit", True, "residence", "2019-06-01"),
    ("A2", "p02", "amsterdam", "2019-06-15", "2019-12-31", "independent_return", True, "departure", "2019-07-01"),
    ("A3", "p03", "amsterdam", "2019-07-01", None, None, False, None, None),
    (
        "A4",
        "p04",
        "amsterdam",
        "2019-12-31",
        "2020-03-01",
        "left_unknown_destination",
        False,
        "departure",
        "2020-01-15",
    ),
    ("A5", "p05", "amsterdam", "2020-01-10", None, None, True, "residence", None),
    (
        "G1",
        "p06",
        "groningen",
        "2019-04-01",
        "2019-10-01",
        "repeat_asylum_application",
        True,
        "departure",
        "2019-05-01",
    ),
    ("G2", "p07", "groningen", "2019-04-15", "2020-06-30", "forced_return", True, "departure", "2019-05-01"),
    ("G3", "p08", "groningen", "2019-08-01", None, None, True, None, None),
    ("G4", "p02", "groningen", "2020-02-01", "2020-11-01", "onward_migration", True, "departure", "2020-03-01"),
    ("G5", "p09", "groningen", "2020-11-02", None, None, True, None, None),
    ("U1", "p10", "utrecht", "2019-09-01", "2019-11-30", "stay_terminated", True, None, None),
    ("U2", "p11", "utrecht", "2019-09-01", "2020-01-31", "departure_postponed_art64", True, "residence", "2019-10-01"),
    ("U3", "p12", "utrecht", "2019-10-01", None, None, True, "residence", "2020-12-01"),
    ("U4", "p13", "utrecht", "2020-04-01", "2020-05-01", "own_network", True, None, None),
]


def make_frame(rows: list[tuple]) -> pd.DataFrame:
    """Build a typed monitor frame (contract 1 dtypes) from compact rows."""
    template = empty_monitor_frame()
    data = {c: [None] * len(rows) for c in COLUMN_NAMES}
    names = [
        "trajectory_id",
        "person_id",
        "pilot",
        "intake_date",
        "exit_date",
        "exit_reason",
        "formal_status",
        "scenario",
        "scenario_date",
    ]
    for i, row in enumerate(rows):
        for name, value in zip(names, row):
            data[name][i] = value
    frame = pd.DataFrame({c: pd.Series(data[c]) for c in COLUMN_NAMES})
    for column in COLUMN_NAMES:
        dtype = template[column].dtype
        if str(dtype).startswith("datetime64"):
            frame[column] = pd.to_datetime(frame[column]).astype(dtype)
        else:
            frame[column] = frame[column].astype(str(dtype))
    frame["exit_reason"] = frame["exit_reason"].astype(pd.CategoricalDtype(list(EXIT_REASON_CODES)))
    frame["scenario"] = frame["scenario"].astype(pd.CategoricalDtype(["departure", "residence"]))
    return frame


class StandInScheme:
    """Minimal scheme (contract 3) with the Verwey-Jonker 2021 grouping (source 000)."""

    name = "stand-in"
    class_ids = ("durable", "semi_durable", "none")
    mapping = {
        "residence_permit": "durable",
        "independent_return": "durable",
        "onward_migration": "durable",
        "repeat_asylum_application": "semi_durable",
        "departure_postponed_art64": "semi_durable",
        **{
            c: "none"
            for c in (
                "forced_return",
                "left_unknown_destination",
                "stay_terminated",
                "immigration_detention",
                "criminal_detention",
                "other_shelter",
                "own_network",
                "returned_to_bbb",
                "deceased",
                "other",
            )
        },
    }

    def classify(self, codes: pd.Series) -> pd.Series:
        mapped = codes.astype("string").map(self.mapping)
        return mapped.astype(pd.CategoricalDtype(list(self.class_ids), ordered=True))
