"""Best weights are checkpointed while a run trains: a killed run keeps them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from test_training import course_spec, digits_dataset  # tests/core is on sys.path

from lamina.project import CHECKPOINT_FILE, ProjectError, Run, load_project, load_run
from lamina.training import train
from lamina.training.callbacks import BestWeights


class _Weights:
    """A stand-in model: BestWeights only reads and writes its weights."""

    def __init__(self) -> None:
        self.w = [np.zeros(1)]

    def get_weights(self):
        return [a.copy() for a in self.w]

    def set_weights(self, weights):
        self.w = [np.asarray(a).copy() for a in weights]


def _epochs(cb: BestWeights, model: _Weights, losses, clock=None):
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, loss in enumerate(losses):
        model.w = [np.array([float(epoch)])]  # the weights "of" this epoch
        if clock is not None:
            clock(epoch)
        cb.on_epoch_end(epoch, {"val_loss": loss})


def test_every_improvement_is_checkpointed_with_the_best_weights_in_the_model():
    written = []
    model = _Weights()
    cb = BestWeights(on_checkpoint=lambda e: written.append((e, model.w[0][0])), interval=0)
    _epochs(cb, model, [3.0, 2.0, 2.5, 1.0, 1.5])
    assert written == [(0, 0.0), (1, 1.0), (3, 3.0)]
    assert cb.checkpoint_epoch == 3 and model.w[0][0] == 4.0  # the current weights are back


def test_an_improvement_inside_the_interval_is_written_at_a_later_epoch(monkeypatch):
    now = {"t": 0.0}
    monkeypatch.setattr("lamina.training.callbacks.time.monotonic", lambda: now["t"])
    written = []
    model = _Weights()
    cb = BestWeights(on_checkpoint=lambda e: written.append((e, model.w[0][0])), interval=10.0)

    def clock(epoch):  # epoch k ends at 4 k seconds
        now["t"] = 4.0 * epoch

    _epochs(cb, model, [3.0, 2.0, 1.0, 5.0, 5.0, 5.0, 0.5, 5.0], clock)
    # At 12 s the best epoch (2) is swapped into the model and written while epoch 3's
    # weights are current; epoch 6 improves at 24 s but only 12 s after the last write.
    assert written == [(2, 2.0), (6, 6.0)]
    assert model.w[0][0] == 7.0


def test_finished_run_checkpoints_during_training_and_leaves_no_checkpoint_file(tmp_path):
    events = []
    result = train(
        course_spec(epochs=4, batch_size=32),
        data=digits_dataset(300),
        project=tmp_path / "p",
        on_event=events.append,
        checkpoint_interval=0,
    )
    assert result.status == "finished"
    kinds = [e.kind for e in events]
    first_saved = kinds.index("CheckpointSaved")
    assert first_saved < kinds.index("RunFinished")  # written while training
    during = [e for e in events[: kinds.index("RunFinished")] if e.kind == "CheckpointSaved"]
    assert during[0].epoch == 0 and all(e.which == "best" for e in during)
    assert not (result.path / CHECKPOINT_FILE).exists()
    run = load_run(result.path)
    # the files written at the end: the final weights are the last epoch's (0-based),
    # the best ones the epoch of the lowest validation loss
    saved = {
        e.which: e.epoch
        for e in events[kinds.index("RunFinished") :]
        if e.kind == "CheckpointSaved"
    }
    best = min(range(4), key=run.history["val_loss"].__getitem__)
    assert saved == {"final": 3, "best": best}
    assert run.checkpoint is None and run.status == "finished"
    one: list = []  # a one-epoch run: its final weights are epoch 0's
    train(
        course_spec(epochs=1), data=digits_dataset(60), project=tmp_path / "p", on_event=one.append
    )
    assert [e.epoch for e in one if e.kind == "CheckpointSaved" and e.which == "final"] == [0]
    with pytest.raises(ValueError, match="checkpoint_interval"):
        train(course_spec(epochs=1), data=digits_dataset(50), checkpoint_interval=-1)


CHILD = textwrap.dedent(
    """
    import sys
    from lamina.training import train
    from test_training import course_spec, digits_dataset

    def on_event(event):
        if event.kind in ("EpochEnded", "CheckpointSaved"):
            print(event.kind, event.epoch, flush=True)

    train(course_spec(epochs=500, batch_size=16), data=digits_dataset(600),
          project=sys.argv[1], on_event=on_event, checkpoint_interval=0)
    """
)


def test_killed_run_keeps_its_best_weights_so_far(tmp_path):
    path = tmp_path / "p"
    paths = [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    seen = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            assert line, "the training child ended before it was killed"
            seen.append(line.split())
            if seen[-1][0] == "EpochEnded" and int(seen[-1][1]) >= 4:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert ["CheckpointSaved", "0"] in seen
    (run,) = load_project(path).runs(include_incomplete=True)
    assert run.status == "incomplete"
    checkpoint = run.checkpoint
    assert checkpoint["epochs_done"] >= 1 and checkpoint["monitor"] == "val_loss"
    assert checkpoint["best_epoch"] < checkpoint["epochs_done"]
    assert len(run.history["val_loss"]) == checkpoint["epochs_done"]
    assert checkpoint["best"] == pytest.approx(min(run.history["val_loss"]))
    with pytest.raises(ProjectError, match=r"weights.best.h5.*model\('best'\)"):
        load_run(run.path)
    # The checkpointed weights are trained ones: they beat chance by far on digits.
    model = Run(run.path).model("best")
    ds = digits_dataset()
    accuracy = float(np.mean(model.predict(ds.x[600:], verbose=0).argmax(axis=1) == ds.y[600:]))
    assert accuracy > 0.7


def _fail_after_first_epoch(context):
    raise RuntimeError(f"hook broke after epoch {context.epoch}")


@pytest.mark.parametrize("interval, best_epoch", [(3600, None), (0, 0)])
def test_a_failed_run_records_a_best_epoch_only_if_its_weights_were_checkpointed(
    tmp_path, interval, best_epoch
):
    """run.json names a best epoch only when weights.best.h5 holds that epoch's weights."""
    with pytest.raises(RuntimeError, match="hook broke after epoch 0"):
        train(
            course_spec(epochs=3, batch_size=32),
            data=digits_dataset(100),
            project=tmp_path / "p",
            checkpoint_interval=interval,
            epoch_hooks=[_fail_after_first_epoch],
        )
    (run,) = load_project(tmp_path / "p").runs()
    assert run.status == "failed" and "hook broke" in run.info["reason"]
    assert run.info.get("best_epoch") == best_epoch
    assert (run.path / "weights.best.h5").is_file() == (best_epoch is not None)
