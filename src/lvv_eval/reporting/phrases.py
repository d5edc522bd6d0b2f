"""The fixed texts of a report (headings, banner labels, the key to signs), per language.

The texts are data: ``lvv_eval/reporting/texts/nl.yaml`` and ``en.yaml``, one
flat mapping of key -> text each, with the same keys in both files. Texts
with ``{placeholders}`` are filled by the caller with ``str.format``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml

from lvv_eval.errors import ConfigError

TEXTS_DIR: Path = Path(__file__).resolve().parent / "texts"
"""Folder of the per-language text files."""

LANGUAGES: tuple[str, ...] = ("nl", "en")
"""Report languages with a text file; the first is the default."""


@cache
def read_text_file(path: Path) -> Mapping[str, str]:
    """A flat YAML mapping of key -> non-empty text, read-only; a missing or malformed file raises ConfigError."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: text file of the report language is missing") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of key -> text")
    bad = sorted(f"{k!r}" for k, v in data.items() if not isinstance(k, str) or not isinstance(v, str) or not v)
    if bad:
        raise ConfigError(f"{path}: keys with an empty or non-text value (quote yes/no): {', '.join(bad)}")
    return MappingProxyType(dict(data))


def load_texts(language: str = "nl") -> Mapping[str, str]:
    """The report texts of ``language`` (``"nl"`` or ``"en"``), as a read-only mapping.

    Examples
    --------
    >>> load_texts("nl")["summary"], load_texts("en")["summary"]
    ('Samenvatting', 'Summary')
    """
    if language not in LANGUAGES:
        raise ConfigError(f"unknown report language {language!r}; use one of {', '.join(LANGUAGES)}")
    return read_text_file(TEXTS_DIR / f"{language}.yaml")


def text(language: str, key: str, **values: object) -> str:
    """One text, filled with ``values``; an unknown key raises :class:`~lvv_eval.errors.ConfigError`.

    Examples
    --------
    >>> text("en", "disclosure_threshold_value", threshold="10")
    '10 persons'
    """
    texts = load_texts(language)
    if key not in texts:
        raise ConfigError(f"no report text {key!r} in {TEXTS_DIR / (language + '.yaml')}")
    return texts[key].format(**values) if values else texts[key]
