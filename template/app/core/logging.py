import json
import logging
from datetime import UTC, datetime
from typing import Any

from app.core.request_id import current_request_id

_HANDLER_NAME = "app"
# Database drivers that log every statement with its parameters (password hashes, emails) at DEBUG.
_PARAMETER_LOGGERS = ("aiosqlite",)
_NO_REQUEST = "-"
_READABLE_FORMAT = "%(asctime)s %(levelname)-8s [%(request_id)s] %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", _NO_REQUEST)
        entry = {
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
        return json.dumps(entry)


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
