"""The index page ``reports/index.html``: every configured report and every ``lvv-eval run`` output on disk.

The page is Dutch by default and English when every built report is English.
"""

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
from lvv_eval.reporting import formatting as fmt
from lvv_eval.reporting.build_config import ReportConfig
from lvv_eval.reporting.output_dir import is_within, output_names, protected_folders
from lvv_eval.reporting.phrases import load_texts, text
from lvv_eval.reporting.publish import report_title
from lvv_eval.reporting.writer import KINDS, read_manifest

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
img{max-width:100%;width:28rem;border:1px solid #ddd}
h2.group{font-size:1.1em;text-transform:uppercase;letter-spacing:.05em;color:#555;margin-top:2rem}
ul.figs{list-style:none;padding:0}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _read_provenance(folder: Path) -> dict[str, Any] | None:
    path = folder / "provenance.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _param_value(value: Any, language: str) -> str:
    """A parameter value as the index shows it (dates in words, lists joined, truth values as words)."""
    if isinstance(value, bool):
        return fmt.format_yes_no(value, language)
    if isinstance(value, list):
        return fmt.join_list([_param_value(v, language) for v in value], language) if value else fmt.MISSING_MARK
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return fmt.format_date(value, language)
        except Exception:  # noqa: BLE001 - not a date after all: shown as written
            return value
    return str(value)


def _index_section(
    rid: str, title: str, folder: Path, root: Path, language: str, *, adhoc: bool = False
) -> tuple[str, bool]:
    def t(key: str, **values: Any) -> str:
        return text(language, key, **values)

    rel = folder.name
    parts = [f'<section id="{_esc(rid)}"><h2>{_esc(title)} <small>({_esc(rid)})</small></h2>']
    prov = _read_provenance(folder)
    if prov is None:
        parts.append(f'<p class="failed">{_esc(t("index_not_built", id=rid))}</p></section>')
        return "\n".join(parts), False
    manifest = read_manifest(folder)
    params = prov.get("parameters", {})
    synthetic = _is_synthetic(params, manifest, root)
    if synthetic:
        parts.append(f'<p class="banner">{_esc(t("summary_synthetic"))}</p>')
    if prov.get("status") != "ok":
        err = prov.get("error") or {}
        cell = f"cell In [{err['exec_count']}]: " if err.get("exec_count") is not None else ""
        parts.append(
            f'<p class="failed"><strong>{_esc(t("index_failed"))}</strong> {_esc(cell)}'
            f"{_esc(err.get('ename'))}: {_esc(err.get('evalue'))}</p>"
        )
    links = []
    names = prov.get("files") or output_names(rid)  # older records: files named after the id
    for role in ("html", "pdf", "notebook", "failed_notebook", "log", "provenance", "release"):
        name = names.get(role)
        if name and (folder / name).is_file():
            links.append(f'<a href="{_esc(rel)}/{_esc(name)}">{_esc(t("index_" + role))}</a>')
    parts.append(f"<p>{' · '.join(links)}</p>")
    git = prov.get("git") or {}
    commit = str(git.get("commit") or "–")[:12]
    if git.get("dirty"):
        commit = t("commit_dirty", commit=commit)
    parts.append(
        f"<p><small>{_esc(t('index_built', notebook=prov.get('notebook'), finished=prov.get('finished_utc'), commit=commit))}</small></p>"
    )
    rows = "".join(
        f"<tr><th>{_esc(k)}</th><td>{_esc(_param_value(v, language))}</td></tr>"
        for k, v in sorted(params.items())
        if k != "output_dir"
    )
    opened = " open" if adhoc else ""
    parts.append(
        f"<details{opened}><summary>{_esc(t('index_parameters'))}</summary>"
        f'<table class="params">{rows}</table></details>'
    )
    if manifest:
        kind_label = {k: t(f"kind_{k}") for k in KINDS}
        tables = manifest.get("tables", [])
        if tables:
            items = "".join(
                f'<li><a href="{_esc(rel)}/{_esc(e["files"][0])}">{_esc(e.get("caption") or e["name"])}</a> '
                f'<span class="kind kind-{_esc(e["kind"])}">{_esc(kind_label.get(e["kind"], e["kind"]))}</span></li>'
                for e in tables
            )
            parts.append(
                f"<details><summary>{_esc(t('index_tables'))} ({len(tables)})</summary><ul>{items}</ul></details>"
            )
        figures = manifest.get("figures", [])
        if figures:
            items = "".join(
                f'<li><a href="{_esc(rel)}/{_esc(f["files"][-1])}"><img src="{_esc(rel)}/{_esc(f["files"][0])}" '
                f'alt="{_esc(f.get("caption") or f["name"])}"></a><br>{_esc(f.get("caption") or f["name"])} '
                f'<span class="kind kind-{_esc(f["kind"])}">{_esc(kind_label.get(f["kind"], f["kind"]))}</span></li>'
                for f in figures
            )
            parts.append(
                f"<details><summary>{_esc(t('index_figures'))} ({len(figures)})</summary>"
                f'<ul class="figs">{items}</ul></details>'
            )
    parts.append("</section>")
    return "\n".join(parts), synthetic


def _adhoc_folders(config: ReportConfig, out_root: Path) -> list[Path]:
    """Folders of ``lvv-eval run`` outputs under the reports folder (not configured, with a provenance record)."""
    configured = {s.id for s in config.reports}
    if not out_root.is_dir():
        return []
    return sorted(
        p
        for p in out_root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in configured and (p / "provenance.json").is_file()
    )


def index_language(folders: list[Path]) -> str:
    """The language of the index: English when every built report is English, else Dutch."""
    languages = []
    for folder in folders:
        prov = _read_provenance(folder)
        if prov is not None:
            languages.append(str((prov.get("parameters") or {}).get("language") or "nl"))
    return "en" if languages and all(lang == "en" for lang in languages) else "nl"


def write_index(config: ReportConfig, reports_dir: str | Path | None = None, root: str | Path | None = None) -> Path:
    """Write ``index.html`` linking every configured report and every ad-hoc run as currently on disk.

    The page is in Dutch, or in English when every built report is English.
    """
    out_root = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
    root_path = Path(root) if root is not None else PROJECT_ROOT
    out_root.mkdir(parents=True, exist_ok=True)
    adhoc = _adhoc_folders(config, out_root)
    language = index_language([out_root / s.id for s in config.reports] + adhoc)
    t = load_texts(language)
    entries: list[tuple[str, str, Path, bool]] = []
    for spec in config.reports:
        entries.append((spec.id, report_title(spec.notebook.stem, language) or spec.title, out_root / spec.id, False))
    for folder in adhoc:
        prov = _read_provenance(folder) or {}
        stem = Path(str(prov.get("notebook", folder.name))).stem
        entries.append((folder.name, report_title(stem, language) or stem, folder, True))
    sections: dict[bool, list[str]] = {False: [], True: []}
    any_synthetic = False
    for rid, title, folder, is_adhoc in entries:
        html_text, synthetic = _index_section(rid, title, folder, root_path, language, adhoc=is_adhoc)
        sections[is_adhoc].append(html_text)
        any_synthetic = any_synthetic or synthetic
    toc = "".join(
        f'<li><a href="#{_esc(rid)}">{_esc(title)}</a>{" (" + _esc(rid) + ")" if a else ""}</li>'
        for rid, title, _, a in entries
    )
    banner = f'<p class="banner">{_esc(t["index_synthetic"])}</p>' if any_synthetic else ""
    body = f'<h2 class="group">{_esc(t["index_configured"])}</h2>\n' + "\n".join(sections[False])
    if sections[True]:
        body += f'\n<h2 class="group">{_esc(t["index_adhoc"])}</h2>\n' + "\n".join(sections[True])
    page = (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        + GENERATOR_TAG
        + '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(t['index_title'])}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>{_esc(t['index_title'])}</h1>\n{banner}\n<ul>{toc}</ul>\n{body}\n</body></html>\n"
    )
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
            raise UnsafeOutputError(f"refusing to write {folder / INDEX_NAME}: {folder} is inside {protected} ({why})")
    path = folder / INDEX_NAME
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UnsafeOutputError(f"refusing to write {path}: it is not a regular file")
    if path.is_file():
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        if GENERATOR_TAG not in head and _LEGACY_TITLE not in head:
            raise UnsafeOutputError(
                f"refusing to overwrite {path}: lvv-eval did not write it; move it or choose another reports folder"
            )


__all__ = ["GENERATOR_TAG", "check_index", "index_language", "write_index"]
