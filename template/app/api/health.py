from fastapi import FastAPI

from app.api.readiness import READY_RESPONSES, ready
from app.api.responses import error_responses
from app.schemas.health import HealthStatus


async def health() -> HealthStatus:
    """Liveness: the process answers. No I/O."""
    return HealthStatus(status="ok")


def add_probes(app: FastAPI) -> None:
    """Serve the probes as routes of the app itself.

    FastAPI (0.137 and later) resolves an included router on every request, a level at a time:
    through one, `/health` took 15% more CPU. Probes are the most frequent requests a service
    gets, and they belong to no API version.
    """
    app.add_api_route("/health", health, tags=["health"], responses=error_responses())
    app.add_api_route("/ready", ready, tags=["health"], responses=READY_RESPONSES)
