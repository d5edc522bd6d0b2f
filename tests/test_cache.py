"""Validated monitor data cached as Parquet (lvv_eval.sources.cache)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.errors import ConfigError, InputValidationError
from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE, RAW_DIR
from lvv_eval.sources import cache, monitor

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"


def _assert_same(a: monitor.MonitorData, b: monitor.MonitorData) -> None:
    for name in ("frame", "exclusions", "flow"):
        left, right = getattr(a, name), getattr(b, name)
        assert list(left.dtypes.astype(str)) == list(right.dtypes.astype(str)), name
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    assert a.problems == b.problems
    assert a.notes == b.notes
    assert a.source == b.source
    assert a.export_date == b.export_date


def _copy(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, folder / source.name))


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(monitor, "read_monitor", refuse)


def test_hit_equals_a_fresh_read_and_does_not_parse(tmp_path, monkeypatch):
    path = _copy(DEFAULT_SYNTHETIC_FILE, tmp_path / "in")
    store = tmp_path / "report" / "cache"
    first = cache.read_monitor_cached(path, cache_dir=store)
    _assert_same(first, monitor.read_monitor(path))
    assert len(list(store.iterdir())) == 1
    _no_reading(monkeypatch)
    again = cache.read_monitor_cached(path, cache_dir=store)
    _assert_same(again, first)


def test_lenient_read_with_problems_is_cached_whole(tmp_path, monkeypatch):
    path = _copy(FIXTURES / "broken.csv", tmp_path / "in")
    options = {"strict": False, "export_date": "2020-11-01"}
    fresh = monitor.read_monitor(path, **options)
    assert fresh.problems and len(fresh.exclusions)
    cache.read_monitor_cached(path, cache_dir=tmp_path / "c", **options)
    _no_reading(monkeypatch)
    _assert_same(cache.read_monitor_cached(path, cache_dir=tmp_path / "c", **options), fresh)


def test_changed_file_misses(tmp_path):
    path = _copy(FIXTURES / "english.csv", tmp_path / "in")
    store = tmp_path / "c"
    cache.read_monitor_cached(path, cache_dir=store)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # drop the last row
    changed = cache.read_monitor_cached(path, cache_dir=store)
    _assert_same(changed, monitor.read_monitor(path))
    assert len(changed.frame) == len(lines) - 2
    assert len(list(store.iterdir())) == 2


def test_other_options_miss(tmp_path):
    path = _copy(FIXTURES / "english.csv", tmp_path / "in")
    store = tmp_path / "c"
    plain = cache.read_monitor_cached(path, cache_dir=store)
    dated = cache.read_monitor_cached(path, cache_dir=store, export_date="2023-12-31")
    assert plain.export_date is None and dated.export_date == pd.Timestamp("2023-12-31")
    assert len(list(store.iterdir())) == 2


def test_strict_failure_is_not_cached(tmp_path):
    path = _copy(FIXTURES / "broken.csv", tmp_path / "in")
    store = tmp_path / "c"
    for _ in range(2):
        with pytest.raises(InputValidationError):
            cache.read_monitor_cached(path, cache_dir=store)
    assert not store.exists() or not [p for p in store.iterdir() if not p.name.startswith(".")]


def test_cache_next_to_raw_data_is_refused(tmp_path):
    path = _copy(FIXTURES / "english.csv", tmp_path / "in")
    with pytest.raises(ConfigError, match="next to raw data"):
        cache.read_monitor_cached(path, cache_dir=tmp_path / "in" / "cache")
    with pytest.raises(ConfigError, match="next to raw data"):
        cache.read_monitor_cached(path, cache_dir=RAW_DIR / "cache")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="file not found"):
        cache.read_monitor_cached(tmp_path / "absent.csv", cache_dir=tmp_path / "c")


def test_default_cache_folder_is_git_ignored():
    root = Path(__file__).resolve().parents[1]
    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".cache/" in ignored
    assert cache.DEFAULT_CACHE_DIR.relative_to(root).parts[0] == ".cache"


def test_the_reader_fingerprint_covers_the_reader_modules():
    """The key changes with the source of the modules that read and validate (a new reader misses)."""
    from lvv_eval.paths import PACKAGE_DIR
    from lvv_eval.sources import monitor_rules

    files = {(PACKAGE_DIR / name).resolve() for name in cache._READER_MODULES}
    for module in (monitor, monitor_rules, cache):
        assert Path(module.__file__).resolve() in files
    assert all(f.is_file() for f in files)


def test_a_changed_reader_module_changes_the_key(tmp_path, monkeypatch):
    from lvv_eval.paths import PACKAGE_DIR

    copy = tmp_path / "package"
    for name in cache._READER_MODULES:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PACKAGE_DIR / name, copy / name)
    shutil.copytree(PACKAGE_DIR / "data", copy / "data")
    monkeypatch.setattr(cache, "PACKAGE_DIR", copy)
    before = cache._reader_fingerprint()
    assert cache._reader_fingerprint() == before
    rules = copy / "sources" / "monitor_rules.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# another rule\n", encoding="utf-8")
    assert cache._reader_fingerprint() != before
