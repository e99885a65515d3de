"""Process set-up that must happen before TensorFlow is first imported."""

from __future__ import annotations

import os
import sys
import warnings


def prepare_environment() -> None:
    """Select tf_keras as TensorFlow's Keras and quiet TensorFlow's start-up logs.

    Safe to call many times. Warns if TensorFlow was imported before lamina with a
    different Keras selected, since that cannot be undone in a running process.
    """
    if "tensorflow" in sys.modules and os.environ.get("TF_USE_LEGACY_KERAS") != "1":
        warnings.warn(
            "TensorFlow was imported before lamina without TF_USE_LEGACY_KERAS=1; "
            "import lamina first (or set TF_USE_LEGACY_KERAS=1) so that tf.keras is "
            "tf_keras, the one Keras of lamina.",
            RuntimeWarning,
            stacklevel=3,
        )
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    warnings.filterwarnings("ignore", message=".*distutils.*", category=DeprecationWarning)
