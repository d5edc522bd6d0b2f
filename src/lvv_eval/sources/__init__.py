"""Reading inputs: person-level monitor exports, the published figures and their checks, pilot designs.

Imports :mod:`lvv_eval.reference` only.
"""
