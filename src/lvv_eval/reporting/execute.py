"""Running notebooks: one (:func:`run_one`, ``lvv-eval run``) or every configured report (:func:`build_all`).

:func:`build_all` executes each notebook of ``config/reports.yaml`` with
papermill (kernel ``python3``, working directory = project root, per-cell
timeout), several at a time in separate processes, and writes under
``reports/<id>/``:

* ``<id>.ipynb``  the executed notebook, the audit trail (``<id>.failed.ipynb`` when it failed);
* ``<id>.html``   the report, built from the run's records by :mod:`lvv_eval.reporting.publish`
  (title, parameter banner, summary, numbered tables and figures; self-contained);
* ``<id>.pdf``    the same report as an A4 PDF (Typst);
* ``<id>.log``    papermill's log, including the cells' printed output;
* ``tables/``, ``figures/``, ``manifest.json``  written by the notebook's
  :class:`lvv_eval.reporting.writer.ReportWriter` (the pipeline injects ``output_dir``);
* ``provenance.json``  parameters, input checksums, versions, git commit, times;
* ``.lvv-eval-output``  the files the tool wrote (:mod:`lvv_eval.reporting.output_dir`).

:func:`run_one` (``lvv-eval run``) writes the same files into the folder it is
given, named after the notebook (``03_final.html`` ...), not after the folder.
Paths recorded in ``provenance.json`` and in the executed notebook's metadata
are relative to the project root (or bare file names outside it), so two
checkouts give the same record apart from times and the commit.

Every run writes into a temporary folder next to its destination and moves it
into place when complete, and only into a folder the tool owns; an
interrupted run (Ctrl-C) leaves the previous report and the index as they
were. ``reports/index.html`` links everything. A failing notebook does not
stop the others; the function reports it and the command exits non-zero.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from lvv_eval.disclosure.release import check_built_report
from lvv_eval.errors import ConfigError, UnsafeOutputError
from lvv_eval.paths import PROJECT_ROOT, REPORTS_DIR
from lvv_eval.reporting.build_config import (
    DEFAULT_TIMEOUT,
    ReportConfig,
    ReportSpec,
    load_config,
    plain_value,
)
from lvv_eval.reporting.index import check_index, write_index
from lvv_eval.reporting.output_dir import (
    STAGE_INFIX,
    check_destination,
    commit,
    discard_stage,
    make_stage,
    output_names,
)
from lvv_eval.reporting.run_params import (
    prepare_parameters,
    resolve_notebook,
    resolve_output_dir,
)
from lvv_eval.reporting.writer import MANIFEST_NAME, read_manifest

START_TIMEOUT = 120
"""Seconds to wait for a kernel to start."""
KERNEL_NAME = "python3"


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
    note: str = ""
    """What the move into place left behind (files kept in a moved-aside folder), if anything."""

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


def export_html(notebook: str | Path, html_path: str | Path, *, title: str = "") -> Path:
    """Render an executed notebook to a self-contained HTML page without code.

    Uses nbconvert's ``lab`` template with the script blocks (require.js,
    MathJax, mermaid from CDNs) removed, so the page needs no network.
    """
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    loader = jinja2.DictLoader(
        {
            "lvv_offline.html.j2": (
                "{%- extends 'index.html.j2' -%}\n"
                "{%- block html_head_js -%}{%- endblock html_head_js -%}\n"
                "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
                "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
            )
        }
    )
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[loader],
        template_file="lvv_offline.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
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


def _execute_notebook(
    notebook: Path, executed: Path, parameters: Mapping[str, Any], *, root: Path, timeout: int
) -> None:
    """Execute ``notebook`` with papermill, writing ``executed`` (the one place a kernel is started)."""
    import papermill as pm

    pm.execute_notebook(
        str(notebook),
        str(executed),
        parameters=dict(parameters),
        kernel_name=KERNEL_NAME,
        cwd=str(root),
        progress_bar=False,
        log_output=True,
        execution_timeout=int(timeout),
        start_timeout=START_TIMEOUT,
    )


def _record_destination(executed: Path, stage: Path, dest: Path) -> None:
    """Name the destination, not the temporary build folder, in an executed notebook's parameters."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    params = (nb.metadata.get("papermill") or {}).get("parameters")
    if isinstance(params, dict) and params.get("output_dir") == str(stage):
        params["output_dir"] = str(dest)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = cell.source.replace(repr(str(stage)), repr(str(dest))).replace(str(stage), str(dest))
    nbformat.write(nb, str(executed))


