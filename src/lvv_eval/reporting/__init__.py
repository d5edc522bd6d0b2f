"""Report documents: formatting, a document model, and HTML and PDF rendering."""
