import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.core.request_id import REQUEST_ID_HEADER
from tests.probe_routes import probe_router

pytestmark = pytest.mark.anyio


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(probe_router)
    return app


async def test_a_sane_incoming_id_is_kept(client: AsyncClient) -> None:
    response = await client.get("/health", headers={REQUEST_ID_HEADER: "abcdef-123456"})
    assert response.headers.get_list(REQUEST_ID_HEADER) == ["abcdef-123456"]


@pytest.mark.parametrize("incoming", ["bad id with spaces", "short", "x" * 129, "semi;colon-123"])
async def test_an_insane_incoming_id_is_replaced(client: AsyncClient, incoming: str) -> None:
    response = await client.get("/health", headers={REQUEST_ID_HEADER: incoming})
    assert response.headers[REQUEST_ID_HEADER] != incoming
    assert len(response.headers[REQUEST_ID_HEADER]) == 32


async def test_each_request_gets_its_own_id(client: AsyncClient) -> None:
    first = await client.get("/health")
    second = await client.get("/health")
    assert first.headers[REQUEST_ID_HEADER] != second.headers[REQUEST_ID_HEADER]


@pytest.mark.parametrize(
    ("path", "status_code"), [("/nowhere", 404), ("/api/v1/posts/0", 422), ("/probe/crash", 500)]
)
async def test_error_responses_carry_the_id(client: AsyncClient, path: str, status_code: int) -> None:
    response = await client.get(path, headers={REQUEST_ID_HEADER: "trace-0000-1111"})
    assert response.status_code == status_code
    assert response.headers[REQUEST_ID_HEADER] == "trace-0000-1111"
