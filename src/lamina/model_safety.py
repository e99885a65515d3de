"""Whether a saved model would run code when loaded, found without loading it.

A ``Lambda`` layer stores Python code (a marshalled function) that Keras runs when it
rebuilds the model. Keras's safe mode refuses it in ``.keras`` files only; for HDF5
files and SavedModel folders lamina reads the stored configuration itself (as JSON
data, never as code) and refuses such layers unless the user opts in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lamina.errors import LaminaError

#: Layer classes whose saved configuration holds code run on load.
CODE_LAYERS = ("Lambda",)


class UnsafeModelError(LaminaError, ValueError):
    """A model file holds layers that would run code when loaded."""

    code = "unsafe_model"


def code_layers(path: str | Path) -> list[str]:
    """Returns ``"<name> (<class>)"`` for each layer of a saved model that holds code.

    Reads the model's configuration as data: the ``model_config`` attribute of an HDF5
    file, or the layer metadata of a SavedModel folder. A ``.keras`` file is left to
    Keras's own safe mode, so it returns an empty list for it.
    """
    path = Path(path)
    if path.is_dir():
        configs = list(_savedmodel_configs(path))
    elif path.suffix in (".h5", ".hdf5") or _is_hdf5(path):
        configs = list(_h5_configs(path))
    else:
        return []
    found: list[str] = []
    for config in configs:
        for node in _walk(config):
            class_name = node.get("class_name")
            if class_name in CODE_LAYERS or class_name == "__lambda__":
                name = (node.get("config") or {}).get("name") or node.get("name") or "?"
                label = f"{name} ({class_name})"
                if label not in found:
                    found.append(label)
    return found


def refuse_code_layers(path: str | Path) -> None:
    """Raises `UnsafeModelError` naming the file and the layers if loading would run code."""
    found = code_layers(path)
    if found:
        raise UnsafeModelError(
            f"loading it would run the Python code stored in layer {', '.join(found)}",
            location=str(path),
            hint=(
                "only if you trust who wrote the file, load it with "
                "lamina.load_model(path, unsafe=True)"
            ),
        )


def _is_hdf5(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(8) == b"\x89HDF\r\n\x1a\n"
    except OSError:
        return False


def _h5_configs(path: Path) -> Iterator[Any]:
    import h5py

    with h5py.File(path, "r") as handle:
        text = handle.attrs.get("model_config")
    if text is None:
        return
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    yield json.loads(text)


def _savedmodel_configs(folder: Path) -> Iterator[Any]:
    metadata = folder / "keras_metadata.pb"
    if not metadata.is_file():
        return
    from tf_keras.protobuf import saved_metadata_pb2

    proto = saved_metadata_pb2.SavedMetadata()
    proto.ParseFromString(metadata.read_bytes())
    for node in proto.nodes:
        try:
            yield json.loads(node.metadata)
        except ValueError:
            continue


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Yields every dict nested in `value` (without recursion: configs may be deep)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
