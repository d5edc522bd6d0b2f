"""The index page ``reports/index.html``: every configured report as it is on disk."""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lvv_eval.errors import UnsafeOutputError
from lvv_eval.paths import PROJECT_ROOT, REPORTS_DIR, SYNTHETIC_DIR
from lvv_eval.reporting.writer import KINDS, read_manifest
from lvv_eval.reporting.build_config import ReportConfig, ReportSpec
from lvv_eval.reporting.output_dir import is_within, output_names, protected_folders

INDEX_NAME = "index.html"
GENERATOR_TAG = '<meta name="generator" content="lvv-eval">'
"""Marks an index page written by lvv-eval (only such a page is ever replaced)."""
_LEGACY_TITLE = "<title>LVV evaluation reports</title>"


def _is_synthetic(parameters: Mapping[str, Any], manifest: Mapping[str, Any] | None, root: Path) -> bool:
    source = parameters.get("data_source")
    if source == "synthetic":
        return True
    if isinstance(source, str) and source not in ("", "published"):
        path = Path(source) if Path(source).is_absolute() else root / source
        try:
            path.resolve().relative_to(SYNTHETIC_DIR.resolve())
            return True
        except ValueError:
            pass
    if manifest:
        return any(e.get("kind") == "synthetic" for e in manifest.get("tables", []) + manifest.get("figures", []))
    return False


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ccc;padding:1rem 0}
.banner{background:#fff3cd;border:1px solid #e0c36a;padding:.5rem 1rem;margin:.5rem 0}
.failed{background:#f8d7da;border:1px solid #d9534f;padding:.5rem 1rem;white-space:pre-wrap}
.kind{font-size:.8em;padding:0 .4em;border-radius:.3em;background:#eee}
.kind-published{background:#d1e7dd}.kind-synthetic{background:#fff3cd}.kind-person-level{background:#cfe2ff}
table.params td,table.params th{text-align:left;padding:0 1em 0 0;font-family:monospace}
img{max-width:28rem;border:1px solid #ddd}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _index_section(spec: ReportSpec, out_root: Path, root: Path) -> tuple[str, bool]:
    folder = out_root / spec.id
    rel = spec.id
    prov_path = folder / "provenance.json"
    parts = [f'<section id="{_esc(spec.id)}"><h2>{_esc(spec.title)} <small>({_esc(spec.id)})</small></h2>']
    if not prov_path.is_file():
        parts.append('<p class="failed">Not built yet (run <code>lvv-eval reports --only '
                     f'{_esc(spec.id)}</code>).</p></section>')
        return "\n".join(parts), False
    prov = json.loads(prov_path.read_text(encoding="utf-8"))
    manifest = read_manifest(folder)
    params = prov.get("parameters", {})
    synthetic = _is_synthetic(params, manifest, root)
    if synthetic:
        parts.append('<p class="banner"><strong>Synthetic data.</strong> The person-level numbers in this '
                     "report come from generated data, not from real people or the real monitor.</p>")
    if prov.get("status") != "ok":
        err = prov.get("error") or {}
        cell = f"cell In [{err['exec_count']}]: " if err.get("exec_count") is not None else ""
        parts.append(f'<p class="failed"><strong>Build failed.</strong> {_esc(cell)}{_esc(err.get("ename"))}: '
                     f"{_esc(err.get('evalue'))}</p>")
    links = []
    names = prov.get("files") or output_names(spec.id)  # older records: files named after the id
    for role, label in (("html", "report (HTML)"), ("notebook", "executed notebook"),
                        ("failed_notebook", "failed notebook"), ("log", "log"), ("provenance", "provenance"),
                        ("release", "release record")):
        name = names.get(role)
        if not name:
            continue
        if (folder / name).is_file():
            links.append(f'<a href="{_esc(rel)}/{_esc(name)}">{_esc(label)}</a>')
    parts.append(f"<p>{' · '.join(links)}</p>")
    git = prov.get("git") or {}
    commit = (git.get("commit") or "no git")[:12] + (" (uncommitted changes)" if git.get("dirty") else "")
    parts.append(f"<p><small>Notebook {_esc(prov.get('notebook'))}; built {_esc(prov.get('finished_utc'))}; "
                 f"commit {_esc(commit)}</small></p>")
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(json.dumps(v, ensure_ascii=False))}</td></tr>"
                   for k, v in sorted(params.items()) if k != "output_dir")
    parts.append(f'<details><summary>Parameters</summary><table class="params">{rows}</table></details>')
    if manifest:
        tables = manifest.get("tables", [])
        if tables:
            items = "".join(
                f'<li><a href="{_esc(rel)}/{_esc(t["files"][0])}">{_esc(t["name"])}</a> '
                f'<span class="kind kind-{_esc(t["kind"])}">{_esc(KINDS.get(t["kind"], t["kind"]))}</span> '
                f'{_esc(t.get("caption", ""))}</li>' for t in tables)
            parts.append(f"<h3>Tables</h3><ul>{items}</ul>")
        figures = manifest.get("figures", [])
        if figures:
            items = "".join(
                f'<li><a href="{_esc(rel)}/{_esc(f["files"][-1])}"><img src="{_esc(rel)}/{_esc(f["files"][0])}" '
                f'alt="{_esc(f.get("caption") or f["name"])}"></a><br>{_esc(f.get("caption") or f["name"])} '
                f'<span class="kind kind-{_esc(f["kind"])}">{_esc(KINDS.get(f["kind"], f["kind"]))}</span></li>'
                for f in figures)
            parts.append(f"<h3>Figures</h3><ul>{items}</ul>")
        notes = manifest.get("notes", [])
        if notes:
            parts.append("<h3>Notes</h3><ul>" + "".join(f"<li>{_esc(n)}</li>" for n in notes) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts), synthetic


def write_index(config: ReportConfig, reports_dir: str | Path | None = None,
                root: str | Path | None = None) -> Path:
    """Write ``index.html`` linking every configured report as currently on disk."""
    out_root = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
    root_path = Path(root) if root is not None else PROJECT_ROOT
    out_root.mkdir(parents=True, exist_ok=True)
    sections, any_synthetic = [], False
    for spec in config.reports:
        text, synthetic = _index_section(spec, out_root, root_path)
        sections.append(text)
        any_synthetic = any_synthetic or synthetic
    toc = "".join(f'<li><a href="#{_esc(s.id)}">{_esc(s.title)}</a></li>' for s in config.reports)
    banner = ('<p class="banner"><strong>Some reports use synthetic data.</strong> Their person-level numbers '
              "illustrate the method only. Tables marked <em>published figure</em> are copied from the "
              "cited publications.</p>") if any_synthetic else ""
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" + GENERATOR_TAG + _LEGACY_TITLE +
            f"<style>{_CSS}</style></head><body>\n<h1>LVV evaluation reports</h1>\n{banner}\n<ul>{toc}</ul>\n"
            + "\n".join(sections) + "\n</body></html>\n")
    check_index(out_root, root_path)
    path = out_root / INDEX_NAME
    fd, tmp = tempfile.mkstemp(prefix=f".{INDEX_NAME}.partial-", dir=out_root)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def check_index(reports_dir: str | Path, root: str | Path | None = None) -> None:
    """Check that the index may be written in ``reports_dir``.

    Raises
    ------
    UnsafeOutputError
        The folder holds sources (``notebooks/``, ``data/`` ...), or it holds an
        ``index.html`` that lvv-eval did not write.
    """
    folder = Path(reports_dir)
    root_path = Path(root) if root is not None else PROJECT_ROOT
    for protected, why in protected_folders(root_path):
        if is_within(folder, protected):
            raise UnsafeOutputError(f"refusing to write {folder / INDEX_NAME}: {folder} is inside {protected} "
                                    f"({why})")
    path = folder / INDEX_NAME
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UnsafeOutputError(f"refusing to write {path}: it is not a regular file")
    if path.is_file():
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        if GENERATOR_TAG not in head and _LEGACY_TITLE not in head:
            raise UnsafeOutputError(f"refusing to overwrite {path}: lvv-eval did not write it; "
                                    "move it or choose another reports folder")



__all__ = ["GENERATOR_TAG", "check_index", "write_index"]
