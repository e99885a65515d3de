"""Building and checking specs: shapes, parameter counts, located errors."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.spec import SpecError


def cnn_spec(n_conv: int = 2) -> dict:
    layers = []
    for i in range(n_conv):
        layers.append(
            {
                "type": "Conv2D",
                "params": {
                    "filters": 4 * (i + 1),
                    "kernel_size": 3,
                    "padding": "same",
                    "activation": "relu",
                },
            }
        )
        layers.append({"type": "MaxPooling2D", "params": {"pool_size": 2}})
    layers += [
        {"type": "Flatten"},
        {"type": "Dense", "params": {"units": 3, "activation": "softmax"}},
    ]
    return {
        "input": {"shape": [16, 16, 1]},
        "layers": layers,
        "compile": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
    }


def test_check_reports_shapes_and_parameter_counts():
    report = lamina.check(cnn_spec())
    assert report.ok, report.problems
    shapes = [i.output_shape for i in report.items]
    assert shapes == [[16, 16, 4], [8, 8, 4], [8, 8, 8], [4, 4, 8], [128], [3]]
    counts = [i.params for i in report.items]
    assert counts == [3 * 3 * 1 * 4 + 4, 0, 3 * 3 * 4 * 8 + 8, 0, 0, 128 * 3 + 3]
    assert report.total_params == sum(counts) == report.trainable_params
    model = lamina.build_model(cnn_spec())
    assert model.count_params() == report.total_params


@pytest.mark.parametrize(
    "layers, path, words",
    [
        (
            [{"type": "Conv2d", "params": {"filters": 2, "kernel_size": 3}}],
            "layers[0].type",
            "did you mean 'Conv2D'",
        ),
        (
            [{"type": "Conv2D", "params": {"filters": 2, "kernel_size": -2}}],
            "layers[0].params.kernel_size",
            "expected a positive int or a list of positive ints, got -2",
        ),
        (
            [{"type": "Conv2D", "params": {"filters": "four", "kernel_size": 3}}],
            "layers[0].params.filters",
            "expected an int",
        ),
        (
            [{"type": "Conv2D", "params": {"kernel_size": 3}}],
            "layers[0].params.filters",
            "required parameter of Conv2D is missing",
        ),
        (
            [{"type": "Dense", "params": {"units": 2, "colour": "red"}}],
            "layers[0].params.colour",
            "unknown parameter for Dense",
        ),
        (
            [{"type": "Dense", "params": {"units": 2, "activation": "relux"}}],
            "layers[0].params.activation",
            "unknown activation 'relux'",
        ),
        (
            ["Flatten", {"type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}}],
            "layers[1]",
            "Conv2D cannot take input of shape (batch, 256)",
        ),
        ([{"type": "Dropout", "params": {"rate": 1.5}}], "layers[0].params.rate", "<= 1.0"),
        ([], "layers", "the stack is empty"),
    ],
)
def test_bad_specs_give_located_errors(layers, path, words):
    spec = {"input": {"shape": [16, 16, 1]}, "layers": layers, "compile": {"loss": "mse"}}
    report = lamina.check(spec)
    assert not report.ok
    assert report.problems[0].path == path, report.problems
    assert words in report.problems[0].message
    with pytest.raises(SpecError) as info:
        lamina.build_model(spec)
    assert str(info.value).startswith(path)


def test_items_after_a_failing_item_are_marked_unchecked():
    spec = {
        "input": [4],
        "layers": [
            {"type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}},
            {"type": "Dense", "params": {"units": 2}},
        ],
        "compile": {"loss": "mse"},
    }
    report = lamina.check(spec)
    assert report.items[0].error and not report.items[1].checked


def test_every_item_after_a_failing_one_has_an_unchecked_report():
    """An error in item 2 of 4: item 1 is checked, items 3 and 4 are reported unchecked."""
    spec = {
        "input": [4],
        "layers": [
            {"type": "Dense", "params": {"units": 3}},
            {"type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}},
            {"type": "Dense", "params": {"units": 2}},
            {"type": "Dropout", "params": {"rate": 0.5}},
        ],
        "compile": {"loss": "mse"},
    }
    report = lamina.check(spec)
    items = report.items
    assert [(i.index, i.type) for i in items] == [
        (0, "Dense"),
        (1, "Conv2D"),
        (2, "Dense"),
        (3, "Dropout"),
    ]
    assert items[0].checked and items[0].error is None and items[0].params == 4 * 3 + 3
    assert items[1].checked and "Conv2D cannot take input of shape (batch, 3)" in items[1].error
    assert [(i.checked, i.error, i.params) for i in items[2:]] == [(False, None, 0)] * 2
    assert [p.path for p in report.problems] == ["layers[1]"]


GRAPH_ITEMS = """
from lamina.hookspecs import hookimpl
from lamina.keras import layers, tf


