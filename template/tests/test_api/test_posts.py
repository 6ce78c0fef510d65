import pytest
from httpx import AsyncClient

from tests.conftest import CreatePost, CreateUser

pytestmark = pytest.mark.anyio

POSTS = "/api/v1/posts"


class TestCreatePost:
    async def test_returns_the_post(self, client: AsyncClient, create_user: CreateUser) -> None:
        author = await create_user()
        payload = {"title": "Hello", "body": "World", "author_id": author["id"]}
        response = await client.post(POSTS, json=payload)
        assert response.status_code == 201
        assert response.json()["title"] == "Hello"
        assert response.json()["author_id"] == author["id"]

    async def test_unknown_author_is_not_found(self, client: AsyncClient) -> None:
        response = await client.post(POSTS, json={"title": "Hello", "body": "World", "author_id": 999999})
        assert response.status_code == 404

    async def test_empty_title_is_rejected(self, client: AsyncClient, create_user: CreateUser) -> None:
        author = await create_user()
        response = await client.post(POSTS, json={"title": "", "body": "World", "author_id": author["id"]})
        assert response.status_code == 422


class TestListPosts:
    async def test_lists_newest_first(self, client: AsyncClient, create_post: CreatePost) -> None:
        first = await create_post(title="First")
        second = await create_post(title="Second")
        response = await client.get(POSTS)
        assert response.status_code == 200
        assert [post["id"] for post in response.json()["items"]] == [second["id"], first["id"]]

    async def test_filters_by_author_and_text(self, client: AsyncClient, create_post: CreatePost) -> None:
        mine = await create_post(title="Gardening tips")
        await create_post(author_id=mine["author_id"], title="Cooking")
        await create_post(title="Gardening for others")
        response = await client.get(POSTS, params={"author_id": mine["author_id"], "q": "garden"})
        assert [post["id"] for post in response.json()["items"]] == [mine["id"]]
        assert response.json()["total"] == 1


class TestGetPost:
    async def test_returns_the_post(self, client: AsyncClient, create_post: CreatePost) -> None:
        post = await create_post()
        response = await client.get(f"{POSTS}/{post['id']}")
        assert response.json() == post

    async def test_missing_post_is_not_found(self, client: AsyncClient) -> None:
        assert (await client.get(f"{POSTS}/999999")).status_code == 404


class TestUpdatePost:
    async def test_edits_the_post(self, client: AsyncClient, create_post: CreatePost) -> None:
        post = await create_post()
        response = await client.patch(f"{POSTS}/{post['id']}", json={"title": "Edited"})
        assert response.status_code == 200
        assert response.json()["title"] == "Edited"
        assert response.json()["body"] == post["body"]

    async def test_missing_post_is_not_found(self, client: AsyncClient) -> None:
        assert (await client.patch(f"{POSTS}/999999", json={"title": "x"})).status_code == 404


class TestDeletePost:
    async def test_removes_the_post(self, client: AsyncClient, create_post: CreatePost) -> None:
        post = await create_post()
        assert (await client.delete(f"{POSTS}/{post['id']}")).status_code == 204
        assert (await client.get(f"{POSTS}/{post['id']}")).status_code == 404

    async def test_missing_post_is_not_found(self, client: AsyncClient) -> None:
        assert (await client.delete(f"{POSTS}/999999")).status_code == 404
