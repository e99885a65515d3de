"""Continue training: a run starts from the final weights of an earlier run."""

from __future__ import annotations

import json

import pytest

import lamina
from lamina.training.continuing import ContinueError

SPEC = {
    "name": "digits-mlp",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 16, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {"learning_rate": 0.01}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 6, "batch_size": 64, "seed": 1},
}


def test_continue_resumes_from_the_last_weights_and_records_it(digits, tmp_path):
    data = digits(600)
    first = lamina.train(SPEC, data=data, project=tmp_path)
    assert first.status == "finished"
    losses = first.history["loss"]
    assert losses[-1] < 0.5 * losses[0]  # it learned: a fresh start would be far above

    more = lamina.train(SPEC, data=data, project=tmp_path, epochs=2, continue_from=first.path)
    resumed = more.history["loss"][0]
    # the first new epoch goes on from the last one, far from a fresh start
    assert resumed == pytest.approx(losses[-1], rel=0.35)
    assert resumed < 0.5 * losses[0]
    recorded = json.loads((more.path / "run.json").read_text())["continued_from"]
    assert recorded == {"run_id": first.run_id, "run_dir": str(first.path), "epochs_run": 6}


def test_continue_from_weights_that_do_not_fit_is_a_located_error(digits, tmp_path):
    data = digits(200)
    first = lamina.train(SPEC, data=data, project=tmp_path, epochs=1)
    wider = json.loads(json.dumps(SPEC))
    wider["layers"][1]["params"]["units"] = 32
    with pytest.raises(ContinueError) as info:
        lamina.train(wider, data=data, project=tmp_path, epochs=1, continue_from=first.path)
    assert info.value.location == str(first.path)
    assert "do not fit this model" in str(info.value)
    assert len(list((tmp_path / "runs").iterdir())) == 1  # nothing written for it


def test_continue_from_something_that_is_no_run_is_a_located_error(digits, tmp_path):
    with pytest.raises(ContinueError) as info:
        lamina.train(SPEC, data=digits(50), epochs=1, continue_from=False)
    assert info.value.location == "continue_from"
