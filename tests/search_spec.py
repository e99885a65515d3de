"""The tiny MLP on the digits that the search tests of the engine and of the app share.

Imported by name (``from search_spec import SPEC, SPACE``): `tests/` is on the path of
every test, as the folder of the shared ``conftest.py``.
"""

from __future__ import annotations

SPEC = {
    "name": "tiny-mlp",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 8, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 1, "batch_size": 64},
    "data": {"type": "digits", "params": {}},
}
#: The two parameters the tests vary: the hidden layer's units and Adam's learning rate.
UNITS = "layers[1].params.units"
LR = "compile.optimizer.params.learning_rate"
SPACE = {
    UNITS: {"type": "int", "low": 4, "high": 16, "log": False},
    LR: {"type": "float", "low": 1e-3, "high": 1e-2, "log": True},
}
