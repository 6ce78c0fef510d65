import pytest
from starlette.types import Message

from app.core.config import Settings
from app.main import StartupError, create_app

pytestmark = pytest.mark.anyio


async def test_lifespan_connects_and_disposes(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await app.state.database.ping()


async def test_startup_fails_when_the_database_is_unreachable() -> None:
    settings = Settings(database_url="sqlite+aiosqlite:////nonexistent-dir/x.db")
    app = create_app(settings)
    with pytest.raises(StartupError, match="database unreachable"):
        async with app.router.lifespan_context(app):
            pass


async def test_startup_failure_is_reported_as_one_line() -> None:
    broken = Settings(database_url="sqlite+aiosqlite:////nonexistent-dir/x.db")
    app = create_app(broken)
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        messages.append(message)

    with pytest.raises(StartupError):
        await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    failure = messages[-1]
    assert failure["type"] == "lifespan.startup.failed"
    assert failure["message"].startswith("app.main.StartupError: database unreachable")
    assert "\n" not in failure["message"]
