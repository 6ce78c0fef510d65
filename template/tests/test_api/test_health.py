import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.db.session import Database, DatabaseUnavailableError
from app.dependencies import get_database

pytestmark = pytest.mark.anyio


async def test_health_answers_without_io(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_ready_checks_the_database(client: AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


class UnreachableDatabase(Database):
    def __init__(self) -> None:
        pass

    async def ping(self) -> None:
        raise DatabaseUnavailableError("connection refused")


async def test_ready_names_the_database_when_it_is_down(app: FastAPI, client: AsyncClient) -> None:
    app.dependency_overrides[get_database] = UnreachableDatabase
    response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "down"}}
