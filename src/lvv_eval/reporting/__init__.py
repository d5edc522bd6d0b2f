"""Report machinery: notebook parameters, labels and language, plots, the report writer, builds,
provenance and notebook hygiene.
"""
