import logging

import pytest
from httpx import ASGITransport, AsyncClient
from pydantic import ValidationError

from app.core.config import Settings
from app.main import create_app

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


async def test_request_body_over_the_limit_is_refused_without_an_error_log(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    limited = settings.model_copy(update={"max_body_size": 64})
    with caplog.at_level(logging.WARNING):
        async with client_for(limited) as client:
            response = await client.post("/api/v1/users", json={"username": "x" * 100})
    assert response.status_code == 413
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []


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
