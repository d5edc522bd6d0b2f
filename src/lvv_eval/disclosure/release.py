"""The release record of a report, in the form output checkers use, and the release folder.

Modelled on the per-output record of ACRO (``results.json``: one entry per output with uid,
status, type, properties, files, outcome per cell, command, summary, timestamp, comments and
exception): after every build, :func:`check_built_report` scans the report's files
(:func:`lvv_eval.disclosure.scan.scan_report`) and writes

* ``release.json``: one entry per output (each table, figure, the HTML page, the executed
  notebook, the log, the provenance and manifest records) with its ``uid``, ``type``
  (table, figure, page, notebook, log, record), ``kind`` (published, derived, synthetic,
  person-level), ``rule`` applied, ``status`` (``pass``, ``review`` or ``fail``), the ``files``
  with their SHA-256, the cells shown as suppressed and why (``outcome``), the scan's findings
  for those files, the researcher's ``exception`` request and the checker's ``checker_comment``
  and ``checker_decision`` (empty, for the output checker to fill in);
* ``release.html``: the same, readable (Dutch by default, English when the report's
  ``language`` is ``en``), linked from ``reports/index.html``.

A report whose scan finds a disclosive value does not build: its provenance is marked failed,
the executed notebook is renamed ``<stem>.failed.ipynb`` (as for a notebook that failed), and
the command exits non-zero. :func:`release` (``lvv-eval release``) copies the outputs that
passed (and those under review that the checker approved in ``release.json``), and only those,
into a release folder, with a copy of the record from which the values of the findings are
removed.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from lvv_eval.disclosure.scan import (
    EXEMPT_KINDS,
    MANIFEST,
    OWN_FILES,
    PROVENANCE,
    Finding,
    ScanResult,
    scan_report,
)
from lvv_eval.errors import ConfigError
from lvv_eval.paths import PROJECT_ROOT

__all__ = [
    "RELEASE_HTML",
    "RELEASE_JSON",
    "ReleaseOutcome",
    "build_record",
    "check_built_report",
    "release",
    "write_record",
]

RELEASE_JSON = "release.json"
RELEASE_HTML = "release.html"
RELEASE_MARKER = ".lvv-release.json"
"""File in a release folder listing the files ``lvv-eval release`` wrote there (so it may replace them)."""
SCAN_FAILED = "DisclosureScanFailed"
"""``ename`` of a build that failed the output scan."""
RECORD_VERSION = 1

_RULES = {
    "published": "exempt: published figure (source listed in data/published/sources.csv)",
    "derived": "exempt: computed from published figures only",
    "synthetic": "threshold {t} (primary and secondary suppression), as for person-level data; output scan",
    "person-level": "threshold {t} (primary and secondary suppression); output scan",
}

_TEXT = {
    "nl": {
        "title": "Vrijgaverecord",
        "report": "Rapport",
        "notebook": "Notebook",
        "data": "Gegevensbron",
        "peildatum": "Peildatum",
        "threshold": "Drempel (kleinste getoonde aantal)",
        "status": "Status",
        "scan": "Uitvoercontrole (scan)",
        "limits": "Wat de scan niet ziet",
        "outputs": "Uitvoer",
        "uid": "Id",
        "type": "Soort",
        "kind": "Herkomst",
        "rule": "Regel",
        "files": "Bestanden",
        "suppressed": "Onderdrukte cellen",
        "findings": "Bevindingen",
        "comment": "Opmerking controleur",
        "decision": "Besluit controleur",
        "exception": "Toelichting onderzoeker",
        "none": "geen",
        "intro": (
            "Per uitvoer: welke regel is toegepast, welke cellen zijn onderdrukt en waarom, en wat de "
            "scan van alle bestanden vond. De controleur vult opmerking en besluit in release.json in "
            "(besluit: approve of reject); lvv-eval release kopieert alleen uitvoer met status pass, "
            "of review met besluit approve."
        ),
        "pass": "vrij te geven",
        "review": "handmatig beoordelen",
        "fail": "niet vrij te geven",
    },
    "en": {
        "title": "Release record",
        "report": "Report",
        "notebook": "Notebook",
        "data": "Data source",
        "peildatum": "Reference date",
        "threshold": "Threshold (smallest count shown)",
        "status": "Status",
        "scan": "Output scan",
        "limits": "What the scan cannot see",
        "outputs": "Outputs",
        "uid": "Id",
        "type": "Type",
        "kind": "Origin",
        "rule": "Rule",
        "files": "Files",
        "suppressed": "Suppressed cells",
        "findings": "Findings",
        "comment": "Checker's comment",
        "decision": "Checker's decision",
        "exception": "Researcher's explanation",
        "none": "none",
        "intro": (
            "Per output: the rule applied, the cells suppressed and why, and what the scan of every "
            "file found. The output checker fills in the comment and decision in release.json "
            "(decision: approve or reject); lvv-eval release copies only outputs with status pass, "
            "or review with decision approve."
        ),
        "pass": "can be released",
        "review": "review by hand",
        "fail": "cannot be released",
    },
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write_json(path: Path, value: Mapping[str, Any]) -> Path:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")
    return path


# --------------------------------------------------------------------------- suppressed cells


def suppressed_cells(path: Path) -> list[dict[str, str]]:
    """Cells a table shows as suppressed, with the reason it gives.

    A row counts as suppressed when its ``suppressed``/``Onderdrukt`` column is true; its empty
    cells are listed, with the reason from a ``suppression_rule``/``Reden onderdrukking`` column
    when there is one. Empty cells of tables without such a column are listed as ``empty`` (the
    checker tells suppressed from not available). Values are never listed.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, UnicodeDecodeError):
        return []
    lower = {c.lower(): c for c in frame.columns}
    flag = next((lower[k] for k in ("suppressed", "onderdrukt") if k in lower), None)
    reason = next((lower[k] for k in ("suppression_rule", "reden onderdrukking") if k in lower), None)
    out: list[dict[str, str]] = []
    for n, row in enumerate(frame.itertuples(index=False), start=1):
        values = dict(zip(frame.columns, row))
        if flag is not None and str(values[flag]).strip().lower() not in ("true", "waar", "ja", "yes", "1"):
            continue
        label = next(
            (
                str(v)
                for c, v in values.items()
                if c.lower() in ("pilot", "pilotgemeente", "group", "design_group", "line")
            ),
            "",
        )
        for column, value in values.items():
            if column in (flag, reason) or str(value).strip() not in ("", "<NA>", "–"):
                continue
            why = (
                str(values[reason])
                if reason and values[reason]
                else "suppressed"
                if flag is not None
                else "empty (suppressed or not available)"
            )
            out.append({"cell": f"row {n}" + (f" ({label})" if label else "") + f", column {column!r}", "reason": why})
    return out


