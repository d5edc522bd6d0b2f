"""Disclosure control: every rule that decides which person-level number may leave a report."""
