"""Project-wide pytest hooks for the notebook checks.

``make nbval`` runs nbval (``--nbval-lax``) over ``notebooks/*.ipynb``; ``make test`` runs the
notebooks under papermill instead (``tests/test_notebooks_papermill.py``). Here:

* executed reports (``reports/``) and the fixture notebooks of the pipeline
  tests (``tests/fixtures/notebooks/``) are never collected by nbval;
* every nbval cell item gets the ``notebooks`` marker, so
  ``pytest -m "not notebooks"`` skips them like the other kernel-starting tests;
* a cell may run at most :data:`NBVAL_CELL_TIMEOUT` seconds unless
  ``--nbval-cell-timeout`` is given (nbval's own default is 2000 s).
"""

from __future__ import annotations

import pytest

NBVAL_CELL_TIMEOUT = 600
"""Per-cell timeout (seconds) for nbval runs when none is given on the command line."""

collect_ignore_glob = [
    "reports/*",
    "tests/fixtures/*",
    ".venv/*",
    "build/*",
    "data/*",
]


def pytest_configure(config: pytest.Config) -> None:
    """Lower nbval's per-cell timeout unless set explicitly."""
    option = config.option
    if hasattr(option, "nbval_cell_timeout") and str(option.nbval_cell_timeout) == "2000":
        option.nbval_cell_timeout = NBVAL_CELL_TIMEOUT


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark nbval's notebook cell items with the ``notebooks`` marker."""
    for item in items:
        if type(item).__module__.startswith("nbval"):
            item.add_marker(pytest.mark.notebooks)