# --------------------------------------------------------------------------- the record


def _entry(
    uid: str,
    kind: str,
    type_: str,
    files: list[str],
    folder: Path,
    threshold: int,
    findings: list[Finding],
    caption: str = "",
    gate: list[dict[str, str]] | None = None,
    build_ok: bool = True,
) -> dict[str, Any]:
    own = [f for f in findings if f.file in files]
    status = "pass"
    if any(f.severity == "fail" for f in own) or not build_ok:
        status = "fail"
    elif own or (type_ == "figure" and kind not in EXEMPT_KINDS):
        status = "review"
    outcome = list(gate or [])
    if type_ == "table":
        outcome += [c for c in suppressed_cells(folder / files[0]) if c not in outcome]
    summary = (
        "build failed"
        if not build_ok
        else f"{len(own)} finding(s) of the scan"
        if own
        else "figure: the scan cannot read pictures; check by eye"
        if status == "review"
        else "nothing found by the scan"
    )
    return {
        "uid": uid,
        "type": type_,
        "kind": kind,
        "caption": caption,
        "rule": _RULES.get(kind, "output scan").format(t=threshold),
        "status": status,
        "files": [{"path": f, "sha256": _sha256(folder / f) if (folder / f).is_file() else None} for f in files],
        "outcome": outcome,
        "scan": [
            {
                "file": f.file,
                "location": f.location,
                "value": f.value,
                "rule": f.rule,
                "reason": f.reason,
                "severity": f.severity,
            }
            for f in own
        ],
        "summary": summary,
        "exception": "",
        "checker_comment": "",
        "checker_decision": "",
    }


