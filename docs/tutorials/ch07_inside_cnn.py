"""Chapter 7: looking inside a CNN.

Trains a small CNN to tell whether a noisy image holds a bright plus-shaped spot
(`bright_spot`, ``kind="presence"``), then looks inside it with `lamina.visualize`:
the learned filters, the feature maps of one image, and an occlusion map, which should
peak where the spot is (the data set records its position).

Run from the repository root (writes docs/tutorials/img/ch07_*.png)::

    .venv/bin/python docs/tutorials/ch07_inside_cnn.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the accuracy and the distances of occlusion peaks to spots."""
    import lamina
    from lamina.visualize import save_png, visualize

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = lamina.load_data(
        "bright_spot", params={"n": 300 if quick else 800, "kind": "presence", "seed": 0}
    )
    spec = lamina.make_spec(
        [32, 32, 1],
        [
            lamina.item(
                "Conv2D", name="conv1", filters=8, kernel_size=3, padding="same", activation="relu"
            ),
            lamina.item("MaxPooling2D", name="pool1", pool_size=2),
            lamina.item(
                "Conv2D", name="conv2", filters=16, kernel_size=3, padding="same", activation="relu"
            ),
            lamina.item("MaxPooling2D", name="pool2", pool_size=2),
            lamina.item("GlobalMaxPooling2D", name="gmp"),
            lamina.item("Dense", name="out", units=2, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        optimizer={"type": "Adam", "params": {"learning_rate": 0.005}},
        metrics=["accuracy"],
        epochs=8 if quick else 20,
        batch_size=32,
        seed=0,
    )
    run = lamina.train(spec, data=data)
    model = run.model
    accuracy = float(run.metrics["accuracy"])
    print(f"test accuracy {accuracy:.3f}")

    test = run.splits.test
    positions = np.asarray(data.extras["positions"])[run.splits.indices["test"]]
    with_spot = [i for i in range(len(test)) if test.y[i] == 1][: 5 if quick else 20]
    distances = []
    for k, i in enumerate(with_spot):
        res = visualize("occlusion", model, input=test.x[i], class_index=1, patch=6, stride=2)
        peak = np.asarray(res.meta["peak"], dtype=float)
        distances.append(float(np.hypot(*(peak - positions[i]))))
        if k == 0:
            save_png(res, out_dir / "ch07_occlusion.png")
            first = i
    print(
        f"occlusion peak to spot centre: median {np.median(distances):.1f} px"
        f" over {len(distances)} test images"
    )
    save_png(visualize("filters", model, layer="conv1"), out_dir / "ch07_filters.png")
    save_png(
        visualize("feature_maps", model, input=test.x[first], layer="conv1"),
        out_dir / "ch07_feature_maps.png",
    )
    return {
        "accuracy": accuracy,
        "median_distance": float(np.median(distances)),
        "distances": distances,
    }


if __name__ == "__main__":
    main()
