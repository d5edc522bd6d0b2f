"""What changed between two report builds: table by table, figure by figure (values, not bytes).

A build folder (``reports/<id>/``) holds ``tables/*.csv``, ``figures/*.png`` / ``.svg`` and
``manifest.json`` (:mod:`lvv_eval.reporting.writer`). :func:`diff_builds` compares two of them:

* **Tables** are read as values. Rows are matched by a key (the text columns that identify a row
  in both builds, or the columns given); the result lists rows added and removed by key, columns
  added and removed, and every changed cell with its old and new value. Numbers are equal when
  they differ by at most ``tolerance`` (absolute); ``1.0`` and ``1`` are equal.
* **Figures** are compared by their data file when the build has one (``figures/<name>.csv``,
  compared like a table), otherwise by the SHA-256 of the image (PNG, else SVG): changed, added
  or removed.

The result renders as text (:meth:`BuildDiff.to_text`) and as a self-contained HTML page
(:meth:`BuildDiff.to_html`). The report folders are read only.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lvv_eval.errors import ConfigError, InputValidationError

__all__ = ["CellChange", "TableDiff", "FigureDiff", "BuildDiff", "diff_tables", "diff_builds", "table_key"]

IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".svg")
"""Image files of a figure, in the order used for its hash."""

MAX_CELLS_SHOWN = 200
"""Changed cells listed per table in the text and HTML output (all are kept in the result)."""


@dataclass(frozen=True)
class CellChange:
    """One changed cell: the row's key, the column, the old and the new value (as written)."""

    key: str
    column: str
    old: str
    new: str


@dataclass
class TableDiff:
    """The differences between two versions of one table (or figure data file).

    ``status`` is ``added``, ``removed``, ``changed`` or ``same``.
    """

    name: str
    status: str
    key: tuple[str, ...] = ()
    rows_added: list[str] = field(default_factory=list)
    rows_removed: list[str] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)
    shape: tuple[tuple[int, int] | None, tuple[int, int] | None] = (None, None)

    @property
    def changed(self) -> bool:
        return self.status != "same"


@dataclass(frozen=True)
class FigureDiff:
    """One figure: ``status`` (``added``, ``removed``, ``changed``, ``same``) and how it was compared."""

    name: str
    status: str
    compared_by: str
    old_hash: str = ""
    new_hash: str = ""
    data: TableDiff | None = None

    @property
    def changed(self) -> bool:
        return self.status != "same"


