"""Deep dream: 100 ascent steps at 64x64 on a LeNet-sized CNN, tf.function vs eager.

Run: ``.venv/bin/python bench/bench_deep_dream.py``. The same step function runs
compiled (``tf.function``) and eagerly; the steady-state ratio (tracing excluded)
must be >= 3. The ratio with the one-off tracing included is printed too.
"""

from __future__ import annotations

import time

import numpy as np
from lamina_builtin.visualizations.ascent import gradient_ascent, make_step

from lamina.build import build_model
from lamina.keras import tf
from lamina.visualize.layers import feature_model

SPEC = {
    "name": "lenet64",
    "input": {"shape": [64, 64, 1]},
    "layers": [
        {
            "type": "Conv2D",
            "name": "c1",
            "params": {"filters": 6, "kernel_size": 5, "activation": "relu"},
        },
        {"type": "MaxPooling2D", "params": {"pool_size": 2}},
        {
            "type": "Conv2D",
            "name": "c2",
            "params": {"filters": 16, "kernel_size": 5, "activation": "relu"},
        },
        {"type": "MaxPooling2D", "params": {"pool_size": 2}},
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 120, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 84, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
}
STEPS = 100


def main() -> None:
    model = build_model(SPEC, compile=False)
    feat = feature_model(model, [model.get_layer("c2")])

    def objective(img):
        return tf.reduce_mean(feat(img, training=False)[..., 3])

    start = np.random.default_rng(0).uniform(size=(1, 64, 64, 1)).astype("float32")
    shifts = np.random.default_rng(0).integers(-2, 3, size=(STEPS, 2))

    # steady state: the same step, traced once beforehand
    steady, final = {}, {}
    for compiled in (True, False):
        step = make_step(objective, 0.02, 2, compiled=compiled)
        step(tf.constant(start), tf.constant(shifts[0]))  # warm-up / trace
        img = tf.constant(start)
        t0 = time.perf_counter()
        for i in range(STEPS):
            img, value = step(img, tf.constant(shifts[i]))
        float(value)
        steady[compiled] = time.perf_counter() - t0
        final[compiled] = np.asarray(img)

    # end to end, as deep_dream runs it (a fresh trace every call)
    total = {}
    for compiled in (True, False):
        t0 = time.perf_counter()
        gradient_ascent(objective, start, STEPS, 0.02, jitter=2, seed=0, compiled=compiled)
        total[compiled] = time.perf_counter() - t0

    ratio = steady[False] / steady[True]
    print(f"deep dream, {STEPS} steps at 64x64 on a LeNet-sized CNN")
    print(
        f"  steady state: tf.function {steady[True]:.2f} s, eager {steady[False]:.2f} s "
        f"-> ratio {ratio:.1f}x ({'OK' if ratio >= 3 else 'below 3x'})"
    )
    print(
        f"  with tracing: tf.function {total[True]:.2f} s, eager {total[False]:.2f} s "
        f"-> ratio {total[False] / total[True]:.1f}x"
    )
    print(f"  same image compiled vs eager: {np.allclose(final[True], final[False], atol=1e-4)}")


if __name__ == "__main__":
    main()
