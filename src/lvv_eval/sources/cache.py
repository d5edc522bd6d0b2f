"""Validated monitor data cached as Parquet, keyed by the SHA-256 of the input file.

Reading and validating a large export takes seconds; a notebook that is run
again on the same export should not parse it again. :func:`read_monitor_cached`
wraps :func:`lvv_eval.sources.monitor.read_monitor`: it hashes the file's bytes and
looks for a cache entry made from the same bytes, with the same reading
options and the same reader code; on a hit it loads the typed frame from
Parquet (and the problems, exclusions and flow table from their sidecar
files), otherwise it reads the file and stores the result.

The cache lives under ``.cache/monitor/`` in the project root (git-ignored) or
under a folder you pass, e.g. the report folder; never next to the raw data,
which is only ever read. An entry is a folder named after its key::

    <cache dir>/<key>/frame.parquet        typed frame of the valid rows
    <cache dir>/<key>/exclusions.parquet   invalid rows and their reasons
    <cache dir>/<key>/flow.parquet         row accounting
    <cache dir>/<key>/meta.json            source, problems, notes, dtypes

The key is the SHA-256 of: the input's SHA-256, the path as given (it appears
in every problem), the reading options (export date, pilot table contents,
strictness) and a fingerprint of the reader's source code, so a changed file,
other options or a new reader version all miss. Strict reads that raise are
not cached (the error is raised again on the next read).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from lvv_eval.errors import ConfigError, Problem
from lvv_eval.paths import PACKAGE_DIR, PROJECT_ROOT, RAW_DIR

__all__ = ["DEFAULT_CACHE_DIR", "cache_key", "load_cached", "read_monitor_cached", "store"]

DEFAULT_CACHE_DIR: Path = PROJECT_ROOT / ".cache" / "monitor"
"""Default cache folder (git-ignored)."""

CACHE_FORMAT = 1
"""Version of the entry layout; part of the key."""

_READER_MODULES = (
    "sources/monitor.py",
    "sources/monitor_rules.py",
    "sources/profiles.py",
    "sources/cache.py",
    "reference/monitor_format.py",
    "reference/taxonomy.py",
    "reference/pilots.py",
    "errors.py",
)
"""Modules (relative to the package folder) whose source is part of the cache key."""
_TABLES = ("frame", "exclusions", "flow")


def file_sha256(path: Path, block: int = 1 << 22) -> str:
    """SHA-256 (hex) of a file's bytes, read in blocks of ``block`` bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(block), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _reader_fingerprint() -> str:
    """SHA-256 of the source of the modules that shape a read (a new reader misses the cache)."""
    digest = hashlib.sha256()
    for name in _READER_MODULES:
        digest.update(name.encode())
        digest.update((PACKAGE_DIR / name).read_bytes())
    for table in sorted((PACKAGE_DIR / "data").glob("*.csv")):
        digest.update(table.name.encode())
        digest.update(table.read_bytes())
    return digest.hexdigest()


def _option_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (pd.Timestamp, dt.date)):
        return pd.Timestamp(value).isoformat()
    return str(value)


def cache_key(path: str | Path, sha256: str, options: dict[str, Any]) -> str:
    """Key of a cache entry (hex SHA-256).

    Parameters
    ----------
    path
        Input file as given to the reader.
    sha256
        SHA-256 of the input's bytes.
    options
        Keyword arguments of :func:`lvv_eval.sources.monitor.read_monitor` (a pilot
        table given as ``pilots_file`` is keyed by its contents).
    """
    parts = {"format": CACHE_FORMAT, "input": sha256, "path": str(path), "reader": _reader_fingerprint()}
    for name in sorted(options):
        value = options[name]
        if name == "pilots_file" and value is not None:
            value = file_sha256(Path(value))
        parts[name] = _option_text(value)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _check_location(cache_dir: Path, input_path: Path) -> None:
    """Refuse a cache folder inside the raw-data folder or the input's own folder."""
    target = cache_dir.resolve()
    for forbidden in {RAW_DIR.resolve(), input_path.resolve().parent}:
        if target == forbidden or forbidden in target.parents:
            raise ConfigError(
                f"cache folder {cache_dir} is next to raw data ({forbidden}); use .cache/ or the report folder"
            )


def _problem(record: dict[str, Any]) -> Problem:
    return Problem(record["file"], record["row"], record["column"], record["value"], record["rule"])


