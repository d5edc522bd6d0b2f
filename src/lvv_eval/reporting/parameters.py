"""Notebook parameters: reading the ``parameters`` cell and validating values.

Every evaluation notebook has exactly one code cell tagged ``parameters``
(papermill's convention). It holds one annotated assignment of a literal per
line, each with a comment, for example::

    data_source: str = "synthetic"  # "published", "synthetic", or a path to a monitor export
    peildatum: str = "2019-12-31"  # reference date, ISO yyyy-mm-dd

The cell directly after it validates the values, whether they are the
defaults or were injected by papermill::

    import lvv_eval.reporting.parameters
    P = lvv_eval.reporting.parameters.validate_parameters(globals(), notebook="01_plan_process")

How ``globals()`` is read
-------------------------
A notebook's global namespace also holds IPython's own names (``In``,
``Out``, ``get_ipython`` ...), imported modules and functions. Only *candidate*
names are considered: names not starting with ``_``, not IPython's, whose value
is a plain parameter value (``str``, ``int``, ``float``, ``bool``, ``None``,
``list``, ``tuple``, ``dict`` or a date). Modules, functions, classes and data
frames are ignored. So the validation cell must come right after the
parameters cell, before the notebook defines other plain-valued globals; a
misspelt injected parameter (``-p peildatun ...``) then shows up as an unknown
name, where papermill itself only warns.

Which names are allowed (and the declared types of a notebook's own
parameters) are taken, in this order, from the ``allowed`` argument; from the
notebook file when ``notebook`` is a path; from the kernel's own notebook
(``__session__`` set by Jupyter, ``__vsc_ipynb_file__`` by VS Code); from the
file named by the environment variable ``LVV_EVAL_NOTEBOOK_PATH`` (set by
:mod:`lvv_eval.reporting.build` and :mod:`lvv_eval.reporting.notebook_hygiene` for the kernels they
start); from ``notebooks/<notebook>.ipynb``; in each case only when the file
stem equals ``notebook``. Otherwise only the standard names of
:class:`NotebookParameters` are allowed.
"""

from __future__ import annotations

import ast
import calendar
import datetime as dt
import difflib
import io
import json
import os
import re
import tokenize
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from lvv_eval.errors import ConfigError, UnknownNameError
from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE, NOTEBOOKS_DIR, PROJECT_ROOT, REPORTS_DIR, SYNTHETIC_DIR

PARAMETERS_TAG = "parameters"
"""Tag of the notebook cell holding the parameter defaults (papermill's convention)."""

NOTEBOOK_PATH_ENV = "LVV_EVAL_NOTEBOOK_PATH"
"""Environment variable naming the notebook file a kernel executes (set by the report pipeline)."""

DATA_SOURCE_KEYWORDS: tuple[str, ...] = ("published", "synthetic")
LANGUAGES: tuple[str, ...] = ("nl", "en")
DATA_FILE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx")
SCHEME_FILE_SUFFIXES: tuple[str, ...] = (".yaml", ".yml")

_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})
_PLAIN_TYPES = (str, int, float, bool, type(None), list, tuple, dict, dt.date)
_TYPE_NAMES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
}


