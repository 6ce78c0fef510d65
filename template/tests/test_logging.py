import json
import logging
import sys
from datetime import UTC, datetime
from types import TracebackType

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from starlette.types import Message, Receive, Scope, Send

from app.api.unhandled import UnhandledErrorMiddleware
from app.core.config import Settings
from app.core.logging import JsonFormatter, configure_logging
from app.core.request_id import REQUEST_ID_HEADER, request_id_var
from app.main import create_app
from tests.probe_routes import probe_router

pytestmark = pytest.mark.anyio

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(probe_router)
    return app


def app_handler() -> logging.Handler:
    return next(handler for handler in logging.getLogger().handlers if handler.get_name() == "app")


def record_under_request(request_id: str, message: str, exc_info: ExcInfo | None = None) -> logging.LogRecord:
    token = request_id_var.set(request_id)
    try:
        return logging.getLogger("app.test").makeRecord(
            "app.test", logging.ERROR, __file__, 1, message, (), exc_info
        )
    finally:
        request_id_var.reset(token)


def test_logs_are_json_lines_outside_development(settings: Settings) -> None:
    create_app(settings)
    line = json.loads(app_handler().format(record_under_request("req-json-0001", "hello")))
    assert line["message"] == "hello"
    assert line["logger"] == "app.test"
    assert line["level"] == "ERROR"
    assert line["request_id"] == "req-json-0001"


def test_logs_are_readable_lines_in_development(settings: Settings) -> None:
    create_app(settings.model_copy(update={"environment": "development"}))
    line = app_handler().format(record_under_request("req-dev-00001", "hello"))
    assert "[req-dev-00001] app.test: hello" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_logging_is_configured_once_however_often_the_app_is_made() -> None:
    configure_logging(level="INFO", json_lines=True)
    configure_logging(level="INFO", json_lines=True)
    assert [handler.get_name() for handler in logging.getLogger().handlers].count("app") == 1


def test_a_json_line_holds_the_traceback_and_stack() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = record_under_request("req-json-0002", "failed", sys.exc_info())
    record.stack_info = "Stack (most recent call last):\n  in test"
    line = json.loads(JsonFormatter().format(record))
    assert "Traceback" in line["exception"]
    assert "ValueError: boom" in line["exception"]
    assert line["stack"].startswith("Stack (most recent call last)")


def test_a_json_line_keeps_extra_fields_and_redacts_secrets() -> None:
    extra = {
        "user_id": 7,
        "elapsed": 0.25,
        "path": "/api/v1/posts",
        "password": "hunter2",
        "access_token": "eyJ.secret.token",
        "Authorization": "Bearer abc",
        "request": {"headers": {"cookie": "session=xyz"}, "method": "GET"},
        "color_message": "\x1b[1msigned in\x1b[0m",
    }
    record = logging.getLogger("app.test").makeRecord(
        "app.test", logging.INFO, __file__, 1, "signed in", (), None, extra=extra
    )
    text = JsonFormatter().format(record)
    line = json.loads(text)
    assert line["user_id"] == 7
    assert line["elapsed"] == 0.25
    assert line["path"] == "/api/v1/posts"
    assert line["message"] == "signed in"
    assert line["password"] == line["access_token"] == line["Authorization"] == "[redacted]"
    assert line["request"] == {"headers": {"cookie": "[redacted]"}, "method": "GET"}
    for secret in ("hunter2", "eyJ.secret.token", "Bearer abc", "session=xyz"):
        assert secret not in text
    assert "args" not in line
    assert "msg" not in line
    assert "color_message" not in line


def test_an_extra_value_json_cannot_hold_is_logged_as_text() -> None:
    record = logging.getLogger("app.test").makeRecord(
        "app.test", logging.INFO, __file__, 1, "x", (), None, extra={"when": datetime(2026, 1, 2, tzinfo=UTC)}
    )
    assert json.loads(JsonFormatter().format(record))["when"] == "2026-01-02 00:00:00+00:00"


def test_a_record_outside_a_request_has_no_id() -> None:
    record = logging.getLogger("app.test").makeRecord("app.test", logging.INFO, __file__, 1, "x", (), None)
    assert json.loads(JsonFormatter().format(record))["request_id"] is None


async def test_records_made_during_a_request_carry_its_id(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await client.get("/probe/log", headers={REQUEST_ID_HEADER: "req-log-000001"})
    [record] = [record for record in caplog.records if record.name == "app.probe"]
    assert getattr(record, "request_id", None) == "req-log-000001"


async def test_an_unhandled_error_is_a_generic_500_logged_once(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await client.get("/probe/crash", headers={REQUEST_ID_HEADER: "req-12345678"})
    assert response.status_code == 500
    for leak in ("secret internals", "SELECT", "RuntimeError", "Traceback"):
        assert leak not in response.text
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert errors[0].exc_info[0] is RuntimeError
    assert getattr(errors[0], "request_id", None) == "req-12345678"


async def test_a_failure_after_the_response_started_is_logged_once_and_not_answered_twice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def streams_then_fails(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("failed while streaming")

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "GET", "path": "/stream", "headers": []}
    with caplog.at_level(logging.ERROR):
        await UnhandledErrorMiddleware(streams_then_fails)(scope, receive, send)
    assert [message["type"] for message in sent] == ["http.response.start"]
    assert len([record for record in caplog.records if record.levelno >= logging.ERROR]) == 1
