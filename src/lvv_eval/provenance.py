"""Provenance of a report: parameters, input checksums, software versions, git commit.

Written next to every built report as ``provenance.json`` so a reader can tell
exactly which data and code produced it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterable, Mapping

from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE, PROJECT_ROOT, PUBLISHED_DIR

PACKAGES: tuple[str, ...] = (
    "lvv-eval", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "papermill",
    "nbconvert", "nbformat", "ipykernel",
)
"""Distributions whose installed version is recorded."""


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str | None]:
    """Return installed versions by distribution name (``None`` when not installed)."""
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def git_state(root: str | Path = PROJECT_ROOT) -> dict[str, Any]:
    """Return ``{"commit": sha | None, "dirty": bool | None}`` for the checkout at ``root``.

    Only reads the repository (``git rev-parse``, ``git status`` without
    taking locks); tolerates a missing git or a folder that is no repository.
    """
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def run(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True,
                                  timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = run("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def input_files(parameters: Mapping[str, Any], root: str | Path = PROJECT_ROOT,
                published_dir: str | Path = PUBLISHED_DIR) -> list[Path]:
    """List the input files of a run: its data source, scheme file, and the published CSVs.

    Parameters
    ----------
    parameters
        The run's parameters (``data_source`` and ``scheme`` are looked at).
    root
        Folder that relative paths are resolved against.
    published_dir
        Folder with the published figures (``*.csv``).
    """
    root = Path(root)
    files: list[Path] = []
    source = parameters.get("data_source")
    if source == "synthetic":
        files.append(DEFAULT_SYNTHETIC_FILE)
    elif isinstance(source, str) and source and source != "published":
        files.append(Path(source) if Path(source).is_absolute() else root / source)
    scheme = parameters.get("scheme")
    if isinstance(scheme, str) and scheme.endswith((".yaml", ".yml")):
        files.append(Path(scheme) if Path(scheme).is_absolute() else root / scheme)
    files.extend(sorted(Path(published_dir).glob("*.csv")))
    return files


def describe_files(files: Iterable[Path], root: str | Path = PROJECT_ROOT) -> list[dict[str, Any]]:
    """Return path (relative to ``root`` when inside it), size and SHA-256 of each file."""
    out = []
    for path in files:
        path = Path(path)
        try:
            shown = path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            shown = str(path)
        if path.is_file():
            out.append({"path": shown, "bytes": path.stat().st_size, "sha256": sha256_file(path)})
        else:
            out.append({"path": shown, "bytes": None, "sha256": None, "missing": True})
    return out


def utc_now() -> str:
    """Current time in UTC, ISO 8601 with seconds (``2020-11-01T12:00:00Z``)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_provenance(*, report_id: str, notebook: str | Path, parameters: Mapping[str, Any],
                     started: str, finished: str, status: str, root: str | Path = PROJECT_ROOT,
                     error: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Assemble the provenance record of one run (see module docstring)."""
    try:
        nb_shown = Path(notebook).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        nb_shown = str(notebook)
    record: dict[str, Any] = {
        "report_id": report_id,
        "notebook": nb_shown,
        "notebook_sha256": sha256_file(notebook) if Path(notebook).is_file() else None,
        "status": status,
        "parameters": dict(parameters),
        "inputs": describe_files(input_files(parameters, root), root),
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "packages": package_versions(),
        "git": git_state(root),
        "started_utc": started,
        "finished_utc": finished,
    }
    if error:
        record["error"] = dict(error)
    return record


def write_provenance(path: str | Path, record: Mapping[str, Any]) -> Path:
    """Write a provenance record as indented JSON (UTF-8, sorted keys)."""
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")
    return path
