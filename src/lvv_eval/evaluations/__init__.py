"""Building blocks of the evaluation notebooks.

One module per evaluation (``plan_process``, ``interim``, ``final``,
``design_comparison``) builds the tables that notebook shows; :mod:`.common`
holds what the notebooks share (loading person-level data, comparing it with
the published figures, scheme sensitivity). Keeping this logic here, with tests,
keeps the notebooks thin.
"""
