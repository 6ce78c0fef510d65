from typing import Annotated

from pydantic import Field

# The largest value a 32-bit INTEGER column holds: ids (and offsets) beyond it are
# rejected with a 422 instead of overflowing in the database driver.
MAX_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
