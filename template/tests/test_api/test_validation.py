import re
from typing import Any

import pytest
from httpx import AsyncClient
from pydantic import ValidationError

from app.schemas.user import UserCreate
from tests.error_bodies import error_locations

pytestmark = pytest.mark.anyio

VALID_USER = {"username": "johndoe", "email": "john@example.com", "password": "Secret123"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "ab"),
        ("username", "x" * 51),
        ("username", "john doe"),
        ("username", "j\u043ehndoe"),  # a Cyrillic o, which looks like the Latin one
        ("username", "\uff4a\uff4f\uff48\uff4e"),  # fullwidth letters
        ("email", "not-an-email"),
        ("password", "Short1"),
        ("password", "nouppercase1"),
        ("password", "NoDigitsHere"),
        ("age", -1),
        ("age", 151),
        ("age", True),
        ("age", "25"),
        ("age", 25.5),
    ],
)
async def test_invalid_user_field_is_rejected(client: AsyncClient, field: str, value: object) -> None:
    response = await client.post("/api/v1/users", json={**VALID_USER, field: value})
    assert response.status_code == 422
    assert ["body", field] in error_locations(response.json())


@pytest.mark.parametrize("taken", ["JohnDoe", "JOHNDOE"])
async def test_a_username_is_taken_in_every_case(client: AsyncClient, taken: str) -> None:
    assert (await client.post("/api/v1/users", json=VALID_USER)).status_code == 201
    response = await client.post(
        "/api/v1/users", json={**VALID_USER, "username": taken, "email": "other@example.com"}
    )
    assert response.status_code == 409


async def test_a_username_is_stored_in_its_canonical_form(client: AsyncClient) -> None:
    response = await client.post("/api/v1/users", json={**VALID_USER, "username": "JohnDoe"})
    assert response.status_code == 201
    assert response.json()["username"] == "johndoe"


async def test_an_integral_number_is_an_integer(client: AsyncClient) -> None:
    response = await client.post("/api/v1/users", json={**VALID_USER, "age": 25.0})
    assert response.status_code == 201
    assert response.json()["age"] == 25


async def test_rejected_password_is_never_echoed(client: AsyncClient) -> None:
    response = await client.post("/api/v1/users", json={**VALID_USER, "password": "weakpassword"})
    assert response.status_code == 422
    assert "weakpassword" not in response.text


@pytest.mark.parametrize(
    "params",
    [{"skip": -1}, {"limit": 0}, {"limit": 101}, {"q": "ab"}, {"q": "x" * 51}],
)
async def test_query_bounds_are_enforced(client: AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get("/api/v1/posts", params=params)
    assert response.status_code == 422
    assert ["query", next(iter(params))] in error_locations(response.json())


@pytest.mark.parametrize("path", ["/api/v1/posts/0", "/api/v1/posts/-1", "/api/v1/posts/abc"])
async def test_path_ids_must_be_positive_integers(client: AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 422


async def test_every_field_of_a_new_user_carries_an_example(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    fields = schema["components"]["schemas"]["UserCreate"]["properties"]
    assert fields["username"]["examples"] == ["johndoe"]
    assert all("examples" in field or "examples" in field["anyOf"][0] for field in fields.values())


@pytest.mark.parametrize(
    "password",
    [
        "Secret123",
        "123secreT",
        "Sécret 123",
        "Multi\nline 9",
        "A1" + "x" * 126,
        "A1" + "x" * 127,
        "Short1A",
        "secret123",
        "SECRET-ABC",
        "ÉCOLE-école-1234",  # uppercase, but not A-Z
        "Secret123\x00",
    ],
)
async def test_the_schema_states_the_password_rules_the_api_enforces(
    client: AsyncClient, password: str
) -> None:
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["UserCreate"]
    rules = schema["properties"]["password"]
    documented = rules["minLength"] <= len(password) <= rules["maxLength"] and bool(
        re.search(rules["pattern"], password)
    )
    try:
        UserCreate(username="johndoe", email="john@example.com", password=password)
    except ValidationError:
        accepted = False
    else:
        accepted = True
    assert accepted == documented


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/posts", "GET, POST"),
        ("PUT", "/api/v1/posts/1", "GET, PATCH, DELETE"),
        ("POST", "/health", "GET"),
    ],
)
async def test_a_wrong_method_is_told_every_method_the_path_serves(
    client: AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