@dataclass
class BuildDiff:
    """Differences between build ``a`` and build ``b``."""

    a: Path
    b: Path
    tables: list[TableDiff]
    figures: list[FigureDiff]
    tolerance: float = 0.0

    @property
    def identical(self) -> bool:
        """True when no table and no figure differs."""
        return not any(t.changed for t in self.tables) and not any(f.changed for f in self.figures)

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts per status, for tables and figures."""
        out: dict[str, dict[str, int]] = {}
        for what, items in (("tables", self.tables), ("figures", self.figures)):
            counts = {s: 0 for s in ("same", "changed", "added", "removed")}
            for item in items:
                counts[item.status] += 1
            out[what] = counts
        return out

    # ------------------------------------------------------------------ text
    def to_text(self) -> str:
        """The differences as plain text (one block per changed table or figure)."""
        lines = [f"builds: A = {self.a}", f"        B = {self.b}", f"numeric tolerance: {self.tolerance:g}"]
        s = self.summary()
        for what in ("tables", "figures"):
            c = s[what]
            lines.append(
                f"{what}: {c['same']} same, {c['changed']} changed, {c['added']} added, {c['removed']} removed"
            )
        if self.identical:
            lines.append("no differences")
            return "\n".join(lines) + "\n"
        for t in self.tables:
            if t.changed:
                lines.append("")
                lines.extend(_table_text(t, "table"))
        for f in self.figures:
            if not f.changed:
                continue
            lines.append("")
            lines.append(f"figure {f.name}: {f.status} (compared by {f.compared_by})")
            if f.data is not None and f.status == "changed":
                lines.extend("  " + x for x in _table_text(f.data, "data")[1:])
            elif f.status == "changed":
                lines.append(f"  image sha256 {f.old_hash[:12]} -> {f.new_hash[:12]}")
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ html
    def to_html(self, title: str = "Differences between two builds") -> str:
        """A self-contained HTML page (no scripts, no external assets) with the differences."""
        e = html.escape
        s = self.summary()
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{e(title)}</h1>",
            f"<p>A: <code>{e(str(self.a))}</code><br>B: <code>{e(str(self.b))}</code><br>"
            f"Numeric tolerance: {e(f'{self.tolerance:g}')}</p>",
            '<table class="summary"><thead><tr><th></th><th>same</th><th>changed</th><th>added</th>'
            "<th>removed</th></tr></thead><tbody>",
        ]
        for what in ("tables", "figures"):
            c = s[what]
            parts.append(
                f"<tr><th>{what}</th>"
                + "".join(f"<td>{c[k]}</td>" for k in ("same", "changed", "added", "removed"))
                + "</tr>"
            )
        parts.append("</tbody></table>")
        if self.identical:
            parts.append('<p class="same">No differences.</p>')
        parts.append("<h2>Tables</h2>")
        parts.extend(_table_html(t) for t in self.tables)
        parts.append("<h2>Figures</h2>")
        for f in self.figures:
            parts.append(
                f'<section class="{e(f.status)}"><h3>{e(f.name)} <span class="status">{e(f.status)}'
                f"</span></h3><p>compared by {e(f.compared_by)}</p>"
            )
            if f.data is not None and f.status == "changed":
                parts.append(_table_html(f.data, heading=False))
            elif f.status == "changed":
                parts.append(
                    f"<p>image sha256 <code>{e(f.old_hash[:12])}</code> &rarr; <code>{e(f.new_hash[:12])}</code></p>"
                )
            parts.append("</section>")
        parts.extend(["</body>", "</html>", ""])
        return "\n".join(parts)


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;line-height:1.4}"
    "table{border-collapse:collapse;margin:.5em 0;display:block;overflow-x:auto}"
    "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
    "section{border-left:4px solid #ccc;padding-left:.8em;margin:1em 0}"
    "section.changed{border-color:#d08c00}section.added{border-color:#2a7d2a}"
    "section.removed{border-color:#b22}.status{font-weight:normal;font-size:.8em;color:#555}"
    "td.old{background:#fde8e8}td.new{background:#e6f4e6}code{font-size:.9em}"
)


def _table_text(t: TableDiff, what: str) -> list[str]:
    head = f"{what} {t.name}: {t.status}"
    if t.shape[0] and t.shape[1]:
        head += f" ({t.shape[0][0]}x{t.shape[0][1]} -> {t.shape[1][0]}x{t.shape[1][1]})"
    lines = [head]
    if t.status != "changed":
        return lines
    if t.key:
        lines.append(f"  key: {', '.join(t.key)}")
    for label, items in (
        ("columns added", t.columns_added),
        ("columns removed", t.columns_removed),
        ("rows added", t.rows_added),
        ("rows removed", t.rows_removed),
    ):
        if items:
            lines.append(f"  {label} ({len(items)}): " + "; ".join(items[:20]) + (" ..." if len(items) > 20 else ""))
    if t.cells:
        lines.append(f"  cells changed ({len(t.cells)}):")
        for c in t.cells[:MAX_CELLS_SHOWN]:
            lines.append(f"    [{c.key}] {c.column}: {c.old or '(empty)'} -> {c.new or '(empty)'}")
        if len(t.cells) > MAX_CELLS_SHOWN:
            lines.append(f"    ... {len(t.cells) - MAX_CELLS_SHOWN} more")
    return lines


def _table_html(t: TableDiff, heading: bool = True) -> str:
    e = html.escape
    out = []
    if heading:
        out.append(f'<section class="{e(t.status)}"><h3>{e(t.name)} <span class="status">{e(t.status)}</span></h3>')
    if t.status == "changed":
        if t.key:
            out.append(f"<p>key: {e(', '.join(t.key))}</p>")
        for label, items in (
            ("columns added", t.columns_added),
            ("columns removed", t.columns_removed),
            ("rows added", t.rows_added),
            ("rows removed", t.rows_removed),
        ):
            if items:
                out.append(f"<p>{label} ({len(items)}):</p><ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
        if t.cells:
            out.append(
                f"<p>cells changed ({len(t.cells)}):</p><table><thead><tr><th>row</th><th>column</th>"
                "<th>A</th><th>B</th></tr></thead><tbody>"
            )
            for c in t.cells[:MAX_CELLS_SHOWN]:
                out.append(
                    f'<tr><td>{e(c.key)}</td><td>{e(c.column)}</td><td class="old">{e(c.old)}</td>'
                    f'<td class="new">{e(c.new)}</td></tr>'
                )
            out.append("</tbody></table>")
            if len(t.cells) > MAX_CELLS_SHOWN:
                out.append(f"<p>... {len(t.cells) - MAX_CELLS_SHOWN} more</p>")
    if heading:
        out.append("</section>")
    return "\n".join(out)


# --------------------------------------------------------------------------- values
def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) or math.isinf(value) else None


def _equal(old: str, new: str, tolerance: float) -> bool:
    if old == new:
        return True
    a, b = _number(old), _number(new)
    if a is None or b is None:
        return False
    return a == b or abs(a - b) <= tolerance


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputValidationError(f"{path}: not a readable CSV table ({exc})") from None  # type: ignore[arg-type]
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _is_text_column(values: pd.Series) -> bool:
    return any(v != "" and _number(v) is None for v in values)


def table_key(a: pd.DataFrame, b: pd.DataFrame, key: Sequence[str] | None = None) -> tuple[str, ...]:
    """Columns that identify a row in both tables.

    The given ``key`` columns when present in both; otherwise the shortest leading run of the
    text columns (columns holding a non-number) shared by both tables that is unique in each.
    Empty when none is unique (rows are then matched by position).

    Examples
    --------
    >>> a = pd.DataFrame({"pilot": ["a", "a", "b"], "class": ["x", "y", "x"], "n": ["1", "2", "3"]})
    >>> table_key(a, a)
    ('pilot', 'class')
    """
    shared = [c for c in a.columns if c in b.columns]
    if key:
        use = tuple(c for c in key if c in shared)
        if use and not a.duplicated(list(use)).any() and not b.duplicated(list(use)).any():
            return use
    text = [c for c in shared if _is_text_column(a[c]) or _is_text_column(b[c])]
    for n in range(1, len(text) + 1):
        cols = text[:n]
        if not a.duplicated(cols).any() and not b.duplicated(cols).any():
            return tuple(cols)
    return ()


def _keys(frame: pd.DataFrame, key: tuple[str, ...]) -> list[str]:
    if not key:
        return [f"row {i + 1}" for i in range(len(frame))]
    return [" | ".join(str(v) for v in row) for row in frame[list(key)].itertuples(index=False, name=None)]


def diff_tables(
    name: str,
    a: pd.DataFrame | None,
    b: pd.DataFrame | None,
    *,
    tolerance: float = 0.0,
    key: Sequence[str] | None = None,
) -> TableDiff:
    """Compare two versions of a table as values (text cells; numbers within ``tolerance``).

    Parameters
    ----------
    name
        Table name (reported).
    a, b
        The old and the new table (cells as text), or ``None`` when absent in that build.
    tolerance
        Largest absolute difference between two numbers counted as equal.
    key
        Columns identifying a row (default: found by :func:`table_key`).

    Examples
    --------
    >>> a = pd.DataFrame({"pilot": ["a", "b"], "n": ["10", "20"]})
    >>> b = pd.DataFrame({"pilot": ["a", "c"], "n": ["10.0", "25"]})
    >>> d = diff_tables("t", a, b)
    >>> d.status, d.rows_added, d.rows_removed, d.cells
    ('changed', ['c'], ['b'], [])
    """
    if tolerance < 0:
        raise ConfigError(f"tolerance must be zero or positive, got {tolerance!r}")
    if a is None and b is None:
        raise ConfigError(f"table {name!r} is in neither build")
    if a is None:
        return TableDiff(name, "added", shape=(None, (int(b.shape[0]), int(b.shape[1]))))  # type: ignore[union-attr]
    if b is None:
        return TableDiff(name, "removed", shape=((int(a.shape[0]), int(a.shape[1])), None))
    shape = ((int(a.shape[0]), int(a.shape[1])), (int(b.shape[0]), int(b.shape[1])))
    k = table_key(a, b, key)
    ka, kb = _keys(a, k), _keys(b, k)
    pos_a, pos_b = dict(zip(ka, range(len(ka)))), dict(zip(kb, range(len(kb))))
    added = [x for x in kb if x not in pos_a]
    removed = [x for x in ka if x not in pos_b]
    cols_added = [c for c in b.columns if c not in a.columns]
    cols_removed = [c for c in a.columns if c not in b.columns]
    shared = [c for c in a.columns if c in b.columns and c not in k]
    cells: list[CellChange] = []
    for x in ka:
        if x not in pos_b:
            continue
        ra, rb = a.iloc[pos_a[x]], b.iloc[pos_b[x]]
        for c in shared:
            old, new = str(ra[c]), str(rb[c])
            if not _equal(old, new, tolerance):
                cells.append(CellChange(x, str(c), old, new))
    changed = bool(added or removed or cols_added or cols_removed or cells)
    return TableDiff(name, "changed" if changed else "same", k, added, removed, cols_added, cols_removed, cells, shape)


# --------------------------------------------------------------------------- builds
def _check_build(path: Path) -> Path:
    path = Path(path)
    if not path.is_dir():
        raise ConfigError(f"{path}: not a build folder (no such directory)")
    if not (path / "tables").is_dir() and not (path / "figures").is_dir() and not (path / "manifest.json").is_file():
        raise ConfigError(f"{path}: not a build folder (no tables/, figures/ or manifest.json)")
    return path


def _manifest_names(path: Path, what: str) -> set[str]:
    file = path / "manifest.json"
    if not file.is_file():
        return set()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputValidationError(f"{file}: not valid JSON ({exc.msg}, line {exc.lineno})") from None  # type: ignore[arg-type]
    return {str(e["name"]) for e in data.get(what, []) if isinstance(e, dict) and "name" in e}


def _table_files(path: Path) -> dict[str, Path]:
    folder = path / "tables"
    found = {p.stem: p for p in sorted(folder.glob("*.csv"))} if folder.is_dir() else {}
    for name in _manifest_names(path, "tables"):
        found.setdefault(name, folder / f"{name}.csv")
    return found


def _figure_files(path: Path) -> dict[str, dict[str, Path]]:
    folder = path / "figures"
    out: dict[str, dict[str, Path]] = {}
    if folder.is_dir():
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.suffix in (*IMAGE_SUFFIXES, ".csv"):
                out.setdefault(p.stem, {})[p.suffix] = p
    for name in _manifest_names(path, "figures"):
        out.setdefault(name, {})
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _image_hash(files: dict[str, Path]) -> tuple[str, str]:
    for suffix in IMAGE_SUFFIXES:
        if suffix in files and files[suffix].is_file():
            return suffix.lstrip("."), _sha256(files[suffix])
    return "", ""


def diff_builds(
    a: str | Path, b: str | Path, *, tolerance: float = 0.0, keys: dict[str, Sequence[str]] | None = None
) -> BuildDiff:
    """Compare two build folders table by table and figure by figure.

    Parameters
    ----------
    a, b
        The old and the new build folder (``reports/<id>/``).
    tolerance
        Largest absolute difference between two numbers counted as equal.
    keys
        Table name -> key columns, where the automatic key is not the wanted one.

    Returns
    -------
    BuildDiff
        Tables and figures sorted by name.

    Raises
    ------
    ConfigError
        A folder is not a build folder, or the tolerance is negative.
    """
    pa, pb = _check_build(Path(a)), _check_build(Path(b))
    ta, tb = _table_files(pa), _table_files(pb)
    tables = []
    for name in sorted(set(ta) | set(tb)):
        fa = _read(ta[name]) if name in ta and ta[name].is_file() else None
        fb = _read(tb[name]) if name in tb and tb[name].is_file() else None
        if fa is None and fb is None:
            continue
        tables.append(diff_tables(name, fa, fb, tolerance=tolerance, key=(keys or {}).get(name)))
    ga, gb = _figure_files(pa), _figure_files(pb)
    figures = []
    for name in sorted(set(ga) | set(gb)):
        xa, xb = ga.get(name), gb.get(name)
        if xa is None or xb is None:
            present = xa if xa is not None else xb
            by, digest = _image_hash(present or {})
            figures.append(
                FigureDiff(
                    name,
                    "added" if xa is None else "removed",
                    "presence",
                    digest if xa is not None else "",
                    digest if xa is None else "",
                )
            )
            continue
        if ".csv" in xa and ".csv" in xb:
            data = diff_tables(
                name, _read(xa[".csv"]), _read(xb[".csv"]), tolerance=tolerance, key=(keys or {}).get(name)
            )
            figures.append(FigureDiff(name, data.status, "data file", data=data))
            continue
        by_a, ha = _image_hash(xa)
        by_b, hb = _image_hash(xb)
        if by_a != by_b:  # different kinds of image: compare what both have
            common = [s for s in IMAGE_SUFFIXES if s in xa and s in xb]
            by_a = by_b = common[0].lstrip(".") if common else ""
            ha = _sha256(xa[common[0]]) if common else ""
            hb = _sha256(xb[common[0]]) if common else ""
        figures.append(
            FigureDiff(
                name, "same" if ha == hb else "changed", f"{by_a} image hash" if by_a else "nothing to compare", ha, hb
            )
        )
    return BuildDiff(pa, pb, tables, figures, float(tolerance))
