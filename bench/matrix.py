"""Wall time of `trellis validate` for each preset, and of the whole pairwise matrix, with a
warm uv cache (every combination is installed once, untimed, before anything is measured).

    uv run python bench/matrix.py [--jobs N] [--presets-only]

Targets on a 2-core machine: validate of the `standard` preset under 60 s; the pairwise
matrix under 15 minutes.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from _results import write_results

from generator import matrix
from generator.new import render
from generator.template import load_spec
from generator.validate import Options, validate

STANDARD_TARGET_S = 60.0
MATRIX_TARGET_S = 15 * 60.0


def warm_up(items: list[matrix.Combination], workdir: Path, jobs: int) -> float:
    start = time.monotonic()
    report = matrix.run_matrix(
        items, workdir=workdir, jobs=jobs, options=Options(only=frozenset({"install"}))
    )
    if not report.passed:
        failed = [outcome.combination.name for outcome in report.outcomes if not outcome.passed]
        raise SystemExit(f"warm-up install failed for {', '.join(failed)}")
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--presets-only", action="store_true", help="Skip the timing of the whole matrix")
    args = parser.parse_args()
    spec = load_spec()
    items = matrix.combinations(spec)
    presets = [item for item in items if item.name in spec.presets]
    results: dict[str, object] = {"jobs": args.jobs, "cpus": os.cpu_count(), "combinations": len(items)}
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as workdir:
        results["warm_up_s"] = round(warm_up(items, Path(workdir) / "warm", args.jobs), 1)
        print(f"warm-up installs of {len(items)} combinations: {results['warm_up_s']} s")
        per_preset: dict[str, object] = {}
        for preset in presets:
            # One at a time: the time of a single validate, as a developer would run it.
            project = render(Path(workdir) / "presets" / preset.name, preset.data, spec=spec).path
            report = validate(project)
            times = {step.name: round(step.seconds, 1) for step in report.steps if step.status != "skipped"}
            per_preset[preset.name] = {
                "seconds": round(report.seconds, 1),
                "passed": report.passed,
                "steps": times,
            }
            verdict = "passed" if report.passed else "FAILED"
            print(f"validate {preset.name:<10} {report.seconds:6.1f} s  {verdict}  {times}")
        results["presets"] = per_preset
        if not args.presets_only:
            whole = matrix.run_matrix(items, workdir=Path(workdir) / "matrix", jobs=args.jobs)
            failed = [outcome.combination.name for outcome in whole.outcomes if not outcome.passed]
            results["matrix"] = {"seconds": round(whole.seconds, 1), "failed": failed}
            print(f"pairwise matrix ({len(items)} combinations, {args.jobs} jobs): {whole.seconds:.1f} s")
            if failed:
                print(f"  failed: {', '.join(failed)}")
    standard = per_preset.get("standard", {})
    standard_s = standard.get("seconds") if isinstance(standard, dict) else None
    if isinstance(standard_s, float):
        met = "met" if standard_s < STANDARD_TARGET_S else "NOT met"
        met += "" if isinstance(standard, dict) and standard.get("passed") else " (but it failed)"
        print(f"target (standard under {STANDARD_TARGET_S:.0f} s): {met}")
    matrix_result = results.get("matrix")
    if isinstance(matrix_result, dict):
        met = "met" if matrix_result["seconds"] < MATRIX_TARGET_S else "NOT met"
        met += " (but some failed)" if matrix_result["failed"] else ""
        print(f"target (pairwise matrix under {MATRIX_TARGET_S / 60:.0f} min): {met}")
    write_results("matrix", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
