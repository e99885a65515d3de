"""Every catalogue entry is checked with its registered example (parametrised over the registry),
so a new entry is tested the moment it is registered."""

from __future__ import annotations

import pytest

from lamina.entry_fields import FIELD_NAMES, FIELDS, INPUT_MODES
from lamina.plugins import BUILTIN_PLUGINS, get_registry
from lamina.testing import check_entry

_REGISTRY = get_registry()
_ENTRIES = [e for e in _REGISTRY.entries() if e.kind != "visualization"]


@pytest.mark.parametrize("entry", _ENTRIES, ids=[f"{e.kind}:{e.name}" for e in _ENTRIES])
def test_entry(entry, tmp_path):
    check_entry(entry, _REGISTRY, tmp_dir=tmp_path)


def test_lamina_own_plugins_are_all_loaded_without_problems():
    for name in BUILTIN_PLUGINS:
        info = _REGISTRY.plugins[name]
        assert info.ok and info.source.startswith("built in"), (name, info)


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_every_entry_field_holds_a_valid_value(field):
    """What plug-ins declared passed registration; lamina's defaults are valid too."""
    for entry in _REGISTRY.entries():
        value = getattr(entry, field.name)
        if value is None or value == field.default:
            continue
        assert entry.kind in field.kinds, (entry.name, field.name)
        assert field.problem(value) is None, (entry.name, field.problem(value))


def test_meta_holds_no_typed_field_and_no_code():
    for entry in _REGISTRY.entries():
        assert not set(entry.meta) & {*FIELD_NAMES, "graph"}, (entry.name, dict(entry.meta))
        if entry.plugin in BUILTIN_PLUGINS:
            assert not any(callable(v) for v in entry.meta.values()), entry.name


def test_every_head_default_loss_is_registered():
    for head in _REGISTRY.entries("head"):
        if head.loss is not None:
            assert _REGISTRY.find("loss", head.loss) is not None, (head.name, head.loss)


def test_probability_and_graph_declare_their_contract():
    for head in _REGISTRY.entries("head"):
        if head.plugin == "probability":
            assert head.loss == "negative_log_likelihood" and head.targets
            assert callable(head.check_targets) and callable(head.predict_distribution)
    bayesian = [e for e in _REGISTRY.entries("layer") if e.category == "bayesian"]
    assert bayesian and all(e.stochastic and callable(e.before_fit) for e in bayesian)
    assert _REGISTRY.get("loss", "negative_log_likelihood").targets == "distribution"
    graph = {e.name: e.inputs for e in _REGISTRY.entries("layer") if e.plugin == "graph"}
    assert set(graph.values()) == set(INPUT_MODES)
    assert graph["GCNConv"] == "x_a" and graph["ECCConv"] == "x_a_e"
    assert graph["GlobalSumPool"] == "x"
    plain = [e for e in _REGISTRY.entries("layer") if e.plugin == "builtin"]
    assert all(e.inputs == "x" and e.before_fit is None for e in plain)


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
