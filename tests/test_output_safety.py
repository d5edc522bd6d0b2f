"""The report pipeline never loses a file: owned output folders, builds moved into place when complete.

The executor is replaced by a fake (no kernel starts) that writes what a
notebook writes: the executed notebook, a table and ``manifest.json``; the
publishing step writes stand-ins for the HTML and the PDF.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from lvv_eval.cli import main
from lvv_eval.errors import UnsafeOutputError
from lvv_eval.reporting.build import build_all, run_one

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
OK_NB = FIXTURES / "fixture_ok.ipynb"
MARKER = ".lvv-eval-output"


@pytest.fixture(autouse=True)
def _plain_publishing(monkeypatch):
    """Publishing writes a stand-in HTML and PDF: these tests are about folders, not about report content."""
    import lvv_eval.reporting.publish as publish_module

    def fake_publish(folder, stem, *, provenance=None):
        html, pdf = Path(folder) / f"{stem}.html", Path(folder) / f"{stem}.pdf"
        html.write_text("<!DOCTYPE html><html></html>\n", encoding="utf-8")
        pdf.write_bytes(b"%PDF-1.7\n")
        return html, pdf

    monkeypatch.setattr(publish_module, "publish", fake_publish)


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fake_executor(version: str, interrupt_in: str | None = None):
    """A stand-in for papermill.execute_notebook writing a notebook's outputs tagged with ``version``.

    With ``interrupt_in``, a run whose output folder name contains it writes a
    half notebook and a table, then raises KeyboardInterrupt (Ctrl-C).
    """

    def fake(input_path, output_path, parameters=None, **_kwargs):
        out = Path(parameters["output_dir"])
        nb = nbformat.read(input_path, as_version=4)
        nb.metadata["papermill"] = {
            "input_path": str(input_path),
            "output_path": str(output_path),
            "parameters": dict(parameters),
        }
        (out / "tables").mkdir(parents=True, exist_ok=True)
        (out / "tables" / "shares.csv").write_text(f"version\n{version}\n", encoding="utf-8")
        nbformat.write(nb, output_path)
        if interrupt_in is not None and interrupt_in in out.name:
            raise KeyboardInterrupt
        manifest = {
            "tables": [{"name": "shares", "kind": "synthetic", "caption": version, "files": ["tables/shares.csv"]}],
            "figures": [],
            "notes": [],
        }
        (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return fake


def _params() -> dict:
    return {"peildatum": "2020-11-01", "pilots": ["Utrecht"]}


# --------------------------------------------------------------------------- lvv-eval run --out


def test_out_folder_of_the_notebook_is_refused_and_the_notebook_kept(tmp_path, capsys):
    sources = tmp_path / "notebooks"
    sources.mkdir()
    notebook = sources / "fixture_ok.ipynb"
    shutil.copy(OK_NB, notebook)
    before = _snapshot(sources)
    code = main(["run", str(notebook), "--out", str(sources)])
    err = capsys.readouterr().err
    assert code == 2
    assert "refusing to write the outputs" in err and "the notebook being run" in err
    assert _snapshot(sources) == before


def test_project_notebooks_and_raw_folders_are_refused(tmp_path):
    root = tmp_path / "project"
    for folder in ("notebooks", "data/raw"):
        (root / folder).mkdir(parents=True)
    notebook = root / "notebooks" / "fixture_ok.ipynb"
    shutil.copy(OK_NB, notebook)
    for out, why in (
        (root / "notebooks", "the notebooks"),
        (root / "notebooks" / "new", "the notebooks"),
        (root / "data" / "raw" / "run", "raw exports"),
    ):
        with pytest.raises(UnsafeOutputError, match=why):
            run_one(notebook, _params(), out, root=root)
    assert sorted(p.name for p in (root / "notebooks").iterdir()) == ["fixture_ok.ipynb"]
    assert list((root / "data" / "raw").iterdir()) == []


def test_existing_folder_with_the_users_results_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    out = tmp_path / "results"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "my_results.csv").write_text("mine\n1\n", encoding="utf-8")
    code = main(["run", str(OK_NB), "-p", "peildatum", "2020-11-01", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "not created by lvv-eval" in err
    assert _snapshot(out) == {"tables/my_results.csv": b"mine\n1\n"}


def test_a_file_added_to_an_owned_folder_is_never_deleted(tmp_path, monkeypatch):
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    out = tmp_path / "run"
    assert run_one(OK_NB, _params(), out).ok
    assert (out / MARKER).is_file()
    (out / "tables" / "my_results.csv").write_text("mine\n", encoding="utf-8")
    with pytest.raises(UnsafeOutputError, match=r"1 file\(s\) lvv-eval did not write \(tables/my_results.csv\)"):
        run_one(OK_NB, _params(), out)
    assert (out / "tables" / "my_results.csv").read_text(encoding="utf-8") == "mine\n"


def test_rerun_into_an_owned_folder_replaces_only_what_it_wrote(tmp_path, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    assert run_one(OK_NB, _params(), out).ok
    recorded = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
    assert "tables/shares.csv" in recorded and "fixture_ok.ipynb" in recorded and MARKER not in recorded
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v2"))
    assert run_one(OK_NB, _params(), out).ok
    assert (out / "tables" / "shares.csv").read_text(encoding="utf-8") == "version\nv2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folder left


def test_an_input_inside_the_output_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    out = tmp_path / "run"
    assert run_one(OK_NB, _params(), out).ok
    export = out / "tables" / "shares.csv"
    with pytest.raises(UnsafeOutputError, match="it holds the input"):
        run_one(OK_NB, {**_params(), "data_source": str(export)}, out)
    assert export.is_file()


# --------------------------------------------------------------------------- interrupted builds


def test_interrupted_run_leaves_the_previous_report_intact(tmp_path, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    assert run_one(OK_NB, _params(), out).ok
    before = _snapshot(out)
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v2", interrupt_in="run"))
    with pytest.raises(KeyboardInterrupt):
        run_one(OK_NB, _params(), out)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_interrupt_reaching_the_kernel_is_not_recorded_as_a_finished_report(tmp_path, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    assert run_one(OK_NB, _params(), out).ok
    before = _snapshot(out)

    def interrupted_cell(input_path, output_path, parameters=None, **_kwargs):
        shutil.copy(input_path, output_path)
        raise papermill.PapermillExecutionError(3, 4, "x = slow()", "KeyboardInterrupt", "", [])

    monkeypatch.setattr(papermill, "execute_notebook", interrupted_cell)
    with pytest.raises(KeyboardInterrupt):
        run_one(OK_NB, _params(), out)
    assert _snapshot(out) == before


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "reports.yaml"
    path.write_text(
        f"""reports:
  - id: first
    notebook: {OK_NB}
    parameters: {{peildatum: 2020-11-01}}
  - id: second
    notebook: {OK_NB}
    parameters: {{peildatum: 2020-11-01}}
