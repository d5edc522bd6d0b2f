"""Tests for the report pipeline (lvv_eval.reporting.build) and notebook hygiene (lvv_eval.reporting.notebook_hygiene).

Tests marked ``notebooks`` start Jupyter kernels (a few seconds each); the
others only read configuration and notebook files.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from lvv_eval.cli import main
from lvv_eval.errors import ConfigError
from lvv_eval.paths import CONFIG_DIR, PROJECT_ROOT
from lvv_eval.reporting import notebook_hygiene as nbhygiene
from lvv_eval.reporting.build import build_all, load_config, parse_parameter_value, prepare_parameters, run_one
from lvv_eval.reporting.parameters import parameters_digest
from lvv_eval.reporting.provenance import build_provenance, input_entries, portable_path

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
OK_NB = FIXTURES / "fixture_ok.ipynb"
FAIL_NB = FIXTURES / "fixture_fail.ipynb"
OK_PARAMETERS = {"peildatum": "2020-11-01", "pilots": ["Utrecht"]}


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "reports.yaml"
    path.write_text(body, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- fast tests


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5),
        ("-2", -2),
        ("0.5", 0.5),
        ("1e3", 1000.0),
        ("True", True),
        ("false", False),
        ("None", None),
        ("2020-11-01", "2020-11-01"),
        ("no", "no"),
        ("nl", "nl"),
        ("regioplan-2020", "regioplan-2020"),
        ("[amsterdam, utrecht]", ["amsterdam", "utrecht"]),
        ("[2020-11-01]", ["2020-11-01"]),
        ("[]", []),
    ],
)
def test_parameter_values_are_parsed_like_papermill(text, expected):
    value = parse_parameter_value(text)
    assert value == expected and type(value) is type(expected)


def test_unreadable_list_value_is_an_error():
    with pytest.raises(ConfigError, match="cannot read parameter value"):
        parse_parameter_value("[amsterdam")


def test_project_config_lists_the_four_reports():
    config = load_config(CONFIG_DIR / "reports.yaml")
    assert [s.id for s in config.reports] == ["01_plan_process", "02_interim", "03_final", "04_designs"]
    assert all(s.notebook.name == f"{s.id}.ipynb" for s in config.reports)


def test_config_problems_are_all_listed(tmp_path):
    cfg = _config(
        tmp_path,
        "timeout: 0\nextra: 1\nreports:\n"
        "  - {id: a, notebook: x.ipynb, colour: red}\n"
        "  - {id: a, notebook: y.ipynb}\n"
        "  - {id: 'b/c', notebook: z.ipynb, parameters: [1]}\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(cfg, root=tmp_path)
    text = str(info.value)
    assert "6 problem(s)" in text
    for part in (
        "unknown key 'extra'",
        "timeout: expected a positive",
        "unknown key 'colour'",
        "duplicate id 'a'",
        "id 'b/c' must be",
        "parameters must be a mapping",
    ):
        assert part in text


def test_config_dates_stay_text(tmp_path):
    cfg = _config(tmp_path, "reports:\n  - id: a\n    notebook: a.ipynb\n    parameters: {peildatum: 2020-11-01}\n")
    assert load_config(cfg, root=tmp_path).reports[0].parameters == {"peildatum": "2020-11-01"}


def test_parameters_are_checked_before_any_kernel_starts(tmp_path):
    with pytest.raises(ConfigError) as info:
        prepare_parameters(OK_NB, {"peildatun": "2020-11-01", "n_rows": "3"}, tmp_path)
    assert "did you mean 'peildatum'" in str(info.value) and "n_rows: expected int" in str(info.value)
    with pytest.raises(ConfigError, match="declares no 'output_dir'"):
        nb = tmp_path / "no_output.ipynb"
        source = nbformat.read(OK_NB, as_version=4)
        source.cells[1].source = 'peildatum: str = "2019-12-31"  # reference date\n'
        nbformat.write(source, nb)
        prepare_parameters(nb, {}, tmp_path)
    injected, merged = prepare_parameters(OK_NB, OK_PARAMETERS, tmp_path / "out")
    assert injected == {**OK_PARAMETERS, "output_dir": str(tmp_path / "out")}
    assert merged["n_rows"] == 3 and merged["peildatum"] == "2020-11-01"


def test_missing_notebook_fails_loudly_and_is_indexed(tmp_path):
    cfg = _config(tmp_path, "reports:\n  - id: gone\n    notebook: notebooks/gone.ipynb\n    title: Gone\n")
    progress = io.StringIO()
    results = build_all(cfg, reports_dir=tmp_path / "reports", root=tmp_path, progress=progress)
    assert [(r.report_id, r.status) for r in results] == [("gone", "failed")]
    assert "notebook not found" in results[0].describe_error()
    assert "FAILED gone" in progress.getvalue()
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'id="gone"' in index and "notebook not found" in index
    code = main(["reports", "--config", str(cfg), "--reports-dir", str(tmp_path / "r2")])
    assert code == 1


def test_unknown_only_id_is_a_config_error(tmp_path):
    cfg = _config(tmp_path, "reports:\n  - id: a\n    notebook: a.ipynb\n")
    with pytest.raises(ConfigError, match="unknown report id"):
        build_all(cfg, only=["b"], reports_dir=tmp_path, root=tmp_path, progress=None)


def test_run_command_rejects_bad_parameters_without_running(tmp_path, capsys):
    code = main(
        [
            "run",
            str(OK_NB),
            "-p",
            "peildatum",
            "2019-02-01",
            "-p",
            "pilots",
            "[nowhere]",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "before the start of the LVV programme" in err and "unknown pilot 'nowhere'" in err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- provenance (fast)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_provenance_lists_schemes_package_data_and_synth_config(tmp_path, monkeypatch):
    user_dir = tmp_path / "user_schemes"
    user_dir.mkdir()
    shipped = PROJECT_ROOT / "src" / "lvv_eval" / "reference" / "schemes" / "regioplan-2020.yaml"
    (user_dir / "my-scheme.yaml").write_text(
        shipped.read_text(encoding="utf-8").replace("name: regioplan-2020", "name: my-scheme"), encoding="utf-8"
    )
    monkeypatch.setenv("LVV_EVAL_SCHEMES_DIR", str(user_dir))
    params = {
        "data_source": "synthetic",
        "scheme": "regioplan-2022",
        "comparison_scheme": "my-scheme",
        "output_dir": str(tmp_path / "run03"),
    }
    record = build_provenance(
        report_id="run03", notebook=OK_NB, parameters=params, started="s", finished="f", status="ok"
    )
    inputs = {i["path"]: i for i in record["inputs"]}
    expected = {
        "src/lvv_eval/reference/schemes/regioplan-2022.yaml": "scheme",
        "my-scheme.yaml": "scheme",  # outside the project: file name only
        "src/lvv_eval/data/exit_reasons.csv": "package_data",
        "src/lvv_eval/data/pilots.csv": "package_data",
        "src/lvv_eval/data/labels.csv": "package_data",
        "config/synth.yaml": "synthetic_config",
        "data/synthetic/monitor_synthetic.csv": "data_source",
        "data/published/figures.csv": "published",
    }
    for path, role in expected.items():
        assert inputs[path]["role"] == role, path
    assert inputs["my-scheme.yaml"]["sha256"] == _sha(user_dir / "my-scheme.yaml")
    assert inputs["config/synth.yaml"]["sha256"] == _sha(CONFIG_DIR / "synth.yaml")
    assert inputs["src/lvv_eval/data/pilots.csv"]["sha256"] == _sha(PROJECT_ROOT / "src/lvv_eval/data/pilots.csv")
    assert record["parameters"]["output_dir"] == "run03"
    assert record["notebook"] == "tests/fixtures/notebooks/fixture_ok.ipynb"
    assert not Path(record["python"]["executable"]).is_absolute()
    text = json.dumps(record)
    assert str(tmp_path) not in text and str(PROJECT_ROOT) not in text


def test_published_data_source_lists_no_synthetic_inputs():
    roles = {role for role, _ in input_entries({"data_source": "published", "scheme": "monitor-2020"})}
    assert "synthetic_config" not in roles and "data_source" not in roles
    assert {"scheme", "package_data", "published"} <= roles


def test_empty_scheme_list_means_every_scheme_and_unknown_scheme_is_missing(monkeypatch):
    monkeypatch.delenv("LVV_EVAL_SCHEMES_DIR", raising=False)
    entries = input_entries({"sensitivity_schemes": [], "scheme": "no-such-scheme"})
    names = sorted(p.name for role, p in entries if role == "scheme")
    assert names == [
        "monitor-2020.yaml",
        "no-such-scheme.yaml",
        "regioplan-2020-independent.yaml",
        "regioplan-2020.yaml",
        "regioplan-2022.yaml",
        "verwey-jonker-2021.yaml",
    ]
    record = build_provenance(
        report_id="x", notebook=OK_NB, parameters={"scheme": "no-such-scheme"}, started="s", finished="f", status="ok"
    )
    missing = [i for i in record["inputs"] if i.get("missing")]
    assert [i["path"] for i in missing] == ["no-such-scheme.yaml"]


def test_portable_path_keeps_venv_python_relative():
    assert portable_path(PROJECT_ROOT / ".venv" / "bin" / "python") == ".venv/bin/python"
    assert portable_path("/opt/python/bin/python3.11") == "python3.11"
    assert portable_path(Path(sys.prefix).parent / "not-in-project.txt", root="/nonexistent") == "not-in-project.txt"


# --------------------------------------------------------------------------- hygiene (fast)


def _dirty_copy(tmp_path: Path) -> Path:
    nb = nbformat.read(OK_NB, as_version=4)
    nb.metadata["papermill"] = {"parameters": {}}
    nb.metadata["kernelspec"] = {"name": "myproject", "display_name": "x", "language": "python"}
    nb.cells[2].execution_count = 3
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="noise\n")]
    nb.cells[2].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    path = tmp_path / "fixture_ok.ipynb"
    nbformat.write(nb, path)
    return path


def test_committed_fixtures_are_clean():
    assert nbhygiene.check(sorted(FIXTURES.glob("*.ipynb"))) == {}


def test_check_lists_problems_and_strip_restores_the_clean_file(tmp_path):
    path = _dirty_copy(tmp_path)
    problems = "\n".join(nbhygiene.check([path])[path])
    assert "code cell 1: has outputs" in problems and "code cell 1: has execution_count 3" in problems
    assert "unexpected keys papermill" in problems and "kernelspec is not python3" in problems
    assert nbhygiene.strip([path]) == [path]
    assert path.read_bytes() == OK_NB.read_bytes()  # checked cell kept its outputs and count
    assert nbhygiene.strip([path]) == []
    assert main(["notebooks", "check", str(path)]) == 0


def test_checked_cell_without_count_is_dirty(tmp_path):
    nb = nbformat.read(OK_NB, as_version=4)
    nb.cells[-1].execution_count = None
    path = tmp_path / "fixture_ok.ipynb"
    nbformat.write(nb, path)
    assert "nbval would skip it" in "\n".join(nbhygiene.notebook_problems(path))
    assert main(["notebooks", "check", str(path)]) == 1


# --------------------------------------------------------------------------- executing notebooks


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build one good and one failing fixture notebook in parallel."""
    tmp = tmp_path_factory.mktemp("build")
    cfg = _config(
        tmp,
        f"""timeout: 120
reports:
  - id: good
    notebook: {OK_NB}
    title: Good fixture
    parameters: {{peildatum: 2020-11-01, pilots: [Utrecht]}}
  - id: bad
    notebook: {FAIL_NB}
    title: Failing fixture
""",
    )
    progress = io.StringIO()
    results = build_all(cfg, jobs=2, reports_dir=tmp / "reports", progress=progress)
    return tmp / "reports", {r.report_id: r for r in results}, progress.getvalue()


