"""Building the reports: configuration, parameters, execution, owned output folders and the index."""
