"""Printing in the app: the PDF preview dialog and the jobs that build printouts off the UI thread."""
