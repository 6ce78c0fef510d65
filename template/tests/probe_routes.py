import logging

from fastapi import APIRouter, HTTPException, status

from app.core.exceptions import DomainError

logger = logging.getLogger("app.probe")

probe_router = APIRouter(prefix="/probe")


class LockedError(DomainError):
    status_code = status.HTTP_423_LOCKED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": "60"}


@probe_router.get("/log")
async def log_a_line() -> None:
    logger.info("probe called")


@probe_router.get("/http-exception")
async def raise_http_exception() -> None:
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, "Not authenticated", headers={"WWW-Authenticate": "Bearer"}
    )


@probe_router.get("/domain-error")
async def raise_domain_error() -> None:
    raise LockedError("Account locked")


@probe_router.get("/crash")
async def crash() -> None:
    raise RuntimeError("secret internals: SELECT password FROM users")
