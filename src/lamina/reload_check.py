"""Checks that models compiled with catalogue losses reload from ``.keras`` in a fresh process.

Part of `lamina.testing` (which re-exports `check_loss_roundtrip`,
`check_losses_roundtrip`, `reload_losses` and `non_default_params`): each loss is compiled into a
tiny model, saved with `lamina.export_keras`, then every file is loaded in one new
Python process with `lamina.load_model` (which loads the catalogue, as a user's
script would), and its predictions and loss values are compared with the originals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lamina.params import Param
from lamina.registry import Entry, Registry

#: One case: a loss entry (or its name), its spec parameters, and optionally the
#: activation of the model's ``Dense`` layer (a catalogue name).
LossCase = tuple[Any, ...]

_RELOAD = """
import importlib, importlib.util, json, sys
from pathlib import Path
import numpy as np
import lamina

args = json.loads(sys.argv[1])
if args["plugins"]:
    from lamina.plugins import set_registry
    from lamina.testing import make_registry

    modules = []
    for name in args["plugins"]:
        if name.endswith(".py"):
            spec = importlib.util.spec_from_file_location(Path(name).stem, name)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(name)
        modules.append(module)
    set_registry(make_registry(*modules, installed=True))
out = {}
for case in args["cases"]:
    model = lamina.load_model(case["path"], compile=True)
    data = np.load(case["data"])
    y_pred = model(data["x"])
    if case["distribution"]:
        import tensorflow_probability as tfp

        y_pred = tfp.distributions.Normal(loc=y_pred, scale=1.0)
    value = model.loss(data["y"], y_pred)
    out[case["path"]] = {
        "pred": np.asarray(model.predict(data["x"], verbose=0)).tolist(),
        "loss": np.asarray(value).ravel().tolist(),
    }
