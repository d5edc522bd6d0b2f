"""Subcommands of ``lvv-eval``.

Each module defines ``register(subparsers)``, which adds one subparser and sets
``handler`` (a function taking the parsed arguments and returning the exit
status) with ``set_defaults(handler=...)``. Modules are discovered in
alphabetical order; names starting with ``_`` are helpers, not commands.
"""
