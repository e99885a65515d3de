"""The example optimizer: sign gradient descent."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, tf


@keras.saving.register_keras_serializable(package="lamina_example")
class SignSGD(keras.optimizers.Optimizer):
    """Sign gradient descent: every weight moves by `learning_rate` against its gradient's sign.

    The step ignores the gradient's size, so badly scaled inputs (fluxes spanning
    decades) do not make some weights crawl while others explode (Bernstein et al. 2018).

    Args:
        learning_rate: The size of every step. Defaults to `0.001`.
        clipvalue: Clip each gradient to this value first, if set. Defaults to `None`.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        clipvalue: float | None = None,
        name: str = "SignSGD",
        **kwargs: Any,
    ):
        super().__init__(name=name, clipvalue=clipvalue, **kwargs)
        if learning_rate <= 0:
            raise ValueError(
                f"learning_rate must be positive. Received: learning_rate={learning_rate}"
            )
        self._learning_rate = self._build_learning_rate(learning_rate)

    def update_step(self, gradient: Any, variable: Any) -> None:
        lr = tf.cast(self.learning_rate, variable.dtype)
        variable.assign_sub(lr * tf.sign(tf.convert_to_tensor(gradient)))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "learning_rate": self._serialize_hyperparameter(self._learning_rate),
        }
