"""Where the project's files live.

Every path in the package is derived from :data:`PROJECT_ROOT`, so notebooks,
the command line and tests agree whatever the working directory is. Set the
environment variable ``LVV_EVAL_ROOT`` to point an installed package at another
checkout of the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
"""Directory of the installed ``lvv_eval`` package (holds package data)."""


def _find_project_root() -> Path:
    env = os.environ.get("LVV_EVAL_ROOT")
    if env:
        return Path(env).resolve()
    for candidate in [PACKAGE_DIR, *PACKAGE_DIR.parents]:
        if (candidate / "pyproject.toml").is_file() and (candidate / "data").is_dir():
            return candidate
    return Path.cwd().resolve()


PROJECT_ROOT: Path = _find_project_root()
"""Root of the repository checkout (contains ``pyproject.toml`` and ``data/``)."""

PACKAGE_DATA_DIR: Path = PACKAGE_DIR / "data"
"""Reference tables shipped with the package (exit-reason codes, pilots)."""

SCHEMES_DIR: Path = PACKAGE_DIR / "reference" / "schemes"
"""Classification schemes shipped with the package (one YAML file each)."""

DATA_DIR: Path = PROJECT_ROOT / "data"
PUBLISHED_DIR: Path = DATA_DIR / "published"
"""Published figures from the five source documents, with citations."""
SYNTHETIC_DIR: Path = DATA_DIR / "synthetic"
"""Committed synthetic person-level data (monitor format)."""
RAW_DIR: Path = DATA_DIR / "raw"
"""Place for real exports; git-ignored and treated as read-only."""
CONFIG_DIR: Path = PROJECT_ROOT / "config"
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
REPORTS_DIR: Path = PROJECT_ROOT / "reports"

DEFAULT_SYNTHETIC_FILE: Path = SYNTHETIC_DIR / "monitor_synthetic.csv"
"""The default person-level input of every notebook (synthetic, not real)."""
