"""`trellis new` at a terminal: it asks the questions, and Ctrl-C leaves nothing behind."""

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import yaml

from generator.template import load_spec
from tests.projects import render_project

CTRL_C = b"\x03"
# Seconds of silence taken as "waiting for input". A key pressed early is not lost: it waits
# in the terminal for the next prompt to read it.
QUIET = 0.1


def run_at_terminal(
    args: list[str], keys: bytes, *, after: bytes = b"", timeout: float = 60
) -> tuple[int, str]:
    """Run trellis on a pseudo-terminal, pressing `keys` whenever it waits for input
    once its output holds `after`; a Ctrl-C is pressed only once."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes trellis
        os.execvp(sys.executable, [sys.executable, "-m", "generator", *args])
    # A wide terminal, so that no question's help is wrapped across lines.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 240, 0, 0))
    output = pressed = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], QUIET)
        if not ready:
            if after in output and not (keys == CTRL_C and CTRL_C in pressed):
                os.write(fd, keys)
                pressed += keys
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_asks_every_question_and_takes_the_defaults(tmp_path: Path) -> None:
    exit_code, output = run_at_terminal(["new", str(tmp_path / "svc"), "--no-lock"], keys=b"\r")
    assert exit_code == 0, output
    for question in load_spec().questions:
        if question.condition is None:
            assert question.help in output
    assert (tmp_path / "svc" / "app" / "main.py").is_file()


def test_ctrl_c_at_a_prompt_leaves_nothing_behind(tmp_path: Path) -> None:
    first_question = load_spec().questions[0].help.encode()
    exit_code, output = run_at_terminal(
        ["new", str(tmp_path / "svc"), "--no-lock"], keys=CTRL_C, after=first_question
    )
    assert exit_code == 130, output
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


def test_add_resource_asks_for_fields_until_an_empty_line(tmp_path: Path) -> None:
    project = render_project(tmp_path / "svc", {"database": "sqlite", "auth": "none"})
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    for command in (("init", "-q"), ("add", "-A"), (*identity, "commit", "-qm", "Generated project")):
        subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)
    exit_code, output = run_at_terminal(
        ["add", "resource", "book", str(project)],
        keys=b"title:str:max=80\rpages:int:ge=1\r\r",
        after=b"field 1",
    )
    assert exit_code == 0, output
    assert "field 3" in output  # the third prompt took the empty line that ended the list
    answers = yaml.safe_load((project / ".copier-answers.resource-book.yml").read_text())
    assert [field["name"] for field in answers["resource_fields"]] == ["title", "pages"]
