import os
import sys
from pathlib import Path

from generator.validate.processes import Processes
from generator.validate.server import serving


def test_the_app_is_served_by_its_production_command_and_settings(tmp_path: Path) -> None:
    """Boot and contract start `python -m app.server`, which reads HOST and PORT, as the image does."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "server.py").write_text(
        "import json, os, sys\n"
        "from http.server import BaseHTTPRequestHandler, HTTPServer\n\n"
        "class Handler(BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        body = json.dumps({'argv': sys.argv, 'host': os.environ['HOST']}).encode()\n"
        "        self.send_response(200)\n"
        "        self.send_header('Content-Type', 'application/json')\n"
        "        self.end_headers()\n"
        "        self.wfile.write(body)\n\n"
        "HTTPServer((os.environ['HOST'], int(os.environ['PORT'])), Handler).serve_forever()\n"
    )
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    with serving(bin_dir, tmp_path, dict(os.environ), tmp_path / "app.log", Processes()) as app:
        app.wait_ready(timeout=10)
        served = app.request("GET", "/health").json_object()
    assert served == {"argv": [str(tmp_path / "app" / "server.py")], "host": "127.0.0.1"}
