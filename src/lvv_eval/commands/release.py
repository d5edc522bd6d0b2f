"""``lvv-eval release``: copy the outputs of a report that passed the output check into a release folder."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``release`` subcommand."""
    parser = subparsers.add_parser(
        "release",
        help="copy the outputs of a built report that passed the output check into a release folder",
        description=(
            "Read the release record (release.json) of a built report, scan its files again for "
            "person-level counts below the disclosure threshold, and copy the outputs whose status is "
            "pass (or review with the checker's decision 'approve' in release.json), and only those, "
            "into the release folder, with a copy of the record from which the values of the findings "
            "are removed. The folder must be new or empty, or made by an earlier lvv-eval release (then "
            "only the files that run wrote are replaced; nothing else is deleted). Exit status: 0 every "
            "output released, 1 some outputs withheld, 2 nothing done (no record, the notebook failed, "
            "or the folder is not empty)."
        ),
    )
    parser.add_argument("report_dir", metavar="REPORT_DIR", type=Path, help="built report folder (reports/<id>/)")
    parser.add_argument("--out", required=True, type=Path, metavar="RELEASE_DIR", help="release folder")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="FILE",
        help="the person-level input, when it lies outside the project (provenance.json "
        "records it by file name and SHA-256 only; the file must match)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the release folder; 0 when every output was released, 1 when some were withheld."""
    from lvv_eval.disclosure.release import release

    outcome = release(args.report_dir, args.out, data=args.data)
    print(f"released {len(outcome.copied)} output(s) of {args.report_dir} into {outcome.out_dir}")
    for uid, why in sorted(outcome.withheld.items()):
        print(f"  withheld {uid}: {why}")
    return 0 if outcome.complete else 1
