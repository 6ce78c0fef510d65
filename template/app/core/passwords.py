"""Password hashing with Argon2id, off the event loop.

Argon2 costs about half a second of CPU per hash, by design: run on the event loop, every
sign-in would stall every other request of its worker for as long. Hashes run in worker
threads instead (argon2-cffi releases the GIL), at most `PASSWORD_HASHING_THREADS` at once;
further ones wait their turn without holding a thread.
"""

import os

import anyio
from pwdlib import PasswordHash

# pwdlib's recommended hasher is Argon2id; passlib is unmaintained.
_password_hash = PasswordHash.recommended()
_hashing_slots = anyio.CapacityLimiter(os.cpu_count() or 1)  # create_app applies the setting


def set_hashing_threads(threads: int) -> None:
    """At most `threads` hashes run at once in this process."""
    _hashing_slots.total_tokens = threads


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_password_hash.hash, password, limiter=_hashing_slots)


async def verify_password(password: str, hashed_password: str) -> bool:
    return await anyio.to_thread.run_sync(
        _password_hash.verify, password, hashed_password, limiter=_hashing_slots
    )
