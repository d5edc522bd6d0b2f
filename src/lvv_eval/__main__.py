"""``python -m lvv_eval`` runs the command-line interface."""

from lvv_eval.cli import main

raise SystemExit(main())
