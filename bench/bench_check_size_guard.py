"""Does `lamina check` refuse a 10^10-parameter spec without allocating its weights?

Runs ``python -m lamina check`` on a small spec and on a spec whose one Dense layer
would have 10^10 parameters, each in its own subprocess, interleaved (small, big, small,
big, ...), and prints the median peak RSS and wall time of each and their differences
against the targets of issue 14 (at most 100 MB and 2 s more than the small spec).

    python bench/bench_check_size_guard.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

#: Runs `lamina check` in a child and prints its exit status, wall time and peak RSS (kB):
#: RUSAGE_CHILDREN of this small parent is the child's peak alone.
_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.monotonic()\n"
    "run = subprocess.run([sys.executable, '-m', 'lamina', 'check', sys.argv[1]],"
    " capture_output=True, text=True)\n"
    "print(run.returncode, time.monotonic() - t,"
    " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "print(run.stderr)\n"
)
RSS_TARGET_MB = 100.0
TIME_TARGET_S = 2.0


def spec(width: int, units: int) -> dict:
    """A spec of one Dense layer: ``width * units + units`` parameters."""
    return {
        "name": f"dense_{width}x{units}",
        "input": {"shape": [width]},
        "layers": [{"type": "Dense", "params": {"units": units}}],
        "compile": {"loss": "mean_squared_error"},
    }


def measure(path: Path) -> tuple[int, float, float, str]:
    """(exit status, wall seconds, peak RSS in MB, stderr) of ``lamina check path``."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=600
    ).stdout
    first, _, stderr = out.partition("\n")
    code, seconds, rss_kb = first.split()
    return int(code), float(seconds), int(rss_kb) / 1024, stderr.strip()


def main() -> None:
    """Measures both specs `--repeats` times, interleaved, and prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each spec (>= 3)")
    repeats = max(3, parser.parse_args().repeats)
    with tempfile.TemporaryDirectory() as folder:
        small, big = Path(folder) / "small.json", Path(folder) / "big.json"
        small.write_text(json.dumps(spec(4, 3)))
        big.write_text(json.dumps(spec(100_000, 100_000)))
        results: dict[str, list[tuple[float, float]]] = {"small": [], "big": []}
        for i in range(repeats):
            for name, path, want in (("small", small, 0), ("big", big, 2)):
                code, seconds, rss, err = measure(path)
                if code != want:
                    sys.exit(f"{name} spec: exit status {code}, expected {want}\n{err}")
                if name == "big" and "10,000,000,000 parameters" not in err:
                    sys.exit(f"big spec: refused without naming its size:\n{err}")
                results[name].append((seconds, rss))
                print(f"run {i + 1} {name:5}: {seconds:6.2f} s  {rss:7.1f} MB peak RSS")
    t_small = statistics.median(s for s, _ in results["small"])
    t_big = statistics.median(s for s, _ in results["big"])
    rss_small = statistics.median(r for _, r in results["small"])
    rss_big = statistics.median(r for _, r in results["big"])
    print(f"medians: small {t_small:.2f} s {rss_small:.1f} MB; big {t_big:.2f} s {rss_big:.1f} MB")
    d_rss, d_time = rss_big - rss_small, t_big - t_small
    print(f"peak RSS difference: {d_rss:+.1f} MB (target <= {RSS_TARGET_MB:.0f} MB)")
    print(f"wall-time difference: {d_time:+.2f} s (target <= {TIME_TARGET_S:.0f} s)")
    ok = d_rss <= RSS_TARGET_MB and d_time <= TIME_TARGET_S
    print("OK" if ok else "ABOVE TARGET")


if __name__ == "__main__":
    main()
