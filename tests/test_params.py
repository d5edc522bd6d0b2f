"""Tests for lvv_eval.reporting.parameters: reading parameters cells and validating values."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import pytest

from lvv_eval.errors import ConfigError
from lvv_eval.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from lvv_eval.reporting.parameters import (
    STANDARD_PARAMETERS,
    NotebookParameters,
    parameters_cell_problems,
    parameters_digest,
    parameters_from_notebook,
    validate_parameters,
)

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
STANDARD = set(STANDARD_PARAMETERS)


def _notebook(tmp_path: Path, source: str, name: str = "nb.ipynb", tag: str = "parameters") -> Path:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "a",
                "metadata": {"tags": [tag]},
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_defaults_validate_and_are_typed():
    params = validate_parameters(
        {"peildatum": "2020-11-01", "pilots": ["Utrecht", "amsterdam", "utrecht"]},
        notebook="01_plan_process",
        allowed=STANDARD,
    )
    assert isinstance(params, NotebookParameters)
    assert params.peildatum_date == dt.date(2020, 11, 1)
    assert params.pilots == ("utrecht", "amsterdam")  # lower-cased, duplicates dropped, order kept
    assert params.output_path == PROJECT_ROOT / "reports" / "01_plan_process"
    assert params.is_synthetic and params.data_source == "synthetic"
    assert params["language"] == "nl"


def test_every_problem_is_listed_at_once():
    values = {
        "peildatum": "2019-02-30",
        "scheme": "regioplan_2020",
        "pilots": ["amsterdm"],
        "language": "de",
        "disclosure_threshold": 0,
        "data_source": "missing_export.csv",
        "formal_only": "yes",
        "peildatun": "2020-11-01",
    }
    with pytest.raises(ConfigError) as info:
        validate_parameters(values, notebook="01_plan_process", allowed=STANDARD)
    text = str(info.value)
    assert "(8 problem(s))" in text
    assert "peildatun: unknown parameter" in text and "did you mean 'peildatum'" in text
    assert "'2019-02-30' is not a date that exists (February 2019 has 28 days)" in text
    assert "unknown scheme 'regioplan_2020'" in text and "did you mean 'regioplan-2020'" in text
    assert "unknown pilot 'amsterdm'" in text and "did you mean 'amsterdam'" in text
    assert "language: 'de'" in text
    assert "disclosure_threshold: must be at least 1" in text
    assert "data_source: file not found" in text
    assert "formal_only: expected bool" in text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2019-03-31", "before the start of the LVV programme (2019-04-01)"),
        ("2999-12-31", "is in the future"),  # far future: the rule compares with the day of the run
        ("31-12-2019", "not a date in the form yyyy-mm-dd"),
        ("2022-02-30", "'2022-02-30' is not a date that exists (February 2022 has 28 days)"),
        ("2020-13-01", "is not a date that exists (there is no month 13)"),
        (20191231, "expected an ISO date string"),
    ],
)
def test_impossible_peildatum(value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_parameters({"peildatum": value}, notebook="x", allowed=STANDARD)


def test_leap_day_is_a_date():
    assert validate_parameters({"peildatum": "2020-02-29"}, notebook="x", allowed=STANDARD).peildatum == "2020-02-29"


def test_programme_start_itself_is_allowed_and_dates_are_normalised():
    params = validate_parameters({"peildatum": dt.date(2019, 4, 1)}, notebook="x", allowed=STANDARD)
    assert params.peildatum == "2019-04-01"


def test_wrong_types_are_reported():
    with pytest.raises(ConfigError) as info:
        validate_parameters(
            {"pilots": "amsterdam", "disclosure_threshold": True, "language": 1}, notebook="x", allowed=STANDARD
        )
    text = str(info.value)
    assert "pilots: expected a list" in text
    assert "disclosure_threshold: expected int, got bool" in text
    assert "language: expected str, got int" in text


def test_globals_snapshot_only_considers_plain_values():
    """A notebook's globals() holds modules, functions and IPython names; only a typo is flagged."""
    namespace = {
        "__name__": "__main__",
        "_": 5,
        "In": ["", "x"],
        "Out": {},
        "get_ipython": print,
        "sys": sys,
        "Path": Path,
        "validate_parameters": validate_parameters,
        "peildatum": "2020-11-01",
        "language": "en",
        "pilots": [],
    }
    params = validate_parameters(namespace, notebook="x", allowed=STANDARD)
    assert params.language == "en" and params.peildatum == "2020-11-01"
    namespace["disclosure_treshold"] = 5  # misspelt injected parameter
    with pytest.raises(ConfigError, match="disclosure_treshold: unknown parameter.*'disclosure_threshold'"):
        validate_parameters(namespace, notebook="x", allowed=STANDARD)


