"""Every evaluation notebook runs on valid exports other than the committed synthetic file.

The exports are made here from ``data/synthetic/monitor_synthetic.csv``: a small export (300 rows),
the whole file as Dutch Excel writes it ("CSV (;)": semicolons, Windows-1252, Dutch headers), as
.xlsx, one pilot only, a pilot with no leavers, and a header-only file. Twelve runs in all (every
notebook on the header-only file and on one pilot; 02 on the Dutch CSV and the .xlsx; 03 on the
pilot without leavers; 01 on the small export): each must finish, and where a report cannot compute
something it must say so in its notes instead of failing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE, NOTEBOOKS_DIR
from lvv_eval.reference.monitor_format import DUTCH_ALIASES
from lvv_eval.reporting.build import run_one
from lvv_eval.sources.monitor import read_monitor

pytestmark = pytest.mark.notebooks


def _raw() -> pd.DataFrame:
    return pd.read_csv(DEFAULT_SYNTHETIC_FILE, dtype=str, keep_default_na=False)


def _small(path: Path) -> None:
    _raw().sample(n=300, random_state=11).sort_values("trajectory_id").to_csv(path, index=False)


def _dutch_csv(path: Path) -> None:
    raw = _raw().rename(columns={v: k for k, v in DUTCH_ALIASES.items()})
    raw.to_csv(path, index=False, sep=";", encoding="cp1252")


def _xlsx(path: Path) -> None:
    _raw().to_excel(path, index=False, engine="openpyxl")


def _one_pilot(path: Path) -> None:
    raw = _raw()
    raw.loc[raw["pilot"] == "utrecht"].to_csv(path, index=False)


def _no_leavers(path: Path) -> None:
    raw = _raw()
    eindhoven = raw["pilot"] == "eindhoven"
    repeated = raw["person_id"].duplicated(keep=False)
    raw = raw.loc[~(eindhoven & repeated)].copy()  # an open stay may not overlap another stay
    raw.loc[raw["pilot"] == "eindhoven", ["exit_date", "exit_reason"]] = ""
    raw.to_csv(path, index=False)


def _header_only(path: Path) -> None:
    _raw().iloc[:0].to_csv(path, index=False)


EXPORTS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "small": ("small.csv", _small),
    "dutch_csv": ("export_nl.csv", _dutch_csv),
    "xlsx": ("export.xlsx", _xlsx),
    "one_pilot": ("utrecht.csv", _one_pilot),
    "no_leavers": ("no_leavers.csv", _no_leavers),
    "header_only": ("header_only.csv", _header_only),
}

RUNS: list[tuple[str, str]] = [
    *[(nb, "header_only") for nb in ("01_plan_process", "02_interim", "03_final", "04_designs")],
    *[(nb, "one_pilot") for nb in ("01_plan_process", "02_interim", "03_final", "04_designs")],
    ("02_interim", "dutch_csv"),
    ("02_interim", "xlsx"),
    ("03_final", "no_leavers"),
    ("01_plan_process", "small"),
]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    out = {}
    for key, (name, make) in EXPORTS.items():
        out[key] = folder / name
        make(out[key])
    return out


def test_the_exports_are_valid(exports: dict[str, Path]) -> None:
    for key, path in exports.items():
        data = read_monitor(path, strict=False)
        assert data.exclusions.empty, f"{key}: {data.exclusions.head().to_dict('records')}"
    assert len(read_monitor(exports["header_only"]).frame) == 0
    assert read_monitor(exports["no_leavers"]).frame.query("pilot == 'eindhoven'")["exit_date"].isna().all()


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


FAILS_CLOSED: dict[tuple[str, str], str] = {}
"""Runs that stop with the gate's conflict error instead of building: an open problem each."""

PARAMS = [
    pytest.param(
        n,
        e,
        id=f"{n}-{e}",
        marks=[pytest.mark.xfail(strict=False, reason=FAILS_CLOSED[(n, e)])] if (n, e) in FAILS_CLOSED else [],
    )
    for n, e in RUNS
]


@pytest.mark.parametrize(("notebook", "export"), PARAMS)
def test_notebook_runs_on_the_export(exports: dict[str, Path], tmp_path: Path, notebook: str, export: str) -> None:
    result = run_one(NOTEBOOKS_DIR / f"{notebook}.ipynb", {"data_source": str(exports[export])}, tmp_path / "out")
    assert result.ok, f"{notebook} on {export}: {result.describe_error()}"
    folder = Path(result.output_dir)
    manifest = _manifest(folder)
    tables = {t["name"]: t for t in manifest["tables"]}
    notes = "\n".join(manifest["notes"])
    kinds = {t["kind"] for t in manifest["tables"]}
    assert "person-level" in kinds and "synthetic" not in kinds

    if notebook != "04_designs":  # the source's statements, published figures only
        assert tables["source_claims"]["kind"] == "derived"
        claims = pd.read_csv(folder / "tables" / "source_claims.csv")
        assert len(claims) and {"Bron", "Oordeel"} <= set(claims.columns)

    if export == "header_only":
        assert "geen trajecten" in notes
    if export == "one_pilot":
        if notebook == "04_designs":
            assert "Niet berekend: de vergelijking van pilots heeft nodig: minstens twee pilots" in notes
            assert "partial_pooling" in tables  # the rest of the report is built, the table empty
        else:
            # like with like: Utrecht's counts are never put next to the national totals
            assert "landelijk totaal; de gegevens beslaan alleen utrecht" in notes
            compared = pd.read_csv(folder / "tables" / "published_vs_person.csv")
            assert len(compared) == 0 or set(compared.iloc[:, 0].astype(str)) <= {"utrecht", "Utrecht"}
    if export in ("dutch_csv", "xlsx", "small", "no_leavers"):
        assert "Niet met de gegevens vergeleken" not in notes  # every pilot is in the data