@pytest.mark.notebooks
def test_failing_notebook_is_reported_and_kept(built):
    reports, results, progress = built
    bad = results["bad"]
    assert bad.status == "failed"
    assert bad.error["ename"] == "ValueError" and bad.error["evalue"] == "boom: fixture failure"
    assert bad.error["exec_count"] == 4  # parameters, injected parameters, validation, failing cell
    assert (reports / "bad" / "bad.failed.ipynb").is_file() and not (reports / "bad" / "bad.ipynb").exists()
    assert "FAILED bad" in progress and "cell In [4]" in progress
    assert json.loads((reports / "bad" / "provenance.json").read_text())["status"] == "failed"


@pytest.mark.notebooks
def test_good_notebook_finishes_with_all_outputs(built):
    reports, results, progress = built
    assert results["good"].ok and "done   good" in progress
    folder = reports / "good"
    for name in (
        "good.ipynb",
        "good.html",
        "good.pdf",
        "good.log",
        "manifest.json",
        "provenance.json",
        "tables/shares.csv",
        "tables/published_total.csv",
        "figures/shares.png",
        "figures/shares.svg",
    ):
        assert (folder / name).is_file(), name
    assert (
        folder / "tables" / "shares.csv"
    ).read_text() == "pilot,share\namsterdam,0.0\neindhoven,0.142857\ngroningen,0.285714\n"
    html = (folder / "good.html").read_text(encoding="utf-8")
    assert "W.table(" not in html and "<script src=" not in html  # no code, no CDN scripts
    assert "Samenvatting" in html and "1 november 2020" in html  # the published report, not the notebook
    prov = json.loads((folder / "provenance.json").read_text())
    assert prov["parameters"]["peildatum"] == "2020-11-01" and prov["parameters"]["n_rows"] == 3
    assert prov["packages"]["pandas"] and prov["started_utc"] <= prov["finished_utc"]
    assert any(i["path"] == "data/published/figures.csv" and len(i["sha256"]) == 64 for i in prov["inputs"])
    assert "commit" in prov["git"]


