"""The report configuration (``config/reports.yaml``): which notebooks to run, with which parameters.

Each report has an id (folder name under ``reports/`` and stem of its files),
a notebook, a title and parameter overrides. :func:`load_config` lists every
problem of the file at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lvv_eval.errors import ConfigError
from lvv_eval.paths import CONFIG_DIR, PROJECT_ROOT

DEFAULT_CONFIG: Path = CONFIG_DIR / "reports.yaml"
DEFAULT_TIMEOUT = 1200
"""Default per-cell execution timeout in seconds."""

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_CONFIG_KEYS = {"timeout", "reports"}
_REPORT_KEYS = {"id", "notebook", "title", "parameters"}


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class ReportSpec:
    """One report of the configuration.

    Attributes
    ----------
    id
        Folder name under ``reports/`` and stem of the output files.
    notebook
        Notebook file (absolute path).
    parameters
        Parameter overrides for this report (the notebook's defaults apply otherwise).
    title
        Heading in the report index.
    """

    id: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""


@dataclass(frozen=True)
class ReportConfig:
    """The parsed ``config/reports.yaml``."""

    path: Path
    reports: tuple[ReportSpec, ...]
    timeout: int = DEFAULT_TIMEOUT


def plain_value(value: Any) -> Any:
    """Turn YAML dates back into ISO strings, recursively (dates stay strings)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    return value


def load_config(path: str | Path | None = None, *, root: str | Path | None = None) -> ReportConfig:
    """Read and check the report configuration.

    Parameters
    ----------
    path
        YAML file; default ``config/reports.yaml``.
    root
        Folder that relative notebook paths are resolved against (default: project root).

    Raises
    ------
    ConfigError
        Listing every problem (unknown keys, missing or duplicate ids, bad values).
    """
    path = Path(path) if path is not None else DEFAULT_CONFIG
    root = Path(root) if root is not None else PROJECT_ROOT
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read report configuration: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'reports' list")
    for key in sorted(set(data) - _CONFIG_KEYS):
        problems.append(f"unknown key {key!r} (known: {', '.join(sorted(_CONFIG_KEYS))})")
    timeout = data.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        problems.append(f"timeout: expected a positive number of seconds, got {timeout!r}")
    entries = data.get("reports")
    if not isinstance(entries, list) or not entries:
        problems.append("reports: expected a non-empty list")
        entries = []
    specs: list[ReportSpec] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        where = f"reports[{n}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with id, notebook, parameters")
            continue
        for key in sorted(set(entry) - _REPORT_KEYS):
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(sorted(_REPORT_KEYS))})")
        rid, nb = entry.get("id"), entry.get("notebook")
        if not isinstance(rid, str) or not _ID.fullmatch(rid):
            problems.append(f"{where}: id {rid!r} must be letters, digits, '_', '-', '.'")
        elif rid in seen:
            problems.append(f"{where}: duplicate id {rid!r}")
        seen.add(str(rid))
        if not isinstance(nb, str) or not nb:
            problems.append(f"{where}: notebook must be a path")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            problems.append(f"{where}: parameters must be a mapping of name: value")
            params = {}
        if isinstance(rid, str) and isinstance(nb, str) and nb:
            nb_path = Path(nb) if Path(nb).is_absolute() else root / nb
            specs.append(ReportSpec(rid, nb_path, plain_value(params), str(entry.get("title") or rid)))
    if problems:
        raise ConfigError(f"{path}: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))
    return ReportConfig(path=path, reports=tuple(specs), timeout=int(timeout))


__all__ = ["DEFAULT_CONFIG", "DEFAULT_TIMEOUT", "ReportConfig", "ReportSpec", "load_config"]
