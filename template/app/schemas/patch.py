from typing import Any, ClassVar

from pydantic import BaseModel


class Patch(BaseModel):
    """The body of a PATCH: the fields sent change, the others stay as they are."""

    # The fields a null clears; a null for any other field leaves it as it is.
    clearable: ClassVar[frozenset[str]] = frozenset()

    def changes(self) -> dict[str, Any]:
        """The fields sent, less the nulls that do not clear a field."""
        sent = self.model_dump(exclude_unset=True)
        return {name: value for name, value in sent.items() if value is not None or name in self.clearable}
