"""Provenance of a report: parameters, input checksums, software versions, git commit.

Written next to every built report as ``provenance.json`` so a reader can tell
exactly which data and code produced it.

Paths are recorded portably (:func:`portable_path`): relative to the project
root when inside it, ``lvv_eval/...`` for package files installed elsewhere,
and otherwise only the file name (the SHA-256 identifies the content). So two
checkouts of the same commit give the same record apart from the times, the
commit and the ``dirty`` flag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from lvv_eval.paths import (
    CONFIG_DIR,
    DEFAULT_SYNTHETIC_FILE,
    PACKAGE_DATA_DIR,
    PACKAGE_DIR,
    PROJECT_ROOT,
    PUBLISHED_DIR,
)

PACKAGES: tuple[str, ...] = (
    "lvv-eval",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
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
            done = subprocess.run(
                ["git", *args], cwd=root, env=env, capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = run("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def portable_path(path: str | Path, root: str | Path = PROJECT_ROOT) -> str:
    """Show a path without the machine-specific part.

    Relative to ``root`` (POSIX separators) when the path is inside it, as
    ``lvv_eval/...`` when it is a file of the installed package, otherwise
    only the file name. Relative paths are taken as relative to ``root``.
    Symbolic links are not followed first, so ``.venv/bin/python`` stays that.

    Examples
    --------
    >>> portable_path(PROJECT_ROOT / "data" / "published" / "figures.csv")
    'data/published/figures.csv'
    >>> portable_path("/somewhere/else/export.csv")
    'export.csv'
    >>> portable_path("data/monitor.csv")
    'data/monitor.csv'
    """
    path = Path(path)
    root = Path(root)
    if not path.is_absolute():
        path = root / path
    candidates = [Path(os.path.abspath(path)), path.resolve()]
    for base, keep_base in ((root, False), (PACKAGE_DIR, True)):
        for base_form in dict.fromkeys((Path(os.path.abspath(base)), base.resolve())):
            for cand in candidates:
                try:
                    rel = cand.relative_to(base_form)
                except ValueError:
                    continue
                if keep_base:
                    return (Path(PACKAGE_DIR.name) / rel).as_posix()
                return rel.as_posix() if rel.parts else "."
    return path.name


def portable_parameters(parameters: Mapping[str, Any], root: str | Path = PROJECT_ROOT) -> dict[str, Any]:
    """Return the parameters with every absolute path shown by :func:`portable_path`.

    Only text values (also inside lists) that are absolute paths change,
    e.g. the ``output_dir`` injected by the report pipeline.

    Examples
    --------
    >>> portable_parameters({"output_dir": "/tmp/run03", "pilots": ["utrecht"], "n": 3})
    {'output_dir': 'run03', 'pilots': ['utrecht'], 'n': 3}
    """

    def fix(value: Any) -> Any:
        if isinstance(value, str) and value and Path(value).is_absolute():
            return portable_path(value, root)
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    return {key: fix(value) for key, value in parameters.items()}


_SCHEME_PARAMETER = re.compile(r"(^|_)schemes?$")
_YAML_SUFFIXES = (".yaml", ".yml")


def _scheme_files(parameters: Mapping[str, Any], root: Path) -> list[tuple[str, Path]]:
    """Scheme files named by ``scheme``, ``*_scheme`` and ``*_schemes`` parameters.

    A name is resolved with :func:`lvv_eval.reference.schemes.load_scheme` (shipped
    schemes and those in ``$LVV_EVAL_SCHEMES_DIR``); a value ending in
    ``.yaml``/``.yml`` or containing ``/`` is a path. An empty list in a
    ``*_schemes`` parameter means every available scheme. A name that cannot
    be resolved is listed as a missing file of that name.
    """
    from lvv_eval.reference import schemes

    out: list[tuple[str, Path]] = []
    for key in sorted(k for k in parameters if _SCHEME_PARAMETER.search(k)):
        value = parameters[key]
        if isinstance(value, list) and not value and key.endswith("schemes"):
            try:
                value = schemes.list_schemes()
            except Exception:  # noqa: BLE001 - a broken user folder is the notebook's problem
                value = []
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str) or not item:
                continue
            if item.endswith(_YAML_SUFFIXES) or "/" in item or os.sep in item:
                out.append(("scheme", Path(item) if Path(item).is_absolute() else root / item))
                continue
            try:
                found = schemes.load_scheme(item).path
            except Exception:  # noqa: BLE001 - unknown or invalid: recorded as missing
                found = None
            out.append(("scheme", Path(found) if found is not None else Path(f"{item}.yaml")))
    return out


def input_entries(
    parameters: Mapping[str, Any], root: str | Path = PROJECT_ROOT, published_dir: str | Path = PUBLISHED_DIR
) -> list[tuple[str, Path]]:
    """List the input files of a run with their role, without duplicates.

    Roles: ``data_source`` (the monitor export, or the committed synthetic
    file), ``synthetic_config`` (``config/synth.yaml`` when the data source
    is ``synthetic``), ``scheme`` (every classification scheme file named by
    the parameters), ``package_data`` (``lvv_eval/data/*.csv``: exit reasons,
    pilots, labels) and ``published`` (``data/published/*.csv``).

    Parameters
    ----------
    parameters
        The run's parameters (``data_source`` and the scheme parameters are looked at).
    root
        Folder that relative paths are resolved against.
    published_dir
        Folder with the published figures (``*.csv``).
    """
    root = Path(root)
    entries: list[tuple[str, Path]] = []
    source = parameters.get("data_source")
    if source == "synthetic":
        entries.append(("data_source", DEFAULT_SYNTHETIC_FILE))
        entries.append(("synthetic_config", CONFIG_DIR / "synth.yaml"))
    elif isinstance(source, str) and source and source != "published":
        entries.append(("data_source", Path(source) if Path(source).is_absolute() else root / source))
    entries.extend(_scheme_files(parameters, root))
    entries.extend(("package_data", p) for p in sorted(PACKAGE_DATA_DIR.glob("*.csv")))
    entries.extend(("published", p) for p in sorted(Path(published_dir).glob("*.csv")))
    seen: set[Path] = set()
    unique = []
    for role, path in entries:
        key = Path(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            unique.append((role, path))
    return unique


def input_files(
    parameters: Mapping[str, Any], root: str | Path = PROJECT_ROOT, published_dir: str | Path = PUBLISHED_DIR
) -> list[Path]:
    """List the input files of a run (the paths of :func:`input_entries`)."""
    return [path for _, path in input_entries(parameters, root, published_dir)]


def describe_files(files: Iterable[Path | tuple[str, Path]], root: str | Path = PROJECT_ROOT) -> list[dict[str, Any]]:
    """Return portable path, size and SHA-256 of each file (and its role when given as ``(role, path)``)."""
    out = []
    for item in files:
        role, path = item if isinstance(item, tuple) else (None, item)
        path = Path(path)
        entry: dict[str, Any] = {"path": portable_path(path, root)}
        if role is not None:
            entry["role"] = role
        if path.is_file():
            entry.update(bytes=path.stat().st_size, sha256=sha256_file(path))
        else:
            entry.update(bytes=None, sha256=None, missing=True)
        out.append(entry)
    return out


def portable_notebook(path: str | Path, root: str | Path = PROJECT_ROOT) -> Path:
    """Rewrite an executed notebook so that it names no absolute path of this machine.

    papermill records ``input_path``, ``output_path`` and the injected
    parameters (``output_dir``) in ``metadata.papermill`` and writes the
    parameters into the cell tagged ``injected-parameters``; each absolute
    path there is replaced by :func:`portable_path`. Cell outputs are left as
    they are. Returns ``path``.
    """
    import nbformat

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    meta = nb.metadata.get("papermill")
    if not meta:
        return path
    for key in ("input_path", "output_path"):
        if isinstance(meta.get(key), str) and meta[key]:
            meta[key] = portable_path(meta[key], root)
    params = meta.get("parameters")
    if isinstance(params, Mapping):
        fixed = portable_parameters(params, root)
        changed = {old: fixed[k] for k, old in params.items() if isinstance(old, str) and fixed[k] != old}
        meta["parameters"] = fixed
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                source = cell.source
                for old, new in changed.items():
                    source = source.replace(old, new)
                cell.source = source
    nbformat.write(nb, str(path))
    return path


def utc_now() -> str:
    """Current time in UTC, ISO 8601 with seconds (``2020-11-01T12:00:00Z``)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_provenance(
    *,
    report_id: str,
    notebook: str | Path,
    parameters: Mapping[str, Any],
    started: str,
    finished: str,
    status: str,
    root: str | Path = PROJECT_ROOT,
    error: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the provenance record of one run (see module docstring)."""
    record: dict[str, Any] = {
        "report_id": report_id,
        "notebook": portable_path(notebook, root),
        "notebook_sha256": sha256_file(notebook) if Path(notebook).is_file() else None,
        "status": status,
        "parameters": portable_parameters(parameters, root),
        "inputs": describe_files(input_entries(parameters, root), root),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": portable_path(sys.executable, root),
        },
        "packages": package_versions(),
        "git": git_state(root),
        "started_utc": started,
        "finished_utc": finished,
    }
    if error:
        record["error"] = {k: _strip_root(v, root) for k, v in error.items()}
    return record


def _strip_root(value: Any, root: str | Path) -> Any:
    """Remove the project root's absolute path from a message (paths become relative)."""
    if not isinstance(value, str):
        return value
    for form in dict.fromkeys((os.path.abspath(root), str(Path(root).resolve()))):
        value = value.replace(form.rstrip(os.sep) + os.sep, "")
    return value


def write_provenance(path: str | Path, record: Mapping[str, Any]) -> Path:
    """Write a provenance record as indented JSON (UTF-8, sorted keys)."""
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")
    return path
