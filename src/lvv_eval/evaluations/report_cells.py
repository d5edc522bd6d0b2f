"""Pieces shared by the report cells of notebooks 01 and 03: citations, interval phrases, dates.

The captions of those reports are filled from the values the results hold, never
typed: the year and peildatum of a published source come from
``data/published/sources.csv``, the interval method and level from the result's
``ci_method`` / ``ci_level`` columns (or the ``alpha`` it was computed with).
The wording itself lives in each module's text files (``texts/<module>.<lang>.yaml``),
which must hold the keys ``ci`` (placeholders ``level`` and ``method``) and
``method_<name>`` for every interval method used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from lvv_eval.errors import ConfigError
from lvv_eval.sources import published

if TYPE_CHECKING:  # pragma: no cover
    from lvv_eval.evaluations.wording import Texts
    from lvv_eval.reporting.labels import Labels

__all__ = [
    "SourceRecord",
    "ci_level",
    "ci_method",
    "interval_of",
    "interval_phrase",
    "level_percent",
    "relabel",
    "source_record",
]


@dataclass(frozen=True)
class SourceRecord:
    """What a caption cites of a published source (one row of ``sources.csv``)."""

    source_id: str
    source_file: str
    year: int
    peildatum: pd.Timestamp | None


@cache
def source_record(source_id: str) -> SourceRecord:
    """The citation data of ``source_id``: file, year of publication and peildatum.

    Examples
    --------
    >>> r = source_record("regioplan-2020")
    >>> r.year, r.peildatum.date().isoformat(), r.source_file
    (2020, '2019-12-31', '001_08a3e7995258f26d.txt')
    """
    sources = published.load_sources()
    rows = sources.loc[sources["source_id"] == source_id]
    if rows.empty:
        raise ConfigError(f"unknown published source {source_id!r}; see data/published/sources.csv")
    row = rows.iloc[0]
    peildatum = row["peildatum"]
    return SourceRecord(
        source_id=source_id,
        source_file=str(row["source_file"]),
        year=int(str(row["published"])[:4]),
        peildatum=None if pd.isna(peildatum) else pd.Timestamp(peildatum),
    )


def _single(frame: pd.DataFrame, column: str) -> Any:
    if column not in frame.columns:
        return None
    values = [v for v in frame[column].dropna().unique() if v not in ("", "none")]
    if len(values) > 1:
        raise ConfigError(f"column {column!r} holds several values ({sorted(map(str, values))}); one caption each")
    return values[0] if len(values) else None


def ci_level(frame: pd.DataFrame, alpha: float = 0.05) -> float:
    """The confidence level of the intervals in ``frame`` (its ``ci_level`` column, else ``1 - alpha``).

    Examples
    --------
    >>> ci_level(pd.DataFrame({"ci_level": [0.9, 0.9]})), ci_level(pd.DataFrame({"x": [1]}))
    (0.9, 0.95)
    """
    value = _single(frame, "ci_level")
    return round(float(value) if value is not None else 1 - float(alpha), 6)


def ci_method(frame: pd.DataFrame, default: str = "wilson") -> str:
    """The interval method named in ``frame`` (its ``ci_method`` column, else ``default``)."""
    value = _single(frame, "ci_method")
    return str(value) if value is not None else default


def level_percent(L: Labels, level: float) -> str:
    """A confidence level as a whole percentage number without the sign: ``0.95`` -> ``'95'``."""
    return L.number(round(level * 100))


def interval_phrase(T: Texts, L: Labels, method: str, level: float) -> str:
    """``95%-BI (Wilson)`` / ``95% CI (Wilson)``: the module's ``ci`` text filled with method and level."""
    return T("ci", level=level_percent(L, level), method=T("method_" + method.replace("-", "_")))


def interval_of(
    T: Texts, L: Labels, frame: pd.DataFrame, *, default_method: str = "wilson", alpha: float = 0.05
) -> str:
    """The interval phrase of a result table, from its own ``ci_method`` and ``ci_level``."""
    return interval_phrase(T, L, ci_method(frame, default_method), ci_level(frame, alpha))


def relabel(frame: pd.DataFrame, mapping: Mapping[str, object]) -> pd.DataFrame:
    """``frame`` with the columns of ``mapping`` replaced by ``[function(value) ...]`` (labels of codes)."""
    return frame.assign(**{col: [f(v) for v in frame[col]] for col, f in mapping.items()})  # type: ignore[operator]
