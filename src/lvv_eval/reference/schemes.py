"""Classification schemes: which class (durable, semi-durable, ...) each exit reason falls in.

The published evaluations of the LVV pilot disagree on how to class the same
exit reasons (forced return most of all; source 000, 'Effecten van de LVV').
Each convention is a named scheme, kept as data in a YAML file, never as code:
the four published ones (and a named variant of one reading) ship in ``lvv_eval/reference/schemes/``; more can be added
without code changes by putting a YAML file in a directory named by the
environment variable ``LVV_EVAL_SCHEMES_DIR`` (or passing ``directory=``), or
by passing the path of the file. The file format is described in
``docs/classification_schemes.md``.

Every scheme maps each of the fifteen exit-reason codes
(:data:`lvv_eval.reference.taxonomy.EXIT_REASON_CODES`) to exactly one of its ordered
classes, and has a class with id ``durable``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from lvv_eval.errors import ArgumentError, ConfigError, InputValidationError, Problem
from lvv_eval.paths import SCHEMES_DIR
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES, closest_exit_reasons, label, lookup_exit_reason

SCHEMES_DIR_ENV: str = "LVV_EVAL_SCHEMES_DIR"
"""Environment variable naming extra directories of scheme files (``os.pathsep``-separated)."""

DENOMINATOR_BASES: tuple[str, ...] = ("intake", "outflow", "none")
"""Allowed ``denominator.basis``: shares of total intake, of total outflow, or counts only."""

_SUFFIXES = (".yaml", ".yml")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CLASS_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED_KEYS = ("name", "title_nl", "title_en", "source", "denominator", "classes", "mapping")
_OPTIONAL_KEYS = ("description", "peildatum", "figures", "notes", "subtotals")


class SchemeError(ConfigError):
    """A scheme file is invalid or a scheme cannot be found.

    Like :class:`~lvv_eval.errors.InputValidationError` it carries every
    problem found, each naming the file, the line (in ``row``), the key (in
    ``column``, e.g. ``mapping.forced_return``), the value and the rule.
    """

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = sorted(
            problems, key=lambda p: (p.file, p.row if p.row is not None else -1, p.column or "", p.rule)
        )
        head = summary or f"{len(self.problems)} problem(s) in classification scheme"
        super().__init__("\n".join([head] + [f"  - {p}" for p in self.problems]))

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as a table (one row per problem)."""
        return pd.DataFrame([asdict(p) for p in self.problems], columns=["file", "row", "column", "value", "rule"])


@dataclass(frozen=True)
class SchemeClass:
    """One class of a scheme.

    Attributes
    ----------
    id
        Identifier used in outputs (``durable``, ``semi_durable``, ``temporary``, ``none``, ...).
    name_nl, name_en
        Names in Dutch (as printed in the source) and English.
    """

    id: str
    name_nl: str
    name_en: str


