"""Consistency checks of the published figures, kept as data.

Each row of ``data/published/checks.csv`` is one check: the printed figure
it tests (``target``), an expression of other figures (``terms``), for
percentages a ``denominator``, the printed ``decimals`` and a citation. The
file is described in ``data/published/README.md``. :func:`run_checks`
evaluates every check exactly (rational arithmetic, printed rounding taken
into account) and returns one row per check.

Kinds
-----
sum, difference
    ``target`` (a figure id or a number) equals ``terms`` (figures joined by
    ``+`` and ``-``). Percentages among the terms carry their rounding
    interval, so 18 + 41 + 41 may equal 100 within rounding.
percent
    The printed percentage ``target`` equals ``100 * terms / denominator`` at
    the printed rounding (interval convention of :mod:`lvv_eval.sources.rounding`).
bound
    ``target`` cannot exceed ``terms`` (e.g. people present <= intake minus
    outflow). It passes if some value within rounding satisfies it; the slack
    (``count_low``..``count_high``) is the implied unlisted count.
count_range
    Not a comparison: a printed percentage ``target`` of a known
    ``denominator`` whose count is not printed becomes a range of counts. It
    fails only if no whole count prints as the percentage.
shares
    Several printed shares (``terms``) of one total (``denominator``): passes
    if whole counts exist that print as each share and sum to the total.

An operand ``a%b`` in an expression is the count that the printed percentage
``a`` stands for out of figure ``b`` (a range, see
:func:`lvv_eval.sources.rounding.count_range`). Rows with ``known_discrepancy`` true
document an inconsistency of the source itself: they fail, but are reported
with status ``known_discrepancy`` and do not make the check run fail.

Examples
--------
>>> results = run_checks()
>>> row = results.set_index("check_id").loc["m20-durable-sum"]
>>> float(row["expected"]), float(row["computed"]), bool(row["passed"])
(107.0, 107.0, True)
>>> results.set_index("check_id").loc["r20-free-rate-amsterdam-pct", "status"]
'known_discrepancy'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd

from lvv_eval.errors import ArgumentError, InputValidationError, Problem
from lvv_eval.paths import PUBLISHED_DIR
from lvv_eval.sources.published import load_figures
from lvv_eval.sources.rounding import count_range, half_width, share_ranges

__all__ = [
    "CHECK_COLUMNS",
    "KINDS",
    "RESULT_COLUMNS",
    "count_ranges",
    "failures",
    "load_checks",
    "run_checks",
]

DEFAULT_CHECKS_FILE: Path = PUBLISHED_DIR / "checks.csv"

CHECK_COLUMNS: tuple[str, ...] = (
    "check_id",
    "kind",
    "target",
    "terms",
    "denominator",
    "decimals",
    "known_discrepancy",
    "citation",
    "explanation",
)
"""Columns of ``checks.csv``, in file order."""

KINDS: dict[str, str] = {
    "sum": "target = sum of the terms",
    "difference": "target = first term minus the others",
    "percent": "printed percentage target = 100 * terms / denominator at the printed rounding",
    "bound": "target <= terms (the slack is the implied unlisted count)",
    "count_range": "printed percentage target of denominator -> range of whole counts",
    "shares": "printed shares (terms) of denominator -> whole counts that sum to it",
}
"""Allowed values of the ``kind`` column."""

RESULT_COLUMNS: tuple[str, ...] = (
    "check_id",
    "kind",
    "expected",
    "computed",
    "difference",
    "tolerance",
    "passed",
    "known_discrepancy",
    "status",
    "count_low",
    "count_high",
    "figure_ids",
    "message",
    "explanation",
    "citation",
    "expected_text",
    "computed_text",
)
"""Columns of the frame returned by :func:`run_checks`."""

_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_NEEDS = {  # kind -> (target required, terms required, denominator required)
    "sum": (True, True, False),
    "difference": (True, True, False),
    "percent": (True, True, True),
    "bound": (True, True, False),
    "count_range": (True, False, True),
    "shares": (False, True, True),
}


@dataclass(frozen=True)
class _Value:
    """An exact value with the interval it may lie in because of printed rounding."""

    point: Fraction
    low: Fraction
    high: Fraction

    def __add__(self, other: _Value) -> _Value:
        return _Value(self.point + other.point, self.low + other.low, self.high + other.high)

    def __sub__(self, other: _Value) -> _Value:
        return _Value(self.point - other.point, self.low - other.high, self.high - other.low)


def _tokens(expression: str) -> list[str]:
    return expression.split()


def _operands(expression: str) -> tuple[list[str], list[str]]:
    """Split ``a + b - c`` into operands and operators; raise ValueError if malformed."""
    toks = _tokens(expression)
    if not toks or len(toks) % 2 == 0:
        raise ArgumentError("expected operands separated by ' + ' or ' - '")
    operands, operators = toks[0::2], toks[1::2]
    if any(op not in "+-" or len(op) != 1 for op in operators):
        raise ArgumentError("operators must be '+' or '-', separated by spaces")
    if any(o in ("+", "-") for o in operands):
        raise ArgumentError("two operators in a row")
    return operands, operators


def _figure_ids(expression: str) -> list[str]:
    ids: list[str] = []
    if not expression:
        return ids
    operands, _ = _operands(expression)
    for operand in operands:
        if _NUMBER.match(operand):
            continue
        ids.extend(operand.split("%", 1))
    return ids


def load_checks(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the table of checks (syntax only; ids are checked by :func:`run_checks`).

    Parameters
    ----------
    path
        ``checks.csv``; defaults to ``data/published/checks.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per check in file order; ``decimals`` int64,
        ``known_discrepancy`` bool, other columns str.

    Raises
    ------
    InputValidationError
        Listing every problem: missing/unexpected columns, empty or duplicate
        ``check_id``, unknown ``kind``, a missing ``target``/``terms``/
        ``denominator`` the kind needs, a malformed expression, ``decimals``
        not a whole number >= 0, ``known_discrepancy`` not true/false.
    """
    path = Path(path) if path is not None else DEFAULT_CHECKS_FILE
    file = str(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    problems: list[Problem] = []
    for col in CHECK_COLUMNS:
        if col not in raw.columns:
            problems.append(Problem(file, None, col, "", "required column is missing"))
    for col in raw.columns:
        if col not in CHECK_COLUMNS:
            problems.append(Problem(file, 1, col, col, f"unexpected column; allowed: {', '.join(CHECK_COLUMNS)}"))
    if any(p.row is None for p in problems):
        raise InputValidationError(problems, f"{file}: cannot read the checks")
    raw = raw.loc[:, list(CHECK_COLUMNS)].apply(lambda s: s.str.strip())
    seen: dict[str, int] = {}
    for i, rec in enumerate(raw.to_dict("records")):
        row = i + 2

        def bad(column: str, rule: str) -> None:
            problems.append(Problem(file, row, column, rec[column], rule))  # noqa: B023 - the closure is called within the loop

        cid = rec["check_id"]
        if not cid:
            bad("check_id", "must not be empty")
        elif cid in seen:
            bad("check_id", f"duplicate: also on row {seen[cid]}")
        else:
            seen[cid] = row
        kind = rec["kind"]
        if kind not in KINDS:
            bad("kind", f"unknown kind; allowed: {', '.join(KINDS)}")
        else:
            for column, needed in zip(("target", "terms", "denominator"), _NEEDS[kind]):
                if needed and not rec[column]:
                    bad(column, f"required for kind {kind!r}")
        for column in ("target", "terms", "denominator"):
            if rec[column]:
                try:
                    _operands(rec[column])
                except ValueError as exc:
                    bad(column, f"malformed expression: {exc}")
        if not re.fullmatch(r"\d+", rec["decimals"]):
            bad("decimals", "must be a whole number >= 0")
        if rec["known_discrepancy"].lower() not in ("true", "false"):
            bad("known_discrepancy", "must be true or false")
        if not rec["citation"]:
            bad("citation", "must not be empty (source file name + table or paragraph)")
    if problems:
        raise InputValidationError(problems, f"{file}: {len(problems)} problem(s) in the checks")
    table = raw.copy()
    table["decimals"] = table["decimals"].astype("int64")
    table["known_discrepancy"] = table["known_discrepancy"].str.lower().eq("true").astype(bool)
    for col in CHECK_COLUMNS:
        if col not in ("decimals", "known_discrepancy"):
            table[col] = table[col].astype("str")
    return table


class _Evaluator:
    """Evaluates check expressions over a figures frame."""

    def __init__(self, figures: pd.DataFrame) -> None:
        self.values = dict(zip(figures["figure_id"], figures["value"]))
        self.units = dict(zip(figures["figure_id"], figures["unit"].astype("str")))

    def exact(self, figure_id: str) -> Fraction:
        return Fraction(repr(float(self.values[figure_id])))

    def operand(self, text: str, decimals: int) -> _Value:
        if _NUMBER.match(text):
            v = Fraction(text)
            return _Value(v, v, v)
        if "%" in text:
            pct_id, den_id = text.split("%", 1)
            pct, den = self.exact(pct_id), self.exact(den_id)
            rng = count_range(pct, int(den), decimals)
            if not len(rng):
                raise ArgumentError(f"no whole count of {den} prints as {pct} %")
            return _Value(pct * den / 100, Fraction(rng.start), Fraction(rng.stop - 1))
        v = self.exact(text)
        if self.units[text] == "percent":
            h = half_width(decimals)
            return _Value(v, v - h, v + h)
        return _Value(v, v, v)

    def evaluate(self, expression: str, decimals: int) -> _Value:
        operands, operators = _operands(expression)
        total = self.operand(operands[0], decimals)
        for op, operand in zip(operators, operands[1:]):
            value = self.operand(operand, decimals)
            total = total + value if op == "+" else total - value
        return total


def _fmt(x: Fraction | float) -> str:
    x = float(x)
    return f"{x:.0f}" if x.is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def _range_text(rng: range) -> str:
    """``225..226``, or ``225`` when the range holds one count."""
    return f"{rng.start}" if len(rng) == 1 else f"{rng.start}..{rng.stop - 1}"


def _interval(value: _Value) -> str:
    """A value with its rounding interval when it has one, e.g. ``225.4 (225..226)``."""
    if value.low == value.high:
        return _fmt(value.point)
    return f"{_fmt(value.point)} ({_fmt(value.low)}..{_fmt(value.high)})"


def _evaluate_check(rec: dict, ev: _Evaluator) -> dict:
    kind, d = rec["kind"], int(rec["decimals"])
    out: dict = {
        "expected": math.nan,
        "computed": math.nan,
        "difference": math.nan,
        "tolerance": math.nan,
        "count_low": pd.NA,
        "count_high": pd.NA,
        "expected_text": "",
        "computed_text": "",
    }
    target_text = rec["target"]
    if kind in ("sum", "difference"):
        target = ev.evaluate(target_text, d)
        terms = ev.evaluate(rec["terms"], d)
        passed = terms.low <= target.point <= terms.high
        diff = terms.point - target.point
        out.update(
            expected=float(target.point),
            computed=float(terms.point),
            difference=float(diff),
            tolerance=float((terms.high - terms.low) / 2),
            expected_text=_fmt(target.point),
            computed_text=_interval(terms),
        )
        message = f"{target_text} = {_fmt(target.point)}; {rec['terms']} = {_fmt(terms.point)}" + (
            "" if passed else f"; off by {_fmt(diff)}"
        )
    elif kind == "percent":
        printed = ev.exact(target_text)
        num = ev.evaluate(rec["terms"], d).point
        den = ev.evaluate(rec["denominator"], d).point
        if den <= 0:
            raise ArgumentError(f"denominator {rec['denominator']} is {_fmt(den)}, not positive")
        computed = num * 100 / den
        h = half_width(d)
        passed = printed - h <= computed <= printed + h
        rng = count_range(printed, int(den), d) if den.denominator == 1 else range(0)
        out.update(
            expected=float(printed),
            computed=float(computed),
            difference=float(computed - printed),
            tolerance=float(h),
            expected_text=f"{_fmt(printed)} %",
            computed_text=f"{float(computed):.2f} % ({_fmt(num)} of {_fmt(den)})",
        )
        if len(rng):
            out.update(count_low=rng.start, count_high=rng.stop - 1)
        fits = f"{rng.start}..{rng.stop - 1}" if len(rng) else "no count"
        message = f"{target_text} printed {_fmt(printed)} %; {_fmt(num)} / {_fmt(den)} = {float(computed):.2f} %"
        if not passed:
            message += (
                f", off by {float(computed - printed):+.2f} percentage points "
                f"(outside +-{_fmt(h)}); {fits} of {_fmt(den)} would print as "
                f"{_fmt(printed)} %"
            )
    elif kind == "bound":
        lhs = ev.evaluate(target_text, d)
        rhs = ev.evaluate(rec["terms"], d)
        passed = lhs.low <= rhs.high
        diff = lhs.point - rhs.point
        slack_low = max(Fraction(0), rhs.low - lhs.high)
        slack_high = rhs.high - lhs.low
        out.update(
            expected=float(rhs.point),
            computed=float(lhs.point),
            difference=float(diff),
            expected_text=f"<= {_interval(rhs)}",
            computed_text=_interval(lhs),
        )
        if passed:
            out.update(count_low=int(math.ceil(slack_low)), count_high=int(math.floor(slack_high)))
        lhs_txt = _fmt(lhs.point) + ("" if lhs.low == lhs.high else f" ({_fmt(lhs.low)}..{_fmt(lhs.high)})")
        rhs_txt = _fmt(rhs.point) + ("" if rhs.low == rhs.high else f" ({_fmt(rhs.low)}..{_fmt(rhs.high)})")
        if passed:
            message = (
                f"{lhs_txt} <= {rhs_txt}; slack (implied unlisted count) "
                f"{int(math.ceil(slack_low))}..{int(math.floor(slack_high))}"
            )
        else:
            message = (
                f"{lhs_txt} exceeds the bound {rhs_txt} by at least "
                f"{_fmt(lhs.low - rhs.high)} (point values: {_fmt(diff)})"
            )
    elif kind == "count_range":
        printed = ev.exact(target_text)
        den = ev.evaluate(rec["denominator"], d).point
        rng = count_range(printed, int(den), d)
        passed = len(rng) > 0
        out.update(
            expected=float(printed),
            computed=float(printed * den / 100),
            expected_text=f"{_fmt(printed)} % of {_fmt(den)}",
            computed_text=(f"count {_range_text(rng)}" if passed else "no whole count"),
        )
        if passed:
            out.update(count_low=rng.start, count_high=rng.stop - 1)
            message = (
                f"{_fmt(printed)} % of {_fmt(den)} = {_fmt(printed * den / 100)}: count {rng.start}..{rng.stop - 1}"
            )
        else:
            message = f"no whole count of {_fmt(den)} prints as {_fmt(printed)} %"
    else:  # shares
        operands, operators = _operands(rec["terms"])
        if any(op != "+" for op in operators):
            raise ArgumentError("shares must be joined by '+'")
        den = ev.evaluate(rec["denominator"], d).point
        shares = {o: ev.exact(o) for o in operands}
        sr = share_ranges(shares, int(den), d)
        passed = sr.n_combinations > 0
        out.update(expected=float(den), expected_text=f"total {_fmt(den)}", computed_text="no combination")
        if passed:
            out.update(
                computed=float(sum(sr.best())),
                difference=0.0,
                computed_text=" + ".join(str(c) for c in sr.best()) + f" = {sum(sr.best())}",
            )
        ranges = ", ".join(
            f"{k} {r.start}..{r.stop - 1}" if len(r) else f"{k} none" for k, r in zip(sr.labels, sr.ranges)
        )
        if passed:
            message = (
                f"{sr.n_combinations} combinations of counts sum to {_fmt(den)} "
                f"({ranges}); closest to the exact shares: {sr.best()}"
            )
        else:
            message = f"no combination of counts ({ranges}) sums to {_fmt(den)}"
    out["passed"] = bool(passed)
    out["message"] = message
    return out


def run_checks(
    figures: pd.DataFrame | None = None,
    checks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Run every consistency check on the published figures.

    Parameters
    ----------
    figures
        A frame from :func:`lvv_eval.sources.published.load_figures`; the shipped
        figures if not given.
    checks
        A frame from :func:`load_checks`; the shipped ``checks.csv`` if not given.

    Returns
    -------
    pandas.DataFrame
        One row per check, in the order of the checks file, columns
        :data:`RESULT_COLUMNS`: ``expected`` (the printed target; for
        ``bound`` the upper bound; for ``shares`` the total), ``computed``
        (from the other figures; for ``count_range`` the exact count
        ``percent * denominator / 100``; for ``shares`` the sum of the
        combination closest to the exact shares),
        ``difference`` (computed - expected; percentage points for
        ``percent``), ``tolerance`` (allowed by rounding), ``passed``,
        ``known_discrepancy``, ``status`` (``ok``, ``known_discrepancy``,
        ``FAILED``, or ``unexpected_pass`` when a documented discrepancy no
        longer shows), ``count_low``/``count_high`` (Int64: for ``percent`` the
        numerators that print as the target, for ``count_range`` the counts
        behind the percentage, for ``bound`` the slack), ``figure_ids`` (space
        separated), ``message`` (which figure, by how much), ``explanation``,
        ``citation``, and readable text forms of the comparison for every kind:
        ``expected_text`` (e.g. ``20 %``, ``<= 208.2 (207..209)``, for
        ``count_range`` the printed percentage and its base, ``98 % of 230``)
        and ``computed_text`` (e.g. ``19.17 % (69 of 360)``, for ``count_range``
        the whole counts behind the percentage, ``count 225..226``).

    Raises
    ------
    InputValidationError
        If a check refers to a figure id that is not in ``figures`` (every
        such reference is listed with its row in the checks file) or cannot
        be evaluated.
    """
    figs = load_figures() if figures is None else figures
    table = load_checks() if checks is None else checks
    file = str(DEFAULT_CHECKS_FILE) if checks is None else "checks"
    known_ids = set(figs["figure_id"])
    problems: list[Problem] = []
    for i, rec in enumerate(table.to_dict("records")):
        for column in ("target", "terms", "denominator"):
            for fid in _figure_ids(rec[column]):
                if fid not in known_ids:
                    problems.append(Problem(file, i + 2, column, fid, "unknown figure_id (not in figures.csv)"))
    if problems:
        raise InputValidationError(problems, f"{len(problems)} unknown figure id(s) in the checks")

    ev = _Evaluator(figs)
    rows = []
    for i, rec in enumerate(table.to_dict("records")):
        try:
            result = _evaluate_check(rec, ev)
        except (ValueError, ZeroDivisionError) as exc:
            problems.append(Problem(file, i + 2, "check_id", rec["check_id"], f"cannot be evaluated: {exc}"))
            continue
        known = bool(rec["known_discrepancy"])
        if result["passed"]:
            status = "unexpected_pass" if known else "ok"
        else:
            status = "known_discrepancy" if known else "FAILED"
        ids = []
        for column in ("target", "terms", "denominator"):
            ids.extend(_figure_ids(rec[column]))
        rows.append(
            {
                "check_id": rec["check_id"],
                "kind": rec["kind"],
                **result,
                "known_discrepancy": known,
                "status": status,
                "figure_ids": " ".join(dict.fromkeys(ids)),
                "explanation": rec["explanation"],
                "citation": rec["citation"],
            }
        )
    if problems:
        raise InputValidationError(problems, f"{len(problems)} check(s) cannot be evaluated")
    result = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col in ("expected", "computed", "difference", "tolerance"):
        result[col] = result[col].astype("float64")
    for col in ("count_low", "count_high"):
        result[col] = result[col].astype("Int64")
    for col in ("passed", "known_discrepancy"):
        result[col] = result[col].astype(bool)
    for col in (
        "check_id",
        "kind",
        "status",
        "figure_ids",
        "message",
        "explanation",
        "citation",
        "expected_text",
        "computed_text",
    ):
        result[col] = result[col].astype("str")
    return result


def failures(results: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of :func:`run_checks` that should fail a run.

    These are checks with status ``FAILED`` (an undocumented inconsistency)
    or ``unexpected_pass`` (a documented discrepancy that no longer shows,
    so the figures or the checks file changed).
    """
    return results.loc[results["status"].isin(["FAILED", "unexpected_pass"])].reset_index(drop=True)


def count_ranges(
    figures: pd.DataFrame | None = None,
    checks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the count ranges behind printed percentages whose counts are not printed.

    These are the ``count_range`` rows of the checks (e.g. the 2019 shares of
    outflow to state reception and with unknown destination, which are
    percentages of intake, ``001_08a3e7995258f26d.txt``, paragraph after
    Tabel S.2).

    Returns
    -------
    pandas.DataFrame
        Columns ``check_id``, ``figure_id``, ``percent``, ``denominator_id``,
        ``denominator``, ``count_low``, ``count_high`` (Int64).

    Examples
    --------
    >>> cr = count_ranges().set_index("figure_id")
    >>> cr.loc["r20-mob-rate-rotterdam", ["count_low", "count_high"]].tolist()
    [23, 23]
    """
    figs = load_figures() if figures is None else figures
    table = load_checks() if checks is None else checks
    subset = table.loc[table["kind"] == "count_range"].reset_index(drop=True)
    results = run_checks(figs, subset)
    ev = _Evaluator(figs)
    rows = []
    for rec, res in zip(subset.to_dict("records"), results.to_dict("records")):
        rows.append(
            {
                "check_id": rec["check_id"],
                "figure_id": rec["target"],
                "percent": float(ev.exact(rec["target"])),
                "denominator_id": rec["denominator"],
                "denominator": float(ev.evaluate(rec["denominator"], int(rec["decimals"])).point),
                "count_low": res["count_low"],
                "count_high": res["count_high"],
            }
        )
    frame = pd.DataFrame(
        rows, columns=["check_id", "figure_id", "percent", "denominator_id", "denominator", "count_low", "count_high"]
    )
    for col in ("count_low", "count_high"):
        frame[col] = frame[col].astype("Int64")
    for col in ("check_id", "figure_id", "denominator_id"):
        frame[col] = frame[col].astype("str")
    return frame