@dataclass(frozen=True)
class NotebookParameters:
    """Validated parameters of one notebook run.

    Attributes
    ----------
    notebook
        Notebook name (file stem), e.g. ``"01_plan_process"``.
    data_source
        ``"published"`` (published figures only), ``"synthetic"`` (the committed
        synthetic monitor file) or the path of a real monitor export (CSV/XLSX).
    peildatum
        Reference date, ISO ``yyyy-mm-dd``, between the programme start
        (2019-04-01, source 002) and the day of the run (inclusive). A date in
        the future is refused: no monitor figure can exist for it yet. This
        is the only rule whose outcome depends on the day the notebook runs.
    scheme
        Classification scheme name (see ``lvv_eval.reference.schemes.list_schemes``) or a
        path to a scheme YAML file.
    pilots
        Pilot codes to report on; empty = every pilot in the pilot table.
    language
        Report language, ``"nl"`` or ``"en"``.
    output_dir
        Folder for tables and figures; empty = ``reports/<notebook>/``.
    disclosure_threshold
        Counts below this number are suppressed in person-level tables (persons).
    formal_only
        Restrict person-level figures to formal intake.
    extra
        The notebook's own parameters (name -> value), not listed above.
    """

    notebook: str
    data_source: str = "synthetic"
    peildatum: str = "2019-12-31"
    scheme: str = "regioplan-2020"
    pilots: tuple[str, ...] = ()
    language: str = "nl"
    output_dir: str = ""
    disclosure_threshold: int = 10
    formal_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def peildatum_date(self) -> dt.date:
        """The reference date as a :class:`datetime.date`."""
        return dt.date.fromisoformat(self.peildatum)

    @property
    def output_path(self) -> Path:
        """Folder for this run's tables and figures (absolute)."""
        if self.output_dir:
            return _resolve(self.output_dir)
        return REPORTS_DIR / self.notebook

    @property
    def data_path(self) -> Path | None:
        """Person-level input file, or ``None`` when only published figures are used."""
        if self.data_source == "published":
            return None
        if self.data_source == "synthetic":
            return DEFAULT_SYNTHETIC_FILE
        return _resolve(self.data_source)

    @property
    def is_synthetic(self) -> bool:
        """True when the person-level data are the committed synthetic data."""
        path = self.data_path
        if path is None:
            return False
        try:
            path.resolve().relative_to(SYNTHETIC_DIR.resolve())
        except ValueError:
            return False
        return True

    def as_dict(self) -> dict[str, Any]:
        """Return every parameter (standard and extra) as a flat JSON-friendly dict."""
        out = {k: v for k, v in asdict(self).items() if k not in ("extra", "notebook")}
        out["pilots"] = list(self.pilots)
        out.update(self.extra)
        return out

    def __getitem__(self, name: str) -> Any:
        """Look a parameter up by name (standard or extra)."""
        values = self.as_dict()
        if name not in values:
            raise UnknownNameError(name)
        return values[name]


STANDARD_PARAMETERS: tuple[str, ...] = tuple(
    f.name for f in fields(NotebookParameters) if f.name not in ("notebook", "extra")
)
"""Names of the standard parameters every evaluation notebook may declare."""

_STANDARD_TYPES: dict[str, str] = {
    "data_source": "str",
    "peildatum": "str",
    "scheme": "str",
    "pilots": "list",
    "language": "str",
    "output_dir": "str",
    "disclosure_threshold": "int",
    "formal_only": "bool",
}


# --------------------------------------------------------------------------- reading cells


@dataclass(frozen=True)
class ParameterSpec:
    """One assignment in a notebook's parameters cell."""

    name: str
    annotation: str | None
    default: Any
    comment: str | None
    line: int
    end_line: int