class EdgeMean(layers.Layer):
    def call(self, inputs):
        x, a, e = inputs
        return tf.concat([x, tf.reduce_mean(e, axis=2)], axis=-1)


class Propagate(layers.Layer):
    def call(self, inputs):
        x, a = inputs
        return tf.matmul(a, x)


def propagate_then_dense(units: int = 2):
    return [Propagate(), layers.Dense(units)]


@hookimpl
def register_layers(register):
    register(EdgeMean, category="test", inputs="x_a_e")


@hookimpl
def register_heads(register):
    register(propagate_then_dense, name="PropagateDense", inputs="x_a")
"""


def test_graph_items_get_the_adjacency_and_the_data_s_edge_features(lamina_temp_plugin):
    """Edge features as many as the data give (3); a head's first layer alone takes the
    adjacency, its second the first's output."""
    from lamina.testing import make_registry

    registry = make_registry(lamina_temp_plugin("graph_items", GRAPH_ITEMS))
    spec = {
        "input": [5, 2],
        "layers": [{"type": "EdgeMean"}, {"type": "PropagateDense", "params": {"units": 3}}],
        "compile": {"loss": "mse"},
        "data": {"type": "graph_structures", "params": {"edge_features": 3}},
    }
    model = lamina.build_model(spec, registry=registry)
    assert [tuple(i.shape) for i in model.inputs] == [(None, 5, 2), (None, 5, 5), (None, 5, 5, 3)]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 2)).astype("float32")
    a = (rng.random((2, 5, 5)) < 0.5).astype("float32")
    e = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    kernel, bias = model.layers[-1].get_weights()
    expected = (a @ np.concatenate([x, e.mean(axis=2)], axis=-1)) @ kernel + bias
    np.testing.assert_allclose(model.predict([x, a, e], verbose=0), expected, atol=1e-5)


def test_compile_errors_are_located():
    spec = {
        **cnn_spec(),
        "compile": {"loss": "mean_sqared_error", "optimizer": "Adamm", "metrics": ["acuracy"]},
    }
    paths = [p.path for p in lamina.check(spec).problems]
    assert paths == ["compile.loss.type", "compile.optimizer.type", "compile.metrics[0]"]
    assert "no loss" in lamina.check({**cnn_spec(), "compile": {}}).problems[0].message


def test_regularizers_schedules_and_loss_params_reach_keras():
    from lamina.keras import keras

    spec = {
        "input": [4],
        "layers": [
            {
                "type": "Dense",
                "params": {"units": 3, "kernel_regularizer": {"l1": 0.01, "l2": 0.02}},
            },
            {"type": "Dense", "params": {"units": 1, "kernel_regularizer": "l2"}},
        ],
        "compile": {
            "loss": {"type": "huber", "params": {"delta": 0.5}},
            "optimizer": {
                "type": "SGD",
                "params": {
                    "momentum": 0.9,
                    "nesterov": True,
                    "learning_rate": {
                        "type": "ExponentialDecay",
                        "params": {
                            "initial_learning_rate": 0.1,
                            "decay_steps": 10,
                            "decay_rate": 0.5,
                        },
                    },
                },
            },
        },
    }
    model = lamina.build_model(spec)
    reg = model.layers[1].kernel_regularizer
    assert isinstance(reg, keras.regularizers.L1L2)
    assert np.isclose(reg.l1, 0.01) and np.isclose(reg.l2, 0.02)
    assert isinstance(model.layers[2].kernel_regularizer, keras.regularizers.L2)
    assert model.loss.get_config()["delta"] == 0.5
    assert model.optimizer.get_config()["learning_rate"]["class_name"] == "ExponentialDecay"
    assert model.optimizer.nesterov
    # the regularization penalty is part of the loss
    assert len(model.losses) == 2


def test_spec_of_gives_back_the_spec_and_reads_plain_keras_models():
    from lamina.keras import keras

    spec = lamina.parse_spec(cnn_spec())
    assert lamina.spec_of(lamina.build_model(spec)) == spec
    plain = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(2),
        ]
    )
    read = lamina.spec_of(plain)
    assert [i.type for i in read.layers] == ["Dense", "Dropout", "Dense"]
    assert read.layers[0].params == {"units": 4, "activation": "tanh"}
    rebuilt = lamina.build_model({**read.to_dict(), "compile": {"loss": "mse"}})
    assert rebuilt.count_params() == plain.count_params()

    class Twice(keras.layers.Layer):
        def call(self, x):
            return 2 * x

    class Half(keras.layers.Layer):
        def call(self, x):
            return x / 2

    odd = keras.Sequential([keras.Input((6,)), Twice(), keras.layers.Dense(4), Half()])
    with pytest.raises(SpecError) as info:
        lamina.spec_of(odd)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("layers[0]", "Twice is not in the catalogue"),
        ("layers[2]", "Half is not in the catalogue"),
    ]


