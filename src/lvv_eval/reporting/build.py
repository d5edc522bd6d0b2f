"""The report pipeline, now in :mod:`lvv_eval.reporting`; this module re-exports its public names.

See :mod:`lvv_eval.reporting.execute` (running notebooks),
:mod:`lvv_eval.reporting.build_config` (``config/reports.yaml``),
:mod:`lvv_eval.reporting.run_params` (parameters),
:mod:`lvv_eval.reporting.output_dir` (owned output folders) and
:mod:`lvv_eval.reporting.index` (the index page).
"""

from __future__ import annotations

from lvv_eval.reporting.build_config import (
    DEFAULT_CONFIG,
    DEFAULT_TIMEOUT,
    ReportConfig,
    ReportSpec,
    load_config,
)
from lvv_eval.reporting.execute import (
    KERNEL_NAME,
    START_TIMEOUT,
    RunResult,
    build_all,
    execute_report,
    export_html,
    run_one,
)
from lvv_eval.reporting.index import write_index
from lvv_eval.reporting.output_dir import output_names
from lvv_eval.reporting.run_params import (
    parse_parameter_value,
    prepare_parameters,
    resolve_notebook,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_TIMEOUT",
    "KERNEL_NAME",
    "START_TIMEOUT",
    "ReportConfig",
    "ReportSpec",
    "RunResult",
    "build_all",
    "execute_report",
    "export_html",
    "load_config",
    "output_names",
    "parse_parameter_value",
    "prepare_parameters",
    "resolve_notebook",
    "run_one",
    "write_index",
]
