import os
from collections.abc import Iterator

import anyio
import pytest

from app.core.passwords import hash_password, set_hashing_threads, verify_password
from app.main import create_app
from tests.hashing import GatedHasher
from tests.settings import make_settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatedHasher]:
    gate = GatedHasher()
    monkeypatch.setattr("app.core.passwords._password_hash", gate)
    yield gate
    gate.release.set()
    set_hashing_threads(os.cpu_count() or 1)


async def test_a_hash_verifies_its_password_only() -> None:
    hashed = await hash_password("Secret123")
    assert hashed.startswith("$argon2")
    assert await verify_password("Secret123", hashed)
    assert not await verify_password("Secret124", hashed)


async def test_checks_run_off_the_event_loop(gate: GatedHasher) -> None:
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(verify_password, "Secret123", "gated$Secret123")
        await gate.wait_until_running(1)
        # The loop runs this while the check still holds its thread.
        assert gate.finished == 0
        gate.release.set()
    assert gate.finished == 1


async def test_at_most_password_hashing_threads_checks_run_at_once(gate: GatedHasher) -> None:
    create_app(make_settings(password_hashing_threads=2))
    async with anyio.create_task_group() as tasks:
        for _ in range(4):
            tasks.start_soon(verify_password, "Secret123", "gated$Secret123")
        await gate.wait_until_running(2)
        await anyio.sleep(0.1)  # time for a third check to start, were it allowed to
        assert gate.running == 2
        gate.release.set()
    assert gate.peak == 2
    assert gate.finished == 4
