"""Tests of lvv_eval.reporting.diff and ``lvv-eval diff`` on small build folders made here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lvv_eval.cli import main
from lvv_eval.errors import ConfigError
from lvv_eval.reporting.diff import diff_builds, diff_tables, table_key


def _build(root: Path, tables: dict[str, str], figures: dict[str, bytes | str], manifest: bool = True) -> Path:
    (root / "tables").mkdir(parents=True)
    (root / "figures").mkdir()
    for name, text in tables.items():
        (root / "tables" / f"{name}.csv").write_text(text, encoding="utf-8")
    for name, content in figures.items():
        path = root / "figures" / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    if manifest:
        (root / "manifest.json").write_text(
            json.dumps(
                {
                    "tables": [{"name": n} for n in tables],
                    "figures": [{"name": Path(n).stem} for n in figures if not n.endswith(".csv")],
                }
            ),
            encoding="utf-8",
        )
    return root


FLOW_A = "pilot,measure,value,share\namsterdam,intake,363,0.5\ngroningen,intake,302,0.25\ntotal,intake,665,0.75\n"
FLOW_B = "pilot,measure,value,share\namsterdam,intake,364,0.5000001\ntotal,intake,666,0.75\nutrecht,intake,268,0.1\n"


@pytest.fixture
def builds(tmp_path: Path) -> tuple[Path, Path]:
    a = _build(
        tmp_path / "a",
        {"flow": FLOW_A, "same": "k,v\nx,1\n", "gone": "k,v\nx,1\n"},
        {
            "bars.png": b"\x89PNG one",
            "bars.svg": "<svg/>",
            "curve.png": b"\x89PNG c",
            "curve.csv": "t,y\n0,0.1\n1,0.2\n",
            "old.png": b"\x89PNG old",
        },
    )
    b = _build(
        tmp_path / "b",
        {"flow": FLOW_B, "same": "k,v\nx,1.0\n", "new": "k,v\ny,2\n"},
        {
            "bars.png": b"\x89PNG two",
            "bars.svg": "<svg/>",
            "curve.png": b"\x89PNG other bytes",
            "curve.csv": "t,y\n0,0.1\n1,0.2\n",
            "fresh.png": b"\x89PNG new",
        },
    )
    return a, b


def test_tables_are_compared_by_value_and_key(builds):
    result = diff_builds(*builds)
    by = {t.name: t for t in result.tables}
    assert {n: t.status for n, t in by.items()} == {
        "flow": "changed",
        "gone": "removed",
        "new": "added",
        "same": "same",
    }  # 1 and 1.0 are the same value
    flow = by["flow"]
    assert flow.key == ("pilot",)
    assert flow.rows_added == ["utrecht"] and flow.rows_removed == ["groningen"]
    assert [(c.key, c.column, c.old, c.new) for c in flow.cells] == [
        ("amsterdam", "value", "363", "364"),
        ("amsterdam", "share", "0.5", "0.5000001"),
        ("total", "value", "665", "666"),
    ]
    assert not result.identical


def test_tolerance_hides_small_numeric_changes(builds):
    flow = {t.name: t for t in diff_builds(*builds, tolerance=1e-6).tables}["flow"]
    assert [(c.key, c.column) for c in flow.cells] == [("amsterdam", "value"), ("total", "value")]
    flow = {t.name: t for t in diff_builds(*builds, tolerance=1).tables}["flow"]
    assert flow.cells == [] and flow.status == "changed"  # rows added and removed remain
    with pytest.raises(ConfigError, match="tolerance"):
        diff_builds(*builds, tolerance=-1)


def test_figures_by_data_file_else_image_hash(builds):
    figs = {f.name: f for f in diff_builds(*builds).figures}
    assert {n: (f.status, f.compared_by) for n, f in figs.items()} == {
        "bars": ("changed", "png image hash"),
        "curve": ("same", "data file"),  # same data, other bytes
        "fresh": ("added", "presence"),
        "old": ("removed", "presence"),
    }
    assert figs["bars"].old_hash != figs["bars"].new_hash


def test_identical_builds(tmp_path):
    a = _build(tmp_path / "a", {"t": FLOW_A}, {"f.png": b"x"})
    b = _build(tmp_path / "b", {"t": FLOW_A}, {"f.png": b"x"})
    result = diff_builds(a, b)
    assert result.identical
    assert "no differences" in result.to_text()


def test_key_by_position_when_no_text_key_is_unique():
    a = table_key(*(2 * [__import__("pandas").DataFrame({"n": ["1", "1"]})]))
    assert a == ()
    import pandas as pd

    d = diff_tables("t", pd.DataFrame({"n": ["1", "2"]}), pd.DataFrame({"n": ["1", "3"]}))
    assert [(c.key, c.old, c.new) for c in d.cells] == [("row 2", "2", "3")]


def test_cli_text_html_and_exit_status(builds, tmp_path, capsys):
    page = tmp_path / "out" / "diff.html"
    assert main(["diff", str(builds[0]), str(builds[1]), "--html", str(page)]) == 1
    out = capsys.readouterr().out
    assert "table flow: changed" in out and "[amsterdam] value: 363 -> 364" in out
    assert "figure fresh: added" in out and "figure curve" not in out
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text and "http" not in text
    assert '<td class="old">363</td>' in text and '<td class="new">364</td>' in text
    assert main(["diff", str(builds[0]), str(builds[0])]) == 0
    assert "no differences" in capsys.readouterr().out
    assert main(["diff", str(builds[0]), str(tmp_path / "missing")]) == 2
    assert "not a build folder" in capsys.readouterr().err
    assert main(["diff", str(builds[0]), str(builds[1]), "--key", "flow=pilot", "--tolerance", "5"]) == 1
    assert "key: pilot\n" in capsys.readouterr().out


@pytest.mark.notebooks
def test_two_real_builds_with_different_peildatum(tmp_path, capsys):
    from lvv_eval.reporting.build import run_one

    a = run_one("01_plan_process", {"peildatum": "2019-12-31"}, tmp_path / "a")
    b = run_one("01_plan_process", {"peildatum": "2020-06-30"}, tmp_path / "b")
    assert a.ok and b.ok, (a.describe_error(), b.describe_error())
    result = diff_builds(tmp_path / "a", tmp_path / "b")
    assert not result.identical
    changed = [t for t in result.tables if t.status == "changed"]
    assert changed and any(t.cells for t in changed)
    assert any(t.status == "same" for t in result.tables)  # published-only tables do not depend on the date
    assert main(["diff", str(tmp_path / "a"), str(tmp_path / "b"), "--html", str(tmp_path / "d.html")]) == 1
    assert "changed" in capsys.readouterr().out
    assert main(["diff", str(tmp_path / "a"), str(tmp_path / "a")]) == 0
