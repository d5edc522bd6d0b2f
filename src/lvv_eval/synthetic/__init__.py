"""Synthetic monitor data calibrated to the published figures, and its calibration report.

Only :mod:`lvv_eval.commands` (and tests) may import this package: no analysis depends on how the
synthetic data were made.
"""
