"""A researcher's own export runs through a notebook: Dutch Excel file with errors.

The README promises that `lvv-eval run NOTEBOOK -p data_source <export>` works
on a real export. This test makes such an export from the synthetic data - an
.xlsx with Dutch headers, Dutch labels, ja/nee and date cells - with two broken
rows, runs notebook 01 on it, and checks that the broken rows are excluded with
their reasons (never silently), that the provenance names the file's SHA-256,
and that the report is not marked synthetic.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE, NOTEBOOKS_DIR
from lvv_eval.reference.monitor_format import DUTCH_ALIASES
from lvv_eval.reference.taxonomy import exit_reasons
from lvv_eval.reporting.build import run_one
from lvv_eval.sources.monitor import read_monitor

pytestmark = pytest.mark.notebooks


def _dutch_export(path: Path) -> int:
    frame = read_monitor(DEFAULT_SYNTHETIC_FILE).frame
    raw = frame.astype(object).where(frame.notna(), None)
    labels = dict(zip(exit_reasons()["code"], exit_reasons()["label_nl"]))
    raw["exit_reason"] = [labels.get(c) if c else None for c in raw["exit_reason"]]
    raw["pilot"] = [str(p).capitalize() for p in raw["pilot"]]
    for column in ("formal_status", "family", "safe_country", "mrt"):
        raw[column] = [None if v is None else ("ja" if v else "nee") for v in raw[column]]
    for column in ("intake_date", "exit_date", "scenario_date"):
        raw[column] = [None if v is None else pd.Timestamp(v).to_pydatetime() for v in raw[column]]
    raw.loc[3, "pilot"] = "Maastricht"  # not a pilot
    raw.loc[7, "exit_date"] = pd.Timestamp("2019-01-01").to_pydatetime()  # exit before intake
    raw.loc[7, "exit_reason"] = "overig"
    raw = raw.rename(columns={v: k for k, v in DUTCH_ALIASES.items()})
    raw.to_excel(path, index=False, engine="openpyxl")
    return len(raw)


def test_notebook_runs_on_a_dutch_excel_export_with_errors(tmp_path: Path) -> None:
    export = tmp_path / "export_gemeente.xlsx"
    n_rows = _dutch_export(export)
    result = run_one(NOTEBOOKS_DIR / "01_plan_process.ipynb", {"data_source": str(export)}, tmp_path / "out")
    assert result.ok, result.describe_error()  # ran to the end and passed the output scan
    out = Path(result.output_dir)

    # every row accounted for: the data owner's reading (not released) excludes the 2 broken rows
    own = read_monitor(export, strict=False).flow.set_index("step")["rows"]
    assert own["rows read"] == n_rows and own["rows excluded"] == 2 and own["rows analysed"] == n_rows - 2
    # the released report: 2 excluded is a small count, and rows read - rows analysed would give it back
    flow = pd.read_csv(out / "tables" / "validation_flow.csv").set_index("step")["rows"]
    assert flow["rows read"] == n_rows
    assert flow[["rows excluded", "rows analysed"]].isna().all()

    provenance = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(export.read_bytes()).hexdigest()
    assert any(entry["sha256"] == digest for entry in provenance["inputs"])

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    kinds = {t["kind"] for t in manifest["tables"]}
    assert "person-level" in kinds and "synthetic" not in kinds
