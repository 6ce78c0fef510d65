import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from app.core.request_id import current_request_id

_HANDLER_NAME = "app"
# Database drivers that log every statement with its parameters (password hashes, emails) at DEBUG.
_PARAMETER_LOGGERS = ("aiosqlite",)
_NO_REQUEST = "-"
_READABLE_FORMAT = "%(asctime)s %(levelname)-8s [%(request_id)s] %(name)s: %(message)s"
# What every record has; any other attribute came from `extra={...}` and joins the JSON line
# (but uvicorn's `color_message`, its message again with terminal colours).
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
}
# Values under such keys never reach a log line, however deep in `extra` they are.
_SECRET_KEY = re.compile(r"pass(word|wd)?|secret|token|authori[sz]ation|cookie|api_?key|credential", re.I)
_REDACTED = "[redacted]"


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _REDACTED if _SECRET_KEY.search(str(key)) else _redacted(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", _NO_REQUEST)
        extra = {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}
        entry = {
            **_redacted(extra),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if request_id == _NO_REQUEST else request_id,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)  # an extra value JSON cannot hold is logged as its str()


class RequestIdRecordFactory:
    """Makes every log record carry the id of the request it was made under."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.wrapped(*args, **kwargs)
        record.request_id = current_request_id() or _NO_REQUEST
        return record


def configure_logging(*, level: str, json_lines: bool) -> None:
    """The one place logging is set up: readable lines in development, JSON lines otherwise."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, RequestIdRecordFactory):
        logging.setLogRecordFactory(RequestIdRecordFactory(factory))

    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(_READABLE_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != _HANDLER_NAME] + [handler]
    root.setLevel(level)
    for name in _PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
