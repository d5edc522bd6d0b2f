"""The one guard every command applies to a file it writes: never onto an input, never into ``data/raw/``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from lvv_eval.errors import UnsafeOutputError
from lvv_eval.paths import RAW_DIR
from lvv_eval.reporting.output_dir import is_within


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths are one file (same device and inode: hard links and symbolic links included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output_file(
    out: str | Path, inputs: Iterable[str | Path | None], *, option: str, raw_dir: str | Path = RAW_DIR
) -> Path:
    """Refuse to write ``out`` when it is an input or lies in the raw-data folder; return it.

    Parameters
    ----------
    out
        File the command is about to write.
    inputs
        The command's input files (``None`` entries are skipped). ``out`` must
        not be any of them, under another name either: a hard link or a
        symbolic link to an input is the input (compared by device and inode).
    option
        The command-line option naming ``out``, for the message.
    raw_dir
        Folder of real exports (``data/raw/``), read-only for every command.

    Raises
    ------
    UnsafeOutputError
        Naming the option, the file and every reason.

    Examples
    --------
    >>> check_output_file("/tmp/table.csv", [None], option="--out", raw_dir="/nonexistent")
    PosixPath('/tmp/table.csv')
    """
    out = Path(out)
    problems = []
    for path in inputs:
        if path is None:
            continue
        path = Path(path)
        if _same_file(out, path):
            how = "" if out.resolve() == path.resolve() and not out.is_symlink() else " (through a link)"
            problems.append(f"it is the input {path}{how}; inputs are never overwritten")
    if out.is_symlink() or out.exists():
        target = out.resolve()
    else:
        target = out.parent.resolve() / out.name
    if is_within(target, raw_dir):
        problems.append(f"it is inside {raw_dir}, the folder of raw exports, which no command writes into")
    if out.is_dir():
        problems.append("it is a folder")
    if problems:
        raise UnsafeOutputError(f"{option} {out}: refusing to write: " + "; ".join(problems))
    return out


__all__ = ["check_output_file"]