@pytest.mark.notebooks
def test_index_links_reports_tables_and_kinds(built):
    reports, _, _ = built
    index = (reports / "index.html").read_text(encoding="utf-8")
    for link in (
        'href="good/good.html"',
        'href="good/good.pdf"',
        'href="good/good.ipynb"',
        'href="good/tables/shares.csv"',
        'src="good/figures/shares.png"',
        'href="bad/bad.failed.ipynb"',
    ):
        assert link in index
    assert 'lang="nl"' in index  # Dutch: the reports are Dutch
    assert "gepubliceerd cijfer" in index and "berekend op synthetische gegevens" in index
    assert "synthetische gegevens: ze beschrijven geen echte personen" in index  # banner of the synthetic report
    assert "Bouwen mislukt." in index and "boom: fixture failure" in index


@pytest.mark.notebooks
def test_run_one_uses_a_parameter_folder_and_reproduces_tables(built, tmp_path):
    reports, _, _ = built
    parameters = {"peildatum": parse_parameter_value("2020-11-01"), "pilots": parse_parameter_value("[Utrecht]")}
    result = run_one(OK_NB, parameters, reports_dir=tmp_path)
    assert result.ok
    folder = tmp_path / f"fixture_ok-{parameters_digest(OK_PARAMETERS)}"
    assert Path(result.output_dir) == folder.resolve()
    for name in ("fixture_ok.html", "fixture_ok.ipynb", "fixture_ok.log"):  # named after the notebook
        assert (folder / name).is_file(), name
    for table in ("shares.csv", "published_total.csv"):
        assert (folder / "tables" / table).read_bytes() == (reports / "good" / "tables" / table).read_bytes()
    for figure in ("shares.png", "shares.svg"):
        assert (folder / "figures" / figure).read_bytes() == (reports / "good" / "figures" / figure).read_bytes()


