"""How fast is `lamina.check` on a 20-layer CNN spec (it runs on every edit in the app)?

Prints the median time of `check` after warm-up, the target (100 ms), and the ratio of
`check` to a bare tf_keras functional build of the same layers measured in the same run.

    python bench/bench_check.py
"""

from __future__ import annotations

import statistics
import time

import lamina
from lamina.keras import keras


def cnn20() -> dict:
    """A 20-item CNN: five conv/BN/pool blocks, then a dense classifier."""
    layers = []
    for block in range(5):
        layers.append(
            {
                "type": "Conv2D",
                "params": {
                    "filters": 8 * 2 ** min(block, 3),
                    "kernel_size": 3,
                    "padding": "same",
                    "activation": "relu",
                },
            }
        )
        layers.append({"type": "BatchNormalization"})
        layers.append({"type": "MaxPooling2D", "params": {"pool_size": 2}})
    layers += [
        {"type": "Conv2D", "params": {"filters": 64, "kernel_size": 1}},
        {"type": "Flatten"},
        {"type": "Dropout", "params": {"rate": 0.3}},
        {"type": "Dense", "params": {"units": 32, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 3, "activation": "softmax"}},
    ]
    assert len(layers) == 20
    return {
        "input": {"shape": [64, 64, 1]},
        "layers": layers,
        "compile": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
    }


def bare(spec: dict) -> None:
    x_in = keras.Input(shape=(64, 64, 1))
    x = x_in
    for item in spec["layers"]:
        x = getattr(keras.layers, item["type"])(**item.get("params", {}))(x)


def median_ms(fn, repeats: int = 15) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    spec = lamina.parse_spec(cnn20())
    raw = cnn20()
    report = lamina.check(spec)  # warm-up: builds the registry and TensorFlow's caches
    assert report.ok, report.problems
    bare(raw)
    lamina_ms = median_ms(lambda: lamina.check(spec))
    bare_ms = median_ms(lambda: bare(raw))
    print(f"items: {len(spec.layers)}, params: {report.total_params:,}")
    print(
        f"lamina.check median: {lamina_ms:.1f} ms (target < 100 ms): "
        f"{'OK' if lamina_ms < 100 else 'SLOW'}"
    )
    print(f"bare tf_keras symbolic build median: {bare_ms:.1f} ms")
    print(f"ratio check / bare build: {lamina_ms / bare_ms:.2f}")
    # The app keeps a CheckCache: an edit re-runs only the items from the edited one on.
    from lamina.build import CheckCache

    cache = CheckCache()
    lamina.check(spec, cache=cache)
    counter = iter(range(10_000))

    def edit(index: int) -> None:
        data = spec.to_dict()
        data["layers"][index]["params"]["units" if index == 19 else "filters"] = 16 + next(counter)
        lamina.check(data, cache=cache)

    last_ms = median_ms(lambda: edit(19))
    middle_ms = median_ms(lambda: edit(9))
    first_ms = median_ms(lambda: edit(0))
    print(
        f"with CheckCache, editing the last item: {last_ms:.1f} ms, item 9: {middle_ms:.1f} ms, "
        f"the first item: {first_ms:.1f} ms"
    )
    print(f"ratio cached edit of the last item / full check: {last_ms / lamina_ms:.2f}")


if __name__ == "__main__":
    main()