def _load_notebook(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _source(cell: Mapping) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def find_parameters_cells(nb: Mapping) -> list[int]:
    """Return the indices of the code cells tagged ``parameters`` in a notebook dict."""
    return [
        i
        for i, cell in enumerate(nb.get("cells", []))
        if cell.get("cell_type") == "code" and PARAMETERS_TAG in cell.get("metadata", {}).get("tags", [])
    ]


def _parse_cell(source: str, where: str) -> tuple[list[ParameterSpec], list[str]]:
    """Parse a parameters cell; return the specs and every problem found."""
    problems: list[str] = []
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [], [f"{where}: line {exc.lineno}: syntax error: {exc.msg}"]
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except tokenize.TokenError:  # pragma: no cover - ast.parse already succeeded
        pass
    specs: list[ParameterSpec] = []
    for node in tree.body:
        line = node.lineno
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value_node = node.target.id, node.value
            annotation = ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value_node, annotation = node.targets[0].id, node.value, None
        else:
            problems.append(
                f"{where}: line {line}: only `name: type = literal` assignments are allowed, got {ast.unparse(node)!r}"
            )
            continue
        try:
            default = ast.literal_eval(value_node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            problems.append(
                f"{where}: line {line}: parameter {name!r}: value {ast.unparse(value_node)!r} "
                "is not a literal (papermill can only override literals)"
            )
            continue
        comment = next((comments[n] for n in range(line, (node.end_lineno or line) + 1) if n in comments), None)
        specs.append(ParameterSpec(name, annotation, default, comment, line, node.end_lineno or line))
    return specs, problems


def parameter_specs(path: str | Path) -> list[ParameterSpec]:
    """Read the parameters cell of a notebook.

    Parameters
    ----------
    path
        Path of an ``.ipynb`` file.

    Returns
    -------
    list of ParameterSpec
        One entry per assignment, in cell order.

    Raises
    ------
    ConfigError
        The notebook has no or several ``parameters`` cells, or the cell holds
        anything but assignments of literals (every problem is listed).
    """
    nb = _load_notebook(path)
    where = str(path)
    idx = find_parameters_cells(nb)
    if len(idx) != 1:
        raise ConfigError(f"{where}: expected exactly one code cell tagged {PARAMETERS_TAG!r}, found {len(idx)}")
    specs, problems = _parse_cell(_source(nb["cells"][idx[0]]), f"{where} (parameters cell)")
    if problems:
        raise ConfigError("\n".join(problems))
    return specs


def parameters_from_notebook(path: str | Path) -> dict[str, Any]:
    """Return the defaults declared in a notebook's parameters cell (name -> value).

    Raises
    ------
    ConfigError
        As :func:`parameter_specs`.
    """
    return {spec.name: spec.default for spec in parameter_specs(path)}


def parameters_cell_problems(path: str | Path) -> list[str]:
    """List everything wrong with a notebook's parameters cell (empty list = fine).

    Meant for tests (``assert parameters_cell_problems(nb) == []``). Checks:
    exactly one ``parameters`` cell; only assignments of literals; each has a
    type annotation matching its literal and a comment; standard parameters
    use their standard type; the defaults themselves validate.
    """
    try:
        nb = _load_notebook(path)
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{path}: cannot read notebook: {exc}"]
    where = f"{path} (parameters cell)"
    idx = find_parameters_cells(nb)
    if len(idx) != 1:
        return [f"{path}: expected exactly one code cell tagged {PARAMETERS_TAG!r}, found {len(idx)}"]
    source = _source(nb["cells"][idx[0]])
    lines = source.splitlines()
    specs, problems = _parse_cell(source, where)
    seen: set[str] = set()
    for spec in specs:
        label = f"{where}: line {spec.line}: parameter {spec.name!r}"
        if spec.name in seen:
            problems.append(f"{label}: assigned twice")
        seen.add(spec.name)
        if spec.annotation is None:
            problems.append(f"{label}: no type annotation (write `{spec.name}: type = value`)")
        elif spec.annotation not in _TYPE_NAMES:
            problems.append(f"{label}: annotation {spec.annotation!r} is not one of {sorted(_TYPE_NAMES)}")
        elif not _has_type(spec.default, spec.annotation):
            problems.append(f"{label}: default {spec.default!r} is not of the declared type {spec.annotation}")
        expected = _STANDARD_TYPES.get(spec.name)
        if expected and spec.annotation and spec.annotation != expected:
            problems.append(f"{label}: standard parameter must be annotated {expected}, not {spec.annotation}")
        if not spec.comment:
            problems.append(f"{label}: no comment explaining it")
        if any(line.count("=") > 1 for line in lines[spec.line - 1 : spec.end_line]):
            problems.append(
                f"{label}: the line holds more than one '=' (e.g. in the comment); papermill "
                "then cannot read the parameter (`Unable to parse line`); write 'empty: ...'"
            )
    if not problems:
        try:
            validate_parameters(
                {s.name: s.default for s in specs},
                notebook=Path(path).stem,
                allowed={s.name for s in specs},
                types=declared_types(specs),
            )
        except ConfigError as exc:
            problems.append(f"{where}: defaults do not validate:\n{exc}")
    return problems


def declared_types(specs: list[ParameterSpec]) -> dict[str, str]:
    """Declared type name of each parameter whose annotation is one of the supported types."""
    return {s.name: s.annotation for s in specs if s.annotation in _TYPE_NAMES}


# --------------------------------------------------------------------------- validation


def _has_type(value: Any, type_name: str) -> bool:
    accepted = _TYPE_NAMES[type_name]
    if isinstance(value, bool) and bool not in accepted:
        return False
    return isinstance(value, accepted)


def _resolve(path: str | Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else PROJECT_ROOT / p


def _closest(name: str, choices: object) -> str:
    match = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)  # type: ignore[attr-defined]
    return f" (did you mean {match[0]!r}?)" if match else ""


def _candidates(values: Mapping[str, Any]) -> dict[str, Any]:
    """Pick the parameter-like names out of a mapping such as ``globals()``."""
    return {
        k: v
        for k, v in values.items()
        if isinstance(k, str) and not k.startswith("_") and k not in _IPYTHON_NAMES and isinstance(v, _PLAIN_TYPES)
    }


def _notebook_file(notebook: str, values: Mapping[str, Any] | None = None) -> Path | None:
    candidate = Path(notebook)
    if candidate.suffix == ".ipynb" and candidate.is_file():
        return candidate
    for key in ("__session__", "__vsc_ipynb_file__"):  # set by Jupyter server / VS Code kernels
        own = (values or {}).get(key)
        if isinstance(own, str) and own.endswith(".ipynb") and Path(own).stem == candidate.stem and Path(own).is_file():
            return Path(own)
    env = os.environ.get(NOTEBOOK_PATH_ENV)
    if env and Path(env).stem == candidate.stem and Path(env).is_file():
        return Path(env)
    default = NOTEBOOKS_DIR / f"{candidate.stem}.ipynb"
    return default if default.is_file() else None


def known_schemes() -> list[str]:
    """Return the names of the known classification schemes (``lvv_eval.reference.schemes.list_schemes``)."""
    from lvv_eval.reference.schemes import list_schemes

    return list(list_schemes())


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _no_such_day(value: str) -> str:
    """Say why a ``yyyy-mm-dd`` text is no calendar day.

    Examples
    --------
    >>> _no_such_day("2022-02-30")
    'February 2022 has 28 days'
    >>> _no_such_day("2020-13-01")
    'there is no month 13'
    """
    year, month, day = (int(part) for part in value.strip().split("-"))
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if year < 1:
        return f"there is no year {year}"
    days = calendar.monthrange(year, month)[1]
    if day < 1:
        return f"there is no day {day}"
    return f"{_MONTHS[month - 1]} {year} has {days} days"


def _check_peildatum(value: Any, problems: list[str]) -> str | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str):
        problems.append(f"peildatum: expected an ISO date string yyyy-mm-dd, got {type(value).__name__} {value!r}")
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        problems.append(f"peildatum: {value!r} is not a date in the form yyyy-mm-dd")
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        problems.append(f"peildatum: {value!r} is not a date that exists ({_no_such_day(value)})")
        return None
    from lvv_eval.reference.monitor_format import PROGRAMME_START

    start = PROGRAMME_START.date()
    if day < start:
        problems.append(f"peildatum: {value!r} is before the start of the LVV programme ({start.isoformat()})")
    if day > dt.date.today():
        problems.append(f"peildatum: {value!r} is in the future (today is {dt.date.today().isoformat()})")
    return day.isoformat()


def _check_standard(values: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Check the standard parameters present in ``values``; return normalised values."""
    out: dict[str, Any] = {}
    if "peildatum" in values:
        out["peildatum"] = _check_peildatum(values["peildatum"], problems)
    for name in ("data_source", "scheme", "language", "output_dir"):
        if name in values and not isinstance(values[name], str):
            problems.append(f"{name}: expected str, got {type(values[name]).__name__} {values[name]!r}")
    if isinstance(values.get("data_source"), str):
        src = values["data_source"].strip()
        if src not in DATA_SOURCE_KEYWORDS:
            path = _resolve(src)
            if path.suffix.lower() not in DATA_FILE_SUFFIXES:
                problems.append(
                    f"data_source: {src!r} is neither {' nor '.join(map(repr, DATA_SOURCE_KEYWORDS))} "
                    f"nor a {'/'.join(DATA_FILE_SUFFIXES)} file{_closest(src, DATA_SOURCE_KEYWORDS)}"
                )
            elif not path.is_file():
                problems.append(f"data_source: file not found: {path}")
        out["data_source"] = src
    if isinstance(values.get("scheme"), str):
        out["scheme"] = _check_scheme("scheme", values["scheme"], problems)
    if isinstance(values.get("language"), str):
        if values["language"] not in LANGUAGES:
            problems.append(f"language: {values['language']!r} is not one of {', '.join(LANGUAGES)}")
        out["language"] = values["language"]
    if isinstance(values.get("output_dir"), str):
        out["output_dir"] = values["output_dir"]
    if "pilots" in values:
        pilots = values["pilots"]
        if pilots is None:
            pilots = []
        if not isinstance(pilots, (list, tuple)) or not all(isinstance(p, str) for p in pilots):
            problems.append(
                f"pilots: expected a list of pilot codes, got {type(pilots).__name__} {pilots!r}"
                " (on the command line: -p pilots '[amsterdam, utrecht]')"
            )
        else:
            from lvv_eval.reference.pilots import pilot_codes

            codes = pilot_codes()
            normalised = [p.strip().lower() for p in pilots]
            for given, code in zip(pilots, normalised):
                if code not in codes:
                    problems.append(
                        f"pilots: unknown pilot {given!r}{_closest(code, codes)}; known: {', '.join(codes)}"
                    )
            out["pilots"] = tuple(dict.fromkeys(normalised))
    if "disclosure_threshold" in values:
        t = values["disclosure_threshold"]
        if isinstance(t, bool) or not isinstance(t, int):
            problems.append(f"disclosure_threshold: expected int, got {type(t).__name__} {t!r}")
        elif t < 1:
            problems.append(f"disclosure_threshold: must be at least 1 (persons), got {t}")
        else:
            out["disclosure_threshold"] = t
    if "formal_only" in values:
        if not isinstance(values["formal_only"], bool):
            v = values["formal_only"]
            problems.append(f"formal_only: expected bool (True/False), got {type(v).__name__} {v!r}")
        else:
            out["formal_only"] = values["formal_only"]
    return out


def _check_scheme(name: str, value: str, problems: list[str]) -> str:
    """Check a scheme name or scheme file (parameter ``name``); return it stripped."""
    scheme = value.strip()
    if Path(scheme).suffix.lower() in SCHEME_FILE_SUFFIXES:
        if not _resolve(scheme).is_file():
            problems.append(f"{name}: scheme file not found: {_resolve(scheme)}")
    else:
        names = known_schemes()
        if scheme not in names:
            problems.append(
                f"{name}: unknown scheme {scheme!r}{_closest(scheme, names)}; "
                f"known: {', '.join(sorted(names))} (or give a path to a .yaml file)"
            )
    return scheme


def _check_comparison_scheme(value: Any, problems: list[str]) -> None:
    if isinstance(value, str):
        _check_scheme("comparison_scheme", value, problems)


def _check_sensitivity_schemes(value: Any, problems: list[str]) -> None:
    if isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, str):
                problems.append(f"sensitivity_schemes: expected scheme names, got {type(item).__name__} {item!r}")
            else:
                _check_scheme("sensitivity_schemes", item, problems)


def _check_horizons_months(value: Any, problems: list[str]) -> None:
    if not isinstance(value, (list, tuple)):
        return
    if not value:
        problems.append("horizons_months: give at least one horizon (months since intake), e.g. '[6, 12, 18]'")
    for m in value:
        if isinstance(m, bool) or not isinstance(m, (int, float)) or not m > 0:
            problems.append(f"horizons_months: each horizon must be a positive number of months, got {m!r}")
    if len(set(map(repr, value))) != len(value):
        problems.append(f"horizons_months: a horizon is given twice in {list(value)!r}")


def _check_attribute(value: Any, problems: list[str]) -> None:
    if isinstance(value, str):
        from lvv_eval.sources.designs import ATTRIBUTE_NAMES

        if value not in ATTRIBUTE_NAMES:
            problems.append(
                f"attribute: unknown design attribute {value!r}{_closest(value, ATTRIBUTE_NAMES)}; "
                f"known: {', '.join(ATTRIBUTE_NAMES)}"
            )


_EXTRA_CHECKS = {
    "comparison_scheme": _check_comparison_scheme,
    "sensitivity_schemes": _check_sensitivity_schemes,
    "horizons_months": _check_horizons_months,
    "attribute": _check_attribute,
}
"""Checks of the values of the notebooks' own parameters (after their declared type is checked)."""


def validate_parameters(
    values: Mapping[str, Any],
    *,
    notebook: str,
    allowed: set[str] | frozenset[str] | None = None,
    types: Mapping[str, str] | None = None,
) -> NotebookParameters:
    """Validate a notebook's parameter values and return them typed.

    Parameters
    ----------
    values
        Parameter values by name: an explicit dict, or a notebook's
        ``globals()`` (then only plain-valued names not starting with ``_`` are
        considered, see the module docstring).
    notebook
        Notebook name (file stem, e.g. ``"01_plan_process"``) or path of the
        ``.ipynb`` file.
    allowed
        Names the notebook accepts. ``None``: the names declared in the
        notebook's parameters cell when the file can be found (see the module
        docstring), otherwise :data:`STANDARD_PARAMETERS`.
    types
        Declared type (``"str"``, ``"int"``, ...) of the notebook's own
        parameters; ``None``: read from the notebook file when found.

    Returns
    -------
    NotebookParameters
        Standard parameters as attributes, the notebook's own ones in ``extra``.

    Raises
    ------
    ConfigError
        Listing every problem at once: unknown names (with the closest known
        name), wrong types, impossible ``peildatum``, unknown scheme or pilot,
        bad language, threshold below 1, missing data file.
    """
    name = Path(notebook).stem
    candidates = _candidates(values)
    if allowed is None or types is None:
        path = _notebook_file(notebook, values)
        specs = parameter_specs(path) if path is not None else None
        if allowed is None:
            allowed = {s.name for s in specs} if specs is not None else set(STANDARD_PARAMETERS)
        if types is None:
            types = declared_types(specs) if specs is not None else {}
    problems: list[str] = []
    for key in sorted(set(candidates) - set(allowed)):
        problems.append(
            f"{key}: unknown parameter for notebook {name!r}{_closest(key, allowed)}; "
            f"known: {', '.join(sorted(allowed))}"
        )
    present = {k: v for k, v in candidates.items() if k in allowed}
    standard = _check_standard({k: v for k, v in present.items() if k in STANDARD_PARAMETERS}, problems)
    extra: dict[str, Any] = {}
    for key in sorted(set(present) - set(STANDARD_PARAMETERS)):
        declared = types.get(key)
        if declared in _TYPE_NAMES and not _has_type(present[key], declared):
            problems.append(f"{key}: expected {declared}, got {type(present[key]).__name__} {present[key]!r}")
        elif key in _EXTRA_CHECKS:
            _EXTRA_CHECKS[key](present[key], problems)
        extra[key] = present[key]
    if problems:
        raise ConfigError(
            f"invalid parameters for notebook {name!r} ({len(problems)} problem(s)):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return NotebookParameters(notebook=name, extra=extra, **standard)


def parameters_digest(parameters: Mapping[str, Any], length: int = 8) -> str:
    """Return a short stable hash of a parameter set (for folder names).

    Examples
    --------
    >>> parameters_digest({"peildatum": "2020-11-01"}) == parameters_digest({"peildatum": "2020-11-01"})
    True
    """
    import hashlib

    text = json.dumps(dict(parameters), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