def _interrupted(error: Mapping[str, Any] | None) -> bool:
    """Whether a notebook failed because the run was interrupted (Ctrl-C reached the kernel)."""
    return error is not None and error.get("ename") == "KeyboardInterrupt"


def execute_report(job: Mapping[str, Any]) -> dict[str, Any]:
    """Run one notebook and move its complete outputs into place; never raises for notebook failures.

    Used in a worker process by :func:`build_all` and directly by :func:`run_one`.
    ``job`` holds ``report_id``, ``notebook``, ``output_dir`` (the
    destination, checked with :func:`~lvv_eval.reporting.output_dir.check_destination`),
    ``parameters`` (overrides to inject, already checked), ``all_parameters``
    (defaults and overrides, recorded in the provenance), ``root``,
    ``timeout``, ``title``, and optionally ``stem`` (stem of the output file
    names; default the report id) and ``capture_output`` (send this process's
    and the kernel's stdout/stderr to the log file; used in worker processes).
    The notebook writes into a temporary folder next to ``output_dir``, which
    replaces it only when the run is complete (a failed notebook is a complete
    run, recorded as failed). Returns a :class:`RunResult` as a dict.

    Raises
    ------
    KeyboardInterrupt
        The run was interrupted; the temporary folder is removed and the
        destination is left as it was.
    """
    out, root = Path(job["output_dir"]), Path(job["root"])
    stem = str(job.get("stem") or job["report_id"])
    stage = make_stage(out)
    try:
        result = _execute_into(job, stage)
        if _interrupted(result.get("error")):
            raise KeyboardInterrupt(f"{job['report_id']}: interrupted")
        result["note"] = commit(stage, out, root=root, notebook=job["notebook"], stem=stem)
    except BaseException:
        discard_stage(stage)
        raise
    return result


def _execute_into(job: Mapping[str, Any], stage: Path) -> dict[str, Any]:
    """Execute the notebook of ``job`` writing into ``stage`` while recording ``job['output_dir']``."""
    from lvv_eval.reporting.parameters import NOTEBOOK_PATH_ENV
    from lvv_eval.reporting.provenance import (
        build_provenance,
        portable_notebook,
        utc_now,
        write_provenance,
    )

    rid, dest = job["report_id"], Path(job["output_dir"])
    stem = str(job.get("stem") or rid)
    names = output_names(stem)
    notebook, root = Path(job["notebook"]), Path(job["root"])
    executed, failed = stage / names["notebook"], stage / names["failed_notebook"]
    log_path = stage / names["log"]
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
        _execute_notebook(
            notebook, executed, {**job["parameters"], "output_dir": str(stage)}, root=root, timeout=int(job["timeout"])
        )
    except Exception as exc:  # noqa: BLE001 - timeouts, dead kernels: reported, not raised
        error = _describe_exception(exc)
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
            _record_destination(executed, stage, dest)
            portable_notebook(executed, root)
        except Exception as exc:  # noqa: BLE001 - an unreadable result fails the report, not the build
            error = error or {"ename": type(exc).__name__, "evalue": f"cannot post-process {executed.name}: {exc}"}
    if error is None and read_manifest(stage) is None:
        error = {
            "ename": "MissingOutput",
            "evalue": f"the notebook finished but wrote no {MANIFEST_NAME} in {dest} "
            "(it must pass output_dir to ReportWriter and call finish())",
        }
    all_parameters = {**dict(job.get("all_parameters") or job["parameters"]), "output_dir": str(dest)}
    if error is None:
        draft = build_provenance(
            report_id=rid,
            notebook=notebook,
            parameters=all_parameters,
            started=started,
            finished=utc_now(),
            status="ok",
            root=root,
        )
        error = _publish(stage, stem, draft)
    if error is not None and executed.exists():
        executed.replace(failed)
    status = "ok" if error is None else "failed"
    record = build_provenance(
        report_id=rid,
        notebook=notebook,
        parameters=all_parameters,
        started=started,
        finished=utc_now(),
        status=status,
        root=root,
        error=error,
    )
    record["title"] = job.get("title") or rid
    record["files"] = _present_files(stage, stem)
    write_provenance(stage / "provenance.json", record)
    # Output scan and release record: a report whose files show a small person-level count fails
    # here (provenance marked failed, release.json/.html written), whatever the gate recorded.
    record = check_built_report(stage, record, root=root, parameters=all_parameters)
    status, error = record["status"], record.get("error")
    return asdict(
        RunResult(rid, str(notebook), str(dest), status, round(time.monotonic() - t0, 1), all_parameters, error, stem)
    )


