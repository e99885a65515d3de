"""The one Keras: lamina.keras is tf_keras, and Keras 3 objects are refused clearly."""

import keras as keras3
import pytest

from lamina.keras import is_keras3_object, keras, tf
from lamina.testing import make_registry


def test_lamina_keras_is_tf_keras_and_tf_keras_is_tf_keras():
    assert keras.__name__ == "tf_keras"
    assert tf.keras.layers.Dense is keras.layers.Dense


def test_is_keras3_object_tells_the_two_apart():
    assert is_keras3_object(keras3.layers.Dense)
    assert is_keras3_object(keras3.layers.Dense(2))
    assert is_keras3_object(keras3.activations.relu)
    assert not is_keras3_object(keras.layers.Dense)
    assert not is_keras3_object(keras.activations.relu)


def test_registering_a_keras3_layer_is_refused_with_the_import_to_use(lamina_temp_plugin):
    plugin = lamina_temp_plugin(
        "k3",
        """
        import keras
        from lamina.hookspecs import hookimpl

        class K3Layer(keras.layers.Layer):
            def call(self, x):
                return x

        @hookimpl
        def register_layers(register):
            register(K3Layer)
        """,
    )
    registry = make_registry(plugin)
    assert registry.find("layer", "K3Layer") is None
    (problem,) = registry.plugins["k3"].problems
    assert "Keras 3" in problem
    assert "from lamina.keras import keras" in problem


@pytest.mark.parametrize("kind", ["layer", "loss"])
def test_keras3_refused_for_other_kinds_too(kind):
    from lamina.registry import Registry

    registry = Registry()
    obj = keras3.layers.Dense if kind == "layer" else keras3.losses.MeanSquaredError
    registry.make_register(kind, "p")(obj)
    assert registry.entries(kind) == []
    assert "Keras 3" in registry.plugins["p"].problems[0]
