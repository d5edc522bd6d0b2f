"""Render the sample report document of the rendering tests to HTML and PDF, to look at.

The sample (``tests/reporting/conftest.py``: Dutch or English text, a matplotlib
figure, a 12-column table, suppressed cells, made-up numbers) is written as
``sample_<lang>.html`` and ``sample_<lang>.pdf`` into the output folder. With
``--screenshots`` and a ``chromium`` on the PATH, it also writes headless
screenshots of the HTML at 1400 and 390 px width, and with ``pdftoppm``
(poppler-utils) one PNG per PDF page. Not a test: a development tool.

Usage: ``python scripts/sample_report.py OUT_DIR [--screenshots]``
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import tempfile
from pathlib import Path

from lvv_eval.reporting.html import write_html
from lvv_eval.reporting.typst_pdf import write_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "reporting" / "conftest.py"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def _sample_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("reporting_sample", SAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _screenshot(html: Path, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "chromium",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    sample = _sample_module()
    for language in ("nl", "en"):
        doc = sample.sample_document(language)
        html = write_html(doc, args.out / f"sample_{language}.html")
        pdf = write_pdf(doc, args.out / f"sample_{language}.pdf")
        print(html, pdf)
        if not args.screenshots:
            continue
        if shutil.which("chromium"):
            for width, height in ((1400, 3000), (390, 5000)):
                _screenshot(html, args.out / f"sample_{language}_{width}px.png", width, height)
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-r", "80", "-png", str(pdf), str(args.out / f"sample_{language}_page")], check=True
            )


if __name__ == "__main__":
    main()