def _publish(stage: Path, stem: str, provenance: Mapping[str, Any]) -> dict[str, Any] | None:
    """Write ``<stem>.html`` and ``<stem>.pdf`` from the run's records; the error record when that fails.

    A report that cannot be published is a failed report: whatever part of the
    HTML or PDF was written is removed, so no half report is left behind.
    """
    from lvv_eval.reporting.publish import publish

    names = output_names(stem)
    try:
        publish(stage, stem, provenance=provenance)
    except Exception as exc:  # noqa: BLE001 - a publishing failure fails the report, not the build
        for role in ("html", "pdf"):
            (stage / names[role]).unlink(missing_ok=True)
        return {"ename": "PublishError", "evalue": f"publishing the report failed: {type(exc).__name__}: {exc}"}
    return None


def _describe_exception(exc: Exception) -> dict[str, Any]:
    """The error record of a failed execution (papermill's cell error, or any other exception)."""
    import papermill as pm

    if isinstance(exc, pm.PapermillExecutionError):
        return {
            "cell_index": exc.cell_index,
            "exec_count": exc.exec_count,
            "ename": exc.ename,
            "evalue": exc.evalue,
            "source_line": _first_line(exc.source or ""),
        }
    return {"ename": type(exc).__name__, "evalue": str(exc).strip().splitlines()[0] if str(exc) else ""}


def _present_files(out: Path, stem: str) -> dict[str, str]:
    """The output files of a run that exist (role -> file name), provenance included."""
    names = output_names(stem)
    return {role: name for role, name in sorted(names.items()) if role == "provenance" or (out / name).is_file()}


def _failure(
    rid: str,
    notebook: Path,
    out: Path,
    parameters: Mapping[str, Any],
    message: str,
    ename: str,
    root: Path,
    title: str = "",
    stem: str = "",
) -> RunResult:
    """Record a report that could not even start (missing notebook, bad parameters)."""
    from lvv_eval.reporting.provenance import build_provenance, utc_now, write_provenance

    stem = stem or rid
    error = {"ename": ename, "evalue": message}
    now = utc_now()
    record = build_provenance(
        report_id=rid,
        notebook=notebook,
        parameters=dict(parameters),
        started=now,
        finished=now,
        status="failed",
        root=root,
        error=error,
    )
    record["title"] = title or rid
    record["files"] = {"provenance": "provenance.json"}
    stage = make_stage(out)
    try:
        write_provenance(stage / "provenance.json", record)
        note = commit(stage, out, root=root, notebook=notebook, stem=stem)
    except BaseException:
        discard_stage(stage)
        raise
    return RunResult(rid, str(notebook), str(out), "failed", 0.0, dict(parameters), error, stem, note)


def _prepare_job(
    rid: str, notebook: Path, parameters: Mapping[str, Any], out: Path, root: Path, timeout: int, title: str
) -> dict[str, Any] | tuple[str, str]:
    """The job of one configured report, or ``(error name, message)`` when it cannot start."""
    if not notebook.is_file():
        return "MissingNotebook", f"notebook not found: {notebook}"
    try:
        injected, merged = prepare_parameters(notebook, parameters, out)
    except ConfigError as exc:
        return "ConfigError", str(exc)
    return {
        "report_id": rid,
        "notebook": str(notebook),
        "output_dir": str(out),
        "parameters": injected,
        "all_parameters": merged,
        "root": str(root),
        "timeout": int(timeout),
        "title": title,
        "capture_output": True,
    }


