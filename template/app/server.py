"""The production entry point and the image's command: `python -m app.server`.

Host, port, worker count, trusted proxies and the graceful shutdown timeout come from
the settings (environment or `.env`), like everything else.
"""

import gc
import logging
import sys

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from app.core.config import Settings, get_settings
from app.core.logging import configure_logging


def create_served_app() -> FastAPI:
    """The application as each worker builds it, with its startup objects frozen.

    What exists once the app is built (modules, classes, routes, validators) lives as long as
    the worker. Left to the garbage collector, each full collection under load walks all of it
    again and stalls every request in flight; frozen, it is never scanned.
    """
    # Imported here: with several workers, the process that supervises them never serves, so
    # it need not load the application.
    from app.main import create_app

    app = create_app()
    gc.freeze()
    return app


def run(settings: Settings) -> None:
    uvicorn.run(
        "app.server:create_served_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        # asyncio's event loop rather than uvloop: libuv, under uvloop, accepts one connection
        # per turn of the loop, so when many clients connect to a busy worker at once, some
        # wait seconds in the listen queue. asyncio accepts all that are waiting.
        loop="asyncio",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.graceful_shutdown_timeout,
        log_config=None,  # the application configures logging itself
        # uvicorn builds each access line's arguments before the logger's level can drop
        # it: below INFO, skip the work for every request.
        access_log=logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO),
        server_header=False,
    )


def main() -> int:
    try:
        settings = get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        print(f"invalid settings: {where}: {first['msg']}", file=sys.stderr)
        return 2
    configure_logging(level=settings.log_level, json_lines=settings.environment != "development")
    run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
