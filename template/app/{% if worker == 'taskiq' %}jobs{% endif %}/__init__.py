"""Background jobs, queued by requests once they commit and run by `taskiq worker app.worker:broker`."""
