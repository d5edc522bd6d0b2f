"""lvv-eval: reproducible evaluation of the Dutch LVV pilot (2019-2022).

The package holds the logic; the notebooks under ``notebooks/`` only call it. Its parts are layers:
a module imports from its own layer and the layers below it, never from above
(``tests/test_architecture.py`` enforces this).

Layers, from the bottom up
--------------------------
errors, paths
    The package's error types (every problem of an input listed at once) and where the project's
    files live.
reference
    Reference data: the exit-reason taxonomy, classification schemes (YAML), the pilots, the
    person-level monitor format.
sources
    Reading inputs: monitor exports (validation), the published figures and their consistency
    checks, the sources' counting conventions, the capacity history, pilot designs, rounding ranges.
stats
    Counts at a peildatum, rates with intervals, survival, occupancy, reconciliation;
    ``stats.sites`` for comparisons between the five sites (few-sites rules, case mix).
disclosure
    Disclosure control: which person-level number may leave a report.
reporting
    Notebook parameters, labels and language, plots, the report writer, builds, provenance,
    notebook hygiene.
evaluations
    One module per notebook: its tables, figures and texts.
synthetic
    The synthetic monitor generator and its calibration report; only ``commands`` imports it.
commands, cli
    The command line (``lvv-eval``).

Earlier flat module names (``from lvv_eval import aggregate``) still resolve, to the module's new
place (:data:`MOVED`), so notebooks written against them keep working.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

try:
    __version__ = version("lvv-eval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

MOVED: dict[str, str] = {
    "taxonomy": "reference.taxonomy",
    "schemes": "reference.schemes",
    "pilots": "reference.pilots",
    "schema": "reference.monitor_format",
    "monitor": "sources.monitor",
    "monitor_validate": "sources.monitor_rules",
    "published": "sources.published",
    "consistency": "sources.consistency",
    "designs": "sources.designs",
    "rounding": "sources.rounding",
    "aggregate": "stats.counts",
    "metrics": "stats.rates",
    "survival": "stats.survival",
    "reconcile": "stats.reconcile",
    "compare": "stats.sites.compare",
    "fewsites": "stats.sites.few_sites",
    "casemix": "stats.sites.case_mix",
    "params": "reporting.parameters",
    "i18n": "reporting.labels",
    "plotting": "reporting.plots",
    "report_io": "reporting.writer",
    "provenance": "reporting.provenance",
    "nbhygiene": "reporting.notebook_hygiene",
}
"""Earlier top-level module name -> its module below ``lvv_eval`` now."""

__all__ = ["MOVED", "__version__"]


def __getattr__(name: str) -> ModuleType:
    """Resolve an earlier flat module name (``lvv_eval.stats.counts``) to its new module."""
    if name in MOVED:
        return importlib.import_module(f"{__name__}.{MOVED[name]}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
