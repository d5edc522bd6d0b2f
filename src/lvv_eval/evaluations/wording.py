"""Per-language texts of the evaluation modules: captions, headings, sentences and labels as data.

Each evaluation module keeps its texts next to it, in
``lvv_eval/evaluations/texts/<module>.<language>.yaml``: one flat mapping of
key -> text per language, with the same keys and the same ``{placeholders}`` in
every language (checked here on first use and by ``tests/test_wording.py``).
A text is filled with ``str.format`` from values the caller computed, so no
number is typed into a caption: a peildatum, a total or an interval level comes
from the result that the text describes.

A notebook never holds a pair of Dutch and English strings; it asks its module
for the text in the report language::

    T = Texts("interim", P.language)
    T("capacity_caption", total=L.number(1142))
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from lvv_eval.errors import ConfigError
from lvv_eval.reporting.phrases import read_text_file

TEXTS_DIR: Path = Path(__file__).resolve().parent / "texts"
"""Folder of the per-module, per-language text files."""

LANGUAGES: tuple[str, ...] = ("nl", "en")
"""Languages every module's texts must exist in; the first is the default report language."""


def placeholders(text: str) -> frozenset[str]:
    """Names of the ``{placeholders}`` in ``text`` (format specifications ignored).

    Examples
    --------
    >>> sorted(placeholders("{n} of {total:,} people"))
    ['n', 'total']
    """
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def modules() -> list[str]:
    """The modules that have text files, sorted."""
    return sorted({p.name.split(".")[0] for p in TEXTS_DIR.glob("*.yaml")})


def problems(module: str) -> list[str]:
    """Every difference between the languages of ``module``'s texts (keys or placeholders), as messages.

    An empty list means the texts agree: each key exists in every language with the same placeholders.
    """
    files = {lang: TEXTS_DIR / f"{module}.{lang}.yaml" for lang in LANGUAGES}
    found = []
    texts = {}
    for lang, path in files.items():
        if not path.is_file():
            found.append(f"{path}: missing (every module needs texts in {', '.join(LANGUAGES)})")
        else:
            texts[lang] = read_text_file(path)
    if len(texts) < 2:
        return found
    base_lang, base = LANGUAGES[0], texts[LANGUAGES[0]]
    for lang in LANGUAGES[1:]:
        other = texts[lang]
        for key in sorted(set(base) - set(other)):
            found.append(f"{files[lang]}: key {key!r} missing (present in {files[base_lang].name})")
        for key in sorted(set(other) - set(base)):
            found.append(f"{files[base_lang]}: key {key!r} missing (present in {files[lang].name})")
        for key in sorted(set(base) & set(other)):
            a, b = placeholders(base[key]), placeholders(other[key])
            if a != b:
                found.append(
                    f"{files[lang]}: key {key!r}: placeholders {sorted(b)} differ from {sorted(a)} in "
                    f"{files[base_lang].name}"
                )
    return found


def load(module: str, language: str) -> Mapping[str, str]:
    """The texts of ``module`` in ``language``, read-only; the languages must agree (see :func:`problems`)."""
    if language not in LANGUAGES:
        raise ConfigError(f"unknown report language {language!r}; use one of {', '.join(LANGUAGES)}")
    issues = _checked(module)
    if issues:
        raise ConfigError("texts of " + module + " disagree between languages:\n  " + "\n  ".join(issues))
    return read_text_file(TEXTS_DIR / f"{module}.{language}.yaml")


@cache
def _checked(module: str) -> tuple[str, ...]:
    return tuple(problems(module))


class Texts:
    """The texts of one evaluation module in one report language.

    Parameters
    ----------
    module : str
        Name of the text files, ``texts/<module>.<language>.yaml``.
    language : str
        ``"nl"`` (default report language) or ``"en"``.

    Examples
    --------
    >>> T = Texts("three_evaluations", "nl")
    >>> T("title")
    'De drie evaluaties op één schaal'
    >>> Texts("three_evaluations", "en")("title")
    'The three evaluations on one scale'
    """

    def __init__(self, module: str, language: str = "nl") -> None:
        self.module = module
        self.language = language
        self._texts = load(module, language)

    def __repr__(self) -> str:
        return f"Texts({self.module!r}, {self.language!r})"

    def __contains__(self, key: object) -> bool:
        return key in self._texts

    def __call__(self, key: str, /, **values: object) -> str:
        """The text ``key`` filled with ``values``; every placeholder must be given, and only those."""
        if key not in self._texts:
            raise ConfigError(f"no text {key!r} in {TEXTS_DIR / f'{self.module}.{self.language}.yaml'}")
        template = self._texts[key]
        wanted = placeholders(template)
        missing, extra = sorted(wanted - set(values)), sorted(set(values) - wanted)
        if missing or extra:
            raise ConfigError(
                f"text {key!r} of {self.module}: "
                + "; ".join(
                    part
                    for part in (
                        f"values missing for {missing}" if missing else "",
                        f"values without a placeholder: {extra}" if extra else "",
                    )
                    if part
                )
            )
        return template.format(**values) if wanted else template

    @property
    def mapping(self) -> Mapping[str, str]:
        """All texts of the module in this language (read-only)."""
        return self._texts