print("LAMINA-RELOAD " + json.dumps(out))
"""


def non_default_params(entry: Entry) -> dict[str, Any]:
    """Returns parameters other than the defaults for an entry, from its schema and example.

    Booleans are flipped, numbers moved inside their bounds (doubled, or to the middle
    of ``[min, max]``), choices set to another choice; the entry's ``example`` params
    take precedence. Parameters of other types keep their defaults.

    Args:
        entry: A catalogue entry.
    """
    params: dict[str, Any] = {}
    for param in entry.params:
        value = _other_value(param)
        if value is not None:
            params[param.name] = value
    return {**params, **dict(entry.example.get("params", {}))}


def _other_value(param: Param) -> Any:
    default = None if param.required else param.default
    if param.type == "bool" and isinstance(default, bool):
        return not default
    if param.type == "choice" and param.choices:
        return next((c for c in param.choices if c != default), None)
    if param.type not in ("float", "int") or not isinstance(default, (int, float)):
        return None
    value: float = default * 2 if default else 0.5
    if param.max is not None and value > param.max:
        value = ((param.min or 0.0) + param.max) / 2
    if param.min is not None and value < param.min:
        value = param.min + 1
    return int(value) if param.type == "int" else float(value)


def check_loss_roundtrip(
    entry_or_name: Entry | str,
    params: Mapping[str, Any] | None = None,
    *,
    registry: Registry | None = None,
    plugins: Sequence[str] = (),
    activation: str = "softmax",
    tmp_dir: str | Path | None = None,
) -> None:
    """Checks that a model compiled with one loss reloads with the same loss values.

    See `check_losses_roundtrip`, which checks many losses in one new process.
    """
    check_losses_roundtrip(
        [(entry_or_name, params or {})],
        registry=registry,
        plugins=plugins,
        activation=activation,
        tmp_dir=tmp_dir,
    )


def check_losses_roundtrip(
    cases: Sequence[LossCase],
    *,
    registry: Registry | None = None,
    plugins: Sequence[str] = (),
    activation: str = "softmax",
    tmp_dir: str | Path | None = None,
) -> None:
    """Checks that models compiled with these losses reload from ``.keras`` in a fresh process.

    Runs `reload_losses` and checks every result.

    Raises:
        AssertionError: If a model does not reload or gives other predictions or loss
            values.
    """
    for result in reload_losses(
        cases, registry=registry, plugins=plugins, activation=activation, tmp_dir=tmp_dir
    ):
        result.check()


@dataclass(frozen=True)
class LossReload:
    """One loss's model, before saving and after reloading in a fresh process.

    Args:
        loss: The loss's registered name.
        params: Its spec parameters.
        expected: ``{"pred": ..., "loss": ...}`` computed before saving.
        reloaded: The same computed after reloading.
    """

    loss: str
    params: Mapping[str, Any]
    expected: Mapping[str, np.ndarray]
    reloaded: Mapping[str, Any]

    def check(self) -> None:
        """Asserts equal predictions and loss values before and after reloading."""
        for key in ("pred", "loss"):
            np.testing.assert_allclose(
                np.asarray(self.reloaded[key]),
                self.expected[key],
                rtol=1e-5,
                atol=1e-6,
                err_msg=f"loss {self.loss} {dict(self.params)}: {key} differs after "
                "reloading the .keras file",
            )


def reload_losses(
    cases: Sequence[LossCase],
    *,
    registry: Registry | None = None,
    plugins: Sequence[str] = (),
    activation: str = "softmax",
    tmp_dir: str | Path | None = None,
) -> list[LossReload]:
    """Saves a tiny model per loss and reloads every one in a single new Python process.

    For each case a tiny model ``Dense(4, activation)`` is compiled with the loss and
    its parameters and saved with `lamina.export_keras`. One new Python process loads
    every file with ``lamina.load_model(path, compile=True)`` and computes the
    predictions and ``model.loss(y, model(x))`` (for a loss of distributions,
    ``model.loss(y, Normal(model(x), 1))``).

    Args:
        cases: ``(loss entry or name, spec parameters)`` pairs, or triples adding the
            ``Dense`` layer's activation for that case.
        registry: The catalogue the models are built with. Defaults to the process-wide
            one.
        plugins: Plug-ins the new process registers besides the installed ones: module
            names or paths of ``.py`` files (for a plug-in that is not installed).
        activation: The ``Dense`` layer's activation (a catalogue name) when a case
            names none.
        tmp_dir: Where the models are written; a temporary folder by default.

    Returns:
        One `LossReload` per case, in order; call its ``check()``.

    Raises:
        AssertionError: If the new process fails (its error output is in the message).
    """
    from lamina.plugins import get_registry

    registry = registry or get_registry()
    folder = Path(tmp_dir) if tmp_dir else Path(tempfile.mkdtemp(prefix="lamina_reload_"))
    saved = []
    for i, (entry_or_name, params, *rest) in enumerate(cases):
        entry = (
            entry_or_name
            if isinstance(entry_or_name, Entry)
            else registry.get("loss", entry_or_name)
        )
        path = folder / f"loss_{i}.keras"
        act = rest[0] if rest else activation
        expected, distribution = _save_case(entry, params, registry, act, path)
        saved.append((entry.name, dict(params), expected, path, distribution))
    jobs = [
        {"path": str(path), "data": str(path.with_suffix(".npz")), "distribution": dist}
        for *_, path, dist in saved
    ]
    reloaded = _reload(jobs, plugins)
    return [
        LossReload(name, params, expected, reloaded[str(path)])
        for name, params, expected, path, _ in saved
    ]


def _save_case(
    entry: Entry, params: Mapping[str, Any], registry: Registry, activation: str, path: Path
) -> tuple[dict[str, Any], bool]:
    """Builds, saves and evaluates one model; returns its predictions and loss values.

    A loss of distributions (``targets="distribution"``) is evaluated on a unit Normal
    around the predictions: the tiny model has no distribution head, whose TensorFlow
    Probability layers hold code and so are not saved as data in a ``.keras`` file.
    """
    from lamina.build import build_model
    from lamina.export.model_files import export_keras

    distribution = entry.targets == "distribution"
    dense = {"units": 4, "activation": "linear" if distribution else activation}
    spec = {
        "name": "loss_roundtrip",
        "input": [4],
        "layers": [{"type": "Dense", "params": dense}],
        "compile": {"loss": {"type": entry.name, "params": dict(params)}},
    }
    model = build_model(spec, registry=registry)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4)).astype("float32")
    pred = np.asarray(model.predict(x, verbose=0))
    if entry.name.startswith("sparse"):
        y = rng.integers(0, pred.shape[-1], size=(5,)).astype("float32")
    else:
        y = rng.uniform(0.1, 0.9, size=pred.shape).astype("float32")
    np.savez(path.with_suffix(".npz"), x=x, y=y)
    export_keras(model, path)
    y_pred: Any = model(x)
    if distribution:
        import tensorflow_probability as tfp

        y_pred = tfp.distributions.Normal(loc=y_pred, scale=1.0)
    loss = np.asarray(model.loss(y, y_pred)).ravel()
    return {"pred": pred, "loss": loss}, distribution


def _reload(jobs: list[dict[str, Any]], plugins: Sequence[str]) -> dict[str, Any]:
    """Loads every saved model in one new Python process; returns what it computed."""
    args = json.dumps({"cases": jobs, "plugins": list(plugins)})
    path = os.pathsep.join(p for p in sys.path if p)  # the modules this process sees
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", _RELOAD, args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("LAMINA-RELOAD ")]
    assert done.returncode == 0 and lines, (
        f"reloading the saved models in a new process failed:\n{done.stderr[-4000:]}"
    )
    return dict(json.loads(lines[-1].removeprefix("LAMINA-RELOAD ")))
