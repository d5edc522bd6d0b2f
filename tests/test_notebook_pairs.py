"""Committed notebooks: each paired with its py:percent text file, outputs only in checked cells."""

from __future__ import annotations

import tomllib
from pathlib import Path

import jupytext
import pytest

from lvv_eval.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from lvv_eval.reporting import notebook_hygiene

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def as_percent_script(notebook: Path) -> str:
    """The py:percent text jupytext writes for ``notebook`` under the project's jupytext.toml."""
    config = tomllib.loads((PROJECT_ROOT / "jupytext.toml").read_text(encoding="utf-8"))
    nb = jupytext.read(notebook)
    nb.metadata["jupytext"] = {key: config[key] for key in ("notebook_metadata_filter", "cell_metadata_filter")}
    return jupytext.writes(nb, fmt="py:percent")


def test_there_are_notebooks_and_each_has_its_text_file() -> None:
    assert len(NOTEBOOKS) == 4
    scripts = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.py"))
    assert scripts == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_pair_is_in_step(notebook: Path) -> None:
    script = notebook.with_suffix(".py").read_text(encoding="utf-8")
    assert as_percent_script(notebook) == script, (
        f"{notebook.name} and {notebook.with_suffix('.py').name} differ: run `make sync`"
    )


def test_committed_notebooks_carry_outputs_only_in_checked_cells() -> None:
    assert notebook_hygiene.check(NOTEBOOKS) == {}
