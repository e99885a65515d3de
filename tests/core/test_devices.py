"""The GPU path, as far as a machine without a GPU can go: a fake GPU is listed by TensorFlow.

Device listing, the choice of ``auto``/``gpu:N``, memory growth, the mixed-precision
policy of the built model and a whole run recorded with its device are exercised; the
kernels themselves run on the CPU (TensorFlow's soft placement), so what is not covered
here is the speed and the numerics of real float16 GPU kernels.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from test_training import course_spec, digits_dataset  # tests/core is on sys.path

import lamina
from lamina.keras import keras, tf
from lamina.training import train
from lamina.training.devices import (
    DeviceError,
    choose_device,
    enable_memory_growth,
    list_devices,
    precision_policy,
)


@pytest.fixture
def fake_gpus(monkeypatch):
    """TensorFlow lists two GPUs; memory growth requests are recorded, not applied."""
    gpus = [SimpleNamespace(name=f"/physical_device:GPU:{i}", device_type="GPU") for i in range(2)]
    real_list = tf.config.list_physical_devices
    growth: dict[str, bool] = {}

    def list_physical_devices(device_type=None):
        if device_type == "GPU":
            return list(gpus)
        return real_list(device_type)

    def details(gpu):
        return {"device_name": f"Fake GPU {gpu.name[-1]}"}

    def set_memory_growth(gpu, enable):
        growth[gpu.name] = enable

    monkeypatch.setattr(tf.config, "list_physical_devices", list_physical_devices)
    monkeypatch.setattr(tf.config.experimental, "get_device_details", details)
    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", set_memory_growth)
    return growth


def test_the_cpu_is_always_listed_first_and_bad_names_are_refused():
    devices = list_devices()
    assert devices[0].name == "cpu" and devices[0].tf_name == "/CPU:0"
    assert choose_device("cpu").device.tf_name == "/CPU:0"
    with pytest.raises(DeviceError, match="unknown device 'tpu'"):
        choose_device("tpu")
    with pytest.raises(DeviceError, match="unknown device 'gpu:x'"):
        choose_device("gpu:x")
    with pytest.raises(DeviceError, match="unknown device 'gpu:0:1'"):
        choose_device("gpu:0:1")
    if not any(d.kind == "gpu" for d in devices):
        with pytest.raises(DeviceError, match="'gpu:0' is not available; devices found: cpu"):
            choose_device("gpu:0")
        with pytest.raises(DeviceError, match="mixed precision needs a GPU"):
            choose_device("auto", mixed_precision=True)


def test_gpus_are_listed_with_their_names_and_auto_takes_the_first(fake_gpus):
    assert [(d.name, d.tf_name, d.description) for d in list_devices()] == [
        ("cpu", "/CPU:0", "CPU"),
        ("gpu:0", "/GPU:0", "Fake GPU 0"),
        ("gpu:1", "/GPU:1", "Fake GPU 1"),
    ]
    choice = choose_device("auto", mixed_precision=True)
    assert choice.device.name == "gpu:0" and choice.mixed_precision and choice.memory_growth
    assert fake_gpus == {"/physical_device:GPU:0": True, "/physical_device:GPU:1": True}
    assert choose_device("cuda:1").device.tf_name == "/GPU:1"
    assert choose_device("gpu").device.name == "gpu:0"
    with pytest.raises(DeviceError, match="devices found: cpu, gpu:0, gpu:1"):
        choose_device("gpu:2")
    cpu = choose_device("cpu")
    assert not cpu.memory_growth and cpu.to_dict()["tf_device"] == "/CPU:0"


def test_memory_growth_already_fixed_keeps_the_setting_it_has(fake_gpus, monkeypatch):
    def initialised(gpu, enable):
        raise RuntimeError("Physical devices cannot be modified after being initialized")

    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", initialised)
    monkeypatch.setattr(tf.config.experimental, "get_memory_growth", lambda gpu: False)
    assert enable_memory_growth() is False
    monkeypatch.setattr(tf.config.experimental, "get_memory_growth", lambda gpu: True)
    assert enable_memory_growth() is True


def test_mixed_precision_computes_in_float16_and_the_last_item_in_float32():
    with precision_policy(True):
        model = lamina.build_model(course_spec())
        head = lamina.build_model(
            lamina.make_spec([3], [lamina.item("Dense", units=8), "Normal"], epochs=1)
        )
    assert keras.mixed_precision.global_policy().name == "float32"  # restored
    dtypes = {layer.name: layer.compute_dtype for layer in model.layers[1:]}
    assert dtypes == {"flatten_0": "float16", "dense_1": "float16", "dense_2": "float32"}
    assert all(w.dtype == tf.float32 for w in model.weights)
    assert model.output.dtype == tf.float32
    assert type(model.optimizer).__name__.startswith("LossScaleOptimizer")
    assert head.layers[1].compute_dtype == "float16" and head.layers[-1].compute_dtype == "float32"
    mean = head(np.ones((2, 3), dtype="float32")).mean()
    assert mean.dtype == tf.float32
    plain = lamina.build_model(course_spec())
    assert {layer.compute_dtype for layer in plain.layers[1:]} == {"float32"}


def test_a_mixed_precision_run_on_the_gpu_is_recorded_and_reloads(fake_gpus, tmp_path):
    from lamina.project import load_run

    data = digits_dataset(300)
    result = train(
        course_spec(epochs=2, mixed_precision=True),
        data=data,
        project=tmp_path / "p",
    )
    assert result.status == "finished", result.reason
    assert all(np.isfinite(result.history["loss"]))
    assert result.model.layers[1].compute_dtype == "float16"
    assert keras.mixed_precision.global_policy().name == "float32"
    info = json.loads((result.path / "run.json").read_text())
    assert info["device"] == {
        "requested": "auto",
        "device": "gpu:0",
        "tf_device": "/GPU:0",
        "description": "Fake GPU 0",
        "mixed_precision": True,
        "memory_growth": True,
    }
    reloaded = load_run(result.path).model()  # float32 model, same weights
    x = data.x[:16].astype("float32")
    np.testing.assert_allclose(
        reloaded.predict(x, verbose=0), result.model.predict(x, verbose=0), atol=2e-3
    )
