"""The sources' quantitative claims in words (data/published/claims.csv, lvv_eval.sources.claims)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.cli import main
from lvv_eval.errors import InputValidationError
from lvv_eval.paths import PUBLISHED_DIR
from lvv_eval.sources.claims import (
    VERDICTS,
    check_claims,
    claims_of_source,
    evaluate,
    load_claims,
    verdict_of,
)
from lvv_eval.sources.published import load_figures

SEEDS = (
    "000_3514d6bc5a3a2801.txt",
    "001_08a3e7995258f26d.txt",
    "002_1f6dbbe6756677e4.txt",
    "003_1dfc17bc6b27f523.txt",
    "004_b44b716732003f66.txt",
)


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    return check_claims().set_index("claim_id")


def test_every_claim_gets_a_verdict_as_expected(results: pd.DataFrame) -> None:
    assert len(results) >= 60
    assert set(results["verdict"]) <= set(VERDICTS)
    assert results["verdict"].notna().all() and (results["verdict"] != "").all()
    assert (results["status"] == "ok").all(), results.loc[results["status"] != "ok", ["verdict", "numbers"]]
    # every source has claims, every verdict but 'not checkable' comes with numbers
    assert set(results["source_file"]) == set(SEEDS)
    tested = results.loc[results["verdict"] != "not checkable", "numbers"]
    assert tested.str.contains(": yes|: no").all()


def test_the_examples_of_the_review_get_the_right_verdict(results: pd.DataFrame) -> None:
    # 001: 'Utrecht en Rotterdam hebben de meeste duurzame uitstroom' (33 and 12 of Tabel S.2)
    assert results.loc["r20-c15", "verdict"] == "holds"
    # 001: Groningen and Amsterdam the largest numbers: true by intake (302, 363), not by
    # occupancy, where Utrecht's estimated 98 % of 230 (225) exceeds Groningen's 201
    c04 = results.loc["r20-c04"]
    assert c04["verdict"] == "holds only under a reading"
    assert c04["holds_under"].startswith("largest numbers by total intake")
    assert "utrecht 225.4" in c04["numbers"] and "groningen 201" in c04["numbers"]
    # 001: 'meer dan driekwart van de beschikbare plaatsen ... beschikbaar' in Eindhoven: 100 / 130
    assert results.loc["r20-c11", "verdict"] == "holds" and "0.7692 > 0.75: yes" in results.loc["r20-c11", "numbers"]
    # 001: 'Met uitzondering van Utrecht ... bezetting lager dan de beschikbare capaciteit'
    assert results.loc["r20-c10", "verdict"] == "holds only under a reading"
    # 002: 'Door het openhouden van de BBB [zijn] er onvoldoende deelnemers': few participants
    # holds, the cause cannot be tested with one site
    assert results.loc["m20-c21", "verdict"] == "holds only under a reading"
    assert "cannot be separated" in results.loc["m20-c21", "numbers"]
    # 001 Tabel S.1: '(69 plaatsen vrij = 20%)' - 69 / 360 = 19.2 %
    assert results.loc["r20-c12-amsterdam", "verdict"] == "contradicted"
    assert "19.17 prints as 20: no" in results.loc["r20-c12-amsterdam", "numbers"]
    # 004: shares of the outflow add up to 100; the title's 18 % 'van deelnemende migranten' does not
    assert results.loc["r22-c04", "verdict"] == "holds only under a reading"
    assert results.loc["r22-c01", "verdict"] == "holds only under a reading"
    # 000: the detention reclassification cannot explain the whole durable gap (12 vs 9)
    assert "12 == 9: no" in results.loc["vj21-c06", "numbers"]


def test_evaluator_is_safe_and_traces() -> None:
    assert evaluate("{a} + {b} == 3", {"a": 1, "b": 2}) == (True, ["3 == 3: yes"])
    value, _ = evaluate('untestable("no figure")', {})
    assert not isinstance(value, bool)
    for bad in ("__import__('os')", "{a}.real", "[x for x in (1, 2)]", "open('f')"):
        with pytest.raises((ValueError, SyntaxError)):
            evaluate(bad, {"a": 1})
    with pytest.raises(KeyError):
        evaluate("{missing} == 1", {})


def test_verdicts_from_readings() -> None:
    from lvv_eval.sources.claims import Untestable

    assert verdict_of({"a": True, "b": True}) == ("holds", "a; b")
    assert verdict_of({"a": True, "b": Untestable("x")})[0] == "holds only under a reading"
    assert verdict_of({"a": False, "b": False}) == ("contradicted", "")
    assert verdict_of({"a": Untestable("x")}) == ("not checkable", "")


def test_bad_claims_file_lists_every_problem(tmp_path: Path) -> None:
    table = pd.read_csv(PUBLISHED_DIR / "claims.csv", dtype=str, keep_default_na=False).head(3)
    table.loc[0, "source_file"] = "005_unknown.txt"
    table.loc[1, "expected_verdict"] = "true"
    table.loc[2, "test"] = "{r20-no-such-figure} =="
    table.loc[2, "claim_id"] = table.loc[0, "claim_id"]
    path = tmp_path / "claims.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputValidationError) as info:
        load_claims(path, figures=load_figures())
    text = str(info.value)
    assert "005_unknown.txt" in text and "expected_verdict" in text and "duplicate" in text
    assert "not a valid test expression" in text
    assert str(path) in text


def test_claims_of_one_source_for_the_reports(results: pd.DataFrame) -> None:
    by_id = claims_of_source("regioplan-2020")
    by_file = claims_of_source("001_08a3e7995258f26d.txt")
    assert by_id.equals(by_file) and len(by_id) == (results["source_file"] == SEEDS[1]).sum()
    assert list(by_id.columns) == ["claim_id", "paragraph", "quote", "verdict", "holds_under", "numbers"]
    assert set(claims_of_source("monitor-2020")["claim_id"]) >= {"m20-c21"}
    with pytest.raises(InputValidationError):
        claims_of_source("no-such-source")


def test_cli_check_reports_each_claim(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--check"]) == 0
    out = capsys.readouterr().out
    assert "claims:" in out and "r20-c04: holds only under a reading" in out
    assert main(["published", "--check", "--claims", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = {row["claim_id"] for row in (data if isinstance(data, list) else data["rows"])}
    assert {"r20-c15", "r22-c04"} <= ids


def test_cli_fails_on_an_unexpected_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = pd.read_csv(PUBLISHED_DIR / "claims.csv", dtype=str, keep_default_na=False)
    table.loc[table["claim_id"] == "r20-c12-amsterdam", "expected_verdict"] = "holds"
    path = tmp_path / "claims.csv"
    table.to_csv(path, index=False)
    assert main(["published", "--check", "--claims", "--claims-file", str(path)]) == 1
    assert "1 with an unexpected verdict" in capsys.readouterr().out
