from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

# A 32-bit INTEGER column's range: ids, offsets and numbers beyond it are a 422, not a driver overflow.
MIN_INTEGER = -(2**31)
MAX_INTEGER = 2**31 - 1
MAX_ID = MAX_INTEGER


def _json_number(value: object) -> object:
    # JSON Schema's integer: 5 and 5.0, but neither true nor "5", which pydantic would accept.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    return value


# Last in an Annotated integer, after its constraints, so that the schema keeps them.
JSON_INTEGER = BeforeValidator(_json_number)
Id = Annotated[int, Field(ge=1, le=MAX_ID), JSON_INTEGER]

# Anything but NUL, which PostgreSQL cannot store in text: refused on every database alike.
STORABLE = r"[^\x00]*"

# Every text a client sends (body, query or form) is of this type, or built on it.
Text = Annotated[str, Field(pattern=f"^{STORABLE}$")]


def _as_utc(value: datetime) -> datetime:
    # A driver may hand back naive timestamps; they are stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# Published as an RFC 3339 date-time, which requires an offset.
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
