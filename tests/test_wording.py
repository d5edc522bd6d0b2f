"""The evaluation modules' texts: every language has the same keys and placeholders, and filling checks them."""

from __future__ import annotations

import pytest

from lvv_eval.errors import ConfigError
from lvv_eval.evaluations import wording
from lvv_eval.evaluations.wording import Texts


def test_there_are_module_texts() -> None:
    assert {"policy", "three_evaluations"} <= set(wording.modules())


@pytest.mark.parametrize("module", wording.modules())
def test_languages_agree(module: str) -> None:
    assert wording.problems(module) == []


def test_a_missing_key_or_placeholder_is_found(tmp_path, monkeypatch) -> None:
    (tmp_path / "m.nl.yaml").write_text("a: 'van {n} personen'\nb: alleen nl\n", encoding="utf-8")
    (tmp_path / "m.en.yaml").write_text("a: 'of {count} persons'\n", encoding="utf-8")
    monkeypatch.setattr(wording, "TEXTS_DIR", tmp_path)
    found = wording.problems("m")
    assert len(found) == 2
    assert any("'b' missing" in f for f in found)
    assert any("placeholders ['count'] differ from ['n']" in f for f in found)
    with pytest.raises(ConfigError, match="disagree between languages"):
        wording.load("m", "nl")


def test_filling_requires_exactly_the_placeholders() -> None:
    T = Texts("three_evaluations", "en")
    with pytest.raises(ConfigError, match="values missing"):
        T("caption_person")
    with pytest.raises(ConfigError, match="without a placeholder"):
        T("title", n=3)
    with pytest.raises(ConfigError, match="no text 'nope'"):
        T("nope")
    assert "Reference date" == T("col_date")
    with pytest.raises(ConfigError, match="unknown report language"):
        Texts("three_evaluations", "de")
