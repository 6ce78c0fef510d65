import gc
import logging
import sys

import uvicorn
from pydantic import ValidationError
from starlette.types import ASGIApp

from app.core.config import Settings, get_settings
from app.core.logging import configure_logging


def create_served_app() -> ASGIApp:
    """The application as each worker builds it, then frozen (README, "Design notes")."""
    # Imported here: the process that supervises several workers never serves.
    from app.main import create_app

    app = create_app()
    gc.collect()  # garbage left by imports and building is freed, not frozen
    gc.freeze()
    return app


def run(settings: Settings) -> None:
    uvicorn.run(
        "app.server:create_served_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="asyncio",  # not uvloop: see README, "Design notes"
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.graceful_shutdown_timeout,
        log_config=None,  # the application configures logging itself
        # Below INFO, uvicorn need not build each access line's arguments.
        access_log=logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO),
        server_header=False,
    )


def main() -> int:
    try:
        settings = get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "settings"
        print(f"invalid settings: {where}: {first['msg']}", file=sys.stderr)
        return 2
    configure_logging(level=settings.log_level, json_lines=settings.environment != "development")
    run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