@pytest.mark.notebooks
def test_run_with_out_folder_names_files_after_the_notebook_and_records_no_machine_paths(tmp_path, capsys):
    out = tmp_path / "run03"
    code = main(["run", str(OK_NB), "-p", "peildatum", "2020-11-01", "-p", "pilots", "[Utrecht]", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        ".lvv-eval-output",
        "figures",
        "fixture_ok.html",
        "fixture_ok.ipynb",
        "fixture_ok.log",
        "fixture_ok.pdf",
        "manifest.json",
        "provenance.json",
        "release.html",
        "release.json",
        "tables",
    ]
    prov_text = (out / "provenance.json").read_text(encoding="utf-8")
    prov = json.loads(prov_text)
    assert prov["files"] == {
        "html": "fixture_ok.html",
        "log": "fixture_ok.log",
        "manifest": "manifest.json",
        "notebook": "fixture_ok.ipynb",
        "pdf": "fixture_ok.pdf",
        "provenance": "provenance.json",
        "release": "release.html",
    }
    assert prov["disclosure_scan"]["verdict"] in ("pass", "review")
    assert prov["parameters"]["output_dir"] == "run03"
    assert prov["notebook"] == "tests/fixtures/notebooks/fixture_ok.ipynb"
    executed = nbformat.read(out / "fixture_ok.ipynb", as_version=4)
    papermill = executed.metadata["papermill"]
    assert papermill["input_path"] == "tests/fixtures/notebooks/fixture_ok.ipynb"
    assert papermill["output_path"] == "fixture_ok.ipynb"
    assert papermill["parameters"]["output_dir"] == "run03"
    metadata_text = json.dumps(executed.metadata) + json.dumps([c.metadata for c in executed.cells])
    injected = "".join(c.source for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    for machine_path in {str(PROJECT_ROOT), str(PROJECT_ROOT.resolve()), str(tmp_path), str(tmp_path.resolve())}:
        assert machine_path not in prov_text
        assert machine_path not in metadata_text
        assert machine_path not in injected


@pytest.mark.notebooks
def test_refresh_stores_checked_outputs_only(tmp_path):
    path = tmp_path / "fixture_ok.ipynb"
    nb = nbformat.read(OK_NB, as_version=4)
    nb.cells[-1].outputs, nb.cells[-1].execution_count = [], None
    nbformat.write(nb, path)
    assert nbhygiene.refresh([path]) == [path]
    assert path.read_bytes() == OK_NB.read_bytes()
    refreshed = nbformat.read(path, as_version=4)
    assert refreshed.cells[-1].outputs[0]["text"] == "2019-12-31 3 0.428571\n"
    assert all(c.outputs == [] for c in refreshed.cells[:-1] if c.cell_type == "code")


@pytest.mark.notebooks
def test_refresh_of_a_failing_notebook_names_the_cell_and_keeps_the_file(tmp_path):
    path = tmp_path / "fixture_fail.ipynb"
    shutil.copy(FAIL_NB, path)
    with pytest.raises(nbhygiene.NotebookExecutionError, match=r"cell In \[4\] failed: ValueError: boom"):
        nbhygiene.refresh([path])
    assert path.read_bytes() == FAIL_NB.read_bytes()