""",
        encoding="utf-8",
    )
    return path


def test_interrupted_build_keeps_the_previous_reports_and_index(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    results = build_all(_config(tmp_path), jobs=1, reports_dir=reports, progress=None)
    assert [r.ok for r in results] == [True, True]
    before = _snapshot(reports)
    assert "first/first.html" in before["index.html"].decode()
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v2", interrupt_in="first"))
    with pytest.raises(KeyboardInterrupt):
        build_all(_config(tmp_path), jobs=1, reports_dir=reports, progress=None)
    assert _snapshot(reports) == before
    assert sorted(p.name for p in reports.iterdir()) == ["first", "index.html", "second"]


def test_index_after_an_interrupt_links_only_files_that_exist(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    build_all(_config(tmp_path), jobs=1, reports_dir=reports, progress=None)
    second = _snapshot(reports / "second")
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v2", interrupt_in="second"))
    with pytest.raises(KeyboardInterrupt):
        build_all(_config(tmp_path), jobs=1, reports_dir=reports, progress=None)
    assert (reports / "first" / "tables" / "shares.csv").read_text(encoding="utf-8") == "version\nv2\n"
    assert _snapshot(reports / "second") == second
    index = (reports / "index.html").read_text(encoding="utf-8")
    links = [part.split('"')[0] for part in index.split('href="')[1:] if not part.startswith("#")]
    assert links and all((reports / link).is_file() for link in links)


def test_build_refuses_a_report_folder_it_did_not_write_before_running_anything(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: calls.append(a))
    reports = tmp_path / "reports"
    (reports / "second").mkdir(parents=True)
    (reports / "second" / "notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(UnsafeOutputError, match="second"):
        build_all(_config(tmp_path), jobs=1, reports_dir=reports, progress=None)
    assert calls == [] and not (reports / "first").exists()
    assert _snapshot(reports) == {"second/notes.txt": b"mine\n"}


def test_index_the_tool_did_not_write_is_not_overwritten(tmp_path, monkeypatch):
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "index.html").write_text("<html>my page</html>\n", encoding="utf-8")
    with pytest.raises(UnsafeOutputError, match="did not write it"):
        build_all(_config(tmp_path), jobs=1, reports_dir=reports, progress=None)
    assert (reports / "index.html").read_text(encoding="utf-8") == "<html>my page</html>\n"


def test_report_folder_from_before_markers_is_taken_over(tmp_path, monkeypatch):
    """A folder holding only the known outputs of its report is the tool's, marker or not."""
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v1"))
    reports = tmp_path / "reports"
    build_all(_config(tmp_path), jobs=1, reports_dir=reports, progress=None)
    (reports / "first" / MARKER).unlink()
    monkeypatch.setattr(papermill, "execute_notebook", _fake_executor("v2"))
    assert all(r.ok for r in build_all(_config(tmp_path), jobs=1, reports_dir=reports, progress=None))
    assert (reports / "first" / "tables" / "shares.csv").read_text(encoding="utf-8") == "version\nv2\n"