def _inputs(parameters: Mapping[str, Any], root: Path) -> list[Path]:
    """Input files of a run that exist (an output folder must not hold them)."""
    from lvv_eval.reporting.provenance import input_files

    try:
        return [p for p in input_files(parameters, root) if p.exists()]
    except Exception:  # noqa: BLE001 - unreadable parameters are reported by the run itself
        return []


def run_one(
    notebook: str | Path,
    parameters: Mapping[str, Any] | None = None,
    output_dir: str | Path | None = None,
    *,
    root: str | Path | None = None,
    reports_dir: str | Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
) -> RunResult:
    """Run one notebook with the given parameters (``lvv-eval run``).

    Parameters
    ----------
    notebook
        Path of the notebook, or its name in ``notebooks/``.
    parameters
        Overrides of the notebook's defaults. An ``output_dir`` here is the
        output folder when ``output_dir`` is not given, and must name the same
        folder when it is.
    output_dir
        Where to write; default ``reports/<notebook stem>-<8-hex hash of the
        parameters>/``, which never overwrites a report of ``build_all``; the
        index of that reports folder is then rewritten to list the run. The
        files in it are named after the notebook (``<notebook stem>.html``,
        ``.ipynb``, ``.log``), whatever the folder is called. It must be new,
        empty, or written by an earlier run (see
        :func:`lvv_eval.reporting.output_dir.check_destination`).
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
    UnsafeOutputError
        The output folder is not the tool's to write (nothing is run).
    KeyboardInterrupt
        The run was interrupted; the output folder is as it was before.
    """
    from lvv_eval.reporting.parameters import parameters_digest

    root_path = Path(root) if root is not None else PROJECT_ROOT
    nb = resolve_notebook(notebook, root=root)
    params, given = resolve_output_dir(plain_value(dict(parameters or {})), output_dir)
    if given is None:
        base = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
        out = base / f"{nb.stem}-{parameters_digest(params)}"
    else:
        out = given
    out = out.resolve()
    injected, merged = prepare_parameters(nb, params, out)
    check_destination(out, root=root_path, notebook=nb, inputs=_inputs(merged, root_path), stem=nb.stem)
    job = {
        "report_id": out.name,
        "notebook": str(nb),
        "output_dir": str(out),
        "parameters": injected,
        "all_parameters": merged,
        "root": str(root_path),
        "timeout": int(timeout),
        "stem": nb.stem,
        "title": f"{nb.stem} ({out.name})",
    }
    result = RunResult(**execute_report(job))
    if given is None:
        result.note = "; ".join(n for n in (result.note, _update_index(out.parent, root_path)) if n)
    return result


def _update_index(reports_dir: Path, root: Path) -> str:
    """Rewrite the index of the reports folder an ad-hoc run wrote into; what went wrong, if anything."""
    try:
        write_index(load_config(None, root=root), reports_dir, root)
    except (ConfigError, UnsafeOutputError) as exc:
        return f"the index {reports_dir / 'index.html'} was not updated: {exc}"
    return ""


# --------------------------------------------------------------------------- all reports


