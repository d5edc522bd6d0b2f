"""Tests for lvv_eval.reporting.writer: deterministic tables, figures and manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lvv_eval.reporting.writer import KINDS, ReportWriter, read_manifest, show_table, table_to_csv


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pilot": ["amsterdam", "eindhoven", "utrecht"],
            "label": ["Terugkeer", "Verblijfsvergunning", "Één"],
            "share": [1 / 3, -0.0, None],
            "count": pd.array([1, None, 3], dtype="Int64"),
        }
    )


def test_table_csv_is_rounded_with_unix_line_ends():
    text = table_to_csv(_frame())
    assert text == (
        "pilot,label,share,count\namsterdam,Terugkeer,0.333333,1\neindhoven,Verblijfsvergunning,0.0,\nutrecht,Één,,3\n"
    )


def test_named_index_is_written_as_a_column():
    frame = pd.DataFrame({"n": [2, 5]}, index=pd.Index(["a", "b"], name="pilot"))
    assert table_to_csv(frame) == "pilot,n\na,2\nb,5\n"


def _write_all(folder: Path) -> dict[str, str]:
    from lvv_eval.disclosure.gate import Gate

    writer = ReportWriter(folder, notebook="demo", language="en")
    gate = Gate(1, kind="synthetic")
    checked = gate.check("shares", _frame(), counts=["count"], caption="Shares")
    writer.table("shares", checked, kind="synthetic", caption="Shares")

    def draw(_: pd.DataFrame):
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.bar(["a", "b"], [0.25, 0.75])
        ax.set_title("Outflow (share of intake)")
        return fig

    figure = gate.figure("shares", checked, draw)
    writer.figure("shares", figure, title="Shares", kind="synthetic")
    plt.close(figure.figure)
    writer.note("Synthetic data.")
    writer.finish()
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_inputs_give_byte_identical_files(tmp_path):
    first = _write_all(tmp_path / "one")
    second = _write_all(tmp_path / "two")
    assert sorted(first) == ["figures/shares.png", "figures/shares.svg", "manifest.json", "tables/shares.csv"]
    assert first == second


def test_files_carry_no_date_or_software_stamp(tmp_path):
    _write_all(tmp_path)
    svg = (tmp_path / "figures" / "shares.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert b"Software" not in (tmp_path / "figures" / "shares.png").read_bytes()
    raw = (tmp_path / "tables" / "shares.csv").read_bytes()
    assert b"\r\n" not in raw and "Één".encode() in raw


def test_manifest_lists_kinds_for_the_index(tmp_path):
    _write_all(tmp_path)
    manifest = read_manifest(tmp_path)
    assert manifest["notebook"] == "demo" and manifest["language"] == "en"
    assert [(t["name"], t["kind"], t["shape"]) for t in manifest["tables"]] == [("shares", "synthetic", [3, 4])]
    assert manifest["figures"][0]["files"] == ["figures/shares.png", "figures/shares.svg"]
    assert manifest["notes"] == ["Synthetic data."]
    assert manifest["disclosure"]["outputs"]["shares"]["kind"] == "synthetic"
    assert manifest["kinds"]["published"] == "published figure"
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert read_manifest(tmp_path / "nothing") is None


def test_bad_kind_or_name_is_refused(tmp_path):
    writer = ReportWriter(tmp_path, notebook="demo")
    with pytest.raises(ValueError, match="invalid kind 'real'"):
        writer.table("x", _frame(), kind="real")
    with pytest.raises(ValueError, match="invalid name"):
        writer.table("../x", _frame(), kind="derived")
    assert set(KINDS) == {"published", "synthetic", "person-level", "derived"}


def test_show_table_has_caption_and_no_memory_address():
    shown = show_table(_frame(), "Outflow by pilot", kind="derived")
    assert repr(shown).startswith("Outflow by pilot\n")
    assert "<figcaption><strong>Outflow by pilot</strong></figcaption>" in shown._repr_html_()
    assert "0x" not in repr(shown) and "0x" not in shown._repr_html_()
