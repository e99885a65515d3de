"""Never wait behind training (the real engine): a visualization asked for while a model
trains is answered before the training ends (the engine serves it on its second worker),
and the decision boundary carries its data points from the first picture and ends on
the last epoch.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from lamina.engine import protocol as p

MOONS = {
    "name": "moons-mlp",
    "input": {"shape": [2]},
    "layers": [
        {"type": "Dense", "params": {"units": 8, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 2, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 12, "batch_size": 32},
    "data": {"type": "moons", "params": {"n": 200}},
}


def test_a_visualization_is_answered_while_a_model_trains(
    engine: Any, tmp_path: Path, digits_cnn: Any
) -> None:
    cnn = digits_cnn(epochs=1)
    client = engine.client
    project = str(tmp_path / "proj")
    first = client.call(p.TrainRequest(cnn, project_dir=project, boundary=False), timeout=300)
    assert first.status == "finished" and first.run_dir

    epochs: list[int] = []
    one_epoch = threading.Event()
    train_done = threading.Event()

    def on_event(event: Any) -> None:
        if isinstance(event, p.EpochEnd):
            epochs.append(int(event.epoch))
            one_epoch.set()

    long_run = p.TrainRequest(
        cnn, project_dir=project, epochs=400, boundary=False, batch_events=False
    )
    rid = client.send(long_run, on_reply=lambda _r: train_done.set(), on_event=on_event)
    try:
        assert one_epoch.wait(300), "the training did not start"
        t0 = time.monotonic()
        reply = client.call(p.VisualizeRequest("filters", run_dir=first.run_dir), timeout=120)
        seconds = time.monotonic() - t0
        print(f"filters during training answered in {seconds:.3f} s")
        assert not train_done.is_set(), "the visualization waited for the training to end"
        assert len(epochs) < 400
        assert reply.kind == "filters" and np.asarray(reply.images).shape[0] == 4
    finally:
        client.cancel(rid)
        assert train_done.wait(120)


def test_the_boundary_has_points_first_and_ends_on_the_last_epoch(engine: Any) -> None:
    boundaries: list[p.Boundary] = []
    done = threading.Event()

    def on_event(event: Any) -> None:
        if isinstance(event, p.Boundary):
            boundaries.append(event)

    client = engine.client
    client.send(p.TrainRequest(MOONS), on_reply=lambda _r: done.set(), on_event=on_event)
    assert done.wait(300)
    assert boundaries, "no decision boundary was streamed"
    points = np.asarray(boundaries[0].points)
    labels = np.asarray(boundaries[0].labels)
    assert points.shape == (200, 2) and labels.shape == (200,)
    assert set(labels.tolist()) == {0, 1}
    assert all(b.points is None for b in boundaries[1:])
    assert boundaries[-1].epoch == 11
