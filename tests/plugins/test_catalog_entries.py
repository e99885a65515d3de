"""Every catalogue entry is checked with its registered example (parametrised over the registry),
so a new entry is tested the moment it is registered."""

from __future__ import annotations

import pytest

from lamina.plugins import get_registry
from lamina.testing import check_entry

_REGISTRY = get_registry()
_ENTRIES = [e for e in _REGISTRY.entries() if e.kind != "visualization"]


@pytest.mark.parametrize("entry", _ENTRIES, ids=[f"{e.kind}:{e.name}" for e in _ENTRIES])
def test_entry(entry, tmp_path):
    check_entry(entry, _REGISTRY, tmp_dir=tmp_path)


def test_every_layer_has_an_example_and_a_summary():
    missing = [e.name for e in _REGISTRY.entries("layer") if "input_shape" not in e.example]
    assert not missing, f"layers without example input_shape: {missing}"
    blank = [f"{e.kind}:{e.name}" for e in _REGISTRY.entries() if not e.summary]
    assert not blank, f"entries without a summary: {blank}"


def test_course_catalogue_is_complete():
    names = {(e.kind, e.name) for e in _REGISTRY.entries()}
    layers = {
        "Dense",
        "Conv1D",
        "Conv2D",
        "Conv2DTranspose",
        "MaxPooling2D",
        "AveragePooling2D",
        "GlobalAveragePooling2D",
        "UpSampling2D",
        "Flatten",
        "Reshape",
        "Dropout",
        "BatchNormalization",
        "LayerNormalization",
        "Activation",
        "SimpleRNN",
        "LSTM",
        "GRU",
        "Embedding",
        "MultiHeadAttention",
        "SumPooling2D",
        "SquareSumPooling2D",
        "Maxout",
        "PositionalEncoding",
        "TransformerEncoder",
        "ResidualBlock",
        "UNet",
    }
    activations = {"sigmoid", "tanh", "relu", "softplus", "leaky_relu", "elu", "softmax"}
    losses = {
        "mean_squared_error",
        "mean_absolute_error",
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "hinge",
        "categorical_hinge",
        "huber",
    }
    optimizers = {"SGD", "Adagrad", "RMSprop", "Adam", "AMSGrad", "AdamW"}
    architectures = {
        "mlp",
        "lenet",
        "vgg",
        "resnet",
        "conv_autoencoder",
        "unet",
        "lstm_classifier",
        "transformer_classifier",
    }
    expected = (
        {("layer", n) for n in layers}
        | {("activation", n) for n in activations}
        | {("loss", n) for n in losses}
        | {("optimizer", n) for n in optimizers}
        | {("architecture", n) for n in architectures}
    )
    assert expected <= names, sorted(expected - names)