def build_record(
    report_dir: str | Path,
    scan: ScanResult,
    provenance: Mapping[str, Any] | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the release record of a report folder (see the module docstring)."""
    folder = Path(report_dir)
    provenance = dict(provenance if provenance is not None else _read_json(folder / PROVENANCE))
    manifest = dict(manifest if manifest is not None else _read_json(folder / MANIFEST))
    params = provenance.get("parameters", {})
    error = provenance.get("error") or {}
    build_ok = provenance.get("status") == "ok" or error.get("ename") == SCAN_FAILED
    threshold = scan.threshold
    outputs: dict[str, dict[str, Any]] = {}
    listed: set[str] = set()
    for table in manifest.get("tables", []):
        files = [f for f in table.get("files", []) if (folder / f).is_file()]
        if not files:
            continue
        listed |= set(files)
        uid = f"table:{table['name']}"
        outputs[uid] = _entry(
            uid,
            str(table.get("kind")),
            "table",
            files,
            folder,
            threshold,
            scan.findings,
            str(table.get("caption", "")),
            table.get("disclosure"),
            build_ok,
        )
    for figure in manifest.get("figures", []):
        files = [f for f in figure.get("files", []) if (folder / f).is_file()]
        if not files:
            continue
        listed |= set(files)
        uid = f"figure:{figure['name']}"
        outputs[uid] = _entry(
            uid,
            str(figure.get("kind")),
            "figure",
            files,
            folder,
            threshold,
            scan.findings,
            str(figure.get("caption", "")),
            figure.get("disclosure"),
            build_ok,
        )
    pictures = any(f.get("kind") not in EXEMPT_KINDS for f in manifest.get("figures", []))
    names = provenance.get("files") or {}
    types = {
        "html": "page",
        "notebook": "notebook",
        "failed_notebook": "notebook",
        "log": "log",
        "provenance": "record",
        "manifest": "record",
    }
    for role, name in sorted(names.items()):
        if role not in types or name in listed or not (folder / name).is_file() or name in OWN_FILES:
            continue
        listed.add(name)
        kind = (
            "person-level"
            if params.get("data_source") not in (None, "published", "synthetic")
            else ("published" if params.get("data_source") == "published" else "synthetic")
        )
        uid = f"{types[role]}:{name}"
        outputs[uid] = _entry(
            uid,
            kind,
            types[role],
            [name],
            folder,
            threshold,
            scan.findings,
            "",
            None,
            build_ok and role != "failed_notebook",
        )
        outputs[uid]["rule"] = "output scan of the whole file"
        if types[role] in ("page", "notebook") and outputs[uid]["status"] == "pass" and pictures:
            outputs[uid]["status"] = "review"
            outputs[uid]["summary"] = (
                "embeds figures of person-level or synthetic data, which the scan cannot read; check by eye"
            )
    other = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).as_posix() not in listed | OWN_FILES
    )
    for name in other:
        uid = f"file:{name}"
        outputs[uid] = _entry(uid, "unlisted", "file", [name], folder, threshold, scan.findings, "", None, build_ok)
        outputs[uid]["rule"] = "not listed in manifest.json: not released without the checker's approval"
        if outputs[uid]["status"] == "pass":
            outputs[uid]["status"] = "review"
    statuses = {o["status"] for o in outputs.values()}
    status = "fail" if "fail" in statuses or not build_ok else "review" if "review" in statuses else "pass"
    return {
        "version": RECORD_VERSION,
        "report_id": provenance.get("report_id", folder.name),
        "title": provenance.get("title", ""),
        "notebook": provenance.get("notebook", ""),
        "language": params.get("language", "nl") if params.get("language") in _TEXT else "nl",
        "data_source": params.get("data_source", ""),
        "peildatum": params.get("peildatum", ""),
        "threshold": threshold,
        "timestamp": provenance.get("finished_utc", ""),
        "build_status": provenance.get("status", ""),
        "status": status,
        "scan": {
            "verdict": scan.verdict,
            "summary": scan.summary(),
            "note": scan.note,
            "files": scan.files,
            "limits": list(scan.limits),
        },
        "outputs": outputs,
        "checker": {"name": "", "date": "", "comment": ""},
    }


def render_html(record: Mapping[str, Any]) -> str:
    """The release record as a self-contained HTML page (language of the record)."""
    t = _TEXT.get(str(record.get("language")), _TEXT["nl"])
    e = lambda v: html.escape(str(v), quote=True)  # noqa: E731
    rows = []
    for uid, out in record.get("outputs", {}).items():
        outcome = "".join(f"<li>{e(c['cell'])}: {e(c['reason'])}</li>" for c in out.get("outcome", []))
        found = "".join(
            f"<li>{e(f['file'])}, {e(f['location'])}: {e(f.get('reason', f['rule']))}</li>" for f in out.get("scan", [])
        )
        files = "<br>".join(e(f["path"]) for f in out.get("files", []))
        rows.append(
            f'<tr class="{e(out["status"])}"><td><code>{e(uid)}</code><br><small>{e(out.get("caption", ""))}</small></td>'
            f"<td>{e(out['type'])}</td><td>{e(out['kind'])}</td><td>{e(out['rule'])}</td>"
            f"<td><strong>{e(out['status'])}</strong><br><small>{e(t.get(out['status'], ''))}</small></td>"
            f"<td>{files}</td>"
            f"<td>{f'<ul>{outcome}</ul>' if outcome else e(t['none'])}</td>"
            f"<td>{f'<ul>{found}</ul>' if found else e(t['none'])}</td>"
            f"<td>{e(out.get('exception', ''))}</td><td>{e(out.get('checker_comment', ''))}</td>"
            f"<td>{e(out.get('checker_decision', ''))}</td></tr>"
        )
    scan = record.get("scan", {})
    limits = "".join(f"<li>{e(x)}</li>" for x in scan.get("limits", []))
    head = "".join(
        f"<th>{e(t[k])}</th>"
        for k in (
            "uid",
            "type",
            "kind",
            "rule",
            "status",
            "files",
            "suppressed",
            "findings",
            "exception",
            "comment",
            "decision",
        )
    )
    css = (
        "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3rem;vertical-align:top;text-align:left;font-size:.9em}"
        "tr.fail{background:#f8d7da}tr.review{background:#fff3cd}tr.pass{background:#d1e7dd}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{e(record.get("language", "nl"))}"><head><meta charset="utf-8">'
        f"<title>{e(t['title'])}: {e(record.get('report_id'))}</title><style>{css}</style></head><body>\n"
        f"<h1>{e(t['title'])}: {e(record.get('report_id'))}</h1>\n<p>{e(t['intro'])}</p>\n"
        f"<table><tr><th>{e(t['report'])}</th><td>{e(record.get('title'))}</td></tr>"
        f"<tr><th>{e(t['notebook'])}</th><td>{e(record.get('notebook'))}</td></tr>"
        f"<tr><th>{e(t['data'])}</th><td>{e(record.get('data_source'))}</td></tr>"
        f"<tr><th>{e(t['peildatum'])}</th><td>{e(record.get('peildatum'))}</td></tr>"
        f"<tr><th>{e(t['threshold'])}</th><td>{e(record.get('threshold'))}</td></tr>"
        f"<tr><th>{e(t['status'])}</th><td><strong>{e(record.get('status'))}</strong> "
        f"({e(t.get(str(record.get('status')), ''))})</td></tr>"
        f"<tr><th>{e(t['scan'])}</th><td>{e(scan.get('summary'))}<br><small>{e(scan.get('note'))}</small></td></tr>"
        f"</table>\n<h2>{e(t['outputs'])}</h2>\n<table><tr>{head}</tr>\n" + "\n".join(rows) + "\n</table>\n"
        f"<h2>{e(t['limits'])}</h2><ul>{limits}</ul>\n</body></html>\n"
    )


def write_record(report_dir: str | Path, record: Mapping[str, Any]) -> tuple[Path, Path]:
    """Write ``release.json`` and ``release.html`` into the report folder."""
    folder = Path(report_dir)
    page = folder / RELEASE_HTML
    with open(page, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(render_html(record))
    return _write_json(folder / RELEASE_JSON, record), page


# --------------------------------------------------------------------------- the build hook


def check_built_report(
    report_dir: str | Path,
    provenance: dict[str, Any],
    *,
    root: str | Path = PROJECT_ROOT,
    parameters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Scan a report just built, write its release record, and fail the build on a finding.

    Called by the report pipeline after ``provenance.json`` is written, with the run's
    ``parameters`` as given to the notebook (the provenance records a data source outside the
    project by its file name only). Adds
    ``files["release"]`` and ``disclosure_scan`` to the provenance; when the scan fails (or
    cannot run), sets ``status`` to ``failed`` with an error ``DisclosureScanFailed`` that names
    the files but none of the values. Rewrites ``provenance.json`` and returns the record.
    """
    folder = Path(report_dir)
    try:
        scan = scan_report(folder, dict(parameters or provenance.get("parameters", {})), root=root)
    except Exception as exc:  # noqa: BLE001 - a scan that cannot run fails the build (fail closed)
        scan = ScanResult(
            str(folder),
            "fail",
            [
                Finding(
                    PROVENANCE, "scan", "", "scan-error", f"the output scan could not run: {type(exc).__name__}: {exc}"
                )
            ],
            {},
            int(provenance.get("parameters", {}).get("disclosure_threshold", 10) or 10),
            "the output scan could not run",
        )
    provenance = dict(provenance)
    provenance["disclosure_scan"] = {
        "verdict": scan.verdict,
        "findings": len(scan.findings),
        "fail": sum(f.severity == "fail" for f in scan.findings),
    }
    files = dict(provenance.get("files") or {})
    if scan.failed and provenance.get("status") == "ok":
        provenance["status"] = "failed"
        executed = files.get("notebook")
        if executed and executed.endswith(".ipynb") and (folder / executed).is_file():
            failed = executed[: -len(".ipynb")] + ".failed.ipynb"  # the pipeline's name for a failed run
            (folder / executed).replace(folder / failed)
            files["failed_notebook"] = failed
            del files["notebook"]
            scan.findings = [replace(f, file=failed) if f.file == executed else f for f in scan.findings]
            scan.files = {(failed if k == executed else k): v for k, v in scan.files.items()}
        provenance["error"] = {
            "ename": SCAN_FAILED,
            "evalue": f"{scan.summary()}; the report does not build (see {RELEASE_HTML})",
        }
    provenance["files"] = dict(sorted({**files, "release": RELEASE_HTML}.items()))
    _write_json(folder / PROVENANCE, provenance)
    write_record(folder, build_record(folder, scan, provenance))
    return provenance


# --------------------------------------------------------------------------- lvv-eval release


@dataclass
class ReleaseOutcome:
    """What :func:`release` did."""

    out_dir: Path
    copied: list[str] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.withheld


def _releasable(entry: Mapping[str, Any]) -> bool:
    decision = str(entry.get("checker_decision", "")).strip().lower()
    if decision == "reject":
        return False
    return entry.get("status") == "pass" or (entry.get("status") == "review" and decision == "approve")


def _prepare_out(out: Path) -> None:
    """Refuse a non-empty folder not made by :func:`release`; remove only what it wrote there before."""
    marker = out / RELEASE_MARKER
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not marker.is_file():
            raise ConfigError(
                f"{out}: the folder is not empty and was not made by lvv-eval release; "
                "give a new or empty folder (nothing was copied)"
            )
        written = _read_json(marker).get("files", [])
        for name in written:
            target = out / name
            if target.is_file() and target.resolve().is_relative_to(out.resolve()):
                target.unlink()
        marker.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _redacted(record: Mapping[str, Any], released: set[str]) -> dict[str, Any]:
    """The record for the release folder: findings without their values and reasons."""
    copy = json.loads(json.dumps(record))
    for uid, entry in copy.get("outputs", {}).items():
        entry["released"] = uid in released
        entry["scan"] = [
            {"file": f["file"], "location": f["location"], "rule": f["rule"], "severity": f["severity"]}
            for f in entry.get("scan", [])
        ]
    return copy


def _data_source(provenance: Mapping[str, Any], data: str | Path | None, root: Path) -> dict[str, Any]:
    """The run's parameters, with the data source given on the command line (checked by SHA-256)."""
    params = dict(provenance.get("parameters", {}))
    if data is None:
        return params
    path = Path(data)
    recorded = [i for i in provenance.get("inputs", []) if i.get("role") == "data_source"]
    if not path.is_file():
        raise ConfigError(f"{path}: the data source given with --data does not exist")
    if recorded and recorded[0].get("sha256") and recorded[0]["sha256"] != _sha256(path):
        raise ConfigError(f"{path}: not the file the report was built from (SHA-256 differs from provenance.json)")
    params["data_source"] = str(path.resolve())
    return params


def release(
    report_dir: str | Path, out_dir: str | Path, *, root: str | Path = PROJECT_ROOT, data: str | Path | None = None
) -> ReleaseOutcome:
    """Copy the outputs of a report that passed into a release folder, with the record.

    The report is scanned again (files may have changed since the build); an output is copied
    when its status is ``pass`` now and in the stored record (or ``review`` with the checker's
    decision ``approve`` in ``release.json``), and its files still have the SHA-256 recorded.
    ``data`` names the person-level input when it lies outside the project (the provenance
    records it by file name and SHA-256 only); it must have the recorded SHA-256.

    Raises
    ------
    ConfigError
        No release record or provenance in ``report_dir``; the notebook itself failed; ``out_dir``
        is not empty and was not made by this function; ``data`` is not the recorded input.
    """
    folder = Path(report_dir)
    out = Path(out_dir)
    stored = _read_json(folder / RELEASE_JSON)
    provenance = _read_json(folder / PROVENANCE)
    if not stored or not provenance:
        raise ConfigError(
            f"{folder}: no {RELEASE_JSON} and {PROVENANCE}; build the report first (lvv-eval reports or lvv-eval run)"
        )
    error = provenance.get("error") or {}
    if provenance.get("status") != "ok" and error.get("ename") != SCAN_FAILED:
        raise ConfigError(f"{folder}: the report did not build ({error.get('ename')}); nothing can be released")
    if out.resolve() == folder.resolve() or out.resolve().is_relative_to(folder.resolve()):
        raise ConfigError(f"{out}: the release folder must be outside the report folder")
    scan = scan_report(folder, _data_source(provenance, data, Path(root)), root=root)
    fresh = build_record(folder, scan, provenance)
    outcome = ReleaseOutcome(out)
    released: set[str] = set()
    for uid, entry in fresh["outputs"].items():
        old = stored.get("outputs", {}).get(uid, {})
        for key in ("exception", "checker_comment", "checker_decision"):
            entry[key] = old.get(key, "")
        changed = [
            f["path"]
            for f in entry["files"]
            if f["sha256"] != {g["path"]: g["sha256"] for g in old.get("files", [])}.get(f["path"])
        ]
        if changed:
            outcome.withheld[uid] = f"changed since the record was written: {', '.join(changed)}"
        elif not _releasable(entry) or (old.get("status") == "fail"):
            outcome.withheld[uid] = entry["status"] + (
                f" ({entry['checker_decision']})" if entry["checker_decision"] else ""
            )
        else:
            released.add(uid)
    fresh["checker"] = stored.get("checker", fresh["checker"])
    _prepare_out(out)
    written: list[str] = []
    for uid in sorted(released):
        for f in fresh["outputs"][uid]["files"]:
            target = out / f["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / f["path"], target)
            written.append(f["path"])
        outcome.copied.append(uid)
    copy = _redacted(fresh, released)
    _write_json(out / RELEASE_JSON, copy)
    with open(out / RELEASE_HTML, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(render_html(copy))
    written += [RELEASE_JSON, RELEASE_HTML]
    _write_json(out / RELEASE_MARKER, {"report_dir": folder.name, "files": sorted(set(written))})
    return outcome
