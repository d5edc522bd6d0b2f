"""Every evaluation notebook runs under papermill, with its defaults and with other parameters.

Each notebook runs once with its defaults and once in English with another scheme and peildatum,
into temporary folders. The default run is also compared with the committed notebook's checked
cells (``# NBVAL_CHECK_OUTPUT``, the headline published figures: what nbval compares; ``make nbval``
runs nbval itself), so ``make test`` executes no notebook twice with the same parameters, except
the one deliberate repeat that checks byte-identical outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lvv_eval.paths import NOTEBOOKS_DIR
from lvv_eval.reporting import notebook_hygiene
from lvv_eval.reporting.build import load_config, run_one

pytestmark = pytest.mark.notebooks

VARIANTS: dict[str, dict[str, object]] = {
    "01_plan_process": {"language": "en", "scheme": "monitor-2020", "peildatum": "2020-06-30"},
    "02_interim": {"language": "en", "scheme": "verwey-jonker-2021", "peildatum": "2021-06-30"},
    "03_final": {"language": "en", "scheme": "verwey-jonker-2021", "peildatum": "2021-12-31"},
    "04_designs": {"language": "en", "scheme": "monitor-2020", "peildatum": "2022-07-01"},
}


def test_every_configured_report_has_a_variant_here() -> None:
    configured = {spec.id for spec in load_config().reports}
    assert configured == set(VARIANTS)


def _built(result) -> bool:
    """The notebook ran to the end and its outputs passed the disclosure scan."""
    return bool(result.ok)


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    out: dict[str, tuple[Path, Path]] = {}
    for notebook, variant in VARIANTS.items():
        base = tmp_path_factory.mktemp(notebook)
        default = run_one(NOTEBOOKS_DIR / f"{notebook}.ipynb", {}, base / "default")
        other = run_one(NOTEBOOKS_DIR / f"{notebook}.ipynb", variant, base / "variant")
        assert _built(default), f"{notebook} (defaults): {default.describe_error()}"
        assert _built(other), f"{notebook} {variant}: {other.describe_error()}"
        out[notebook] = (Path(default.output_dir), Path(other.output_dir))
    return out


@pytest.mark.parametrize("notebook", sorted(VARIANTS))
def test_default_run_reproduces_the_checked_cells(runs: dict[str, tuple[Path, Path]], notebook: str) -> None:
    committed = notebook_hygiene.read(NOTEBOOKS_DIR / f"{notebook}.ipynb")
    assert any(notebook_hygiene.is_checked(c) for c in committed.cells), "no checked cell"
    executed = notebook_hygiene.read(runs[notebook][0] / f"{notebook}.ipynb")
    assert notebook_hygiene.checked_output_differences(committed, executed) == []


@pytest.mark.parametrize("notebook", sorted(VARIANTS))
def test_declared_outputs_exist(runs: dict[str, tuple[Path, Path]], notebook: str) -> None:
    for folder in runs[notebook]:
        manifest = _manifest(folder)
        assert manifest["tables"], f"{folder}: no tables"
        assert manifest["figures"], f"{folder}: no figures"
        for entry in manifest["tables"] + manifest["figures"]:
            for path in entry["files"]:
                assert (folder / path).is_file(), f"{folder}: missing {path}"
        assert (folder / "provenance.json").is_file()


@pytest.mark.parametrize("notebook", sorted(VARIANTS))
def test_language_switches_generated_text(runs: dict[str, tuple[Path, Path]], notebook: str) -> None:
    default, variant = (_manifest(folder) for folder in runs[notebook])
    assert default["language"] == "nl" and variant["language"] == "en"
    nl_captions = {t["name"]: t["caption"] for t in default["tables"]}
    en_captions = {t["name"]: t["caption"] for t in variant["tables"]}
    shared = sorted(set(nl_captions) & set(en_captions))
    assert shared
    assert all(nl_captions[n] != en_captions[n] for n in shared if nl_captions[n])


@pytest.mark.parametrize("notebook", sorted(VARIANTS))
def test_tables_respond_to_the_parameters(runs: dict[str, tuple[Path, Path]], notebook: str) -> None:
    default, variant = runs[notebook]
    names = sorted({t["name"] for t in _manifest(default)["tables"] if t["kind"] in ("synthetic", "person-level")})
    assert names, "no person-level tables"
    changed = [
        n
        for n in names
        if (variant / "tables" / f"{n}.csv").is_file()
        and (default / "tables" / f"{n}.csv").read_bytes() != (variant / "tables" / f"{n}.csv").read_bytes()
    ]
    assert changed, "no person-level table changed with another scheme and peildatum"


def test_same_inputs_give_byte_identical_tables_and_figures(runs: dict[str, tuple[Path, Path]], tmp_path: Path) -> None:
    # The one deliberate repeat: 04_designs holds the most numerics (regression, variational Bayes
    # partial pooling), so it runs a second time with the same inputs.
    first = runs["04_designs"][0]
    again = run_one(NOTEBOOKS_DIR / "04_designs.ipynb", {}, tmp_path / "again")
    assert _built(again), again.describe_error()
    second = Path(again.output_dir)
    files = sorted(p.relative_to(first) for p in first.glob("tables/*.csv")) + sorted(
        p.relative_to(first) for p in first.glob("figures/*")
    )
    assert files
    different = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []
