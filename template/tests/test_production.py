import logging
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI, Request
from httpx import ASGITransport, AsyncClient
from pydantic import ValidationError

from app.core.body_limit import BodyLimitMiddleware
from app.core.config import Settings
from app.main import create_app
from tests.error_bodies import error_message

pytestmark = pytest.mark.anyio


def client_for(settings: Settings) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=create_app(settings)), base_url="http://testserver")


async def test_docs_and_schema_are_off_in_production(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    async with client_for(production) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404, path


async def test_docs_can_be_turned_on_in_production(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production", "expose_docs": True})
    async with client_for(production) as client:
        assert (await client.get("/openapi.json")).status_code == 200


async def test_docs_are_served_outside_production(client: AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/openapi.json")).json()["info"]["version"] == "0.1.0"


async def in_chunks(*chunks: bytes) -> AsyncIterator[bytes]:
    """A body sent without Content-Length (chunked), its size known only once read."""
    for chunk in chunks:
        yield chunk


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param(b'{"username": "' + b"x" * 100 + b'"}', {}, id="body-over-the-limit"),
        pytest.param(b"{}", {"Content-Length": "100000"}, id="declared-length-over-the-limit"),
        pytest.param(in_chunks(b'{"username": "', b"x" * 100, b'"}'), {}, id="chunked-body-over-the-limit"),
    ],
)
async def test_request_body_over_the_limit_is_refused_without_an_error_log(
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    body: bytes | AsyncIterator[bytes],
    headers: dict[str, str],
) -> None:
    limited = settings.model_copy(update={"max_body_size": 64})
    with caplog.at_level(logging.WARNING):
        async with client_for(limited) as client:
            response = await client.post(
                "/api/v1/users", content=body, headers={"Content-Type": "application/json", **headers}
            )
    assert response.status_code == 413
    assert error_message(response.json()) == "Content Too Large"  # in this service's error format
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []


async def test_a_body_up_to_the_limit_is_read_in_full() -> None:
    echo = FastAPI()

    @echo.post("/echo")
    async def length(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    echo.add_middleware(BodyLimitMiddleware, max_body_size=64)
    async with AsyncClient(transport=ASGITransport(app=echo), base_url="http://testserver") as client:
        response = await client.post("/echo", content=in_chunks(b"x" * 32, b"y" * 32))
    assert response.json() == {"length": 64}


def test_wildcard_cors_with_credentials_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="CORS_ORIGINS holds"):
        Settings(environment="production", cors_origins=["*"])


def test_wildcard_cors_without_credentials_is_allowed() -> None:
    settings = Settings(environment="production", cors_origins=["*"], cors_allow_credentials=False)
    assert not settings.cors_credentials


async def test_wildcard_cors_in_development_never_allows_credentials(settings: Settings) -> None:
    development = settings.model_copy(update={"environment": "development", "cors_origins": ["*"]})
    async with client_for(development) as client:
        response = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


async def test_listed_origin_gets_credentials(settings: Settings) -> None:
    listed = settings.model_copy(update={"cors_origins": ["https://app.example"]})
    async with client_for(listed) as client:
        allowed = await client.get("/health", headers={"Origin": "https://app.example"})
        other = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in other.headers
