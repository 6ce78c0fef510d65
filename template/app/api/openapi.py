import copy
from typing import Any

from fastapi import FastAPI

# Refused before any route's code runs: a body that cannot be parsed, a body over MAX_BODY_SIZE.
BODY_ERRORS = {"400": "Bad Request", "413": "Content Too Large"}


def document_body_errors(app: FastAPI) -> None:
    """Documents BODY_ERRORS on every operation that takes a body, with the error body of its 500."""
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build_schema()
        operations = [operation for path in schema.get("paths", {}).values() for operation in path.values()]
        for responses in (operation["responses"] for operation in operations if "requestBody" in operation):
            for code, description in BODY_ERRORS.items():
                content = copy.deepcopy(responses["500"]["content"])
                responses.setdefault(code, {"description": description, "content": content})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
