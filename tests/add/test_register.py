from generator.add import register

ROUTER = """from fastapi import FastAPI

from app.api.v1.endpoints import auth, posts, users


def include_api_v1(app: FastAPI, prefix: str) -> None:
    \"\"\"Version 1 of the API.\"\"\"
    app.include_router(auth.router, prefix=prefix)
    app.include_router(users.router, prefix=prefix)
    app.include_router(posts.router, prefix=prefix)
"""

# app/api/v1/router.py as projects rendered before include_api_v1 have it.
OLD_ROUTER = """from fastapi import APIRouter

from app.api.v1.endpoints import auth, posts, users

api_router = APIRouter()
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(posts.router)
"""

MODELS = """from app.db.models.post import Post
from app.db.models.user import User

__all__ = ["Post", "User"]
"""

STORE = """from app.db.models import Post, User


class Table:
    def references(self, parent: "Table", column: str, *, set_null: bool = False) -> None: ...


class Store:
    def __init__(self) -> None:
        self.users = Table[User]()
        self.posts = Table[Post]()
        self.posts.references(self.users, "author_id")
"""


def test_the_router_imports_and_includes_the_resource_last() -> None:
    text = register.register_router(ROUTER, "comments")
    assert "from app.api.v1.endpoints import auth, comments, posts, users\n" in text
    assert text.endswith(
        "    app.include_router(posts.router, prefix=prefix)\n"
        "    app.include_router(comments.router, prefix=prefix)\n"
    )


def test_a_v1_router_of_an_older_project_includes_the_resource_last() -> None:
    text = register.register_router(OLD_ROUTER, "comments")
    assert "from app.api.v1.endpoints import auth, comments, posts, users\n" in text
    assert text.endswith(
        "api_router.include_router(posts.router)\napi_router.include_router(comments.router)\n"
    )


def test_the_models_package_imports_and_exports_the_model_in_order() -> None:
    text = register.register_model(MODELS, "comment", "Comment")
    assert text == (
        "from app.db.models.comment import Comment\n"
        "from app.db.models.post import Post\n"
        "from app.db.models.user import User\n"
        "\n"
        '__all__ = ["Comment", "Post", "User"]\n'
    )


def test_the_store_gets_a_table() -> None:
    text = register.register_store(STORE, "comments", "Comment")
    assert text.startswith("from app.db.models import Comment, Post, User\n")
    assert text.endswith(
        '        self.posts.references(self.users, "author_id")\n        self.comments = Table[Comment]()\n'
    )


def test_the_store_gets_the_tables_references_after_the_last_ones() -> None:
    text = register.register_store(STORE, "books", "Book", [("users", "author_id", True)])
    text = register.register_store(
        text, "reviews", "Review", [("books", "book_id", False), ("users", "owner_id", False)]
    )
    assert text.endswith(
        '        self.posts.references(self.users, "author_id")\n'
        "        self.books = Table[Book]()\n"
        '        self.books.references(self.users, "author_id", set_null=True)\n'
        "        self.reviews = Table[Review]()\n"
        '        self.reviews.references(self.books, "book_id")\n'
        '        self.reviews.references(self.users, "owner_id")\n'
    )


def test_a_store_without_references_gets_the_table_alone() -> None:
    older = STORE.replace('        self.posts.references(self.users, "author_id")\n', "").replace(
        "def references(", "def insert("
    )
    text = register.register_store(older, "reviews", "Review", [("users", "owner_id", False)])
    assert text.endswith("        self.posts = Table[Post]()\n        self.reviews = Table[Review]()\n")


def test_a_reference_with_a_comment_is_a_place_to_add_after() -> None:
    commented = STORE.replace('"author_id")\n', '"author_id")  # posts go with their author\n')
    text = register.register_store(commented, "notes", "Note")
    assert text.endswith("# posts go with their author\n        self.notes = Table[Note]()\n")


def test_a_long_reference_is_wrapped_and_the_next_table_comes_after_it() -> None:
    long = "a_rather_long_resource_name_plural"
    text = register.register_store(
        STORE, long, "Long", [("an_even_longer_target_table_name", "target_id", True)]
    )
    text = register.register_store(text, "notes", "Note")
    assert text.endswith(
        f"        self.{long}.references(\n"
        f'            self.an_even_longer_target_table_name, "target_id", set_null=True\n'
        "        )\n"
        "        self.notes = Table[Note]()\n"
    )


def test_a_long_import_is_wrapped_as_ruff_wraps_it() -> None:
    names = [f"resource_number_{i}" for i in range(8)]
    router = ROUTER.replace("auth, posts, users", ", ".join(names))
    text = register.register_router(router, "comments")
    assert "from app.api.v1.endpoints import (\n    comments,\n    resource_number_0,\n" in text
    again = register.register_router(text, "notes")
    assert "    comments,\n    notes,\n    resource_number_0,\n" in again


def test_layout_picks_the_shortest_form_that_fits() -> None:
    assert register.layout("f", ["a", "b"]) == "f(a, b)"
    middle = register.layout("call", ["x" * 52, "y" * 52])
    assert middle == f"call(\n    {'x' * 52}, {'y' * 52}\n)"
    exploded = register.layout("call", ["x" * 60, "y" * 60])
    assert exploded == f"call(\n    {'x' * 60},\n    {'y' * 60},\n)"
