"""Fixtures shared by the test modules (builders in ``tests/builders.py``)."""

from __future__ import annotations

import pandas as pd
import pytest

from builders import ROWS, StandInScheme, make_frame


@pytest.fixture
def hand_frame() -> pd.DataFrame:
    """The 14 hand-made trajectories of :data:`builders.ROWS` as a typed monitor frame."""
    return make_frame(ROWS)


@pytest.fixture
def stand_in_scheme() -> StandInScheme:
    """A minimal scheme with the Verwey-Jonker 2021 grouping (source 000)."""
    return StandInScheme()
