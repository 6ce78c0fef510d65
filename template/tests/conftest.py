"""Fixtures live in tests/fixtures/, one module per concern; an option that needs fixtures brings
its own module, so every module there is loaded."""

from pathlib import Path

pytest_plugins = sorted(
    f"tests.fixtures.{module.stem}"
    for module in (Path(__file__).parent / "fixtures").glob("*.py")
    if module.stem != "__init__"
)
