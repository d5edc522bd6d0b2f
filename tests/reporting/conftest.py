"""A sample report document for the rendering tests: Dutch or English text, a figure, a wide table,
a suppressed cell.

The numbers are made up for layout tests (not taken from the sources); their formatted forms are
checked in the rendered HTML and PDF.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lvv_eval.reporting.document import (
    Banner,
    BulletList,
    Document,
    FigureBlock,
    Note,
    Paragraph,
    Section,
    TableBlock,
)
from lvv_eval.reporting.formatting import ColumnFormat

PILOTS = {
    "amsterdam": "Amsterdam",
    "eindhoven": "Eindhoven",
    "groningen": "Groningen",
    "rotterdam": "Rotterdam",
    "utrecht": "Utrecht",
    "total": "Totaal",
}
PILOTS_EN = {**PILOTS, "total": "Total"}

WIDE_HEADERS_NL = [
    "Pilot",
    "Instroom 2019",
    "Instroom 2020",
    "Instroom 2021",
    "Uitstroom 2019",
    "Uitstroom 2020",
    "Uitstroom 2021",
    "Bestendig 2019",
    "Bestendig 2020",
    "Bestendig 2021",
    "Capaciteit (plaatsen)",
    "Bezetting gemiddeld",
]
WIDE_HEADERS_EN = [
    "Pilot",
    "Intake 2019",
    "Intake 2020",
    "Intake 2021",
    "Outflow 2019",
    "Outflow 2020",
    "Outflow 2021",
    "Durable 2019",
    "Durable 2020",
    "Durable 2021",
    "Capacity (places)",
    "Mean occupancy",
]


def outflow_frame() -> pd.DataFrame:
    """Outflow per pilot: counts as floats (as pandas leaves them after a merge), shares and bounds."""
    return pd.DataFrame(
        {
            "pilot": ["amsterdam", "eindhoven", "rotterdam", "utrecht", "total"],
            "n": [360.0, 8.0, 412.0, 478.0, 1258.0],
            "durable": [0.148, 0.25, 0.2, 0.155, 0.1765],
            "ci_low": [0.113, 0.04, 0.163, 0.125, 0.156],
            "ci_high": [0.19, 0.6, 0.24, 0.19, 0.198],
            "peildatum": pd.to_datetime(["2020-11-01"] * 5),
        }
    )


def outflow_columns(language: str) -> tuple[dict[str, str | ColumnFormat], dict[str, str]]:
    labels = PILOTS if language == "nl" else PILOTS_EN
    columns: dict[str, str | ColumnFormat] = {
        "pilot": ColumnFormat("label", labels=labels),
        "n": "count",
        "durable": ColumnFormat("share", decimals=1),
        "ci": ColumnFormat("interval", bounds=("ci_low", "ci_high")),
        "peildatum": "date",
    }
    headers = (
        {
            "pilot": "Pilot",
            "n": "Uitgestroomden",
            "durable": "Bestendige oplossing",
            "ci": "95%-betrouwbaarheidsinterval (Wilson)",
            "peildatum": "Peildatum",
        }
        if language == "nl"
        else {
            "pilot": "Pilot",
            "n": "Leavers",
            "durable": "Durable solution",
            "ci": "95% confidence interval (Wilson)",
            "peildatum": "Reference date",
        }
    )
    return columns, headers


def wide_frame() -> pd.DataFrame:
    rows = []
    for i, code in enumerate(["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"]):
        base = 100 + 37 * i
        rows.append(
            {
                "pilot": code,
                **{f"in{y}": base + 11 * k for k, y in enumerate((2019, 2020, 2021))},
                **{f"out{y}": base // 2 + 5 * k for k, y in enumerate((2019, 2020, 2021))},
                **{f"dur{y}": 0.1 + 0.02 * i + 0.01 * k for k, y in enumerate((2019, 2020, 2021))},
                "cap": 1000 + 250 * i,
                "occ": 0.81 + 0.02 * i,
            }
        )
    return pd.DataFrame(rows)


def wide_block(language: str) -> TableBlock:
    frame = wide_frame()
    labels = PILOTS if language == "nl" else PILOTS_EN
    keys = [
        "pilot",
        "in2019",
        "in2020",
        "in2021",
        "out2019",
        "out2020",
        "out2021",
        "dur2019",
        "dur2020",
        "dur2021",
        "cap",
        "occ",
    ]
    kinds: dict[str, str | ColumnFormat] = {k: "count" for k in keys}
    kinds.update(
        {
            "pilot": ColumnFormat("label", labels=labels),
            "dur2019": "share",
            "dur2020": "share",
            "dur2021": "share",
            "occ": ColumnFormat("share", decimals=1),
        }
    )
    headers = dict(zip(keys, WIDE_HEADERS_NL if language == "nl" else WIDE_HEADERS_EN))
    mask = pd.DataFrame(False, index=frame.index, columns=["out2021"])
    mask.loc[1, "out2021"] = True  # Eindhoven's outflow in 2021
    return TableBlock.from_frame(
        frame,
        kinds,
        headers,
        language=language,
        kind="synthetic",
        key="wide_overview",
        caption=(
            "Instroom, uitstroom, bestendige oplossingen en capaciteit per pilot en jaar"
            if language == "nl"
            else "Intake, outflow, durable solutions and capacity by pilot and year"
        ),
        source="monitor_synthetic.csv",
        suppressed=mask,
        rule_notes=["primair: aantal kleiner dan 10" if language == "nl" else "primary: count below 10"],
    )


def bar_figure(language: str) -> FigureBlock:
    frame = outflow_frame()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    names = [PILOTS[c] if language == "nl" else PILOTS_EN[c] for c in frame["pilot"]]
    ax.bar(names, frame["durable"] * 100, color="#0072B2")
    ax.set_ylabel("Aandeel bestendig (%)" if language == "nl" else "Share durable (%)")
    ax.spines[["top", "right"]].set_visible(False)
    block = FigureBlock.from_matplotlib(
        fig,
        format="svg",
        kind="synthetic",
        key="durable_by_pilot",
        caption=(
            "Aandeel bestendige oplossingen per pilot, met 95%-betrouwbaarheidsinterval"
            if language == "nl"
            else "Share of durable solutions by pilot, with 95% confidence interval"
        ),
        source="monitor_synthetic.csv",
    )
    plt.close(fig)
    return block


def png_figure(language: str) -> FigureBlock:
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.plot([2019, 2020, 2021, 2022], [120, 340, 510, 610], marker="o", color="#E69F00")
    ax.set_xticks([2019, 2020, 2021, 2022])
    ax.set_ylabel("Deelnemers" if language == "nl" else "Participants")
    ax.spines[["top", "right"]].set_visible(False)
    block = FigureBlock.from_matplotlib(
        fig,
        format="png",
        kind="published",
        key="participants",
        caption="Deelnemers per jaar" if language == "nl" else "Participants by year",
        source="001_08a3e7995258f26d.txt",
    )
    plt.close(fig)
    return block


def sample_document(language: str = "nl") -> Document:
    nl = language == "nl"
    columns, headers = outflow_columns(language)
    frame = outflow_frame()
    mask = pd.DataFrame(False, index=frame.index, columns=["n", "durable", "ci_low", "ci_high"])
    mask.loc[1, ["n", "durable", "ci_low", "ci_high"]] = True  # Eindhoven: 8 leavers
    outflow = TableBlock.from_frame(
        frame,
        columns,
        headers,
        language=language,
        kind="synthetic",
        key="outflow_by_pilot",
        caption=(
            "Bestendige oplossingen per pilot, uitgestroomden op 1 november 2020"
            if nl
            else "Durable solutions by pilot, leavers at 1 November 2020"
        ),
        source="monitor_synthetic.csv",
        suppressed=mask,
        emphasis_rows=[4],
        notes=["Noemer: uitgestroomde deelnemers." if nl else "Denominator: participants who left."],
        rule_notes=["primair: aantal kleiner dan 10" if nl else "primary: count below 10"],
    )
    banner = Banner(
        data_source="data/synthetic/monitor_synthetic.csv",
        synthetic=True,
        peildatum="2020-11-01",
        scheme="WODC-indeling (bestendig, semi-bestendig, geen)" if nl else "WODC scheme (durable, semi-durable, none)",
        pilots=("Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Utrecht"),
        formal_status_rule="formele status telt alleen bij een beschikking"
        if nl
        else "formal status counts only with a decision",
        disclosure_threshold=10,
        commit="735b367",
    )
    if nl:
        summary = (
            Paragraph(
                "Van de 1.258 uitgestroomde deelnemers vond 17,7 % een bestendige oplossing "
                "(16–20 %). De pilots zijn geëvalueerd op één peildatum; coördinatie en financiën "
                "vallen buiten dit rapport – zie hoofdstuk 2."
            ),
            BulletList(
                ("Amsterdam: 14,8 % bestendig (11–19 %).", "Eindhoven: te weinig uitgestroomden om te tonen (×).")
            ),
        )
        sections = (
            Section(
                "Uitstroom per pilot",
                (
                    Paragraph(
                        "Tabel 1.1 toont de uitstroom per pilot. Cellen met minder dan tien personen "
                        "zijn onderdrukt. Tekens als *, #, [ en ] of $ blijven gewone tekst."
                    ),
                    outflow,
                    bar_figure(language),
                ),
            ),
            Section(
                "Ontwikkeling en capaciteit",
                (
                    Paragraph("Het overzicht hieronder is breed: twaalf kolommen."),
                    wide_block(language),
                    Note("De capaciteit is gepubliceerd; de bezetting is berekend.", title="Let op"),
                    png_figure(language),
                ),
            ),
        )
    else:
        summary = (
            Paragraph("Of the 1,258 participants who left, 17.7% found a durable solution (16–20%)."),
            BulletList(("Amsterdam: 14.8% durable (11–19%).", "Eindhoven: too few leavers to show (×).")),
        )
        sections = (
            Section(
                "Outflow by pilot", (Paragraph("Table 1.1 shows the outflow by pilot."), outflow, bar_figure(language))
            ),
            Section(
                "Trends and capacity",
                (
                    Paragraph("The overview below is wide: twelve columns."),
                    wide_block(language),
                    Note("Capacity is published.", title="Note"),
                    png_figure(language),
                ),
            ),
        )
    return Document(
        title="Eindevaluatie pilots LVV" if nl else "Final evaluation of the LVV pilots",
        subtitle="Proefrapport met synthetische gegevens" if nl else "Sample report on synthetic data",
        language=language,
        banner=banner,
        summary=summary,
        sections=sections,
    )


@pytest.fixture(scope="session")
def make_document() -> Callable[[str], Document]:
    """Build the sample document in a language (cached per language)."""
    cache: dict[str, Document] = {}

    def make(language: str = "nl") -> Document:
        if language not in cache:
            cache[language] = sample_document(language)
        return cache[language]

    return make


@pytest.fixture(scope="session")
def build_document() -> Callable[[str], Document]:
    """Build the sample document afresh on each call (to compare two builds)."""
    return sample_document
