"""Tests of the built-in architecture templates (plugins/lamina_builtin/architectures.py)."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest
from lamina_builtin import architectures as arch
from lamina_builtin.layers import register_custom_layers

from lamina.build import build_model, check
from lamina.registry import Registry
from lamina.spec import parse_spec
from lamina.testing import make_registry

RNG = np.random.default_rng(0)

# Small variants of every template (and of its options), with the expected output
# shape without the batch axis and the kind of random targets to train on.
CASES = [
    ("mlp", {}, (3,), "classes"),
    (
        "mlp",
        {
            "input_shape": (4, 4, 1),
            "task": "regression",
            "n_classes": 2,
            "dropout": 0.1,
            "batch_norm": True,
        },
        (2,),
        "values",
    ),
    (
        "lenet",
        {"input_shape": (32, 32, 1), "pooling": "sum", "dense_units": (16,)},
        (3,),
        "classes",
    ),
    (
        "lenet",
        {"input_shape": (28, 28, 3), "n_classes": 10, "pooling": "average", "dropout": 0.0},
        (10,),
        "classes",
    ),
    (
        "vgg",
        {"input_shape": (16, 16, 1), "block_filters": (4, 8), "dense_units": 8},
        (3,),
        "classes",
    ),
    (
        "vgg",
        {
            "input_shape": (8, 8, 2),
            "block_filters": (4,),
            "convs_per_block": 1,
            "batch_norm": True,
            "dense_units": 0,
            "dropout": 0.0,
        },
        (3,),
        "classes",
    ),
    (
        "resnet",
        {"input_shape": (16, 16, 1), "stage_filters": (4, 8), "stem_filters": 4},
        (3,),
        "classes",
    ),
    ("conv_autoencoder", {"input_shape": (16, 16, 1), "filters": (4, 2)}, (16, 16, 1), "inputs"),
    (
        "conv_autoencoder",
        {"input_shape": (8, 8, 3), "filters": (4,), "upsampling": "transpose"},
        (8, 8, 3),
        "inputs",
    ),
    ("unet", {"input_shape": (16, 16, 1), "base_filters": 2}, (16, 16, 1), "mask"),
    (
        "unet",
        {
            "input_shape": (8, 8, 2),
            "n_classes": 3,
            "depth": 1,
            "base_filters": 2,
            "upsampling": "upsample",
            "use_batch_norm": True,
        },
        (8, 8, 3),
        "mask",
    ),
    ("lstm_classifier", {"input_shape": (6, 3), "units": 4, "cell": "GRU"}, (3,), "classes"),
    (
        "lstm_classifier",
        {
            "input_shape": (6,),
            "vocab_size": 20,
            "embedding_dim": 4,
            "units": 4,
            "cell": "SimpleRNN",
            "num_layers": 2,
        },
        (3,),
        "classes",
    ),
    (
        "transformer_classifier",
        {
            "input_shape": (6, 3),
            "d_model": 8,
            "key_dim": 4,
            "ff_dim": 8,
            "num_blocks": 2,
            "positional": "learned",
        },
        (3,),
        "classes",
    ),
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    reg = make_registry()
    if reg.find("layer", "UNet") is None:  # until the lead wires the hooks
        register_custom_layers(reg.make_register("layer", "builtin"))
    if reg.find("architecture", "lenet") is None:
        arch.register_builtin_architectures(reg.make_register("architecture", "builtin"))
    return reg


def _random_batch(spec: dict, target: str, out_shape: tuple[int, ...], n: int = 4):
    shape = spec["input"]["shape"]
    if spec["input"]["dtype"] == "int32":
        x = RNG.integers(0, 20, size=(n, *shape)).astype("int32")
    else:
        x = RNG.random(size=(n, *shape)).astype("float32")
    if target == "classes":
        y = RNG.integers(0, out_shape[-1], size=(n,))
    elif target == "values":
        y = RNG.normal(size=(n, *out_shape)).astype("float32")
    elif target == "inputs":
        y = x
    else:  # a segmentation mask of class indices, one channel
        n_classes = max(2, out_shape[-1])
        y = RNG.integers(0, n_classes, size=(n, *out_shape[:-1], 1)).astype("float32")
    return x, y


@pytest.mark.parametrize(
    ("name", "kwargs", "out_shape", "target"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_template_builds_and_trains_one_step(registry, name, kwargs, out_shape, target):
    spec = getattr(arch, name)(**kwargs)
    assert json.loads(json.dumps(spec)) == spec  # JSON-serialisable, no tuples
    parse_spec(spec)
    model = build_model(spec, registry=registry)
    assert model.output_shape[1:] == out_shape
    x, y = _random_batch(spec, target, out_shape)
    before = [w.copy() for w in model.get_weights()]
    logs = model.train_on_batch(x, y, return_dict=True)
    assert np.isfinite(logs["loss"])
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


@pytest.mark.parametrize(
    "fn", [fn for fn, *_ in arch.BUILTIN_ARCHITECTURES], ids=lambda fn: fn.__name__
)
def test_defaults_give_a_valid_spec(registry, fn):
    spec = fn()
    assert json.loads(json.dumps(spec)) == spec
    assert spec["spec_version"] == 1 and spec["name"] == fn.__name__
    report = check(spec, registry=registry)
    assert report.ok, report.problems
    # Every parameter is keyword-only-usable, typed, defaulted and documented.
    doc = inspect.getdoc(fn) or ""
    for p in inspect.signature(fn).parameters.values():
        assert p.default is not inspect.Parameter.empty, p.name
        assert p.annotation is not inspect.Parameter.empty, p.name
        assert f"    {p.name}: " in doc, f"{fn.__name__}: {p.name} not in Args"


def test_lenet_defaults_fit_the_demo(registry):
    spec = arch.lenet()
    assert spec["input"] == {"shape": [64, 64, 1], "dtype": "float32"}
    assert spec["layers"][-1]["params"] == {"units": 3, "activation": "softmax"}
    assert spec["compile"]["loss"]["type"] == "sparse_categorical_crossentropy"
    model = build_model(spec, registry=registry)
    assert model.output_shape == (None, 3)
    assert model.count_params() < 500_000  # trains in about a minute on 2 CPU cores


def test_task_specific_losses():
    assert arch.conv_autoencoder()["compile"]["loss"]["type"] == "mean_squared_error"
    assert "reconstruction" in arch.conv_autoencoder()["description"].lower()
    assert arch.unet()["compile"]["loss"]["type"] == "binary_crossentropy"
    assert arch.unet(n_classes=4)["compile"]["loss"]["type"] == "sparse_categorical_crossentropy"
    assert arch.mlp(task="regression")["compile"]["loss"]["type"] == "mean_squared_error"
    tokens = arch.lstm_classifier(vocab_size=50, input_shape=(12, 3))
    assert tokens["input"] == {"shape": [12], "dtype": "int32"}
    assert tokens["layers"][0]["params"]["mask_zero"] is True


@pytest.mark.parametrize(
    ("fn", "kwargs", "match"),
    [
        (arch.vgg, {"input_shape": (20, 20, 1)}, "divisible by 8"),
        (arch.unet, {"input_shape": (30, 30, 1)}, "divisible by 4"),
        (arch.conv_autoencoder, {"input_shape": (10, 10, 1), "filters": (4, 4)}, "divisible"),
        (arch.lenet, {"input_shape": (12, 12, 1)}, "too small"),
        (arch.lenet, {"pooling": "median"}, "pooling='median'"),
        (arch.mlp, {"n_classes": 0}, "n_classes=0"),
        (arch.mlp, {"task": "ranking"}, "task='ranking'"),
        (arch.resnet, {"input_shape": (64, 64)}, "input_shape"),
        (arch.unet, {"n_classes": 1}, "n_classes=1"),
        (arch.lstm_classifier, {"cell": "LSTMCell"}, "cell='LSTMCell'"),
        (arch.transformer_classifier, {"dropout": 1.5}, "dropout=1.5"),
        (arch.mlp, {"learning_rate": 0}, "learning_rate=0"),
    ],
)
def test_bad_template_arguments_raise(fn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fn(**kwargs)


def test_register_builtin_architectures(registry):
    calls = []
    arch.register_builtin_architectures(lambda fn, **kw: calls.append((fn, kw)))
    names = [kw["name"] for _, kw in calls]
    assert names == [
        "mlp",
        "lenet",
        "vgg",
        "resnet",
        "conv_autoencoder",
        "unet",
        "lstm_classifier",
        "transformer_classifier",
    ]
    assert all(kw["category"] and kw["summary"] for _, kw in calls)
    for name in names:
        assert registry.get("architecture", name).obj is getattr(arch, name)