def _say(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        stream.write(text + "\n")
        stream.flush()


def _check_destinations(
    jobs: Iterable[tuple[ReportSpec, dict[str, Any] | tuple[str, str]]], out_root: Path, root: Path
) -> None:
    """Check every report folder and the index before anything runs; one error listing all refusals."""
    problems = []
    for spec, job in jobs:
        inputs = _inputs(job["all_parameters"], root) if isinstance(job, dict) else []
        try:
            check_destination(out_root / spec.id, root=root, notebook=spec.notebook, inputs=inputs, stem=spec.id)
        except UnsafeOutputError as exc:
            problems.append(str(exc))
    try:
        check_index(out_root, root)
    except UnsafeOutputError as exc:
        problems.append(str(exc))
    if problems:
        raise UnsafeOutputError(
            f"{len(problems)} output folder(s) refused, nothing was run:\n" + "\n".join(f"  - {p}" for p in problems)
        )


def _remove_stale_stages(out_root: Path, ids: Iterable[str]) -> None:
    """Remove the temporary build folders of these reports left by an interrupted build."""
    for rid in ids:
        for stage in out_root.glob(f".{rid}{STAGE_INFIX}*"):
            if stage.is_dir() and not stage.is_symlink():
                discard_stage(stage)


def build_all(
    config: str | Path | ReportConfig | None = None,
    *,
    jobs: int = 2,
    only: Iterable[str] | None = None,
    reports_dir: str | Path | None = None,
    root: str | Path | None = None,
    timeout: int | None = None,
    progress: TextIO | None = sys.stderr,
) -> list[RunResult]:
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
    UnsafeOutputError
        A report folder or the index is not the tool's to write (nothing is run).
    KeyboardInterrupt
        The build was interrupted: reports not complete are left as they were,
        and the index is rewritten only if some report was completed.
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
            raise ConfigError(f"unknown report id(s) {', '.join(unknown)}; known: " + ", ".join(s.id for s in specs))
        specs = [s for s in specs if s.id in wanted]
    prepared = [
        (
            spec,
            _prepare_job(spec.id, spec.notebook, spec.parameters, out_root / spec.id, root_path, per_cell, spec.title),
        )
        for spec in specs
    ]
    _check_destinations(prepared, out_root, root_path)
    _remove_stale_stages(out_root, [s.id for s in specs])
    total, results = len(specs), {}
    pending: list[tuple[int, ReportSpec, dict[str, Any]]] = []
    for n, (spec, job) in enumerate(prepared, start=1):
        if isinstance(job, tuple):
            ename, message = job
            result = _failure(
                spec.id, spec.notebook, out_root / spec.id, spec.parameters, message, ename, root_path, spec.title
            )
            results[spec.id] = result
            _say(progress, f"[{n}/{total}] FAILED {spec.id}: {result.describe_error()}")
        else:
            pending.append((n, spec, job))
    try:
        _run_pending(pending, total, jobs, out_root, results, progress)
    except BaseException:
        _remove_stale_stages(out_root, [s.id for s in specs])
        if results:
            write_index(cfg, out_root, root_path)
        _say(
            progress,
            f"interrupted: {len(results)} of {total} report(s) completed; the others are as "
            "they were before this build",
        )
        raise
    write_index(cfg, out_root, root_path)
    ordered = [results[s.id] for s in specs]
    failed = [r for r in ordered if not r.ok]
    _say(progress, f"{len(ordered) - len(failed)} of {len(ordered)} report(s) built; index: {out_root / 'index.html'}")
    return ordered


def _run_pending(
    pending: list[tuple[int, ReportSpec, dict[str, Any]]],
    total: int,
    jobs: int,
    out_root: Path,
    results: dict[str, RunResult],
    progress: TextIO | None,
) -> None:
    """Execute the prepared jobs in worker processes, adding each result to ``results`` as it completes."""
    if not pending:
        return
    # Several workers start fresh ("spawn"): a worker forked from a process whose native thread pools
    # (pyarrow, DuckDB) already run can hang. One worker may still be forked (faster, and it keeps
    # the caller's monkeypatches in tests).
    method = "fork" if int(jobs) <= 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = cf.ProcessPoolExecutor(max_workers=max(1, int(jobs)), mp_context=multiprocessing.get_context(method))
    try:
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
                    result = RunResult(
                        spec.id,
                        str(spec.notebook),
                        str(out_root / spec.id),
                        "failed",
                        0.0,
                        dict(spec.parameters),
                        {"ename": type(exc).__name__, "evalue": str(exc)},
                    )
                results[spec.id] = result
                elapsed = time.monotonic() - t0
                if result.ok:
                    _say(progress, f"[{n}/{total}] done   {spec.id} {elapsed:.1f} s")
                else:
                    _say(
                        progress,
                        f"[{n}/{total}] FAILED {spec.id} {elapsed:.1f} s: {result.describe_error()}"
                        f" (see {Path(result.output_dir) / output_names(result.file_stem)['failed_notebook']})",
                    )
                if result.note:
                    _say(progress, f"note: {spec.id}: {result.note}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


__all__ = [
    "KERNEL_NAME",
    "START_TIMEOUT",
    "RunResult",
    "build_all",
    "execute_report",
    "export_html",
    "run_one",
]
