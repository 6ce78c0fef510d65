"""Median wall time of `trellis new --yes` per preset, beside plain `copier copy` of the same
template and answers, measured in the same run.

    uv run python bench/render.py [--runs N]

Targets: `trellis new --preset full --yes` within 1.2x of plain copier, and under 1.0 s.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import write_results

ROOT = Path(__file__).resolve().parent.parent
RATIO_TARGET = 1.2
SECONDS_TARGET = 1.0
# --no-lock: copier copy resolves no dependencies either, so both sides do the same work.
NO_LOCK_DEFAULTS = ("--yes", "--no-lock", "--preset")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(preset: str, runs: int, workdir: Path) -> dict[str, float]:
    trellis_times: list[float] = []
    copier_times: list[float] = []
    for run in range(runs):
        # Alternate the two so that drift in the machine's load affects both alike.
        trellis_dest = workdir / f"trellis-{preset}-{run}"
        copier_dest = workdir / f"copier-{preset}-{run}"
        trellis_times.append(
            timed([sys.executable, "-m", "generator", "new", str(trellis_dest), *NO_LOCK_DEFAULTS, preset])
        )
        copier_times.append(
            timed(
                [
                    sys.executable,
                    "-m",
                    "copier",
                    "copy",
                    "--quiet",
                    "--defaults",
                    "--vcs-ref",
                    "HEAD",
                    "--data-file",
                    str(ROOT / "presets" / f"{preset}.yml"),
                    str(ROOT),
                    str(copier_dest),
                ]
            )
        )
        shutil.rmtree(trellis_dest)
        shutil.rmtree(copier_dest)
    trellis_median = statistics.median(trellis_times)
    copier_median = statistics.median(copier_times)
    return {"trellis_s": trellis_median, "copier_s": copier_median, "ratio": trellis_median / copier_median}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    presets = sorted(path.stem for path in (ROOT / "presets").glob("*.yml"))
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for preset in presets:
            results[preset] = measure(preset, args.runs, Path(workdir))
    print(f"{'preset':<10} {'trellis new':>12} {'copier copy':>12} {'ratio':>7}")
    for preset, result in results.items():
        trellis_s, copier_s, ratio = result["trellis_s"], result["copier_s"], result["ratio"]
        print(f"{preset:<10} {trellis_s:>11.3f}s {copier_s:>11.3f}s {ratio:>6.2f}x")
    full = results.get("full", {})
    met = bool(full) and full["ratio"] <= RATIO_TARGET and full["trellis_s"] < SECONDS_TARGET
    verdict = "met" if met else "NOT met"
    print(f"target (full within {RATIO_TARGET}x of copier and under {SECONDS_TARGET} s): {verdict}")
    write_results("render", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