def test_spec_of_keeps_a_function_loss_with_parameters(tmp_path):
    """A model read off its layers (no stored spec) keeps its parameterised function loss."""
    from lamina.build import SPEC_ATTRIBUTE
    from lamina.keras import keras

    spec = lamina.parse_spec(
        {
            "name": "fl",
            "input": {"shape": [3]},
            "layers": [
                {"type": "Dense", "params": {"units": 4, "activation": "tanh"}},
                {"type": "Dense", "params": {"units": 1, "activation": "relu"}},
            ],
            "compile": {"loss": {"type": "example.log_cosh_relative", "params": {"scale": 2.0}}},
        }
    )
    model = lamina.build_model(spec)
    assert lamina.spec_of(model) == spec
    delattr(model, SPEC_ATTRIBUTE)  # as a model that plain Keras built or reloaded
    assert lamina.spec_of(model) == spec
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    assert lamina.spec_of(reloaded).compile.loss == spec.compile.loss


def test_layer_names_are_stable_and_trainable_flag_is_applied():
    spec = {
        "input": [4],
        "layers": [
            {"type": "Dense", "params": {"units": 2}, "trainable": False},
            {"type": "Dense", "params": {"units": 1}, "name": "out"},
        ],
        "compile": {"loss": "mse"},
    }
    model = lamina.build_model(spec)
    assert [layer.name for layer in model.layers[1:]] == ["dense_0", "out"]
    assert not model.layers[1].trainable


def test_a_layer_s_own_name_is_checked_and_a_made_up_one_is_not():
    named = {
        "input": [4],
        "layers": [{"type": "Dense", "params": {"units": 2}, "name": "my layer"}],
        "compile": {"loss": "mse"},
    }
    problem = lamina.check(named).problems[0]
    assert problem.path == "layers[0].name"
    assert problem.message.startswith("layer name 'my layer' is not valid; use ASCII letters")
    # an item without a name is named after its type ('_dense_0' here): only the unknown
    # type is reported, not a name the user never gave
    unnamed = {**named, "layers": [{"type": "_Dense", "params": {"units": 2}}]}
    assert [(p.path, p.message) for p in lamina.check(unnamed).problems] == [
        ("layers[0].type", "unknown layer '_Dense'; did you mean 'Dense'?")
    ]


def test_check_cache_reuses_leading_items_and_gives_the_same_report():
    from lamina.build import CheckCache

    cache = CheckCache()
    spec = cnn_spec(3)
    first = lamina.check(spec, cache=cache)
    spec["layers"][-1]["params"]["units"] = 5
    cached = lamina.check(spec, cache=cache)
    fresh = lamina.check(spec)
    assert cached.to_dict() == fresh.to_dict()
    assert cached.output_shape == [5] and first.output_shape == [3]
    # the unchanged leading items are the very same Keras layers (not rebuilt)
    before = cache.get
    hits = []
    cache.get = lambda key: hits.append(before(key)) or hits[-1]
    lamina.check(spec, cache=cache)
    assert all(h is not None for h in hits)
    # the same parameters written in another order are the same item
    first_params = spec["layers"][0]["params"]
    assert len(first_params) > 1
    spec["layers"][0]["params"] = dict(reversed(list(first_params.items())))
    hits.clear()
    lamina.check(spec, cache=cache)
    assert hits and all(h is not None for h in hits)
    spec["layers"][0]["params"]["filters"] = 2
    broken = {
        **spec,
        "layers": [
            *spec["layers"][:-1],
            {"type": "Conv2D", "params": {"filters": 1, "kernel_size": 3}},
        ],
    }
    assert not lamina.check(broken, cache=cache).ok


