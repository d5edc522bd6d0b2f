"""Parameters of a run: ``-p NAME VALUE`` values, the notebook to run, and the checks before any kernel starts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from lvv_eval.errors import ConfigError
from lvv_eval.paths import NOTEBOOKS_DIR
from lvv_eval.reporting.build_config import plain_value


def parse_parameter_value(text: str) -> Any:
    """Parse a ``-p NAME VALUE`` value the way papermill does, plus lists.

    ``None``/``null`` give ``None``; ``true``/``false`` (any case) give a bool;
    integers and decimal numbers give int/float; text starting with ``[`` or
    ``{`` is read as YAML (a list or mapping); everything else, dates
    included, stays a string.

    Examples
    --------
    >>> [parse_parameter_value(v) for v in ["5", "0.5", "True", "None", "2020-11-01", "no"]]
    [5, 0.5, True, None, '2020-11-01', 'no']
    >>> parse_parameter_value("[amsterdam, utrecht]")
    ['amsterdam', 'utrecht']
    """
    stripped = text.strip()
    if stripped in ("None", "null", "~"):
        return None
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    if re.fullmatch(r"[+-]?\d+", stripped):
        return int(stripped)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)", stripped):
        return float(stripped)
    if stripped[:1] in ("[", "{"):
        try:
            return plain_value(yaml.safe_load(stripped))
        except yaml.YAMLError as exc:
            raise ConfigError(f"cannot read parameter value {text!r} as a list or mapping: {exc}") from None
    return text


def prepare_parameters(
    notebook: Path, overrides: Mapping[str, Any], output_dir: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a run's parameters against the notebook before starting a kernel.

    Returns
    -------
    tuple of dict
        The overrides to inject (with ``output_dir``), and every parameter of
        the run (the notebook's defaults updated with the overrides), after
        validating the latter.

    Raises
    ------
    ConfigError
        Unknown names, bad values, or a notebook without an ``output_dir`` parameter.
    """
    from lvv_eval.reporting.parameters import declared_types, parameter_specs, validate_parameters

    specs = parameter_specs(notebook)
    declared = {s.name: s.default for s in specs}
    if "output_dir" not in declared:
        raise ConfigError(
            f"{notebook}: the parameters cell declares no 'output_dir'; the report pipeline "
            "needs it to tell the notebook where to write its tables and figures"
        )
    given = overrides.get("output_dir")
    if given is not None and not _same_folder(given, output_dir):
        raise ConfigError(
            f"{notebook}: parameter output_dir {given!r} conflicts with the output folder "
            f"{str(output_dir)!r}; give the folder once (`--out DIR` on the command line)"
        )
    injected = {**plain_value(dict(overrides)), "output_dir": str(output_dir)}
    merged = {**declared, **injected}
    validate_parameters(merged, notebook=str(notebook), allowed=set(declared), types=declared_types(specs))
    return injected, merged


def resolve_notebook(notebook: str | Path, *, root: str | Path | None = None) -> Path:
    """Find a notebook given as a path or as a name in ``notebooks/`` (with or without ``.ipynb``)."""
    path = Path(notebook)
    if path.is_file():
        return path.resolve()
    folder = Path(root) / "notebooks" if root is not None else NOTEBOOKS_DIR
    for candidate in (folder / path.name, folder / f"{path.name}.ipynb"):
        if candidate.is_file():
            return candidate
    known = ", ".join(p.stem for p in sorted(folder.glob("*.ipynb"))) or "none"
    raise ConfigError(f"notebook not found: {notebook} (notebooks in {folder}: {known})")


def _same_folder(a: object, b: object) -> bool:
    """Whether two folder names mean the same folder (relative names: from the current directory)."""
    return isinstance(a, (str, Path)) and Path(a).resolve() == Path(str(b)).resolve()


def resolve_output_dir(
    parameters: Mapping[str, Any], output_dir: str | Path | None
) -> tuple[dict[str, Any], Path | None]:
    """Reconcile ``-p output_dir`` with ``--out``: one folder, never silently overridden.

    Returns
    -------
    (dict, Path or None)
        The parameters without ``output_dir``, and the output folder
        (``output_dir``, else the parameter, else ``None`` for the default).

    Raises
    ------
    ConfigError
        Both are given and name different folders, or the parameter is not a path.

    Examples
    --------
    >>> resolve_output_dir({"output_dir": "out", "n": 1}, None)
    ({'n': 1}, PosixPath('out'))
    """
    params = dict(parameters)
    given = params.pop("output_dir", None)
    if given is None:
        return params, (Path(output_dir) if output_dir is not None else None)
    if not isinstance(given, str) or not given.strip():
        raise ConfigError(f"parameter output_dir must be a folder name, got {given!r}")
    if output_dir is not None and not _same_folder(given, output_dir):
        raise ConfigError(
            f"conflicting output folders: -p output_dir {given!r} and --out {str(output_dir)!r}; give one of them"
        )
    return params, Path(output_dir) if output_dir is not None else Path(given)


__all__ = ["parse_parameter_value", "prepare_parameters", "resolve_notebook", "resolve_output_dir"]
