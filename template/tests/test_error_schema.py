"""The published OpenAPI schema documents the errors the API really returns."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from jsonschema import Draft202012Validator

from app.api.errors import error_responses
from app.dependencies import get_user_service
from tests.conftest import CreateUser

pytestmark = pytest.mark.anyio

ERROR_SCHEMAS = {
    f"#/components/schemas/{entry['model'].__name__}" for entry in error_responses(422, 404).values()
}


@pytest.fixture
async def openapi(client: AsyncClient) -> dict[str, Any]:
    schema: dict[str, Any] = (await client.get("/openapi.json")).json()
    return schema


def assert_documented(openapi: dict[str, Any], method: str, path: str, response: Response) -> None:
    """The response's status, media type and body are those the schema publishes for the route."""
    responses = openapi["paths"][path][method]["responses"]
    assert str(response.status_code) in responses, f"{method} {path} does not document {response.status_code}"
    content = responses[str(response.status_code)]["content"]
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in content, f"{method} {path} {response.status_code} is not documented as {media_type}"
    # The schema's $refs point into the OpenAPI document: validate with its components at hand.
    schema = {**content[media_type]["schema"], "components": openapi["components"]}
    Draft202012Validator(schema).validate(response.json())


async def test_every_route_documents_its_errors_with_the_error_model(openapi: dict[str, Any]) -> None:
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            route = f"{method.upper()} {path}"
            responses = operation["responses"]
            assert "500" in responses, route
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in responses, route
            for code, response in responses.items():
                if code.startswith("4") or code == "500":
                    refs = {media["schema"].get("$ref") for media in response["content"].values()}
                    assert refs <= ERROR_SCHEMAS, f"{route} {code}: {refs}"
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


@pytest.mark.parametrize(
    ("method", "url", "path", "body"),
    [
        ("get", "/api/v1/users/999999", "/api/v1/users/{user_id}", None),
        ("patch", "/api/v1/posts/999999", "/api/v1/posts/{post_id}", {"title": "x"}),
        ("get", "/api/v1/users/0", "/api/v1/users/{user_id}", None),
        ("get", "/api/v1/users?limit=0&q=a", "/api/v1/users", None),
        ("post", "/api/v1/users", "/api/v1/users", {"username": "a b", "password": "weak"}),
        ("post", "/api/v1/posts", "/api/v1/posts", {"title": "t", "body": "b", "author_id": 999999}),
    ],
)
async def test_error_responses_match_the_published_schema(
    client: AsyncClient, openapi: dict[str, Any], method: str, url: str, path: str, body: Any
) -> None:
    response = await client.request(method, url, json=body)
    assert response.status_code in (404, 422)
    assert_documented(openapi, method, path, response)


async def test_malformed_json_matches_the_published_schema(
    client: AsyncClient, openapi: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/v1/users", content=b'{"username": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert_documented(openapi, "post", "/api/v1/users", response)


async def test_a_conflict_matches_the_published_schema(
    client: AsyncClient, openapi: dict[str, Any], create_user: CreateUser
) -> None:
    await create_user(username="taken")
    payload = {"username": "taken", "email": "new@example.com", "password": "Secret123"}
    response = await client.post("/api/v1/users", json=payload)
    assert response.status_code == 409
    assert_documented(openapi, "post", "/api/v1/users", response)


async def test_an_unhandled_error_matches_the_published_schema(
    app: FastAPI, client: AsyncClient, openapi: dict[str, Any]
) -> None:
    def broken_service() -> None:
        raise RuntimeError("the service cannot be built")

    app.dependency_overrides[get_user_service] = broken_service
    response = await client.get("/api/v1/users")
    assert response.status_code == 500
    assert_documented(openapi, "get", "/api/v1/users", response)
