"""Create an admin account: the first admin cannot be made through the API, by design.

    uv run python -m app.commands.create_admin USERNAME EMAIL

The password is asked twice at the terminal, or read from one line of standard input with
--password-stdin (for scripts: `printenv ADMIN_PASSWORD | uv run python -m ... --password-stdin`).
It is never taken from an argument, which would leave it in the shell history and the process list.
"""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from pydantic import ValidationError

from app.core.config import get_settings
from app.core.exceptions import DomainError
from app.core.roles import Role
from app.db.session import Database
from app.repositories.user_repository import UserRepository
from app.schemas.user import UserCreate
from app.services.principals import PrincipalCache
from app.services.user_service import UserService


class CommandError(Exception):
    """A problem the person running the command can fix; shown as one line."""


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="create_admin", description="Create an admin account.")
    parser.add_argument("username")
    parser.add_argument("email")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    return parser.parse_args(argv)


def read_password(*, from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != password:
        raise CommandError("the passwords do not match")
    return password


async def create_admin(database: Database, data: UserCreate) -> str:
    async with database.session_factory() as session:
        # A process of its own: no worker's signed-in users to keep in step, so no cache.
        user = await UserService(UserRepository(session), PrincipalCache(0)).create(data, role=Role.ADMIN)
        await session.commit()
        return f"Created admin {user.username} (id {user.id})"


async def run(argv: Sequence[str], database: Database, *, stdin: TextIO | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        password = read_password(from_stdin=arguments.password_stdin, stdin=stdin or sys.stdin)
        data = UserCreate(username=arguments.username, email=arguments.email, password=password)
        print(await create_admin(database, data))
    except ValidationError as exc:
        error = exc.errors()[0]
        return _fail(f"{error['loc'][0]}: {error['msg']}")
    except (CommandError, DomainError) as exc:
        return _fail(str(exc))
    return 0


def _fail(message: str) -> int:
    print(f"create_admin: error: {message}", file=sys.stderr)
    return 1


async def _main(argv: Sequence[str]) -> int:
    database = Database.from_settings(get_settings())
    try:
        return await run(argv, database)
    finally:
        await database.dispose()


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(sys.argv[1:])))
