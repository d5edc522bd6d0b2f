"""The sources' quantitative statements in words, checked against their own figures.

The five source documents make quantitative claims in prose ("Utrecht en
Rotterdam hebben de meeste duurzame uitstroom", "meer dan driekwart van de
beschikbare plaatsen ... beschikbaar"). Each such sentence is a row of
``data/published/claims.csv``: claim id, quote, source file and paragraph, the
figure ids it rests on (``data/published/figures.csv``), one or two readings
with a formal test, and the expected verdict. :func:`check_claims` evaluates
every test and gives one verdict per claim:

``holds``
    every reading's test is true;
``holds only under a reading``
    one reading's test is true and another's is false or cannot be tested
    (the reading that holds is named);
``contradicted``
    no reading's test is true;
``not checkable``
    no reading can be tested from the published figures (for example "the
    majority is male": no count of men is published).

The test language is a small, safe subset of Python expressions (parsed with
:mod:`ast`, nothing is ``eval``-ed): numbers, strings, ``+ - * /``,
comparisons, ``and``/``or``/``not``, figure values written ``{figure-id}``,
and the functions in :data:`FUNCTIONS`. Every comparison is recorded with its
evaluated sides, so the verdict comes with the numbers behind it.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lvv_eval.errors import ArgumentError, InputValidationError, Problem, UnknownNameError
from lvv_eval.paths import PUBLISHED_DIR

__all__ = [
    "CLAIM_COLUMNS",
    "DEFAULT_CLAIMS_FILE",
    "FUNCTIONS",
    "RESULT_COLUMNS",
    "VERDICTS",
    "check_claims",
    "claims_of_source",
    "evaluate",
    "load_claims",
    "verdict_of",
]

DEFAULT_CLAIMS_FILE: Path = PUBLISHED_DIR / "claims.csv"
"""The claims of the five sources."""

CLAIM_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "source_file",
    "paragraph",
    "quote",
    "figure_ids",
    "reading",
    "test",
    "alt_reading",
    "alt_test",
    "expected_verdict",
    "note",
)
"""Columns of ``claims.csv`` (``alt_reading``/``alt_test`` may be empty)."""

RESULT_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "source_file",
    "paragraph",
    "quote",
    "verdict",
    "holds_under",
    "numbers",
    "expected_verdict",
    "status",
)
"""Columns of :func:`check_claims`."""

VERDICTS: tuple[str, ...] = ("holds", "holds only under a reading", "contradicted", "not checkable")
"""The possible verdicts, in this order."""

_SOURCE_IDS = {
    "003_1dfc17bc6b27f523.txt": "letter-2018",
    "001_08a3e7995258f26d.txt": "regioplan-2020",
    "002_1f6dbbe6756677e4.txt": "monitor-2020",
    "000_3514d6bc5a3a2801.txt": "verwey-jonker-2021",
    "004_b44b716732003f66.txt": "regioplan-2022",
}
_PLACEHOLDER = re.compile(r"\{([a-z0-9][a-z0-9-]*)\}")


class Untestable:
    """Value of ``untestable("why")``: the reading cannot be tested from the figures."""

    def __init__(self, why: str) -> None:
        self.why = str(why)

    def __repr__(self) -> str:
        return f"untestable({self.why!r})"


def _top(k: int, **values: float) -> frozenset[str]:
    """The ``k`` keys with the largest values (ties at the boundary all included)."""
    ranked = sorted(values.items(), key=lambda kv: -kv[1])
    if not ranked or k <= 0:
        return frozenset()
    cut = ranked[min(k, len(ranked)) - 1][1]
    return frozenset(name for name, v in ranked if v >= cut)


def _rounds_to(value: float, printed: float, decimals: int = 0) -> bool:
    """Whether ``value`` prints as ``printed`` at ``decimals`` (half-up or half-even)."""
    scale = 10 ** int(decimals)
    half_up = math.floor(value * scale + 0.5) / scale
    return bool(math.isclose(half_up, printed) or math.isclose(round(value, int(decimals)), printed))


def _months_between(start: str, end: str) -> int:
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    return (b.year - a.year) * 12 + (b.month - a.month)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "pilots": lambda *names: frozenset(str(n) for n in names),
    "top": _top,
    "pct": lambda num, den: 100.0 * float(num) / float(den),
    "rounds_to": _rounds_to,
    "months_between": _months_between,
    "untestable": Untestable,
    "abs": abs,
    "max": max,
    "min": min,
}
"""Functions of the test language: ``pilots(...)`` a set of pilot codes; ``top(k,
name=value, ...)`` the k names with the largest values; ``pct(num, den)`` a
percentage; ``rounds_to(value, printed, decimals=0)``; ``months_between(d1, d2)``;
``untestable("why")``; ``abs``, ``max``, ``min``."""

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CMPOPS: dict[type, tuple[str, Callable[[Any, Any], bool]]] = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
}


def _fmt(value: Any) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}"
    if isinstance(value, float):
        return f"{value:.4g}" if not value.is_integer() else f"{value:.0f}"
    return str(value)


@dataclass
class _Evaluator:
    """Evaluate one parsed test; record every comparison with its values."""

    figures: Mapping[str, float]
    trace: list[str] = field(default_factory=list)

    def run(self, node: ast.AST) -> Any:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise ArgumentError(f"not allowed in a claim test: {type(node).__name__}")
        return method(node)

    def _Expression(self, node: ast.Expression) -> Any:
        return self.run(node.body)

    def _Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, (int, float, str)):
            return node.value
        raise ArgumentError(f"constant {node.value!r} not allowed")

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.run(node.operand)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.Not):
            return value if isinstance(value, Untestable) else not value
        raise ArgumentError("unary operator not allowed")

    def _BinOp(self, node: ast.BinOp) -> Any:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise ArgumentError("operator not allowed")
        return op(self.run(node.left), self.run(node.right))

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        values = [self.run(v) for v in node.values]
        if any(isinstance(v, Untestable) for v in values):
            return next(v for v in values if isinstance(v, Untestable))
        return all(values) if isinstance(node.op, ast.And) else any(values)

    def _Compare(self, node: ast.Compare) -> Any:
        left = self.run(node.left)
        result = True
        for op_node, comp in zip(node.ops, node.comparators):
            right = self.run(comp)
            symbol, op = _CMPOPS.get(type(op_node), (None, None))
            if op is None:
                raise ArgumentError("comparison not allowed")
            ok = bool(op(left, right))
            self.trace.append(f"{_fmt(left)} {symbol} {_fmt(right)}: {'yes' if ok else 'no'}")
            result = result and ok
            left = right
        return result

    def _Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS and node.func.id != "F":
            raise ArgumentError("only the functions of lvv_eval.sources.claims.FUNCTIONS may be called")
        args = [self.run(a) for a in node.args]
        kwargs = {kw.arg: self.run(kw.value) for kw in node.keywords if kw.arg}
        if node.func.id == "F":
            return self._figure(str(args[0]))
        value = FUNCTIONS[node.func.id](*args, **kwargs)
        if node.func.id == "rounds_to":
            self.trace.append(f"{_fmt(float(args[0]))} prints as {_fmt(float(args[1]))}: {'yes' if value else 'no'}")
        if node.func.id == "top":
            self.trace.append(
                f"top {args[0]} of " + ", ".join(f"{k} {_fmt(v)}" for k, v in kwargs.items()) + f" = {_fmt(value)}"
            )
        return value

    def _figure(self, figure_id: str) -> float:
        if figure_id not in self.figures:
            raise UnknownNameError(figure_id)
        return float(self.figures[figure_id])


def _parse(test: str) -> ast.Expression:
    return ast.parse(_PLACEHOLDER.sub(lambda m: f'F("{m.group(1)}")', test), mode="eval")


def evaluate(test: str, figures: Mapping[str, float]) -> tuple[bool | Untestable, list[str]]:
    """Evaluate one claim test.

    Parameters
    ----------
    test
        Expression of the test language (module docstring), e.g.
        ``"{r20-free-eindhoven} / {r20-capacity-eindhoven} > 0.75"``.
    figures
        ``figure_id -> value``.

    Returns
    -------
    (result, trace)
        ``True``/``False``, or an :class:`Untestable`; the comparisons made,
        each as ``"left op right: yes|no"``.

    Examples
    --------
    >>> evaluate("{a} / {b} > 0.75", {"a": 100, "b": 130})
    (True, ['0.7692 > 0.75: yes'])
    """
    ev = _Evaluator(figures)
    value = ev.run(_parse(test))
    if isinstance(value, Untestable):
        return value, ev.trace
    return bool(value), ev.trace


def verdict_of(results: Mapping[str, bool | Untestable]) -> tuple[str, str]:
    """Verdict of a claim from the results of its readings; also the readings that hold.

    Examples
    --------
    >>> verdict_of({"by intake": True, "by occupancy": False})
    ('holds only under a reading', 'by intake')
    >>> verdict_of({"as printed": False})
    ('contradicted', '')
    """
    holding = [name for name, r in results.items() if r is True]
    testable = [r for r in results.values() if not isinstance(r, Untestable)]
    if not testable:
        return "not checkable", ""
    if len(holding) == len(results):
        return "holds", "; ".join(holding)
    if holding:
        return "holds only under a reading", "; ".join(holding)
    return "contradicted", ""


def load_claims(path: str | Path | None = None, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate ``claims.csv``; every problem is reported at once.

    Rules: the columns of :data:`CLAIM_COLUMNS`; ``claim_id`` unique and
    non-empty; ``source_file`` one of the five sources; ``quote``, ``reading``
    and ``test`` non-empty; ``alt_test`` given exactly when ``alt_reading``
    is; every test parses in the test language; every ``{figure-id}`` of a
    test is listed in ``figure_ids`` and (when ``figures`` is given) exists;
    ``expected_verdict`` one of :data:`VERDICTS`.

    Raises
    ------
    InputValidationError
        Naming file, row, column, value and rule for every problem.
    """
    path = Path(path) if path is not None else DEFAULT_CLAIMS_FILE
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    file = str(path)
    problems: list[Problem] = []
    missing = [c for c in CLAIM_COLUMNS if c not in table.columns]
    if missing:
        raise InputValidationError([Problem(file, 1, c, "", "required column is missing") for c in missing])
    known = set(figures["figure_id"].astype(str)) if figures is not None else None
    seen: dict[str, int] = {}
    for i, rec in enumerate(table.to_dict("records")):
        row = i + 2
        cid = rec["claim_id"].strip()
        if not cid:
            problems.append(Problem(file, row, "claim_id", "", "must not be empty"))
        elif cid in seen:
            problems.append(Problem(file, row, "claim_id", cid, f"duplicate (first in row {seen[cid]})"))
        else:
            seen[cid] = row
        if rec["source_file"] not in _SOURCE_IDS:
            problems.append(
                Problem(
                    file, row, "source_file", rec["source_file"], f"must be one of {', '.join(sorted(_SOURCE_IDS))}"
                )
            )
        for col in ("quote", "paragraph", "reading", "test"):
            if not rec[col].strip():
                problems.append(Problem(file, row, col, "", "must not be empty"))
        if bool(rec["alt_reading"].strip()) != bool(rec["alt_test"].strip()):
            problems.append(
                Problem(
                    file, row, "alt_test", rec["alt_test"], "alt_reading and alt_test are given together or not at all"
                )
            )
        if rec["expected_verdict"] not in VERDICTS:
            problems.append(
                Problem(
                    file, row, "expected_verdict", rec["expected_verdict"], f"must be one of: {', '.join(VERDICTS)}"
                )
            )
        listed = {f.strip() for f in rec["figure_ids"].split(";") if f.strip()}
        for col in ("test", "alt_test"):
            text = rec[col].strip()
            if not text:
                continue
            try:
                _parse(text)
            except SyntaxError as exc:
                problems.append(Problem(file, row, col, text, f"not a valid test expression ({exc.msg})"))
                continue
            for fid in _PLACEHOLDER.findall(text):
                if fid not in listed:
                    problems.append(Problem(file, row, col, fid, "figure used in the test is not in figure_ids"))
        if known is not None:
            for fid in sorted(listed - known):
                problems.append(Problem(file, row, "figure_ids", fid, "not a figure_id of figures.csv"))
    if problems:
        raise InputValidationError(problems, summary=f"{len(problems)} problem(s) in {file}")
    table.attrs["file"] = file
    return table


