import copy
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI

# What any request with a body can be refused with before validation: a body that cannot be
# parsed (JSON that is not UTF-8, a broken form), and a body over MAX_BODY_SIZE.
BODY_ERRORS = {"400": "Bad Request", "413": "Content Too Large"}


def document_body_errors(app: FastAPI) -> None:
    """Documents BODY_ERRORS on every operation that takes a body, with the error body of its 500.

    FastAPI (parsing) and the body limit answer them before any route's own code runs, so no
    route lists them.
    """
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build_schema()
        for operation in _operations(schema):
            if "requestBody" not in operation:
                continue
            responses = operation["responses"]
            for code, description in BODY_ERRORS.items():
                content = copy.deepcopy(responses["500"]["content"])
                responses.setdefault(code, {"description": description, "content": content})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _operations(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for operations in schema.get("paths", {}).values():
        yield from operations.values()
