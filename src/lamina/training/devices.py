"""Devices: list the CPU and GPUs, choose one, GPU memory growth, mixed precision."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from lamina.errors import LaminaError


class DeviceError(LaminaError, ValueError):
    """A requested device or precision is not available."""

    code = "device"


@dataclass
class DeviceInfo:
    """One device: ``name`` is lamina's (``"cpu"``, ``"gpu:0"``), ``tf_name`` TensorFlow's."""

    name: str
    kind: str
    tf_name: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Returns the device as plain JSON-serialisable data."""
        return asdict(self)


@dataclass
class DeviceChoice:
    """The device a run uses, and whether it trains in mixed precision (recorded in run.json)."""

    requested: str
    device: DeviceInfo
    mixed_precision: bool = False
    memory_growth: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Returns the choice as recorded in ``run.json``."""
        return {
            "requested": self.requested,
            "device": self.device.name,
            "tf_device": self.device.tf_name,
            "description": self.device.description,
            "mixed_precision": self.mixed_precision,
            "memory_growth": self.memory_growth,
        }


def list_devices() -> list[DeviceInfo]:
    """Returns the CPU and every GPU TensorFlow sees, CPU first."""
    from lamina.keras import tf

    out = [DeviceInfo("cpu", "cpu", "/CPU:0", "CPU")]
    for i, gpu in enumerate(tf.config.list_physical_devices("GPU")):
        description = gpu.name
        with contextlib.suppress(Exception):
            details = tf.config.experimental.get_device_details(gpu)
            description = details.get("device_name", description)
        out.append(DeviceInfo(f"gpu:{i}", "gpu", f"/GPU:{i}", description))
    return out


def enable_memory_growth() -> bool:
    """Lets TensorFlow grow GPU memory as needed instead of taking it all. Returns True if set."""
    from lamina.keras import tf

    done = False
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
            done = True
        except (RuntimeError, ValueError):  # already initialised: keep the setting it has
            done = bool(tf.config.experimental.get_memory_growth(gpu)) or done
    return done


def choose_device(requested: str = "auto", mixed_precision: bool = False) -> DeviceChoice:
    """Resolves ``"auto"``, ``"cpu"``, ``"gpu"`` or ``"gpu:N"`` to a device.

    ``"auto"`` takes the first GPU if there is one, else the CPU.

    Args:
        requested: The device asked for. Defaults to `"auto"`.
        mixed_precision: Train in float16 with float32 variables (GPU only).

    Raises:
        DeviceError: If the device does not exist, or mixed precision is asked for on CPU.
    """
    requested = (requested or "auto").strip().lower()
    devices = list_devices()
    gpus = [d for d in devices if d.kind == "gpu"]
    if requested == "auto":
        device = gpus[0] if gpus else devices[0]
    elif requested == "cpu":
        device = devices[0]
    elif requested in ("gpu", "cuda") or requested.startswith(("gpu:", "cuda:")):
        index = 0 if ":" not in requested else requested.split(":", 1)[1]
        try:
            index = int(index)
        except ValueError:
            raise DeviceError(
                f"unknown device {requested!r}; use 'auto', 'cpu', 'gpu' or 'gpu:N'"
            ) from None
        if index >= len(gpus):
            seen = ", ".join(d.name for d in devices)
            raise DeviceError(
                f"device {requested!r} is not available; devices found: {seen}. "
                "Use --device cpu, or install a GPU build of TensorFlow."
            )
        device = gpus[index]
    else:
        raise DeviceError(f"unknown device {requested!r}; use 'auto', 'cpu', 'gpu' or 'gpu:N'")
    if mixed_precision and device.kind != "gpu":
        raise DeviceError(
            "mixed precision needs a GPU (on a CPU float16 is slower and less accurate); "
            f"the run would use {device.name}. Set training.mixed_precision to false."
        )
    growth = enable_memory_growth() if device.kind == "gpu" else False
    return DeviceChoice(requested, device, mixed_precision, growth)


@contextlib.contextmanager
def precision_policy(mixed: bool) -> Iterator[None]:
    """Sets the ``mixed_float16`` Keras policy inside the block (float32 otherwise)."""
    from lamina.keras import keras

    if not mixed:
        yield
        return
    old = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(old)
