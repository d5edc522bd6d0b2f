"""``lvv-eval profile``: mapping profiles for a municipality's own export layout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lvv_eval.commands._common import existing_file


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``profile`` subcommand (``profile draft FILE``)."""
    parser = subparsers.add_parser(
        "profile",
        help="draft a mapping profile (own column names, spellings, codes) from an export",
        description=(
            "A mapping profile declares once, in a small YAML file, how a municipality's "
            "export differs from the monitor format: its own column names, label spellings "
            "and value codes, and its encoding, worksheet and header row. Use it with "
            "`lvv-eval validate --profile PROFILE.yaml FILE` (and aggregate, read_monitor). "
            "`profile draft FILE` writes a first draft from the file's header and values; "
            "every guess is marked with a '# guess' comment and must be checked. Values of "
            "direct-identifier columns, ids, dates and numbers are never listed. Format: "
            "docs/data_dictionary.md, section 'Mapping profiles'."
        ),
    )
    sub = parser.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    draft = sub.add_parser(
        "draft",
        help="write a first draft of a profile for an export",
        description="Write a first draft of a mapping profile for FILE, "
        "every guess marked; print it, or write it to --out (never over an "
        "existing file).",
    )
    draft.add_argument("file", metavar="FILE", type=Path, help="an export (CSV or .xlsx)")
    draft.add_argument(
        "--out", type=Path, metavar="PROFILE.yaml", help="write the draft to this new file instead of printing it"
    )
    draft.add_argument("--name", metavar="NAME", help="profile name (default: the file's name)")
    draft.add_argument("--sheet", metavar="NAME|NUMBER", help="worksheet of an .xlsx file (name, or number: 1 = first)")
    draft.add_argument("--header-row", type=int, metavar="N", help="row holding the column names (1 = first row)")
    draft.set_defaults(handler=run_draft)


def run_draft(args: argparse.Namespace) -> int:
    """Run ``lvv-eval profile draft``; return the exit status (2: unreadable or refused)."""
    from lvv_eval.sources.monitor import UnreadableInputError
    from lvv_eval.sources.profiles import draft_profile

    existing_file(args.file)
    if args.out is not None:
        if args.out.exists() or args.out.is_symlink():
            print(f"error: {args.out} exists; it is not overwritten (choose a new name)", file=sys.stderr)
            return 2
        if args.out.resolve() == args.file.resolve():
            print("error: --out must not be the input file", file=sys.stderr)
            return 2
    try:
        text = draft_profile(
            args.file,
            sheet=args.sheet,
            header_row=args.header_row,
            name=args.name or (args.out.stem if args.out else None),
        )
    except UnreadableInputError as exc:
        print(f"error: cannot read {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("x", encoding="utf-8") as handle:  # "x": never over an existing file
        handle.write(text)
    print(f"wrote {args.out}; check every line marked 'guess' or 'unknown'", file=sys.stderr)
    return 0
