"""Hook specifications of lamina's plug-in system.

Every hook has the form ``register_<things>(register)``: lamina calls it once per
plug-in with a ``register`` callback, and the plug-in calls ``register(obj, ...)`` for
each thing it adds. The callback's keyword arguments are the same for every hook:

- ``name``: the registered name used in specs, saved files and the app palette.
  Defaults to the object's ``__name__``. Prefix it with the plug-in's name and a dot
  (``"my_plugin.MyLayer"``): a name another plug-in took first is refused.
- ``category``: a grouping shown in the palette (e.g. ``"convolution"``).
- ``summary``: a one-line summary. Defaults to the first line of the docstring.
- ``doc``: the full documentation of the entry. Defaults to the docstring.
- ``params``: a dict of per-parameter overrides of the schema derived from the
  signature (``{"units": {"min": 1, "help": "Width of the layer."}}``), or
  ``{"name": None}`` to hide a parameter.
- ``example``: parameters and an input shape with which the entry can be tested
  (``{"params": {"units": 4}, "input_shape": [8]}``).
- ``aliases``: other names that resolve to the entry.
- ``meta``: free-form metadata of the plug-in's own; lamina reads none of it.

Layers, heads and losses also take typed fields that lamina reads (``inputs``,
``stochastic``, ``before_fit``, ``loss``, ``targets``, ``check_targets``,
``predict_distribution``): see "Entry fields" below. They are checked at
registration: a wrong type, a function that cannot take the documented arguments, or
a field the kind does not use refuses the entry, and the reason is recorded against
the plug-in (``lamina plugins``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT_NAME = "lamina"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

Register = Callable[..., Any]


@hookspec
def register_layers(register: Register) -> None:
    """Register layer classes (and blocks) usable as items of a model spec.

    Each object must be a subclass of ``lamina.keras.layers.Layer`` (tf_keras) with a
    ``get_config`` that round-trips its constructor arguments. Blocks (a residual
    block, a U-Net) are layers too. ``inputs="x_a"`` marks a graph layer that the
    builder calls with ``[x, adjacency]``. ``before_fit=fn`` makes the trainer call
    ``fn(model, n_train)`` before training (e.g. to set a KL weight);
    ``stochastic=True`` tells tests the layer samples on every call.

    Example:
        >>> @hookimpl
        ... def register_layers(register):
        ...     register(MyLayer, name="my_plugin.MyLayer", category="convolution",
        ...              example={"params": {"filters": 4}, "input_shape": [8, 8, 1]})
    """


@hookspec
def register_activations(register: Register) -> None:
    """Register activation functions (``x -> y`` on tensors).

    Registered activations are the choices of every ``activation`` parameter and can
    be used as a stand-alone ``Activation`` item.

    Example:
        >>> @hookimpl
        ... def register_activations(register):
        ...     register(lambda x: x * tf.sigmoid(x), name="my_plugin.swish")
    """


@hookspec
def register_losses(register: Register) -> None:
    """Register loss functions or ``Loss`` classes for the ``compile.loss`` setting.

    A function takes ``(y_true, y_pred)`` and returns per-sample losses; a class is
    a subclass of ``lamina.keras.losses.Loss`` and is constructed with the
    spec's parameters. ``targets="distribution"`` marks a loss whose ``y_pred`` is a
    TFP distribution (the output of a probabilistic head).

    Example:
        >>> @hookimpl
        ... def register_losses(register):
        ...     register(my_loss, name="my_plugin.quartic", summary="Mean quartic error.")
    """


@hookspec
def register_optimizers(register: Register) -> None:
    """Register optimizer classes for the ``compile.optimizer`` setting.

    Each object is a subclass of ``lamina.keras.optimizers.Optimizer`` or a factory
    function returning one; it is constructed with the spec's parameters.

    Example:
        >>> @hookimpl
        ... def register_optimizers(register):
        ...     register(MyOptimizer, name="my_plugin.MyOptimizer",
        ...              params={"learning_rate": {"min": 0.0}})
    """


@hookspec
def register_heads(register: Register) -> None:
    """Register output heads: the last item of a spec (e.g. a probabilistic head).

    Each object is a callable taking the spec's parameters and returning a layer or a
    list of layers that the builder applies in order. ``loss=`` names the loss
    compiled by default when the head is used (e.g. ``"negative_log_likelihood"``);
    ``check_targets=fn`` is called as ``fn(spec, y_train)`` before training and
    raises a ``ValueError`` naming the item (``layers[i]``) if the targets do not fit;
    ``predict_distribution=fn`` is called as ``fn(model, x, **options)`` by
    ``lamina.predict_uncertainty`` and ``lamina predict --uncertainty``.

    Example:
        >>> @hookimpl
        ... def register_heads(register):
        ...     register(normal_head, name="my_plugin.NormalHead", loss="negative_log_likelihood",
        ...              check_targets=check, predict_distribution=predict)
    """


@hookspec
def register_architectures(register: Register) -> None:
    """Register architecture templates that expand to an editable model spec.

    Each object is a function taking its parameters (all with defaults) and returning
    a spec as a plain dict (see ``lamina.spec``).

    Example:
        >>> @hookimpl
        ... def register_architectures(register):
        ...     register(mlp, name="my_plugin.mlp", summary="A multi-layer perceptron.")
    """


@hookspec
def register_datasets(register: Register) -> None:
    """Register datasets: functions taking parameters and returning a ``lamina.data.Dataset``.

    Datasets must not download anything: generate the data or read a local file.

    Example:
        >>> @hookimpl
        ... def register_datasets(register):
        ...     register(load_my_survey, name="my_plugin.survey", category="images")
    """


@hookspec
def register_visualizations(register: Register) -> None:
    """Register visualizations: functions ``(model, **params) -> lamina.visualize.Result``.

    A visualization returns arrays, typed curves (``Result.panels``) and metadata (no
    Qt, no plotting); lamina renders the result to a PNG and shows it in the app. The
    first argument, the model, is not a parameter of the form; a parameter named
    ``input`` receives one sample (``lamina viz --input``: a sample index of the run's
    data or a ``.npy`` file; the app's sample chooser).

    Example:
        >>> @hookimpl
        ... def register_visualizations(register):
        ...     register(my_filters, name="my_plugin.filters", category="weights")
    """