@dataclass(frozen=True)
class Scheme:
    """A named classification of exit-reason codes.

    Attributes
    ----------
    name
        Scheme name (the file name without ``.yaml``).
    title_nl, title_en
        Title in Dutch and English.
    source
        Where the scheme comes from: document (source file) and locator (table or paragraph).
    document, locator
        The two parts of :attr:`source`.
    denominator
        Denominator convention of the published shares: ``intake``, ``outflow``
        or ``none`` (counts only).
    denominator_text
        The convention in words, with the source.
    classes
        The ordered classes.
    mapping
        Exit-reason code -> class id, for every code, in the order of
        :data:`~lvv_eval.reference.taxonomy.EXIT_REASON_CODES`.
    notes
        Exit-reason code -> why it is classed this way (ambiguous choices).
    description
        General description.
    peildatum
        Reference date of the published figures, as text (may be empty).
    figures
        ``figure_id`` values in ``data/published/figures.csv`` that the scheme reproduces.
    subtotals
        Named sums of exit-reason codes that the source prints besides its
        classes (e.g. Verwey-Jonker's ``other_non_durable``, source 000), each
        as a tuple of codes in code order. The single definition of such a
        sum: :mod:`lvv_eval.stats.counts` reads it from here.
    path
        The YAML file the scheme was read from.
    """

    name: str
    title_nl: str
    title_en: str
    document: str
    locator: str
    denominator: str
    denominator_text: str
    classes: tuple[SchemeClass, ...]
    mapping: dict[str, str]
    notes: dict[str, str] = field(default_factory=dict)
    description: str = ""
    peildatum: str = ""
    figures: tuple[str, ...] = ()
    subtotals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path: Path | None = None

    @property
    def source(self) -> str:
        """Document and locator in one line."""
        return f"{self.document}, {self.locator}"

    @property
    def class_ids(self) -> tuple[str, ...]:
        """Class ids in the scheme's order."""
        return tuple(c.id for c in self.classes)

    def class_of(self, code: str) -> str:
        """Return the class id of one exit-reason code.

        Examples
        --------
        >>> load_scheme("monitor-2020").class_of("forced_return")
        'durable'
        """
        if code not in self.mapping:
            raise ArgumentError(f"{code!r} is not an exit-reason code; use lvv_eval.reference.taxonomy.to_codes first")
        return self.mapping[code]

    def codes_in(self, class_id: str) -> tuple[str, ...]:
        """Return the exit-reason codes in one class, in code order.

        Examples
        --------
        >>> load_scheme("regioplan-2022").codes_in("semi_durable")
        ('repeat_asylum_application', 'departure_postponed_art64')
        """
        if class_id not in self.class_ids:
            raise ArgumentError(f"{class_id!r} is not a class of {self.name}; classes: {', '.join(self.class_ids)}")
        return tuple(code for code, cls in self.mapping.items() if cls == class_id)

    def classify(self, codes: pd.Series | Sequence[object]) -> pd.Series:
        """Class every exit-reason code.

        Parameters
        ----------
        codes
            Exit-reason codes (str or category); missing = still in the LVV.
            Labels must first be translated with :func:`lvv_eval.reference.taxonomy.to_codes`.

        Returns
        -------
        pandas.Series
            Ordered categorical of class ids (categories :attr:`class_ids`),
            same index as ``codes``, named after the scheme; missing where the
            code is missing.

        Raises
        ------
        lvv_eval.errors.InputValidationError
            Listing every value that is not an exit-reason code, with its count.

        Examples
        --------
        >>> s = load_scheme("verwey-jonker-2021")
        >>> s.classify(pd.Series(["forced_return", None, "residence_permit"])).tolist()
        ['none', nan, 'durable']
        """
        series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype="object")
        values = series.astype("object")
        present = values.notna()
        unknown = values[present & ~values.isin(list(self.mapping))]
        if len(unknown):
            column = str(series.name) if series.name is not None else None
            problems = [
                Problem(
                    "",
                    None,
                    column,
                    value,
                    f"not an exit-reason code ({int(n)} rows){_code_hint(value)}; "
                    "translate labels with lvv_eval.reference.taxonomy.to_codes first",
                )
                for value, n in unknown.astype(str).value_counts(sort=False).items()
            ]
            raise InputValidationError(problems, summary=f"scheme {self.name}: values that are not exit-reason codes")
        classes = values.map(self.mapping)
        result = pd.Categorical(classes, categories=list(self.class_ids), ordered=True)
        return pd.Series(result, index=series.index, name=self.name)

    def to_frame(self) -> pd.DataFrame:
        """Return the mapping as a table.

        Returns
        -------
        pandas.DataFrame
            One row per exit-reason code (code order) with columns ``code,
            label_nl, label_en, class, class_name_nl, class_name_en, note``.
        """
        names = {c.id: c for c in self.classes}
        rows = [
            {
                "code": code,
                "label_nl": label(code, "nl"),
                "label_en": label(code, "en"),
                "class": cls,
                "class_name_nl": names[cls].name_nl,
                "class_name_en": names[cls].name_en,
                "note": self.notes.get(code, ""),
            }
            for code, cls in self.mapping.items()
        ]
        return pd.DataFrame(
            rows, columns=["code", "label_nl", "label_en", "class", "class_name_nl", "class_name_en", "note"]
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the scheme as plain data (for JSON output)."""
        return {
            "name": self.name,
            "title_nl": self.title_nl,
            "title_en": self.title_en,
            "source": {"document": self.document, "locator": self.locator},
            "peildatum": self.peildatum,
            "denominator": {"basis": self.denominator, "text": self.denominator_text},
            "description": self.description,
            "figures": list(self.figures),
            "classes": [asdict(c) for c in self.classes],
            "mapping": dict(self.mapping),
            "notes": dict(self.notes),
            "subtotals": {k: list(v) for k, v in self.subtotals.items()},
        }


# --------------------------------------------------------------------------- finding files


def _extra_dirs(directory: str | Path | None) -> list[Path]:
    if directory is not None:
        dirs = [Path(directory)]
    else:
        env = os.environ.get(SCHEMES_DIR_ENV, "")
        dirs = [Path(p) for p in env.split(os.pathsep) if p.strip()]
    for d in dirs:
        if not d.is_dir():
            source = "directory" if directory is not None else f"${SCHEMES_DIR_ENV}"
            raise SchemeError([Problem(str(d), None, None, str(d), f"{source}: not a directory of scheme files")])
    return dirs


def _scheme_files(directory: str | Path | None = None) -> dict[str, Path]:
    """Map scheme name -> file: shipped schemes plus those in the user directories."""
    files: dict[str, Path] = {}
    problems: list[Problem] = []
    for d in [SCHEMES_DIR, *_extra_dirs(directory)]:
        for path in sorted(p for p in d.iterdir() if p.suffix in _SUFFIXES and p.is_file()):
            name = path.stem
            if name in files:
                problems.append(
                    Problem(
                        str(path),
                        None,
                        "name",
                        name,
                        f"scheme name already used by {files[name]}; rename the file and its 'name'",
                    )
                )
                continue
            files[name] = path
    if problems:
        raise SchemeError(problems, summary="scheme names must be unique")
    return files


def list_schemes(directory: str | Path | None = None) -> list[str]:
    """Return the names of the available schemes, sorted.

    Parameters
    ----------
    directory
        A directory of user scheme files, used instead of ``$LVV_EVAL_SCHEMES_DIR``.
        The shipped schemes are always included.

    Examples
    --------
    >>> list_schemes()
    ['monitor-2020', 'regioplan-2020', 'regioplan-2020-independent', 'regioplan-2022', 'verwey-jonker-2021']
    """
    return sorted(_scheme_files(directory))


def load_scheme(name_or_path: str | Path, directory: str | Path | None = None) -> Scheme:
    """Load and validate a scheme by name or from a YAML file.

    Parameters
    ----------
    name_or_path
        A name from :func:`list_schemes`, or the path of a YAML file (a
        :class:`~pathlib.Path`, or text ending in ``.yaml``/``.yml`` or
        containing a path separator).
    directory
        Directory of user scheme files (instead of ``$LVV_EVAL_SCHEMES_DIR``).

    Returns
    -------
    Scheme

    Raises
    ------
    SchemeError
        The name is unknown (with the closest names), the file is not valid
        YAML, or it breaks one or more rules (all are listed).
    FileNotFoundError
        A path was given and the file does not exist.

    Examples
    --------
    >>> load_scheme("regioplan-2022").class_ids
    ('durable', 'semi_durable', 'none')
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(_SUFFIXES) or "/" in text or os.sep in text:
        return _load_file(Path(name_or_path))
    files = _scheme_files(directory)
    if text not in files:
        close = difflib.get_close_matches(text, list(files), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise SchemeError(
            [Problem("", None, "scheme", text, f"unknown scheme; {hint}available: {', '.join(sorted(files))}")],
            summary=f"unknown classification scheme {text!r}",
        )
    return _load_file(files[text])


# --------------------------------------------------------------------------- reading one file


def resolve_scheme(scheme: Scheme | str | Path | None, default: str) -> Scheme:
    """A loaded scheme from a :class:`Scheme`, a scheme name or path, or ``None`` (``default``).

    Examples
    --------
    >>> resolve_scheme(None, default="monitor-2020").name
    'monitor-2020'
    """
    if scheme is None:
        scheme = default
    if isinstance(scheme, (str, Path)):
        return load_scheme(scheme)
    return scheme


def _compose(path: Path) -> tuple[Any, dict[str, int], list[Problem]]:
    """Parse YAML; return data, line of every key path, and duplicate-key problems."""
    text = path.read_text(encoding="utf-8-sig")
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            raise SchemeError(
                [Problem(str(path), mark.line + 1 if mark else None, None, "", f"not valid YAML: {problem}")],
                summary=f"{path}: cannot be read as YAML",
            ) from None
        lines: dict[str, int] = {}
        problems: list[Problem] = []
        if node is not None:
            _walk(node, "", lines, problems, str(path))
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, lines, problems


def _walk(node: yaml.Node, path: str, lines: dict[str, int], problems: list[Problem], file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            child = f"{path}.{key}" if path else key
            if key in seen:
                rule = (
                    f"exit code mapped twice (first at line {seen[key]})"
                    if path == "mapping"
                    else f"duplicate key (first at line {seen[key]})"
                )
                problems.append(Problem(file, line, child, key, rule))
                continue
            seen[key] = line
            lines[child] = line
            _walk(value_node, child, lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, problems, file)


def _load_file(path: Path) -> Scheme:
    data, lines, problems = _compose(path)
    file = str(path)

    def add(key: str, value: object, rule: str) -> None:
        line = lines.get(key)
        if line is None and "." in key:
            line = lines.get(key.rsplit(".", 1)[0])
        problems.append(Problem(file, line, key or None, "" if value is None else str(value), rule))

    if not isinstance(data, dict):
        add("", type(data).__name__, "a scheme file must be a YAML mapping of keys")
        raise SchemeError(problems, summary=f"{path}: invalid classification scheme")

    for key in data:
        if key not in _REQUIRED_KEYS + _OPTIONAL_KEYS:
            add(str(key), key, f"unknown key; allowed: {', '.join(_REQUIRED_KEYS + _OPTIONAL_KEYS)}")
    for key in _REQUIRED_KEYS:
        if key not in data:
            add("", key, "required key missing")

    name = data.get("name")
    if "name" in data:
        if not isinstance(name, str) or not _NAME.match(name):
            add("name", name, "name must be lower-case letters, digits and hyphens")
        elif name != path.stem:
            add("name", name, f"name must equal the file name without extension ({path.stem!r})")

    texts = {}
    for key in ("title_nl", "title_en", "description"):
        value = data.get(key, "")
        if not isinstance(value, str) or (key in data and key != "description" and not value.strip()):
            add(key, value, "must be non-empty text")
        texts[key] = value if isinstance(value, str) else ""

    source = _sub_mapping(data, "source", ("document", "locator"), add)
    denominator = _sub_mapping(data, "denominator", ("basis", "text"), add)
    if "basis" in denominator and denominator["basis"] not in DENOMINATOR_BASES:
        add("denominator.basis", denominator["basis"], f"must be one of {', '.join(DENOMINATOR_BASES)}")

    figures = data.get("figures", [])
    if not isinstance(figures, list) or not all(isinstance(f, str) and f for f in figures):
        add("figures", figures, "must be a list of figure_id values")
        figures = []
    peildatum = data.get("peildatum", "")
    peildatum = "" if peildatum is None else str(peildatum)

    classes, class_ids = _classes(data.get("classes"), "classes" in data, add)
    mapping = _mapping(data.get("mapping"), "mapping" in data, class_ids, add)
    notes = _notes(data.get("notes", {}), add)
    subtotals = _subtotals(data.get("subtotals", {}), class_ids, add)

    if problems:
        raise SchemeError(problems, summary=f"{path}: invalid classification scheme")
    return Scheme(
        name=str(name),
        title_nl=texts["title_nl"].strip(),
        title_en=texts["title_en"].strip(),
        document=source["document"],
        locator=source["locator"],
        denominator=denominator["basis"],
        denominator_text=denominator["text"],
        classes=tuple(classes),
        mapping=mapping,
        notes=notes,
        description=texts["description"].strip(),
        peildatum=peildatum,
        figures=tuple(figures),
        subtotals=subtotals,
        path=path,
    )


def _sub_mapping(data: dict, key: str, fields: tuple[str, ...], add: Any) -> dict[str, str]:
    value = data.get(key)
    out: dict[str, str] = {}
    if key not in data:
        return out
    if not isinstance(value, dict):
        add(key, value, f"must be a mapping with keys {', '.join(fields)}")
        return out
    for sub in value:
        if sub not in fields:
            add(f"{key}.{sub}", sub, f"unknown key; allowed: {', '.join(fields)}")
    for sub in fields:
        text = value.get(sub)
        if not isinstance(text, str) or not text.strip():
            add(
                f"{key}.{sub}" if sub in value else key,
                sub if sub not in value else text,
                "required non-empty text" if sub in value else f"required key {sub!r} missing",
            )
        else:
            out[sub] = " ".join(text.split())
    return out


def _classes(value: Any, present: bool, add: Any) -> tuple[list[SchemeClass], list[str]]:
    """Return the valid classes and the ids declared (valid or not otherwise)."""
    if not present:
        return [], []
    if not isinstance(value, list) or not value:
        add("classes", value, "must be a non-empty list of classes (id, name_nl, name_en)")
        return [], []
    classes: list[SchemeClass] = []
    seen: list[str] = []
    for i, item in enumerate(value):
        where = f"classes[{i}]"
        if not isinstance(item, dict):
            add(where, item, "a class must be a mapping with id, name_nl, name_en")
            continue
        for key in item:
            if key not in ("id", "name_nl", "name_en"):
                add(f"{where}.{key}", key, "unknown key; allowed: id, name_nl, name_en")
        cid = item.get("id")
        ok = True
        if not isinstance(cid, str) or not _CLASS_ID.match(cid):
            add(
                f"{where}.id" if "id" in item else where,
                cid,
                "class id must be lower-case letters, digits and underscores",
            )
            ok = False
        elif cid in EXIT_REASON_CODES:
            add(f"{where}.id", cid, "class id must differ from every exit-reason code")
            ok = False
        elif cid in seen:
            add(f"{where}.id", cid, "class id used twice")
            ok = False
        for key in ("name_nl", "name_en"):
            name = item.get(key)
            if not isinstance(name, str) or not name.strip():
                add(f"{where}.{key}" if key in item else where, cid, f"class without {key}")
                ok = False
        if isinstance(cid, str) and cid not in seen:
            seen.append(cid)
        if ok:
            classes.append(SchemeClass(cid, item["name_nl"].strip(), item["name_en"].strip()))  # type: ignore[arg-type]
    if "durable" not in seen:
        add("classes", ", ".join(seen), "a scheme must have a class with id 'durable'")
    return classes, seen


def _mapping(value: Any, present: bool, class_ids: list[str], add: Any) -> dict[str, str]:
    if not present:
        return {}
    if not isinstance(value, dict):
        add("mapping", value, "must be a mapping of exit-reason code to class id")
        return {}
    for key, cls in value.items():
        where = f"mapping.{key}"
        if key not in EXIT_REASON_CODES:
            add(where, key, _unknown_code_rule(key))
        if not isinstance(cls, str) or cls not in class_ids:
            add(where, cls, f"unknown class id; classes: {', '.join(class_ids) or '(none valid)'}")
    for code in EXIT_REASON_CODES:
        if code not in value:
            add("mapping", code, "exit code not mapped to a class")
    return {code: value[code] for code in EXIT_REASON_CODES if code in value}


def _notes(value: Any, add: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        add("notes", value, "must be a mapping of exit-reason code to text")
        return {}
    notes: dict[str, str] = {}
    for key, text in value.items():
        if key not in EXIT_REASON_CODES:
            add(f"notes.{key}", key, _unknown_code_rule(key))
        elif not isinstance(text, str) or not text.strip():
            add(f"notes.{key}", text, "a note must be non-empty text")
        else:
            notes[key] = " ".join(text.split())
    return {code: notes[code] for code in EXIT_REASON_CODES if code in notes}


def _subtotals(value: Any, class_ids: list[str], add: Any) -> dict[str, tuple[str, ...]]:
    """Named sums of exit codes: ``{name: [code, ...]}``; names may not be class ids."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        add("subtotals", value, "must be a mapping of a name to a list of exit-reason codes")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for name, codes in value.items():
        where = f"subtotals.{name}"
        if not isinstance(name, str) or not _CLASS_ID.match(name) or name in class_ids:
            add(where, name, "a subtotal name must be lower-case snake_case and not a class id")
            continue
        if not isinstance(codes, list) or not codes:
            add(where, codes, "must be a non-empty list of exit-reason codes")
            continue
        bad = [c for c in codes if c not in EXIT_REASON_CODES]
        for code in bad:
            add(where, code, _unknown_code_rule(code))
        if len(set(codes)) != len(codes):
            add(where, ", ".join(map(str, codes)), "a code is listed twice")
        if not bad:
            out[name] = tuple(c for c in EXIT_REASON_CODES if c in codes)
    return out


def _unknown_code_rule(key: object) -> str:
    return f"not an exit-reason code{_code_hint(key)}"


def _code_hint(key: object) -> str:
    """Say which code a label means, or which codes are closest ('' if none)."""
    code = lookup_exit_reason(key)
    if code is not None:
        return f"; the label means {code!r}: use the code"
    close = closest_exit_reasons(key)
    return f"; closest: {', '.join(close)}" if close else ""


# --------------------------------------------------------------------------- comparing schemes


def _resolve(schemes: Iterable[str | Path | Scheme] | None, directory: str | Path | None) -> list[Scheme]:
    items = list_schemes(directory) if schemes is None else list(schemes)
    return [s if isinstance(s, Scheme) else load_scheme(s, directory) for s in items]


def crosswalk(
    schemes: Iterable[str | Path | Scheme] | None = None, directory: str | Path | None = None
) -> pd.DataFrame:
    """Return the class each scheme gives each exit-reason code.

    Parameters
    ----------
    schemes
        Scheme names, paths or :class:`Scheme` objects; default all of
        :func:`list_schemes`, sorted by name.
    directory
        Directory of user scheme files (instead of ``$LVV_EVAL_SCHEMES_DIR``).

    Returns
    -------
    pandas.DataFrame
        Index ``code`` (the fifteen codes in order), one column of class ids per scheme.

    Examples
    --------
    >>> crosswalk(["monitor-2020", "verwey-jonker-2021"]).loc["forced_return"].tolist()
    ['durable', 'none']
    """
    loaded = _resolve(schemes, directory)
    table = pd.DataFrame(
        {s.name: [s.mapping[c] for c in EXIT_REASON_CODES] for s in loaded},
        index=pd.Index(EXIT_REASON_CODES, name="code"),
        dtype="str",
    )
    table.columns.name = "scheme"
    return table


def disagreements(
    schemes: Iterable[str | Path | Scheme] | None = None,
    *,
    level: Literal["class", "durable"] = "class",
    directory: str | Path | None = None,
) -> pd.DataFrame:
    """Return the rows of :func:`crosswalk` where the schemes disagree.

    Parameters
    ----------
    schemes
        As for :func:`crosswalk`.
    level
        ``"class"``: the class ids differ (note that schemes with different
        class vocabularies differ on many codes); ``"durable"``: the schemes
        differ on whether the code counts as durable.
    directory
        Directory of user scheme files.

    Returns
    -------
    pandas.DataFrame
        The crosswalk restricted to the codes classed differently (code order).

    Examples
    --------
    >>> disagreements(level="durable").index.tolist()
    ['forced_return']
    >>> disagreements(["verwey-jonker-2021", "regioplan-2022"]).empty
    True
    """
    if level not in ("class", "durable"):
        raise ArgumentError(f"level must be 'class' or 'durable', not {level!r}")
    table = crosswalk(schemes, directory)
    compared = table.eq("durable") if level == "durable" else table
    differ = compared.nunique(axis=1) > 1
    return table.loc[differ]
