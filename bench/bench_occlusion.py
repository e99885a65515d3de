"""Occlusion map of a 64x64 image with stride 4 on a small CNN: must take < 1 s on 2 cores.

Run: ``.venv/bin/python bench/bench_occlusion.py``
"""

from __future__ import annotations

import time

import numpy as np
from lamina_builtin.visualizations.occlusion import occlusion

from lamina.build import build_model

SPEC = {
    "name": "small_cnn",
    "input": {"shape": [64, 64, 1]},
    "layers": [
        {"type": "Conv2D", "params": {"filters": 8, "kernel_size": 3, "activation": "relu"}},
        {"type": "MaxPooling2D", "params": {"pool_size": 2}},
        {"type": "Conv2D", "params": {"filters": 16, "kernel_size": 3, "activation": "relu"}},
        {"type": "MaxPooling2D", "params": {"pool_size": 2}},
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
}


def main() -> None:
    model = build_model(SPEC, compile=False)
    image = np.random.default_rng(0).uniform(size=(64, 64, 1)).astype("float32")
    model(image[None])  # build
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = occlusion(model, input=image, class_index=3, patch=8, stride=4)
        times.append(time.perf_counter() - t0)
    n = len(res.meta["positions"])
    print(f"occlusion 64x64, patch 8, stride 4: {n} occluded images")
    print(f"first call {times[0]:.3f} s, best of the next {len(times) - 1}: {min(times[1:]):.3f} s")
    print("OK (< 1 s)" if max(times) < 1.0 else "SLOW (>= 1 s)")


if __name__ == "__main__":
    main()
