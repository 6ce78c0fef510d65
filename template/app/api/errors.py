from typing import Any

from app.schemas.error import ErrorMessage, ValidationErrorMessage

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict with existing data",
    422: "Validation error",
}


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error responses a route can return."""
    return {
        code: {
            "model": ValidationErrorMessage if code == 422 else ErrorMessage,
            "description": _DESCRIPTIONS[code],
        }
        for code in status_codes
    }
