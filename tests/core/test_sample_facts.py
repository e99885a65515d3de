"""The true and predicted class of a visualized sample (`sample_facts`)."""

from __future__ import annotations

import numpy as np

import lamina
from lamina.project import load_run
from lamina.visualize.runs import sample_facts

SPEC = {
    "name": "digits-mlp",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {"loss": "sparse_categorical_crossentropy", "optimizer": "Adam"},
    "training": {"epochs": 1, "batch_size": 64},
    "data": {"type": "digits", "params": {}},
}


def test_sample_facts_name_the_true_and_predicted_class(tmp_path):
    result = lamina.train(SPEC, project=tmp_path)
    run = load_run(result.path)
    model = run.model()
    facts = sample_facts(run, 5, model)
    from lamina.data.sources import load_data

    ds = load_data(run.info["data_ref"])
    x = np.asarray(lamina.visualize.runs.sample_inputs(run, 5))[None]
    probs = np.asarray(model(x, training=False))[0]
    assert facts["true"] == ds.class_names[int(ds.y[5])]
    assert facts["predicted"] == ds.class_names[int(probs.argmax())]
    assert facts["confidence"] == float(probs.max())
    assert sample_facts(run, 5) == {"index": 5, "true": facts["true"]}
