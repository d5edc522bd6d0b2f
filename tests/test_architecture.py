"""The package's layers: imports run one way only.

Every module of ``src/lvv_eval`` belongs to one layer; a module may import from its own layer and
the layers below it, never from a layer above. ``synthetic/`` is reached only from ``commands/``
(no analysis depends on how the synthetic data were made), and no module imports another module's
private (underscore) name. The rules are read from the source with :mod:`ast`, lazy imports inside
functions included.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from lvv_eval.paths import PACKAGE_DIR

LAYERS: dict[str, int] = {
    "errors": 0,
    "paths": 0,
    "reference": 1,
    "sources": 2,
    "stats": 3,
    "disclosure": 4,
    "reporting": 5,
    "evaluations": 6,
    "synthetic": 6,
    "commands": 7,
    "cli": 7,
    "__main__": 7,
}
"""Rank of each top-level part of the package; the package root (``__init__``) stands apart."""

SYNTHETIC_CLIENTS = {"commands", "cli", "__main__", "synthetic"}
"""The only parts that may import :mod:`lvv_eval.synthetic`."""


@dataclass(frozen=True)
class Violation:
    """One import that breaks the layering."""

    module: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.rule}"


def module_name(path: Path, root: Path) -> str:
    """Dotted name of the module at ``path`` inside the package directory ``root``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([root.name, *parts])


def part_of(dotted: str, package: str) -> str | None:
    """Top-level part (``stats``, ``reporting`` ...) of a dotted module name, or None for the root."""
    parts = dotted.split(".")
    if parts[0] != package or len(parts) == 1:
        return None
    return parts[1]


def imported_names(tree: ast.AST, this: str) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in ``tree``; relative imports resolved from ``this``."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = this.split(".")[: -node.level] if node.level else []
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.append((node.lineno, base, [alias.name for alias in node.names]))
    return found


def violations(root: Path) -> list[Violation]:
    """Every layering violation among the modules below the package directory ``root``."""
    package = root.name
    subpackages = {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    found: list[Violation] = []
    for path in sorted(root.rglob("*.py")):
        this = module_name(path, root)
        own = part_of(this, package)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, target, names in imported_names(tree, this):
            if target != package and not target.startswith(package + "."):
                continue
            targets = [target]
            if target == package:  # ``from lvv_eval import stats`` names a part directly
                targets = [f"{package}.{n}" for n in names if n in subpackages or n in LAYERS]
            for dotted in targets:
                other = part_of(dotted, package)
                if other is None or own is None:
                    continue
                if other == "synthetic" and own not in SYNTHETIC_CLIENTS:
                    found.append(Violation(this, line, dotted, "only commands/ may import synthetic/"))
                elif LAYERS.get(other, 99) > LAYERS.get(own, 99):
                    found.append(
                        Violation(
                            this,
                            line,
                            dotted,
                            f"layer {own} ({LAYERS.get(own)}) is below {other} ({LAYERS.get(other)})",
                        )
                    )
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and target != this:
                found.append(Violation(this, line, f"{target}.{','.join(private)}", "private name of another module"))
    return found


def test_every_module_belongs_to_a_layer() -> None:
    parts = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE_DIR.iterdir()
        if p.suffix == ".py" or (p / "__init__.py").is_file()
    }
    parts.discard("__init__")
    assert sorted(parts - set(LAYERS)) == []


def test_imports_run_one_way() -> None:
    assert [str(v) for v in violations(PACKAGE_DIR)] == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "lvv_eval"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            (root / parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "rule"),
    [
        (
            {"stats/counts.py": "from lvv_eval.reporting.labels import Labels\n", "reporting/labels.py": ""},
            "layer stats",
        ),
        (
            {"errors.py": "def f():\n    from lvv_eval.stats.sites import few_sites\n", "stats/sites/few_sites.py": ""},
            "layer errors",
        ),
        (
            {
                "evaluations/common.py": "from lvv_eval.synthetic.targets import load_config\n",
                "synthetic/targets.py": "",
            },
            "only commands/",
        ),
        (
            {
                "stats/sites/case_mix.py": "from lvv_eval.stats.sites.compare import _resolve_scheme\n",
                "stats/sites/compare.py": "",
            },
            "private name",
        ),
        ({"sources/published.py": "from lvv_eval import stats\n", "stats/__init__.py": ""}, "layer sources"),
    ],
    ids=[
        "stats-imports-reporting",
        "lazy-import-in-errors",
        "evaluations-import-synthetic",
        "private-name",
        "from-package-import",
    ],
)
def test_a_deliberate_back_edge_is_caught(tmp_path: Path, files: dict[str, str], rule: str) -> None:
    found = violations(_tree(tmp_path, files))
    assert len(found) == 1
    assert rule in found[0].rule or rule in str(found[0])


def test_commands_may_import_synthetic(tmp_path: Path) -> None:
    files = {"commands/synth.py": "from lvv_eval.synthetic.generator import generate\n", "synthetic/generator.py": ""}
    assert violations(_tree(tmp_path, files)) == []


def test_earlier_flat_names_resolve_to_the_moved_modules() -> None:
    import lvv_eval
    from lvv_eval import aggregate  # the name notebooks of the first version used
    from lvv_eval.stats import counts

    assert aggregate is counts
    for old, new in lvv_eval.MOVED.items():
        assert getattr(lvv_eval, old).__name__ == f"lvv_eval.{new}"
    with pytest.raises(AttributeError):
        lvv_eval.no_such_module  # noqa: B018


def test_the_package_raises_its_own_errors() -> None:
    # ValueError/KeyError with a message to a user become lvv_eval.errors types (which subclass them)
    bare = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and isinstance(node.exc.func, ast.Name)
                and node.exc.func.id in ("ValueError", "KeyError")
            ):
                bare.append(f"{path.relative_to(PACKAGE_DIR)}:{node.lineno}")
    assert bare == []