def test_allowed_names_and_types_come_from_the_notebook_file():
    nb = FIXTURES / "fixture_ok.ipynb"
    params = validate_parameters({"n_rows": 4}, notebook=str(nb))
    assert params.extra == {"n_rows": 4}
    with pytest.raises(ConfigError, match="n_rows: expected int, got str"):
        validate_parameters({"n_rows": "4"}, notebook=str(nb))


def test_notebook_file_is_found_through_the_pipeline_variable(monkeypatch):
    monkeypatch.setenv("LVV_EVAL_NOTEBOOK_PATH", str(FIXTURES / "fixture_fail.ipynb"))
    # fixture_fail declares only output_dir and peildatum: language is not one of its parameters
    with pytest.raises(ConfigError, match="language: unknown parameter for notebook 'fixture_fail'"):
        validate_parameters({"peildatum": "2020-01-01", "language": "nl"}, notebook="fixture_fail")


def test_data_source_file_and_scheme_file(tmp_path):
    export = tmp_path / "export.xlsx"
    export.write_bytes(b"x")
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text("name: x\n", encoding="utf-8")
    params = validate_parameters({"data_source": str(export), "scheme": str(scheme)}, notebook="x", allowed=STANDARD)
    assert params.data_path == export and not params.is_synthetic
    with pytest.raises(ConfigError) as info:
        validate_parameters(
            {"data_source": str(tmp_path / "export.txt"), "scheme": str(tmp_path / "no.yaml")},
            notebook="x",
            allowed=STANDARD,
        )
    assert "neither 'published' nor 'synthetic' nor a .csv/.xlsx file" in str(info.value)
    assert "scheme file not found" in str(info.value)
    assert validate_parameters({"data_source": "published"}, notebook="x", allowed=STANDARD).data_path is None


def test_parameters_from_notebook_reads_the_literals():
    defaults = parameters_from_notebook(FIXTURES / "fixture_ok.ipynb")
    assert defaults["peildatum"] == "2019-12-31"
    assert defaults["pilots"] == [] and defaults["formal_only"] is False
    assert defaults["n_rows"] == 3
    assert STANDARD <= set(defaults)


def test_non_literal_parameters_are_refused(tmp_path):
    nb = _notebook(
        tmp_path, "import datetime\npeildatum: str = str(datetime.date.today())  # today\nn: int = 1 + 1  # two\n"
    )
    with pytest.raises(ConfigError) as info:
        parameters_from_notebook(nb)
    text = str(info.value)
    assert "only `name: type = literal` assignments" in text and "import datetime" in text
    assert "'str(datetime.date.today())' is not a literal" in text
    assert "'1 + 1' is not a literal" in text


def test_missing_parameters_cell_is_an_error(tmp_path):
    nb = _notebook(tmp_path, "x: int = 1  # x\n", tag="other")
    with pytest.raises(ConfigError, match="exactly one code cell tagged 'parameters', found 0"):
        parameters_from_notebook(nb)


def test_cell_problems_name_missing_comments_annotations_and_papermill_traps(tmp_path):
    nb = _notebook(
        tmp_path,
        'peildatum: str = "2019-12-31"\nlanguage = "nl"  # language\n'
        "pilots: list = []  # empty = all pilots\nscheme: int = 3  # scheme\n",
    )
    problems = "\n".join(parameters_cell_problems(nb))
    assert "'peildatum': no comment" in problems
    assert "'language': no type annotation" in problems
    assert "'pilots': the line holds more than one '='" in problems
    assert "'scheme': standard parameter must be annotated str" in problems


NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted(FIXTURES.glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_parameters_cell_holds_only_commented_literals(notebook):
    assert parameters_cell_problems(notebook) == []


def test_parameters_digest_is_stable_and_order_free():
    assert parameters_digest({"a": 1, "b": [1, 2]}) == parameters_digest({"b": [1, 2], "a": 1})
    assert parameters_digest({"a": 1}) != parameters_digest({"a": 2})
    assert len(parameters_digest({})) == 8


def test_kernel_session_names_its_own_notebook():
    """In Jupyter, ``__session__`` holds the notebook path; its parameters cell gives the allowed names."""
    namespace = {"__session__": str(FIXTURES / "fixture_ok.ipynb"), "n_rows": 4, "peildatum": "2020-01-01"}
    assert validate_parameters(namespace, notebook="fixture_ok").extra == {"n_rows": 4}


def test_known_schemes_are_the_scheme_registry():
    from lvv_eval.reference.schemes import list_schemes
    from lvv_eval.reporting.parameters import known_schemes

    assert known_schemes() == list(list_schemes())
    assert "regioplan-2020" in known_schemes()
