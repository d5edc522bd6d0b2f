"""Keeping committed notebooks clean.

Rule: a committed ``.ipynb`` keeps outputs only in code cells whose source
contains :data:`CHECK_MARKER`. Those cells keep their outputs *and* their
``execution_count`` (nbval never compares cells whose count is ``None``), and
are what ``pytest --nbval-lax`` checks. Every other code cell has
``outputs == []`` and ``execution_count is None``. Notebook metadata is reduced
to a ``python3`` kernelspec and a minimal ``language_info``; papermill and
widget metadata, papermill's injected-parameters and error-banner cells are
removed.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat

from lvv_eval.errors import LvvEvalError
from lvv_eval.paths import NOTEBOOKS_DIR, PROJECT_ROOT

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
"""Marker in a cell's source: keep (and let nbval check) this cell's outputs."""

KERNELSPEC: dict[str, str] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO: dict[str, str] = {"name": "python", "pygments_lexer": "ipython3"}
KEPT_NOTEBOOK_METADATA: tuple[str, ...] = ("kernelspec", "language_info", "title", "authors", "jupytext")
DROPPED_CELL_METADATA: tuple[str, ...] = (
    "papermill",
    "execution",
    "collapsed",
    "scrolled",
    "ExecuteTime",
    "widgets",
    "pycharm",
    "vscode",
)
REMOVED_CELL_TAGS: tuple[str, ...] = ("injected-parameters", "papermill-error-cell-tag")


class NotebookExecutionError(LvvEvalError):
    """A notebook failed while being refreshed."""


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def is_checked(cell: Any) -> bool:
    """True for a code cell whose outputs are kept and compared by nbval."""
    return cell.get("cell_type") == "code" and CHECK_MARKER in _source(cell)


def default_notebooks(root: str | Path | None = None) -> list[Path]:
    """Return the committed notebooks (``notebooks/*.ipynb``), sorted."""
    folder = Path(root) / "notebooks" if root is not None else NOTEBOOKS_DIR
    return sorted(folder.glob("*.ipynb"))


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a cleaned copy of a notebook (see module docstring); the input is unchanged."""
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, max(int(nb.get("nbformat_minor", 5)), 5)
    meta = {k: v for k, v in nb.metadata.items() if k in KEPT_NOTEBOOK_METADATA}
    meta["kernelspec"] = dict(KERNELSPEC)
    meta["language_info"] = dict(LANGUAGE_INFO)
    nb.metadata = nbformat.from_dict(meta)
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if any(t in REMOVED_CELL_TAGS for t in tags):
            continue
        for key in DROPPED_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code" and not is_checked(cell):
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "code":
            for out in cell.outputs:
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = cell.execution_count
        cells.append(cell)
    used = set()
    for i, cell in enumerate(cells):
        if not cell.get("id") or cell["id"] in used:
            cell["id"] = f"cell-{i:03d}"
        used.add(cell["id"])
    nb.cells = cells
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    """Serialise a notebook the way it is committed (nbformat layout, final newline)."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def read(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook without converting or validating it."""
    with open(path, encoding="utf-8") as handle:
        return nbformat.read(handle, as_version=4)


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def notebook_problems(path: str | Path) -> list[str]:
    """List why a committed notebook is not clean (empty list = clean)."""
    path = Path(path)
    raw = path.read_text(encoding="utf-8")
    nb = read(path)
    problems: list[str] = []
    code_index = -1
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code_index += 1
        if is_checked(cell):
            if cell.execution_count is None:
                problems.append(
                    f"code cell {code_index}: has {CHECK_MARKER} but no execution_count "
                    "(nbval would skip it; run `lvv-eval notebooks refresh`)"
                )
            continue
        if cell.outputs:
            problems.append(f"code cell {code_index}: has outputs")
        if cell.execution_count is not None:
            problems.append(f"code cell {code_index}: has execution_count {cell.execution_count}")
    extra_meta = sorted(set(nb.metadata) - set(KEPT_NOTEBOOK_METADATA))
    if extra_meta:
        problems.append(f"notebook metadata: unexpected keys {', '.join(extra_meta)}")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("notebook metadata: kernelspec is not python3")
    if not problems and dumps(clean_notebook(nb)) != raw:
        problems.append("layout or metadata differs from the normalised form (run `lvv-eval notebooks strip`)")
    return problems


def strip(paths: Iterable[str | Path]) -> list[Path]:
    """Clean notebooks in place; return the ones that changed."""
    changed = []
    for path in map(Path, paths):
        raw = path.read_text(encoding="utf-8")
        text = dumps(clean_notebook(read(path)))
        if text != raw:
            _write(path, text)
            changed.append(path)
    return changed


def check(paths: Iterable[str | Path]) -> dict[Path, list[str]]:
    """Return the dirty notebooks with their problems (empty dict = all clean)."""
    result = {}
    for path in map(Path, paths):
        problems = notebook_problems(path)
        if problems:
            result[path] = problems
    return result


def _text_outputs(cell: Any) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            texts.append(f"{out.get('name')}: {_joined(out.get('text', ''))}")
        elif out.get("output_type") in ("execute_result", "display_data"):
            texts.append(_joined(out.get("data", {}).get("text/plain", "")))
        elif out.get("output_type") == "error":
            texts.append(f"error: {out.get('ename')}: {out.get('evalue')}")
    return texts


def _joined(text: Any) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def checked_output_differences(committed: nbformat.NotebookNode, executed: nbformat.NotebookNode) -> list[str]:
    """Checked cells whose fresh text output differs from the committed one (what nbval compares).

    Parameters
    ----------
    committed
        The notebook as committed, with the stored outputs of its ``# NBVAL_CHECK_OUTPUT`` cells.
    executed
        The same notebook executed with its default parameters (papermill injects no cell then,
        but may add one; cells are matched by source).

    Returns
    -------
    list of str
        One line per checked cell that is missing from the executed notebook or whose text
        outputs (streams and ``text/plain``) differ; empty when all agree.
    """
    fresh = {_source(c): c for c in executed.cells if c.get("cell_type") == "code"}
    problems = []
    for i, cell in enumerate(c for c in committed.cells if is_checked(c)):
        source = _source(cell)
        first_line = source.strip().splitlines()[0] if source.strip() else ""
        if source not in fresh:
            problems.append(f"checked cell {i + 1} ({first_line}) not found in the executed notebook")
        elif _text_outputs(cell) != _text_outputs(fresh[source]):
            problems.append(
                f"checked cell {i + 1} ({first_line}): stored {_text_outputs(cell)!r}, "
                f"now {_text_outputs(fresh[source])!r}"
            )
    return problems


def cell_error(nb: nbformat.NotebookNode) -> dict[str, Any] | None:
    """Return the first error output of an executed notebook (code cell index, count, ename, evalue)."""
    code_index = -1
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code_index += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return {
                    "code_cell": code_index,
                    "execution_count": cell.get("execution_count"),
                    "ename": out.get("ename"),
                    "evalue": out.get("evalue"),
                }
    return None


def refresh(paths: Iterable[str | Path], *, root: str | Path = PROJECT_ROOT, timeout: int = 600) -> list[Path]:
    """Execute notebooks with their default parameters and store the checked cells' outputs.

    Each notebook runs with papermill (kernel ``python3``, working directory
    ``root``); when it declares ``output_dir``, its tables and figures go to
    a temporary folder, not ``reports/``. Only cells carrying
    :data:`CHECK_MARKER` keep their new outputs; the rest is stripped.

    Raises
    ------
    NotebookExecutionError
        A notebook failed; it names the notebook and cell. The file is left unchanged.
    """
    import papermill as pm

    from lvv_eval.reporting.parameters import NOTEBOOK_PATH_ENV, parameters_from_notebook

    refreshed = []
    for path in map(Path, paths):
        original = read(path)
        with tempfile.TemporaryDirectory(prefix="lvv-refresh-") as tmp:
            params = {}
            try:
                if "output_dir" in parameters_from_notebook(path):
                    params["output_dir"] = str(Path(tmp) / "out")
            except LvvEvalError:
                pass
            old_env = os.environ.get(NOTEBOOK_PATH_ENV)
            os.environ[NOTEBOOK_PATH_ENV] = str(path.resolve())
            try:
                executed = pm.execute_notebook(
                    str(path),
                    str(Path(tmp) / path.name),
                    parameters=params or None,
                    kernel_name="python3",
                    cwd=str(root),
                    progress_bar=False,
                    execution_timeout=timeout,
                )
            except pm.PapermillExecutionError as exc:
                raise NotebookExecutionError(
                    f"{path}: cell In [{exc.exec_count}] failed: {exc.ename}: {exc.evalue}"
                ) from None
            except Exception as exc:  # noqa: BLE001 - kernel death, timeout: report and stop
                raise NotebookExecutionError(f"{path}: execution failed: {type(exc).__name__}: {exc}") from None
            finally:
                if old_env is None:
                    os.environ.pop(NOTEBOOK_PATH_ENV, None)
                else:
                    os.environ[NOTEBOOK_PATH_ENV] = old_env
        by_id = {c.get("id"): c for c in executed.cells if c.cell_type == "code"}
        for cell in original.cells:
            if not is_checked(cell):
                continue
            done = by_id.get(cell.get("id"))
            if done is None or done.execution_count is None:
                raise NotebookExecutionError(f"{path}: checked cell {cell.get('id')!r} was not executed")
            cell.outputs = copy.deepcopy(done.outputs)
            cell.execution_count = done.execution_count
        _write(path, dumps(clean_notebook(original)))
        refreshed.append(path)
    return refreshed


__all__ = [
    "CHECK_MARKER",
    "NotebookExecutionError",
    "check",
    "clean_notebook",
    "default_notebooks",
    "notebook_problems",
    "refresh",
    "strip",
    "cell_error",
    "dumps",
    "read",
]
