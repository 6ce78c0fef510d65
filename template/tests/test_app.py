import logging
from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter, FastAPI
from httpx import ASGITransport, AsyncClient

from app.core.request_id import REQUEST_ID_HEADER

pytestmark = pytest.mark.anyio


@pytest.fixture
async def failing_client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: SELECT * FROM users")

    app.include_router(router)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_unhandled_error_is_a_generic_500_logged_once(
    failing_client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await failing_client.get("/boom", headers={REQUEST_ID_HEADER: "req-12345678"})
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "SELECT" not in response.text
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert getattr(errors[0], "request_id", None) == "req-12345678"
    assert response.headers[REQUEST_ID_HEADER] == "req-12345678"


async def test_request_id_is_accepted_or_made(client: AsyncClient) -> None:
    echoed = await client.get("/health", headers={REQUEST_ID_HEADER: "abcdef-123456"})
    assert echoed.headers[REQUEST_ID_HEADER] == "abcdef-123456"
    made = await client.get("/health", headers={REQUEST_ID_HEADER: "bad id with spaces"})
    assert made.headers[REQUEST_ID_HEADER] != "bad id with spaces"
    assert len(made.headers[REQUEST_ID_HEADER]) == 32


async def test_unknown_route_and_method_use_the_error_format(client: AsyncClient) -> None:
    missing = await client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    wrong_method = await client.put("/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}
