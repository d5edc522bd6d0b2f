"""Error types shared by the package.

Input problems are collected first and raised together, so a user sees every
problem in a file at once. Each :class:`Problem` names the file, the row as the
user sees it in a spreadsheet (header = row 1, first data row = row 2), the
column, the offending value and the rule it breaks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    file
        Path or name of the input file (``""`` when not from a file).
    row
        Row number as shown in a spreadsheet (header is row 1), or ``None``
        when the problem concerns the whole file or a column.
    column
        Column name as written in the file, or ``None``.
    value
        The offending value, as text.
    rule
        The rule that was broken, in plain words.
    """

    file: str
    row: int | None
    column: str | None
    value: str
    rule: str

    def __str__(self) -> str:
        where = [self.file or "<input>"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: value {self.value!r}: {self.rule}"


class LvvEvalError(Exception):
    """Base class of the package's own errors."""


class InputValidationError(LvvEvalError, ValueError):
    """Raised with every :class:`Problem` found in an input, not only the first."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = sorted(
            problems, key=lambda p: (p.file, p.row if p.row is not None else -1, p.column or "", p.rule)
        )
        head = summary or f"{len(self.problems)} problem(s) found"
        lines = [head] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as a table (one row per problem)."""
        return pd.DataFrame([asdict(p) for p in self.problems], columns=["file", "row", "column", "value", "rule"])


class ConfigError(LvvEvalError, ValueError):
    """A parameter, scheme or configuration file is invalid."""


class ArgumentError(LvvEvalError, ValueError):
    """A function of the package was called with an argument it cannot use (a ``ValueError``)."""


class UnknownNameError(LvvEvalError, KeyError):
    """A name (scheme, source, column, label) that the package does not know (a ``KeyError``)."""


class UnsafeOutputError(LvvEvalError):
    """An output would overwrite an input, a file the tool did not write, or a protected folder."""


class NotIdentifiedError(LvvEvalError):
    """A significance test was requested for a contrast that varies only between sites.

    The error carries the numbers; :meth:`message` words them in Dutch or
    English (``str(error)`` is the English text). See
    :mod:`lvv_eval.stats.sites.few_sites` for why five sites cannot support such a test.

    Parameters
    ----------
    attribute
        The attribute that was to be tested.
    group_sizes
        Number of sites per group label (unknown values left out).
    n_assignments
        Number of distinct assignments of the sites to groups of these sizes
        (:func:`lvv_eval.stats.sites.few_sites.n_assignments`); computed when not given.

    Attributes
    ----------
    attribute, group_sizes, n_assignments
        As given (``group_sizes`` sorted by label).
    n_sites
        Number of sites with a known value.
    min_p
        Smallest p-value any permutation test over the sites could reach
        (``1 / n_assignments``; NaN when all sites are in one group).
    """

    def __init__(self, attribute: str, group_sizes: Mapping[str, int], n_assignments: int | None = None) -> None:
        self.attribute = attribute
        self.group_sizes = dict(sorted(group_sizes.items()))
        sizes = [n for n in self.group_sizes.values() if n > 0]
        self.n_sites = sum(sizes)
        self.identified_groups = len(sizes)
        if n_assignments is None:  # the multinomial coefficient G! / (n_1! n_2! ...)
            n_assignments = math.factorial(sum(sizes)) // math.prod(math.factorial(k) for k in sizes)
        self.n_assignments = int(n_assignments)
        self.min_p = 1.0 / self.n_assignments if len(sizes) >= 2 else float("nan")
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """The explanation in ``"en"`` (English) or ``"nl"`` (Dutch).

        Examples
        --------
        >>> err = NotIdentifiedError("parallel_bbb", {"no": 4, "yes": 1}, 5)
        >>> "1/5 = 0,20" in err.message("nl"), "1/5 = 0.20" in err.message("en")
        (True, True)
        """
        if lang not in ("en", "nl"):
            raise ConfigError(f"unknown report language {lang!r}; use nl or en")
        n = self.n_sites
        if lang == "en":
            parts = ", ".join(f"{label!r}: {k} site(s)" for label, k in self.group_sizes.items())
            if self.identified_groups >= 2:
                floor = (
                    f"With these {n} sites ({parts}) the smallest p-value any permutation "
                    f"(randomisation) test over sites could reach is 1/{self.n_assignments} = "
                    f"{self.min_p:.2f}" + (", so 5 % is out of reach." if self.min_p > 0.05 else ".")
                )
            else:
                floor = f"All {n} site(s) are in one group ({parts}); there is no contrast at all."
            return (
                f"No significance test for {self.attribute!r}: it is constant within every pilot, so it "
                "varies only between sites. A person-level test would treat persons as independent "
                "units, and the design is confounded with everything else that differs between the "
                f"sites. {floor} Report per-site estimates with person-level confidence intervals and "
                "case-mix adjusted shares, described as descriptive."
            )
        parts = ", ".join(f"{label!r}: {k} pilot(s)" for label, k in self.group_sizes.items())
        if self.identified_groups >= 2:
            floor = (
                f"Met deze {n} pilots ({parts}) is de kleinste p-waarde die een permutatietoets "
                f"(randomisatietoets) over de pilots kan bereiken 1/{self.n_assignments} = "
                + f"{self.min_p:.2f}".replace(".", ",")
                + ("; 5 % is dus onbereikbaar." if self.min_p > 0.05 else ".")
            )
        else:
            floor = f"Alle {n} pilot(s) vallen in één groep ({parts}); er is helemaal geen contrast."
        return (
            f"Geen significantietoets voor {self.attribute!r}: het kenmerk is binnen elke pilot gelijk "
            "en verschilt dus alleen tussen pilots. Een toets op persoonsniveau zou personen als "
            "onafhankelijke eenheden behandelen, en het ontwerp valt samen met al het andere waarin "
            f"de pilots verschillen. {floor} Rapporteer schattingen per pilot met "
            "betrouwbaarheidsintervallen op persoonsniveau en voor achtergrondkenmerken gecorrigeerde "
            "aandelen, als beschrijvende cijfers."
        )


class UncheckedOutputError(LvvEvalError):
    """Person-level (or synthetic) output reached the report writer without passing the gate.

    The message names the output (table, figure or text) and, where known, the
    cell, never a person-level value. See :mod:`lvv_eval.disclosure.gate`.
    """


class DisclosureConflictError(LvvEvalError):
    """A count that the gate must suppress was already released in another output of the report.

    Raised by :class:`lvv_eval.disclosure.gate.Gate` when a table checked later
    hides a count that an earlier, already released output shows (register the
    later table before releasing the earlier one). Names both outputs, not the value.
    """


def redact(problem: Problem) -> Problem:
    """The same problem without its value (for reports and logs that may be released).

    A validator message names the offending value so that the data owner can
    fix the file; in a report that value may be a person's id, a date or an
    exit reason, so the report path shows file, row, column and rule only.

    Examples
    --------
    >>> str(redact(Problem("x.csv", 2, "person_id", "P-123", "duplicate id")))
    "x.csv, row 2, column 'person_id': value '<redacted>': duplicate id"
    """
    return Problem(problem.file, problem.row, problem.column, REDACTED, _redact_rule(problem.rule, problem.value))


REDACTED = "<redacted>"
"""Shown in place of a person-level value in a redacted problem."""


def _redact_rule(rule: str, value: str) -> str:
    if value and len(value) > 1 and value in rule:
        rule = rule.replace(value, REDACTED)
    return rule


def redacted_error(error: InputValidationError) -> InputValidationError:
    """A copy of ``error`` whose problems carry no values (:func:`redact`)."""
    return InputValidationError(
        [redact(p) for p in error.problems],
        summary=f"{len(error.problems)} problem(s) found (values not shown in reports; "
        "run `lvv-eval validate` to see them)",
    )
