"""Median wall time of `trellis add resource` for a resource of ten fields, and of `trellis
remove resource` taking it out again, beside plain `copier copy` of the same resource template
and answers, measured in the same run.

    uv run python bench/add.py [--runs N] [--from-wheel]

`--from-wheel` times trellis as users install it: this checkout's wheel, built and installed
with `uv tool install` into a fresh folder. Target: each under 1.5 s median on a 2-core machine.
The ratio to plain copier says what the checks, the recorded version, the registration and the
formatting cost on top of copier's own rendering.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _results import write_results

from generator.add.sample import EVERY_TYPE

ROOT = Path(__file__).resolve().parent.parent
SECONDS_TARGET = 1.5
# The first ten of the sample with every field type: all but the reference.
FIELDS = EVERY_TYPE[:10]
GIT = ("git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def installed_from_wheel(workdir: Path) -> list[str]:
    """trellis from this checkout's wheel, in a `uv tool` folder of its own."""
    dist, tools, bin_dir = workdir / "dist", workdir / "tools", workdir / "bin"
    subprocess.run(["uv", "build", "--wheel", "--quiet", "--out-dir", str(dist), str(ROOT)], check=True)
    wheel = next(dist.glob("*.whl"))
    env = {**os.environ, "UV_TOOL_DIR": str(tools), "UV_TOOL_BIN_DIR": str(bin_dir)}
    subprocess.run(
        ["uv", "tool", "install", "--quiet", "--compile-bytecode", "--python", sys.executable, str(wheel)],
        check=True,
        env=env,
    )
    return [str(bin_dir / "trellis")]


def generated_project(workdir: Path, trellis: list[str]) -> Path:
    project = workdir / "service"
    new = [*trellis, "new", str(project), "--yes", "--no-lock", "--auth", "jwt"]
    subprocess.run(new, check=True, capture_output=True)
    for command in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "Generated project")):
        subprocess.run([*GIT, *command], cwd=project, check=True, capture_output=True)
    return project


def copier_data(project: Path, workdir: Path) -> Path:
    """The answers `trellis add resource` gives copier, from the one run it made."""
    answers = yaml.safe_load((project / ".copier-answers.resource-widget.yml").read_text())
    data = workdir / "widget.yml"
    data.write_text(yaml.safe_dump({k: v for k, v in answers.items() if not k.startswith("_")}))
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--from-wheel", action="store_true", help="time trellis installed from its wheel")
    parser.add_argument("--trellis", help="time this trellis executable (one of another version, say)")
    parser.add_argument(
        "--template", type=Path, default=ROOT, help="the checkout plain copier renders (that trellis's own)"
    )
    args = parser.parse_args()
    fields = [argument for field in FIELDS for argument in ("--field", field)]
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        trellis = [sys.executable, "-m", "generator"]
        if args.trellis or args.from_wheel:
            trellis = [args.trellis] if args.trellis else installed_from_wheel(workdir)
        # A version before `remove resource` times `add` alone.
        removes = subprocess.run([*trellis, "remove", "--help"], capture_output=True).returncode == 0
        project = generated_project(workdir, trellis)
        add = [*trellis, "add", "resource", "widget", str(project), *fields]
        remove = [*trellis, "remove", "resource", "widget", str(project)]
        trellis_times: list[float] = []
        remove_times: list[float] = []
        copier_times: list[float] = []
        data: Path | None = None
        for run in range(args.runs):
            # Alternate them so that drift in the machine's load affects all alike.
            trellis_times.append(timed(add))
            data = data or copier_data(project, workdir)
            for command in (("add", "-A"), ("commit", "-qm", "Add widgets")):
                subprocess.run([*GIT, *command], cwd=project, check=True, capture_output=True)
            if removes:
                remove_times.append(timed(remove))
            subprocess.run([*GIT, "reset", "-q", "--hard", "HEAD~1"], cwd=project, check=True)
            subprocess.run([*GIT, "clean", "-qfd"], cwd=project, check=True)
            destination = workdir / f"copier-{run}"
            copier_times.append(
                timed(
                    [
                        *(sys.executable, "-m", "copier", "copy", "--quiet", "--defaults"),
                        *("--vcs-ref", "HEAD", "--data-file", str(data)),
                        *(
                            "--answers-file",
                            ".copier-answers.resource-widget.yml",
                            str(args.template),
                            str(destination),
                        ),
                    ]
                )
            )
            shutil.rmtree(destination)
    trellis_s, copier_s = statistics.median(trellis_times), statistics.median(copier_times)
    remove_s = statistics.median(remove_times) if remove_times else float("nan")
    results = {
        "trellis_s": trellis_s,
        "remove_s": remove_s,
        "copier_s": copier_s,
        "ratio": trellis_s / copier_s,
        "remove_ratio": remove_s / copier_s,
        "runs": args.runs,
        "from_wheel": args.from_wheel,
    }
    print(f"{'trellis add resource':<25} {trellis_s:>7.3f}s  ({trellis_s / copier_s:.2f}x)")
    if remove_times:
        print(f"{'trellis remove resource':<25} {remove_s:>7.3f}s  ({remove_s / copier_s:.2f}x)")
    print(f"{'copier copy':<25} {copier_s:>7.3f}s")
    verdict = "met" if trellis_s < SECONDS_TARGET and not remove_s >= SECONDS_TARGET else "NOT met"
    print(f"target (ten fields, each under {SECONDS_TARGET} s): {verdict}")
    write_results("add", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
