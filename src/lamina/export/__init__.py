"""Exporting a model: a ``.keras`` file, a TensorFlow SavedModel, or a stand-alone script.

The script rebuilds and trains the same network with plain tf_keras (no lamina
import): useful to share a model with someone who does not use lamina, or to see the
Keras code behind a spec. Keras layers are written as Keras calls; a plug-in's own
layer is inlined from its source code when it only depends on ``lamina.keras`` and
modules of its own package; anything else raises `ExportError` naming the item.

Modules:
    model_files: `export_keras`, `export_savedmodel` and `ExportError`.
    keras_code: the Keras code of a spec, with plug-in code inlined.
    script_template, script: the stand-alone script, `generate_python`, `export_python`.
"""

from lamina.export.model_files import ExportError, export_keras, export_savedmodel
from lamina.export.script import export_python, generate_python

__all__ = ["ExportError", "export_keras", "export_python", "export_savedmodel", "generate_python"]
