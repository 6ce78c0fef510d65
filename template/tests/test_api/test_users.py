import pytest
from httpx import AsyncClient

from tests.conftest import CreatePost, CreateUser

pytestmark = pytest.mark.anyio

USERS = "/api/v1/users"


class TestCreateUser:
    async def test_returns_the_user_without_password(self, client: AsyncClient) -> None:
        payload = {"username": "johndoe", "email": "john@example.com", "password": "Secret123", "age": 25}
        response = await client.post(USERS, json=payload)
        assert response.status_code == 201
        body = response.json()
        assert body["username"] == "johndoe"
        assert body["email"] == "john@example.com"
        assert body["age"] == 25
        assert body["is_active"] is True
        assert "password" not in body
        assert "hashed_password" not in body
        assert "Secret123" not in response.text

    async def test_duplicate_username_is_a_conflict(
        self, client: AsyncClient, create_user: CreateUser
    ) -> None:
        await create_user(username="taken")
        payload = {"username": "taken", "email": "other@example.com", "password": "Secret123"}
        response = await client.post(USERS, json=payload)
        assert response.status_code == 409
        assert "username" in response.text

    async def test_duplicate_email_is_a_conflict(self, client: AsyncClient, create_user: CreateUser) -> None:
        await create_user(email="taken@example.com")
        payload = {"username": "someone", "email": "taken@example.com", "password": "Secret123"}
        response = await client.post(USERS, json=payload)
        assert response.status_code == 409
        assert "email" in response.text


class TestListUsers:
    async def test_pages_through_users(self, client: AsyncClient, create_user: CreateUser) -> None:
        for _ in range(3):
            await create_user()
        response = await client.get(USERS, params={"skip": 1, "limit": 1})
        assert response.status_code == 200
        body = response.json()
        assert body["total"] == 3
        assert [user["username"] for user in body["items"]] == ["user2"]

    async def test_filters_by_search_text(self, client: AsyncClient, create_user: CreateUser) -> None:
        await create_user(username="alice")
        await create_user(username="bob")
        response = await client.get(USERS, params={"q": "ali"})
        assert [user["username"] for user in response.json()["items"]] == ["alice"]
        assert response.json()["total"] == 1


class TestGetUser:
    async def test_returns_the_user(self, client: AsyncClient, create_user: CreateUser) -> None:
        user = await create_user()
        response = await client.get(f"{USERS}/{user['id']}")
        assert response.status_code == 200
        assert response.json() == user

    async def test_missing_user_is_not_found(self, client: AsyncClient) -> None:
        response = await client.get(f"{USERS}/999999")
        assert response.status_code == 404


class TestUserSummary:
    async def test_gathers_user_post_count_and_latest_posts(
        self, client: AsyncClient, create_user: CreateUser, create_post: CreatePost
    ) -> None:
        author = await create_user()
        titles = [f"Post {index}" for index in range(7)]
        for title in titles:
            await create_post(author_id=author["id"], title=title)
        await create_post()
        response = await client.get(f"{USERS}/{author['id']}/summary")
        assert response.status_code == 200
        body = response.json()
        assert body["user"]["id"] == author["id"]
        assert body["post_count"] == 7
        assert [post["title"] for post in body["latest_posts"]] == titles[::-1][:5]

    async def test_missing_user_is_not_found(self, client: AsyncClient) -> None:
        response = await client.get(f"{USERS}/999999/summary")
        assert response.status_code == 404


class TestUpdateUser:
    async def test_changes_the_profile(self, client: AsyncClient, create_user: CreateUser) -> None:
        user = await create_user()
        response = await client.patch(f"{USERS}/{user['id']}", json={"full_name": "Jane Roe", "age": 40})
        assert response.status_code == 200
        assert response.json()["full_name"] == "Jane Roe"
        assert response.json()["age"] == 40

    async def test_changes_the_password(self, client: AsyncClient, create_user: CreateUser) -> None:
        user = await create_user()
        response = await client.patch(f"{USERS}/{user['id']}", json={"password": "Another456"})
        assert response.status_code == 200
        assert "Another456" not in response.text

    async def test_email_of_another_user_is_a_conflict(
        self, client: AsyncClient, create_user: CreateUser
    ) -> None:
        await create_user(email="first@example.com")
        second = await create_user()
        response = await client.patch(f"{USERS}/{second['id']}", json={"email": "first@example.com"})
        assert response.status_code == 409

    async def test_missing_user_is_not_found(self, client: AsyncClient) -> None:
        response = await client.patch(f"{USERS}/999999", json={"age": 3})
        assert response.status_code == 404


class TestDeleteUser:
    async def test_removes_the_user_and_their_posts(
        self, client: AsyncClient, create_user: CreateUser, create_post: CreatePost
    ) -> None:
        user = await create_user()
        post = await create_post(author_id=user["id"])
        response = await client.delete(f"{USERS}/{user['id']}")
        assert response.status_code == 204
        assert (await client.get(f"{USERS}/{user['id']}")).status_code == 404
        assert (await client.get(f"/api/v1/posts/{post['id']}")).status_code == 404

    async def test_missing_user_is_not_found(self, client: AsyncClient) -> None:
        response = await client.delete(f"{USERS}/999999")
        assert response.status_code == 404
