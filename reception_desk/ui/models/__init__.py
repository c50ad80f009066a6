"""Qt item models: they hold ids and load the rows they paint lazily, off the UI thread."""
