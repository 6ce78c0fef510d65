"""Background jobs: queued by the API once a request has committed, run by `taskiq worker app.worker:broker`."""
