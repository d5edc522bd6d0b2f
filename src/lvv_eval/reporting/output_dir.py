"""Output folders the report pipeline owns, built in a temporary folder and moved into place.

A run (``lvv-eval run``, ``lvv-eval reports``) writes only into a folder it
owns: one it created itself, recognised by the marker file
:data:`MARKER_NAME`, which lists every file the tool wrote there. The rules:

* a folder that does not exist is created (and then owned);
* an existing empty folder is taken over;
* a non-empty folder without the marker is refused (:class:`UnsafeOutputError`),
  unless it is a report folder written before markers existed (every file
  is a known output of that report, see :func:`legacy_files`);
* an owned folder holding files the tool did not write is refused too, naming them;
* folders holding sources are refused whatever their state: ``notebooks/``,
  ``data/`` (``data/raw/`` included), ``src/``, ``config/``, the notebook's own
  folder, the project root and its parents, and any folder that is or
  contains the folder of an input file.

A build goes to a temporary sibling folder (``.<name>.partial-XXXX``) and is
moved into place by :func:`commit` only when it is complete; an interrupted
build leaves the previous folder as it was. The previous folder's files are
then removed one by one, only those listed in its marker.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from lvv_eval.errors import UnsafeOutputError
from lvv_eval.reporting.writer import MANIFEST_NAME, read_manifest

MARKER_NAME = ".lvv-eval-output"
"""Marker file of a folder written by lvv-eval; JSON listing the files the tool wrote."""
MARKER_TOOL = "lvv-eval"
STAGE_INFIX = ".partial-"
"""Temporary build folders are named ``.<destination name>.partial-XXXX``."""
OLD_INFIX = ".old-"


def output_names(stem: str) -> dict[str, str]:
    """File names of a report's outputs for a file stem.

    Examples
    --------
    >>> output_names("03_final")["html"]
    '03_final.html'
    """
    return {
        "html": f"{stem}.html",
        "notebook": f"{stem}.ipynb",
        "failed_notebook": f"{stem}.failed.ipynb",
        "log": f"{stem}.log",
        "provenance": "provenance.json",
        "manifest": MANIFEST_NAME,
        "release": "release.html",
        "release_record": "release.json",
        "pdf": f"{stem}.pdf",
    }


def is_within(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path`` is ``folder`` or inside it, after resolving symbolic links.

    Examples
    --------
    >>> is_within("/a/b/c", "/a/b"), is_within("/a/bc", "/a/b")
    (True, False)
    """
    resolved, base = Path(path).resolve(), Path(folder).resolve()
    return resolved == base or base in resolved.parents


def protected_folders(root: str | Path, notebook: str | Path | None = None) -> list[tuple[Path, str]]:
    """Folders no run may write into (the folder and everything below it), with the reason.

    Parameters
    ----------
    root
        Project root.
    notebook
        The notebook being run; its folder holds sources too.
    """
    root = Path(root)
    folders = [
        (root / "data" / "raw", "raw exports, which are read-only"),
        (root / "data", "the input data"),
        (root / "notebooks", "the notebooks"),
        (root / "src", "the package sources"),
        (root / "config", "the configuration"),
    ]
    if notebook is not None:
        folders.append((Path(notebook).resolve().parent, "the notebook being run"))
    return folders


