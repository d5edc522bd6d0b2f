"""The reproducible report pipeline: run notebooks with papermill, render, index.

``config/reports.yaml`` lists the reports (an id, a notebook and its
parameters). :func:`build_all` executes each notebook with papermill (kernel
``python3``, working directory = project root, per-cell timeout), several at a
time in separate processes, and writes under ``reports/<id>/``:

* ``<id>.ipynb``  the executed notebook (``<id>.failed.ipynb`` when it failed);
* ``<id>.html``   the notebook rendered without code and without network resources;
* ``<id>.log``    papermill's log, including the cells' printed output;
* ``tables/``, ``figures/``, ``manifest.json``  written by the notebook's
  :class:`lvv_eval.reporting.writer.ReportWriter` (the pipeline injects ``output_dir``);
* ``provenance.json``  parameters, input checksums, versions, git commit, times.

:func:`run_one` (``lvv-eval run``) writes the same files into the folder it is
given, named after the notebook (``03_final.html`` ...), not after the folder.
Paths recorded in ``provenance.json`` and in the executed notebook's metadata
are relative to the project root (or bare file names outside it), so two
checkouts give the same record apart from times and the commit.

``reports/index.html`` links everything. A failing notebook does not stop
the others; the function reports it and the command exits non-zero.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import html
import json
import logging
import multiprocessing
import os
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, TextIO

import yaml

from lvv_eval.errors import ConfigError
from lvv_eval.paths import CONFIG_DIR, NOTEBOOKS_DIR, PROJECT_ROOT, REPORTS_DIR, SYNTHETIC_DIR
from lvv_eval.reporting.writer import KINDS, MANIFEST_NAME, read_manifest

DEFAULT_CONFIG: Path = CONFIG_DIR / "reports.yaml"
DEFAULT_TIMEOUT = 1200
"""Default per-cell execution timeout in seconds."""
START_TIMEOUT = 120
"""Seconds to wait for a kernel to start."""
KERNEL_NAME = "python3"

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_CONFIG_KEYS = {"timeout", "reports"}
_REPORT_KEYS = {"id", "notebook", "title", "parameters"}


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class ReportSpec:
    """One report of the configuration.

    Attributes
    ----------
    id
        Folder name under ``reports/`` and stem of the output files.
    notebook
        Notebook file (absolute path).
    parameters
        Parameter overrides for this report (the notebook's defaults apply otherwise).
    title
        Heading in the report index.
    """

    id: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""


@dataclass(frozen=True)
class ReportConfig:
    """The parsed ``config/reports.yaml``."""

    path: Path
    reports: tuple[ReportSpec, ...]
    timeout: int = DEFAULT_TIMEOUT


def _plain(value: Any) -> Any:
    """Turn YAML dates back into ISO strings, recursively (dates stay strings)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def load_config(path: str | Path | None = None, *, root: str | Path | None = None) -> ReportConfig:
    """Read and check the report configuration.

    Parameters
    ----------
    path
        YAML file; default ``config/reports.yaml``.
    root
        Folder that relative notebook paths are resolved against (default: project root).

    Raises
    ------
    ConfigError
        Listing every problem (unknown keys, missing or duplicate ids, bad values).
    """
    path = Path(path) if path is not None else DEFAULT_CONFIG
    root = Path(root) if root is not None else PROJECT_ROOT
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read report configuration: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'reports' list")
    for key in sorted(set(data) - _CONFIG_KEYS):
        problems.append(f"unknown key {key!r} (known: {', '.join(sorted(_CONFIG_KEYS))})")
    timeout = data.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        problems.append(f"timeout: expected a positive number of seconds, got {timeout!r}")
    entries = data.get("reports")
    if not isinstance(entries, list) or not entries:
        problems.append("reports: expected a non-empty list")
        entries = []
    specs: list[ReportSpec] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        where = f"reports[{n}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with id, notebook, parameters")
            continue
        for key in sorted(set(entry) - _REPORT_KEYS):
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(sorted(_REPORT_KEYS))})")
        rid, nb = entry.get("id"), entry.get("notebook")
        if not isinstance(rid, str) or not _ID.fullmatch(rid):
            problems.append(f"{where}: id {rid!r} must be letters, digits, '_', '-', '.'")
        elif rid in seen:
            problems.append(f"{where}: duplicate id {rid!r}")
        seen.add(str(rid))
        if not isinstance(nb, str) or not nb:
            problems.append(f"{where}: notebook must be a path")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            problems.append(f"{where}: parameters must be a mapping of name: value")
            params = {}
        if isinstance(rid, str) and isinstance(nb, str) and nb:
            nb_path = Path(nb) if Path(nb).is_absolute() else root / nb
            specs.append(ReportSpec(rid, nb_path, _plain(params), str(entry.get("title") or rid)))
    if problems:
        raise ConfigError(f"{path}: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))
    return ReportConfig(path=path, reports=tuple(specs), timeout=int(timeout))


# --------------------------------------------------------------------------- parameters


def parse_parameter_value(text: str) -> Any:
    """Parse a ``-p NAME VALUE`` value the way papermill does, plus lists.

    ``None``/``null`` give ``None``; ``true``/``false`` (any case) give a bool;
    integers and decimal numbers give int/float; text starting with ``[`` or
    ``{`` is read as YAML (a list or mapping); everything else, dates
    included, stays a string.

    Examples
    --------
    >>> [parse_parameter_value(v) for v in ["5", "0.5", "True", "None", "2020-11-01", "no"]]
    [5, 0.5, True, None, '2020-11-01', 'no']
    >>> parse_parameter_value("[amsterdam, utrecht]")
    ['amsterdam', 'utrecht']
    """
    stripped = text.strip()
    if stripped in ("None", "null", "~"):
        return None
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    if re.fullmatch(r"[+-]?\d+", stripped):
        return int(stripped)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)", stripped):
        return float(stripped)
    if stripped[:1] in ("[", "{"):
        try:
            return _plain(yaml.safe_load(stripped))
        except yaml.YAMLError as exc:
            raise ConfigError(f"cannot read parameter value {text!r} as a list or mapping: {exc}") from None
    return text