def _restore(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """Give every column its recorded dtype (Parquet keeps most, not ``object`` text)."""
    for column, dtype in dtypes.items():
        if str(frame[column].dtype) != dtype and dtype != "category":
            frame[column] = frame[column].astype(pd.api.types.pandas_dtype(dtype))
    return frame


def store(data: Any, entry: Path) -> None:
    """Write a :class:`lvv_eval.sources.monitor.MonitorData` as cache entry ``entry`` (atomically)."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
    try:
        meta: dict[str, Any] = {"dtypes": {}}
        for name in _TABLES:
            table: pd.DataFrame = getattr(data, name)
            # uncompressed: about twice the size of snappy, read in about half the time
            table.to_parquet(work / f"{name}.parquet", index=False, compression=None)
            meta["dtypes"][name] = {c: str(t) for c, t in table.dtypes.items()}
        source = data.source
        meta["source"] = {
            "path": str(source.path),
            "sha256": source.sha256,
            "n_rows": source.n_rows,
            "file_format": source.file_format,
            "delimiter": source.delimiter,
            "sheet": source.sheet,
            "encoding": source.encoding,
            "header_row": source.header_row,
            "profile": source.profile,
        }
        meta["identifiers"] = dict(sorted(data.identifiers.items()))
        meta["problems"] = [asdict(p) for p in data.problems]
        meta["notes"] = [asdict(p) for p in data.notes]
        meta["export_date"] = None if data.export_date is None else pd.Timestamp(data.export_date).isoformat()
        (work / "meta.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
        try:
            os.replace(work, entry)
        except OSError:  # another process stored the same entry first
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def load_cached(entry: Path) -> Any | None:
    """The :class:`lvv_eval.sources.monitor.MonitorData` of a cache entry, or None if it is absent."""
    from lvv_eval.sources.monitor import MonitorData, MonitorSource

    meta_file = entry / "meta.json"
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    tables = {name: _restore(pd.read_parquet(entry / f"{name}.parquet"), meta["dtypes"][name]) for name in _TABLES}
    src = meta["source"]
    source = MonitorSource(
        Path(src["path"]),
        src["sha256"],
        int(src["n_rows"]),
        src["file_format"],
        src["delimiter"],
        src["sheet"],
        encoding=src["encoding"],
        header_row=int(src["header_row"]),
        profile=src["profile"],
    )
    export_date = None if meta["export_date"] is None else pd.Timestamp(meta["export_date"])
    return MonitorData(
        tables["frame"],
        tables["exclusions"],
        [_problem(p) for p in meta["problems"]],
        tables["flow"],
        source,
        [_problem(p) for p in meta["notes"]],
        export_date=export_date,
        identifiers=dict(meta["identifiers"]),
    )


def read_monitor_cached(path: str | Path, *, cache_dir: str | Path | None = None, **options: Any) -> Any:
    """:func:`lvv_eval.sources.monitor.read_monitor`, re-using the validated result of the same file.

    Parameters
    ----------
    path
        Input file (CSV or .xlsx), never written.
    cache_dir
        Cache folder (default :data:`DEFAULT_CACHE_DIR`, ``.cache/monitor`` in
        the project root); e.g. a folder under the report. It may not lie in
        the raw-data folder nor in the input's folder.
    **options
        Keyword arguments of :func:`lvv_eval.sources.monitor.read_monitor`
        (``export_date``, ``pilots_file``, ``strict``).

    Returns
    -------
    lvv_eval.sources.monitor.MonitorData
        Equal to ``read_monitor(path, **options)``: from the cache when an
        entry for the same bytes, path, options and reader exists, otherwise
        read now and stored.

    Raises
    ------
    FileNotFoundError, lvv_eval.errors.InputValidationError, lvv_eval.errors.ConfigError
        As :func:`lvv_eval.sources.monitor.read_monitor`; ConfigError also for a cache
        folder next to raw data.
    """
    from lvv_eval.sources.monitor import read_monitor

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"file not found: {path}")
    folder = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
    _check_location(folder, path)
    sha256 = file_sha256(path)
    entry = folder / cache_key(path, sha256, options)
    cached = load_cached(entry)
    if cached is not None:
        return cached
    data = read_monitor(path, **options)
    if data.source.sha256 == sha256:  # the file did not change while it was read
        store(data, entry)
    return data