def test_the_check_cache_drops_the_least_recently_used_prefix():
    from lamina.build import CheckCache

    cache = CheckCache(size=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now the most recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_architecture_templates_take_typed_params_and_report_bad_ones():
    spec = lamina.architecture("conv_autoencoder", filters=[16, 8])
    assert [i.params.get("filters") for i in spec.layers[:2] if i.type == "Conv2D"][0] == 16
    with pytest.raises(SpecError, match="n_classes: expected an int"):
        lamina.architecture("lenet", n_classes="three")


def test_a_head_brings_its_loss_and_a_bad_schedule_is_located_inside_it():
    head_spec = {
        "input": [3],
        "layers": [{"type": "Dense", "params": {"units": 4}}, {"type": "Normal"}],
        "compile": {},
    }
    report = lamina.check(head_spec)
    assert report.ok, report.problems  # the head's negative log-likelihood is the loss
    assert report.total_params > 0
    model = lamina.build_model(head_spec)  # the head's two layers, named after its item
    assert [layer.name for layer in model.layers] == [
        "input",
        "dense_0",
        "normal_1_0",
        "normal_1_1",
    ]
    plain = {**head_spec, "layers": [{"type": "Dense", "params": {"units": 1}}]}
    (problem,) = lamina.check(plain).problems
    assert problem.path == "compile.loss" and "no loss" in problem.message
    schedule = {"type": "ExponentialDecay", "params": {"initial_learning_rate": 0.1}, "x": 1}
    bad = {
        **plain,
        "compile": {
            "loss": "mse",
            "optimizer": {"type": "Adam", "params": {"learning_rate": schedule}},
        },
    }
    (problem,) = lamina.check(bad).problems
    assert problem.path == "compile.optimizer.params.learning_rate.x"
    assert problem.message == "a schedule has only 'type' and 'params'"
    unbuilt = lamina.check({**plain, "layers": []})
    assert not unbuilt.ok and unbuilt.total_params == 0  # nothing built: no parameters


def test_a_bad_schedule_given_to_the_keras_arguments_directly_is_located():
    """`convert_params` checks a schedule again (a caller may skip the spec's check)."""
    from lamina.build import convert_params
    from lamina.plugins import get_registry

    registry = get_registry()
    adam = registry.get("optimizer", "Adam")
    with pytest.raises(
        ValueError, match=r"^learning_rate\.type: unknown learning-rate schedule 'Nope'"
    ):
        convert_params(adam, {"learning_rate": {"type": "Nope"}}, registry)
    schedule = {
        "type": "ExponentialDecay",
        "params": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    }
    made = convert_params(adam, {"learning_rate": schedule}, registry)["learning_rate"]
    assert float(made(10)) == pytest.approx(0.05)


def test_a_plugin_activation_reaches_keras_as_its_function_and_a_keras_one_by_name():
    from lamina.build import convert_params
    from lamina.keras import keras
    from lamina.plugins import get_registry

    registry = get_registry()
    dense = registry.get("layer", "Dense")
    made = {
        name: convert_params(dense, {"activation": name}, registry)["activation"]
        for name in ("relu", "leaky_relu", "relux")
    }
    assert made["relu"] == "relu"  # tf_keras's own: saved by name
    assert made["leaky_relu"] is registry.get("activation", "leaky_relu").obj
    assert made["relux"] == "relux"  # not in the catalogue: left as given
    model = lamina.build_model(
        {
            "input": [2],
            "layers": [
                {"type": "Dense", "params": {"units": 2, "activation": "leaky_relu"}},
                {"type": "Dense", "params": {"units": 1, "activation": "relu"}},
            ],
            "compile": {"loss": "mse"},
        }
    )
    model.layers[1].set_weights([np.eye(2, dtype="float32"), np.zeros(2, "float32")])
    hidden = keras.Model(model.inputs, model.layers[1].output)
    # lamina's leaky ReLU (slope 0.2), not a Keras one of the same name
    np.testing.assert_allclose(hidden.predict(np.array([[-1.0, 3.0]]), verbose=0), [[-0.2, 3.0]])
    assert model.layers[2].get_config()["activation"] == "relu"


def test_an_unknown_number_of_edge_features_means_one(lamina_temp_plugin):
    from lamina.testing import make_registry

    registry = make_registry(lamina_temp_plugin("graph_items_one", GRAPH_ITEMS))
    spec = {
        "input": [4, 2],
        "layers": [{"type": "EdgeMean"}],
        "compile": {"loss": "mse"},
        "data": {"type": "graph_structures", "params": {"edge_features": None}},
    }
    model = lamina.build_model(spec, registry=registry)
    assert tuple(model.inputs[-1].shape) == (None, 4, 4, 1)
    model = lamina.build_model({**spec, "data": None}, registry=registry)
    assert tuple(model.inputs[-1].shape) == (None, 4, 4, 1)


def test_named_regularizers_use_keras_s_factor_of_a_hundredth():
    from lamina.build.params import make_regularizer

    assert make_regularizer("l1").get_config() == {"l1": pytest.approx(0.01)}
    assert make_regularizer("l2").get_config() == {"l2": pytest.approx(0.01)}
    both = make_regularizer("l1_l2").get_config()
    assert both == {"l1": pytest.approx(0.01), "l2": pytest.approx(0.01)}
    assert make_regularizer({"l2": 0.5}).get_config() == {"l1": 0.0, "l2": 0.5}
