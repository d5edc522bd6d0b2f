"""Comparisons between the pilot sites: grouped rates, the few-sites rules, case mix."""
