"""Statistics on person-level and published data: counts at a peildatum, rates with intervals,
survival, rounding ranges, reconciliation; :mod:`lvv_eval.stats.sites` for comparisons between sites.
"""
