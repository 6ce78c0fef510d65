import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from app.core.request_id import request_id_var

_READABLE_FORMAT = "%(asctime)s %(levelname)-8s [%(request_id)s] %(name)s: %(message)s"
# Any other attribute of a record came from `extra={...}` and joins the JSON line.
_RECORD_ATTRIBUTES = {*vars(logging.makeLogRecord({})), "message", "asctime", "request_id", "color_message"}
# Values under such keys never reach a log line, however deep in `extra` they are.
_SECRET_KEY = re.compile(r"pass(word|wd)?|secret|token|authori[sz]ation|cookie|api_?key|credential", re.I)
_make_record = logging.getLogRecordFactory()


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "[redacted]" if _SECRET_KEY.search(str(k)) else _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", "-")
        extra = {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}
        entry = {
            **_redacted(extra),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if request_id == "-" else request_id,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)  # an extra value JSON cannot hold is logged as its str()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record: logging.LogRecord = _make_record(*args, **kwargs)
    record.request_id = request_id_var.get() or "-"
    return record


def configure_logging(*, level: str, json_lines: bool) -> None:
    """The one place logging is set up: readable lines in development, JSON lines otherwise."""
    logging.setLogRecordFactory(_record_with_request_id)
    handler = logging.StreamHandler()
    handler.set_name("app")
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(_READABLE_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "app"] + [handler]
    root.setLevel(level)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)  # its DEBUG lines hold statement parameters
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
