"""The pilot table: which LVV pilots exist.

The five pilots of 2019-2022 ship with the package (``data/pilots.csv``). A
national roll-out adds rows to a copy of that file and passes its path; no code
changes are needed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from lvv_eval.errors import ArgumentError
from lvv_eval.paths import PACKAGE_DATA_DIR

DEFAULT_PILOTS_FILE: Path = PACKAGE_DATA_DIR / "pilots.csv"


@lru_cache(maxsize=8)
def _read(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype="string")
    table["pilot"] = table["pilot"].str.strip().str.lower()
    if table["pilot"].duplicated().any():
        dupes = sorted(table.loc[table["pilot"].duplicated(), "pilot"])
        raise ArgumentError(f"{path}: column 'pilot': duplicate pilot codes {dupes}")
    return table.sort_values("pilot", ignore_index=True)


def load_pilots(path: str | Path | None = None) -> pd.DataFrame:
    """Load the pilot table.

    Parameters
    ----------
    path
        CSV with at least a ``pilot`` column (lower-case code) and ``name``.
        Defaults to the five pilots shipped with the package.

    Returns
    -------
    pandas.DataFrame
        One row per pilot, sorted by code.
    """
    return _read(str(path or DEFAULT_PILOTS_FILE)).copy()


def pilot_codes(path: str | Path | None = None) -> tuple[str, ...]:
    """Return the declared pilot codes, sorted.

    Examples
    --------
    >>> pilot_codes()
    ('amsterdam', 'eindhoven', 'groningen', 'rotterdam', 'utrecht')
    """
    return tuple(load_pilots(path)["pilot"])
