"""The small Conv1D classifier of the ``spectra`` data set used by the docs, tests and
screenshots: one spec, so the pictures and the measured Hα peaks come from the same model.

Example:
    >>> from lamina_builtin.datasets.spectra_model import spectra_classifier_spec
    >>> spec = spectra_classifier_spec(epochs=2)
    >>> [layer.type for layer in spec.layers]
    ['Conv1D', 'MaxPooling1D', 'Conv1D', 'GlobalMaxPooling1D', 'Dense']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: The data it is trained on: the built-in ``spectra`` data set with its defaults (400
#: spectra of 256 pixels; the emission class carries Hα and [NII]).
SPECTRA_DATA: dict[str, Any] = {"type": "spectra"}


def spectra_classifier_spec(length: int = 256, epochs: int = 30) -> Any:
    """Returns the spec of the Conv1D emission-line classifier.

    ``conv1`` (8 filters of 7 pixels) → max pool 2 → ``conv2`` (8 × 5) → global max
    pool → softmax over ``no emission`` / ``emission``, inputs standardised.

    Args:
        length: Pixels of a spectrum. Defaults to `256`.
        epochs: Training epochs. Defaults to `30`.
    """
    import lamina

    return lamina.make_spec(
        [length, 1],
        [
            lamina.item(
                "Conv1D", filters=8, kernel_size=7, activation="relu", padding="same", name="conv1"
            ),
            lamina.item("MaxPooling1D", pool_size=2, name="pool1"),
            lamina.item(
                "Conv1D", filters=8, kernel_size=5, activation="relu", padding="same", name="conv2"
            ),
            lamina.item("GlobalMaxPooling1D", name="gmp"),
            lamina.item("Dense", units=2, activation="softmax", name="out"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=epochs,
        standardize=True,
        name="spectra1d",
    )


def train_spectra_classifier(project: str | Path, seed: int = 0, epochs: int = 30) -> Any:
    """Trains `spectra_classifier_spec` on `SPECTRA_DATA` into `project`.

    Returns:
        The `lamina.train` result (its ``path`` is the run folder).
    """
    import lamina

    return lamina.train(
        spectra_classifier_spec(epochs=epochs), data=SPECTRA_DATA, project=project, seed=seed
    )
