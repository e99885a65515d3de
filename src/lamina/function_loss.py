"""A function loss with parameters, as a Keras loss that saves and reloads by name.

A catalogue loss that is a function (``fn(y_true, y_pred, **params)``) given
parameters in a spec cannot be compiled as ``functools.partial(fn, **params)``:
Keras cannot save a ``partial`` in a ``.keras`` file (``Unable to reconstruct an
instance of 'partial'``). lamina compiles it as a `LaminaFunctionLoss` instead. Its
config holds only data, the loss's registered name and its spec parameters; on
loading, the function is looked up in the catalogue by that name, never imported
from a module path written in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tf_keras.src.losses import LossFunctionWrapper  # what Keras wraps function losses in

from lamina.keras import keras
from lamina.registry import Registry

#: The name Keras writes for `LaminaFunctionLoss` in saved files.
REGISTERED_NAME = "lamina>FunctionLoss"


@keras.saving.register_keras_serializable(package="lamina", name="FunctionLoss")
class LaminaFunctionLoss(LossFunctionWrapper):
    """The catalogue's function loss `loss` with the spec parameters `params`.

    It computes exactly what Keras computes for a plain function loss (same reduction,
    same shape handling), with the parameters passed to the function.

    Args:
        loss: The loss's registered name (e.g. ``"example.log_cosh_relative"``).
        params: Its parameters as in a spec (plain JSON values).
        reduction: Keras's reduction. Defaults to ``"auto"``.
        name: The loss's name. Defaults to the registered name.
        registry: The catalogue to look `loss` up in. Defaults to the process-wide one
            (the one `lamina.load_model` loads, with every installed plug-in).

    Raises:
        UnknownEntryError: If `loss` is not in the catalogue (e.g. its plug-in is not
            installed).
    """

    def __init__(
        self,
        loss: str,
        params: Mapping[str, Any] | None = None,
        reduction: str = "auto",
        name: str | None = None,
        registry: Registry | None = None,
    ) -> None:
        from lamina.build.params import convert_params
        from lamina.plugins import get_registry

        registry = registry or get_registry()
        entry = registry.get("loss", loss)
        self.params = dict(params or {})
        kwargs = convert_params(entry, self.params, registry)
        super().__init__(entry.obj, reduction=reduction, name=name or entry.name, **kwargs)
        self.loss_name = entry.name

    def get_config(self) -> dict[str, Any]:
        """Returns the config: name, reduction, and the loss as in a spec.

        The loss is ``{"type": registered name, "params": {...}}``: a bare string would
        be turned into the function itself by Keras's HDF5 and SavedModel loaders.
        """
        return {
            "name": self.name,
            "reduction": self.reduction,
            "loss": {"type": self.loss_name, "params": dict(self.params)},
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LaminaFunctionLoss:
        """Rebuilds the loss from `get_config`, finding the function in the catalogue."""
        loss = config["loss"]
        return cls(
            loss["type"], loss.get("params"), reduction=config["reduction"], name=config["name"]
        )
