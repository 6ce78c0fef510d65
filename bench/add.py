"""Median wall time of `trellis add resource` for a resource of ten fields, beside plain
`copier copy` of the same resource template and answers, measured in the same run.

    uv run python bench/add.py [--runs N]

Target: under 1.5 s median on a 2-core machine. The ratio to plain copier says what the
checks, the recorded version and the registration cost on top of copier's own rendering.
"""

import argparse
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


def generated_project(workdir: Path) -> Path:
    project = workdir / "service"
    new = [sys.executable, "-m", "generator", "new", str(project), "--yes", "--no-lock", "--auth", "jwt"]
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
    args = parser.parse_args()
    fields = [argument for field in FIELDS for argument in ("--field", field)]
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        project = generated_project(workdir)
        add = [sys.executable, "-m", "generator", "add", "resource", "widget", str(project), *fields]
        trellis_times: list[float] = []
        copier_times: list[float] = []
        data: Path | None = None
        for run in range(args.runs):
            # Alternate the two so that drift in the machine's load affects both alike.
            trellis_times.append(timed(add))
            data = data or copier_data(project, workdir)
            subprocess.run([*GIT, "reset", "-q", "--hard"], cwd=project, check=True)
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
                            str(ROOT),
                            str(destination),
                        ),
                    ]
                )
            )
            shutil.rmtree(destination)
    trellis_s, copier_s = statistics.median(trellis_times), statistics.median(copier_times)
    results = {"trellis_s": trellis_s, "copier_s": copier_s, "ratio": trellis_s / copier_s, "runs": args.runs}
    print(f"{'trellis add resource':<22} {trellis_s:>7.3f}s")
    print(f"{'copier copy':<22} {copier_s:>7.3f}s  ({trellis_s / copier_s:.2f}x)")
    verdict = "met" if trellis_s < SECONDS_TARGET else "NOT met"
    print(f"target (ten fields under {SECONDS_TARGET} s): {verdict}")
    write_results("add", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
