"""Engine latency: start-up to ready, ping and check round trips through the child process.

Run: .venv/bin/python bench/bench_engine_latency.py
"""

from __future__ import annotations

import statistics
import tempfile
import time

from lamina.engine.client import EngineClient


def spec(units: int) -> dict:
    return {
        "input": {"shape": [28, 28, 1]},
        "layers": [
            {"type": "Conv2D", "params": {"filters": 8, "kernel_size": 3, "activation": "relu"}},
            {"type": "MaxPooling2D"},
            {"type": "Flatten"},
            {"type": "Dense", "params": {"units": units, "activation": "relu"}},
            {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
        ],
        "compile": {"loss": "sparse_categorical_crossentropy"},
    }


def main() -> None:
    log = tempfile.mkdtemp(prefix="lamina-bench-") + "/engine.log"
    client = EngineClient(log_path=log)
    t0 = time.perf_counter()
    client.start()
    t_start = time.perf_counter() - t0
    client.wait_ready(180)
    t_ready = time.perf_counter() - t0
    pings, checks = [], []
    for i in range(20):
        t = time.perf_counter()
        client.ping()
        pings.append(time.perf_counter() - t)
        t = time.perf_counter()
        client.check(spec(16 + i))  # the last item changes: cached prefix
        checks.append(time.perf_counter() - t)
    client.stop()
    ms = 1000.0
    print(f"start() returned in {t_start * ms:.0f} ms; engine ready after {t_ready:.2f} s")
    print(f"ping  median {statistics.median(pings) * ms:.1f} ms, max {max(pings) * ms:.1f} ms")
    print(
        f"check median {statistics.median(checks) * ms:.1f} ms, first {checks[0] * ms:.1f} ms, "
        f"max {max(checks) * ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
