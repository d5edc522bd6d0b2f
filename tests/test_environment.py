"""The three dependency declarations agree: pyproject.toml, requirements.lock, environment.yml."""

from __future__ import annotations

import re
import tomllib

import yaml

from lvv_eval.paths import PROJECT_ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _project_requirements() -> dict[str, str]:
    meta = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(meta["dependencies"]) + [r for extra in meta["optional-dependencies"].values() for r in extra]
    return {_name(r): r for r in reqs}


def _lock() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not an exact pin"
            pins[_name(name)] = version
    return pins


def _conda() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, _, version = dep.partition("=")
            pins[_name(name)] = version
    return pins


def test_environment_yml_lists_the_project_packages() -> None:
    conda = _conda()
    conda.pop("python")
    conda.pop("pip")
    assert set(conda) == set(_project_requirements())


def test_environment_yml_versions_match_the_lock() -> None:
    lock = _lock()
    mismatched = {n: (v, lock.get(n)) for n, v in _conda().items() if n in lock and v != lock[n]}
    assert mismatched == {}


def test_lock_pins_every_project_requirement() -> None:
    lock = _lock()
    missing = sorted(set(_project_requirements()) - set(lock))
    assert missing == []
