"""Fixtures live in tests/fixtures/, one module per concern; an option that needs fixtures brings
its own module, so every module there is loaded."""

from pathlib import Path

import pytest

pytest_plugins = sorted(
    f"tests.fixtures.{module.stem}"
    for module in (Path(__file__).parent / "fixtures").glob("*.py")
    if module.stem != "__init__"
)
# Marked before any is loaded: a resource's fixtures import those of what it refers to, which
# may sort after it, and pytest rewrites the asserts of a module only if it knows it first.
pytest.register_assert_rewrite(*pytest_plugins)
