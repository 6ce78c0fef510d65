"""fastapi-trellis: render FastAPI services from a Copier template and prove they work."""
