import os

import anyio
from pwdlib import PasswordHash

# Argon2id (pwdlib's recommendation; passlib is unmaintained), about half a second of CPU per
# hash: each runs in a worker thread, at most PASSWORD_HASHING_THREADS at once; others queue.
_password_hash = PasswordHash.recommended()
_hashing_slots = anyio.CapacityLimiter(os.cpu_count() or 1)


def set_hashing_threads(threads: int) -> None:
    _hashing_slots.total_tokens = threads


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_password_hash.hash, password, limiter=_hashing_slots)


async def verify_password(password: str, hashed_password: str) -> bool:
    return await anyio.to_thread.run_sync(
        _password_hash.verify, password, hashed_password, limiter=_hashing_slots
    )