def check_claims(claims: pd.DataFrame | None = None, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Give every claim its verdict, with the numbers behind it.

    Parameters
    ----------
    claims
        Table as from :func:`load_claims` (default: the shipped file).
    figures
        Published figures (default :func:`lvv_eval.sources.published.load_figures`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESULT_COLUMNS`, one row per claim in file order.
        ``numbers`` lists, per reading, the comparisons made with their
        values; ``status`` is ``ok`` when the verdict is the expected one,
        else ``UNEXPECTED``.
    """
    from lvv_eval.sources.published import load_figures

    figs = figures if figures is not None else load_figures()
    table = claims if claims is not None else load_claims(figures=figs)
    values = {
        str(f): float(v)
        for f, v in zip(figs["figure_id"], pd.to_numeric(figs["value"], errors="coerce"))
        if pd.notna(v)
    }
    rows = []
    for rec in table.to_dict("records"):
        readings = {rec["reading"]: rec["test"]}
        if rec["alt_reading"].strip():
            readings[rec["alt_reading"]] = rec["alt_test"]
        results: dict[str, bool | Untestable] = {}
        parts = []
        for name, test in readings.items():
            result, trace = evaluate(test, values)
            results[name] = result
            shown = result.why if isinstance(result, Untestable) else "; ".join(trace)
            tag = "untestable" if isinstance(result, Untestable) else ("holds" if result else "fails")
            parts.append(f"{name} ({tag}): {shown}")
        verdict, holds_under = verdict_of(results)
        rows.append(
            {
                "claim_id": rec["claim_id"],
                "source_file": rec["source_file"],
                "paragraph": rec["paragraph"],
                "quote": rec["quote"],
                "verdict": verdict,
                "holds_under": holds_under if verdict == "holds only under a reading" else "",
                "numbers": " | ".join(parts),
                "expected_verdict": rec["expected_verdict"],
                "status": "ok" if verdict == rec["expected_verdict"] else "UNEXPECTED",
            }
        )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def claims_of_source(source: str, results: pd.DataFrame | None = None) -> pd.DataFrame:
    """The checked claims of one source, for the evaluation reports (01-03).

    Parameters
    ----------
    source
        A source file name (``001_08a3e7995258f26d.txt``) or source id
        (``regioplan-2020``, ``monitor-2020``, ``verwey-jonker-2021``,
        ``regioplan-2022``, ``letter-2018``).
    results
        Output of :func:`check_claims` (default: computed).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`check_claims` for that source (``claim_id``,
        ``paragraph``, ``quote``, ``verdict``, ``holds_under``, ``numbers``).

    Raises
    ------
    InputValidationError
        An unknown source.
    """
    by_id = {v: k for k, v in _SOURCE_IDS.items()}
    file = by_id.get(source, source)
    if file not in _SOURCE_IDS:
        raise InputValidationError(
            [Problem("", None, "source", source, "unknown source; use one of " + ", ".join(sorted(by_id)))]
        )
    res = results if results is not None else check_claims()
    cols = ["claim_id", "paragraph", "quote", "verdict", "holds_under", "numbers"]
    return res.loc[res["source_file"] == file, cols].reset_index(drop=True)