def prepare_parameters(notebook: Path, overrides: Mapping[str, Any],
                       output_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a run's parameters against the notebook before starting a kernel.

    Returns
    -------
    tuple of dict
        The overrides to inject (with ``output_dir``), and every parameter of
        the run (the notebook's defaults updated with the overrides), after
        validating the latter.

    Raises
    ------
    ConfigError
        Unknown names, bad values, or a notebook without an ``output_dir`` parameter.
    """
    from lvv_eval.reporting.parameters import declared_types, parameter_specs, validate_parameters  # noqa: PLC0415

    specs = parameter_specs(notebook)
    declared = {s.name: s.default for s in specs}
    if "output_dir" not in declared:
        raise ConfigError(f"{notebook}: the parameters cell declares no 'output_dir'; the report pipeline "
                          "needs it to tell the notebook where to write its tables and figures")
    injected = {**_plain(dict(overrides)), "output_dir": str(output_dir)}
    merged = {**declared, **injected}
    validate_parameters(merged, notebook=str(notebook), allowed=set(declared), types=declared_types(specs))
    return injected, merged


# --------------------------------------------------------------------------- one run


@dataclass
class RunResult:
    """Outcome of running one notebook."""

    report_id: str
    notebook: str
    output_dir: str
    status: str
    elapsed: float
    parameters: dict[str, Any]
    error: dict[str, Any] | None = None
    stem: str = ""
    """Stem of the output files (``<stem>.html``, ``<stem>.ipynb`` ...); the report id when empty."""

    @property
    def file_stem(self) -> str:
        """Stem of the output files: :attr:`stem`, or the report id."""
        return self.stem or self.report_id

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def describe_error(self) -> str:
        """One line naming the failing cell and exception."""
        if not self.error:
            return ""
        err = self.error
        if err.get("exec_count") is not None or err.get("cell_index") is not None:
            src = f" `{err['source_line']}`" if err.get("source_line") else ""
            return f"cell In [{err.get('exec_count')}]{src}: {err.get('ename')}: {err.get('evalue')}"
        return f"{err.get('ename')}: {err.get('evalue')}"


_GENERATED = ("tables", "figures", MANIFEST_NAME, "provenance.json")


def output_names(stem: str) -> dict[str, str]:
    """File names of a report's outputs for a file stem.

    Examples
    --------
    >>> output_names("03_final")["html"]
    '03_final.html'
    """
    return {"html": f"{stem}.html", "notebook": f"{stem}.ipynb", "failed_notebook": f"{stem}.failed.ipynb",
            "log": f"{stem}.log", "provenance": "provenance.json", "manifest": MANIFEST_NAME}


def _clear_outputs(out: Path, stem: str) -> None:
    """Remove what an earlier run of this report wrote (only known names)."""
    names = output_names(stem)
    for name in (*_GENERATED, names["notebook"], names["failed_notebook"], names["html"], names["log"]):
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def export_html(notebook: str | Path, html_path: str | Path, *, title: str = "") -> Path:
    """Render an executed notebook to a self-contained HTML page without code.

    Uses nbconvert's ``lab`` template with the script blocks (require.js,
    MathJax, mermaid from CDNs) removed, so the page needs no network.
    """
    import jinja2  # noqa: PLC0415
    import nbformat  # noqa: PLC0415
    from nbconvert import HTMLExporter  # noqa: PLC0415

    loader = jinja2.DictLoader({"lvv_offline.html.j2": (
        "{%- extends 'index.html.j2' -%}\n"
        "{%- block html_head_js -%}{%- endblock html_head_js -%}\n"
        "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
        "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    )})
    exporter = HTMLExporter(template_name="lab", extra_loaders=[loader], template_file="lvv_offline.html.j2",
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    nb = nbformat.read(str(notebook), as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or Path(notebook).stem}})
    html_path = Path(html_path)
    with open(html_path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(body)
    return html_path


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            return line.strip()[:80]
    return ""


def execute_report(job: Mapping[str, Any]) -> dict[str, Any]:
    """Run one notebook and write its outputs; never raises for notebook failures.

    Used in a worker process by :func:`build_all` and directly by :func:`run_one`.
    ``job`` holds ``report_id``, ``notebook``, ``output_dir``, ``parameters``
    (overrides to inject, already checked), ``all_parameters`` (defaults and
    overrides, recorded in the provenance), ``root``, ``timeout``, ``title``,
    and optionally ``stem`` (stem of the output file names; default the
    report id) and ``capture_output`` (send this process's and the kernel's
    stdout/stderr to the log file; used in worker processes).
    Returns a :class:`RunResult` as a dict.
    """
    import papermill as pm  # noqa: PLC0415 - slow import, only when executing

    from lvv_eval.reporting.parameters import NOTEBOOK_PATH_ENV  # noqa: PLC0415
    from lvv_eval.reporting.provenance import build_provenance, portable_notebook, utc_now, write_provenance  # noqa: PLC0415

    rid, out = job["report_id"], Path(job["output_dir"])
    stem = str(job.get("stem") or rid)
    names = output_names(stem)
    notebook, root = Path(job["notebook"]), Path(job["root"])
    out.mkdir(parents=True, exist_ok=True)
    _clear_outputs(out, stem)
    executed, failed = out / names["notebook"], out / names["failed_notebook"]
    log_path = out / names["log"]
    log_path.write_bytes(b"")
    saved_fds: list[int] = []
    if job.get("capture_output"):
        sys.stdout.flush()
        sys.stderr.flush()
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND)
        saved_fds = [os.dup(1), os.dup(2)]
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    log = logging.getLogger("papermill")
    handler = logging.FileHandler(log_path, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    old_level, old_propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    old_env = os.environ.get(NOTEBOOK_PATH_ENV)
    os.environ[NOTEBOOK_PATH_ENV] = str(notebook.resolve())
    started, t0 = utc_now(), time.monotonic()
    error: dict[str, Any] | None = None
    try:
        pm.execute_notebook(
            str(notebook), str(executed), parameters=dict(job["parameters"]), kernel_name=KERNEL_NAME,
            cwd=str(root), progress_bar=False, log_output=True, execution_timeout=int(job["timeout"]),
            start_timeout=START_TIMEOUT,
        )
    except pm.PapermillExecutionError as exc:
        error = {"cell_index": exc.cell_index, "exec_count": exc.exec_count, "ename": exc.ename,
                 "evalue": exc.evalue, "source_line": _first_line(exc.source or "")}
    except Exception as exc:  # noqa: BLE001 - timeouts, dead kernels: reported, not raised
        error = {"ename": type(exc).__name__, "evalue": str(exc).strip().splitlines()[0] if str(exc) else ""}
    finally:
        log.removeHandler(handler)
        handler.close()
        log.setLevel(old_level)
        log.propagate = old_propagate
        if old_env is None:
            os.environ.pop(NOTEBOOK_PATH_ENV, None)
        else:
            os.environ[NOTEBOOK_PATH_ENV] = old_env
        if saved_fds:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_fds[0], 1)
            os.dup2(saved_fds[1], 2)
            for fd in saved_fds:
                os.close(fd)
    if executed.exists():
        try:
            portable_notebook(executed, root)
        except Exception as exc:  # noqa: BLE001 - an unreadable result fails the report, not the build
            error = error or {"ename": type(exc).__name__, "evalue": f"cannot post-process {executed.name}: {exc}"}
    if error is None and read_manifest(out) is None:
        error = {"ename": "MissingOutput",
                 "evalue": f"the notebook finished but wrote no {MANIFEST_NAME} in {out} "
                           "(it must pass output_dir to ReportWriter and call finish())"}
    if error is None:
        try:
            export_html(executed, out / names["html"], title=job.get("title") or rid)
        except Exception as exc:  # noqa: BLE001 - a rendering failure fails the report, not the build
            error = {"ename": type(exc).__name__, "evalue": f"HTML export failed: {exc}"}
    if error is not None and executed.exists():
        executed.replace(failed)
    status = "ok" if error is None else "failed"
    all_parameters = dict(job.get("all_parameters") or job["parameters"])
    record = build_provenance(report_id=rid, notebook=notebook, parameters=all_parameters,
                              started=started, finished=utc_now(), status=status, root=root, error=error)
    record["title"] = job.get("title") or rid
    record["files"] = _present_files(out, stem)
    write_provenance(out / "provenance.json", record)
    # --- Disclosure output scan and release record (issue 9). A report whose files show a small
    # person-level count fails here: provenance.json is marked failed and release.json/.html written.
    from lvv_eval.disclosure.release import check_built_report  # noqa: PLC0415
    record = check_built_report(out, record, root=root, parameters=all_parameters)
    status, error = record["status"], record.get("error")
    # --- end of the disclosure output scan
    return asdict(RunResult(rid, str(notebook), str(out), status, round(time.monotonic() - t0, 1),
                            all_parameters, error, stem))


def _present_files(out: Path, stem: str) -> dict[str, str]:
    """The output files of a run that exist (role -> file name), provenance included."""
    names = output_names(stem)
    return {role: name for role, name in sorted(names.items())
            if role == "provenance" or (out / name).is_file()}


def _failure(rid: str, notebook: Path, out: Path, parameters: Mapping[str, Any], message: str,
             ename: str, root: Path, title: str = "", stem: str = "") -> RunResult:
    """Record a report that could not even start (missing notebook, bad parameters)."""
    from lvv_eval.reporting.provenance import build_provenance, utc_now, write_provenance  # noqa: PLC0415

    stem = stem or rid
    out.mkdir(parents=True, exist_ok=True)
    _clear_outputs(out, stem)
    error = {"ename": ename, "evalue": message}
    now = utc_now()
    record = build_provenance(report_id=rid, notebook=notebook, parameters=dict(parameters), started=now,
                              finished=now, status="failed", root=root, error=error)
    record["title"] = title or rid
    record["files"] = _present_files(out, stem)
    write_provenance(out / "provenance.json", record)
    return RunResult(rid, str(notebook), str(out), "failed", 0.0, dict(parameters), error, stem)


def _prepare_job(rid: str, notebook: Path, parameters: Mapping[str, Any], out: Path, root: Path,
                 timeout: int, title: str) -> dict[str, Any] | RunResult:
    if not notebook.is_file():
        return _failure(rid, notebook, out, parameters, f"notebook not found: {notebook}", "MissingNotebook",
                        root, title)
    try:
        injected, merged = prepare_parameters(notebook, parameters, out)
    except ConfigError as exc:
        return _failure(rid, notebook, out, parameters, str(exc), "ConfigError", root, title)
    return {"report_id": rid, "notebook": str(notebook), "output_dir": str(out), "parameters": injected,
            "all_parameters": merged, "root": str(root), "timeout": int(timeout), "title": title,
            "capture_output": True}


def resolve_notebook(notebook: str | Path, *, root: str | Path | None = None) -> Path:
    """Find a notebook given as a path or as a name in ``notebooks/`` (with or without ``.ipynb``)."""
    path = Path(notebook)
    if path.is_file():
        return path.resolve()
    folder = Path(root) / "notebooks" if root is not None else NOTEBOOKS_DIR
    for candidate in (folder / path.name, folder / f"{path.name}.ipynb"):
        if candidate.is_file():
            return candidate
    known = ", ".join(p.stem for p in sorted(folder.glob("*.ipynb"))) or "none"
    raise ConfigError(f"notebook not found: {notebook} (notebooks in {folder}: {known})")


def run_one(notebook: str | Path, parameters: Mapping[str, Any] | None = None,
            output_dir: str | Path | None = None, *, root: str | Path | None = None,
            reports_dir: str | Path | None = None, timeout: int = DEFAULT_TIMEOUT) -> RunResult:
    """Run one notebook with the given parameters (``lvv-eval run``).

    Parameters
    ----------
    notebook
        Path of the notebook, or its name in ``notebooks/``.
    parameters
        Overrides of the notebook's defaults.
    output_dir
        Where to write; default ``reports/<notebook stem>-<8-hex hash of the
        parameters>/``, which never overwrites a report of ``build_all``. The
        files in it are named after the notebook (``<notebook stem>.html``,
        ``.ipynb``, ``.log``), whatever the folder is called.
    root
        Project root (kernel working directory, base of relative paths).
    reports_dir
        Folder for the default output folder (default ``reports/``).
    timeout
        Per-cell timeout in seconds.

    Raises
    ------
    ConfigError
        The notebook does not exist or the parameters are invalid (nothing is run).
    """
    from lvv_eval.reporting.parameters import parameters_digest  # noqa: PLC0415

    root_path = Path(root) if root is not None else PROJECT_ROOT
    nb = resolve_notebook(notebook, root=root)
    params = _plain(dict(parameters or {}))
    if output_dir is None:
        base = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
        out = base / f"{nb.stem}-{parameters_digest(params)}"
    else:
        out = Path(output_dir)
    out = out.resolve()
    injected, merged = prepare_parameters(nb, params, out)
    job = {"report_id": out.name, "notebook": str(nb), "output_dir": str(out), "parameters": injected,
           "all_parameters": merged, "root": str(root_path), "timeout": int(timeout), "stem": nb.stem,
           "title": f"{nb.stem} ({out.name})"}
    return RunResult(**execute_report(job))


# --------------------------------------------------------------------------- all reports


def _say(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        stream.write(text + "\n")
        stream.flush()


def build_all(config: str | Path | ReportConfig | None = None, *, jobs: int = 2,
              only: Iterable[str] | None = None, reports_dir: str | Path | None = None,
              root: str | Path | None = None, timeout: int | None = None,
              progress: TextIO | None = sys.stderr) -> list[RunResult]:
    """Build every configured report and the index (``lvv-eval reports``).

    Parameters
    ----------
    config
        Path of the YAML configuration (default ``config/reports.yaml``) or a loaded one.
    jobs
        Notebooks run at the same time (each in its own process and kernel).
    only
        Report ids to build; others are left as they are (but still indexed).
    reports_dir
        Output folder (default ``reports/``).
    root
        Project root: kernel working directory and base of relative paths.
    timeout
        Per-cell timeout in seconds (default from the configuration).
    progress
        Stream for one line per notebook start and finish (``None`` = silent).

    Returns
    -------
    list of RunResult
        In configuration order. Missing notebooks and invalid parameters are
        failures too, never skipped.

    Raises
    ------
    ConfigError
        The configuration is invalid or ``only`` names an unknown id.
    """
    root_path = Path(root) if root is not None else PROJECT_ROOT
    cfg = config if isinstance(config, ReportConfig) else load_config(config, root=root_path)
    out_root = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
    out_root = out_root.resolve()
    per_cell = int(timeout or cfg.timeout)
    specs = list(cfg.reports)
    if only:
        wanted = list(dict.fromkeys(only))
        unknown = [w for w in wanted if w not in {s.id for s in specs}]
        if unknown:
            raise ConfigError(f"unknown report id(s) {', '.join(unknown)}; known: "
                              + ", ".join(s.id for s in specs))
        specs = [s for s in specs if s.id in wanted]
    total, results = len(specs), {}
    pending: list[tuple[int, ReportSpec, dict[str, Any]]] = []
    for n, spec in enumerate(specs, start=1):
        job = _prepare_job(spec.id, spec.notebook, spec.parameters, out_root / spec.id, root_path, per_cell,
                           spec.title)
        if isinstance(job, RunResult):
            results[spec.id] = job
            _say(progress, f"[{n}/{total}] FAILED {spec.id}: {job.describe_error()}")
        else:
            pending.append((n, spec, job))
    if pending:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with cf.ProcessPoolExecutor(max_workers=max(1, int(jobs)),
                                    mp_context=multiprocessing.get_context(method)) as pool:
            running: dict[cf.Future, tuple[int, ReportSpec, float]] = {}
            queue = list(pending)
            while queue or running:
                while queue and len(running) < max(1, int(jobs)):
                    n, spec, job = queue.pop(0)
                    running[pool.submit(execute_report, job)] = (n, spec, time.monotonic())
                    _say(progress, f"[{n}/{total}] start  {spec.id} ({spec.notebook.name})")
                done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    n, spec, t0 = running.pop(fut)
                    try:
                        result = RunResult(**fut.result())
                    except Exception as exc:  # noqa: BLE001 - a crashed worker fails only its report
                        result = RunResult(spec.id, str(spec.notebook), str(out_root / spec.id), "failed",
                                           0.0, dict(spec.parameters),
                                           {"ename": type(exc).__name__, "evalue": str(exc)})
                    results[spec.id] = result
                    elapsed = time.monotonic() - t0
                    if result.ok:
                        _say(progress, f"[{n}/{total}] done   {spec.id} {elapsed:.1f} s")
                    else:
                        _say(progress, f"[{n}/{total}] FAILED {spec.id} {elapsed:.1f} s: {result.describe_error()}"
                                       f" (see {Path(result.output_dir) / output_names(result.file_stem)['failed_notebook']})")
    write_index(cfg, out_root, root_path)
    ordered = [results[s.id] for s in specs]
    failed = [r for r in ordered if not r.ok]
    _say(progress, f"{len(ordered) - len(failed)} of {len(ordered)} report(s) built; index: {out_root / 'index.html'}")
    return ordered


# --------------------------------------------------------------------------- index


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
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>LVV evaluation reports</title>"
            f"<style>{_CSS}</style></head><body>\n<h1>LVV evaluation reports</h1>\n{banner}\n<ul>{toc}</ul>\n"
            + "\n".join(sections) + "\n</body></html>\n")
    path = out_root / "index.html"
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(page)
    return path


__all__ = [
    "ReportConfig", "ReportSpec", "RunResult", "build_all", "execute_report", "export_html", "load_config",
    "output_names", "parse_parameter_value", "prepare_parameters", "resolve_notebook", "run_one", "write_index",
]