def _relative_files(folder: Path) -> list[str]:
    """Every file below ``folder`` (symbolic links counted as files), as sorted POSIX paths."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        base = Path(dirpath)
        for name in filenames + [d for d in dirnames if (base / d).is_symlink()]:
            found.append((base / name).relative_to(folder).as_posix())
    return sorted(found)


def read_marker(folder: str | Path) -> list[str] | None:
    """The files the tool wrote in ``folder`` (from its marker), or ``None`` if it has no valid marker."""
    path = Path(folder) / MARKER_NAME
    if not path.is_file() or path.is_symlink():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != MARKER_TOOL or not isinstance(data.get("files"), list):
        return None
    return [str(f) for f in data["files"]]


def write_marker(folder: str | Path) -> list[str]:
    """Record every file now in ``folder`` as written by the tool; return the list."""
    folder = Path(folder)
    files = [f for f in _relative_files(folder) if f != MARKER_NAME]
    text = json.dumps({"tool": MARKER_TOOL, "files": files}, indent=1) + "\n"
    (folder / MARKER_NAME).write_text(text, encoding="utf-8")
    return files


def legacy_files(folder: str | Path, stem: str) -> list[str] | None:
    """The files of a report folder written before ownership markers, or ``None`` if it is not one.

    Such a folder holds a ``provenance.json`` recording a report, and nothing
    but that report's known outputs (:func:`output_names`) and the tables and
    figures its ``manifest.json`` lists.
    """
    folder = Path(folder)
    try:
        record = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or "report_id" not in record:
        return None
    known = set(output_names(stem).values())
    manifest = read_manifest(folder) or {}
    for entry in manifest.get("tables", []) + manifest.get("figures", []):
        known.update(str(f) for f in entry.get("files", []))
    files = _relative_files(folder)
    return files if all(f in known for f in files) else None


def check_destination(
    dest: str | Path,
    *,
    root: str | Path,
    notebook: str | Path | None = None,
    inputs: Iterable[str | Path] = (),
    stem: str = "",
) -> list[str]:
    """Check that a run may write its outputs to ``dest``; return the files it owns there now.

    Parameters
    ----------
    dest
        Output folder of the run.
    root
        Project root (its source folders are protected).
    notebook
        The notebook being run (its folder is protected).
    inputs
        Input files of the run: ``dest`` must not be their folder nor contain them.
    stem
        Stem of the report's files, to recognise a folder written before markers existed.

    Returns
    -------
    list of str
        Files (relative POSIX paths) the tool wrote there before, which the
        run will replace; empty for a new or empty folder.

    Raises
    ------
    UnsafeOutputError
        Naming the folder and every reason it is refused.
    """
    dest, root = Path(dest), Path(root)
    problems = []
    for folder, why in protected_folders(root, notebook):
        if is_within(dest, folder):
            problems.append(f"it is inside {folder} ({why}); no run writes there")
            break
    if dest.resolve() in (root.resolve(), *root.resolve().parents):
        problems.append("it is the project folder or one of its parents")
    for path in inputs:
        path = Path(path)
        if is_within(path, dest) or (dest.exists() and path.exists() and dest.resolve() == path.resolve().parent):
            problems.append(f"it holds the input {path}")
    owned: list[str] = []
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        problems.append("it is not a folder" if not dest.is_symlink() else "it is a symbolic link")
    elif dest.is_dir() and any(dest.iterdir()):
        recorded = read_marker(dest)
        if recorded is None:
            recorded = legacy_files(dest, stem) if stem else None
            if recorded is None:
                problems.append(
                    f"it is not empty and was not created by lvv-eval (no {MARKER_NAME} file); "
                    "choose a new or empty folder, so that no file of yours is overwritten"
                )
        if recorded is not None:
            foreign = [f for f in _relative_files(dest) if f not in recorded and f != MARKER_NAME]
            if foreign:
                shown = ", ".join(foreign[:10]) + (f" and {len(foreign) - 10} more" if len(foreign) > 10 else "")
                problems.append(
                    f"it holds {len(foreign)} file(s) lvv-eval did not write ({shown}); "
                    "move them elsewhere or choose another folder"
                )
            owned = sorted(recorded)
    if problems:
        raise UnsafeOutputError(f"refusing to write the outputs to {dest}: " + "; ".join(problems))
    return owned


def make_stage(dest: str | Path) -> Path:
    """Create the temporary build folder next to ``dest`` (same file system, so the move is atomic)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{dest.name}{STAGE_INFIX}", dir=dest.parent))


def discard_stage(stage: str | Path) -> None:
    """Remove a temporary build folder (only one made by :func:`make_stage`)."""
    stage = Path(stage)
    if STAGE_INFIX not in stage.name or not stage.name.startswith("."):
        raise UnsafeOutputError(f"not a temporary build folder: {stage}")
    shutil.rmtree(stage, ignore_errors=True)


def _remove_recorded(folder: Path, recorded: Iterable[str]) -> list[str]:
    """Delete the recorded files of ``folder`` and its then-empty folders; return what is left."""
    for name in sorted(recorded):
        target = folder / name
        if target.is_symlink() or target.is_file():
            target.unlink()
    (folder / MARKER_NAME).unlink(missing_ok=True)
    for dirpath, _, _ in sorted(os.walk(folder), key=lambda w: -len(w[0])):
        try:
            Path(dirpath).rmdir()
        except OSError:
            pass
    return _relative_files(folder) if folder.exists() else []


def commit(
    stage: str | Path, dest: str | Path, *, root: str | Path, notebook: str | Path | None = None, stem: str = ""
) -> str:
    """Move a complete build from ``stage`` to ``dest``; return a note (``""`` when all went as planned).

    The marker listing the new files is written first; an existing ``dest``
    is checked again (:func:`check_destination`), moved aside, replaced, and
    only its recorded files are deleted. Files that appeared there meanwhile
    are kept in the moved-aside folder, which the note names.
    """
    stage, dest = Path(stage), Path(dest)
    write_marker(stage)
    if not dest.exists():
        os.replace(stage, dest)
        return ""
    recorded = check_destination(dest, root=root, notebook=notebook, stem=stem)
    aside = Path(tempfile.mkdtemp(prefix=f".{dest.name}{OLD_INFIX}", dir=dest.parent))
    aside.rmdir()
    os.replace(dest, aside)
    try:
        os.replace(stage, dest)
    except BaseException:
        if not dest.exists():  # interrupted between the two moves: put the previous folder back
            os.replace(aside, dest)
        raise
    left = _remove_recorded(aside, recorded)
    if left:
        return f"kept {len(left)} file(s) lvv-eval did not write in {aside}"
    return ""


__all__ = [
    "MARKER_NAME",
    "check_destination",
    "commit",
    "discard_stage",
    "is_within",
    "legacy_files",
    "make_stage",
    "output_names",
    "protected_folders",
    "read_marker",
    "write_marker",
]
