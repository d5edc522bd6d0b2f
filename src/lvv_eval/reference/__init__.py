"""Reference data: the exit-reason taxonomy, classification schemes, pilots and the monitor format.

The lowest layer above :mod:`lvv_eval.errors` and :mod:`lvv_eval.paths`; imports nothing else of the package.
"""
