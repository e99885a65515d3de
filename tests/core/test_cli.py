"""The command line: catalogue, plug-ins, check; errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lamina.cli import main


def _write(tmp_path, data, name="spec.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


GOOD = {
    "input": {"shape": [8, 8, 1]},
    "layers": ["Flatten", {"type": "Dense", "params": {"units": 10, "activation": "softmax"}}],
    "compile": {"loss": "sparse_categorical_crossentropy"},
}


def test_check_prints_a_table_of_shapes_and_params(tmp_path, capsys):
    assert main(["check", _write(tmp_path, GOOD)]) == 0
    out = capsys.readouterr().out
    assert "(None, 64)" in out and "(None, 10)" in out and "650" in out
    assert "total params: 650" in out


def test_check_json(tmp_path, capsys):
    assert main(["check", "--json", _write(tmp_path, GOOD)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["output_shape"] == [10]


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {**GOOD, "layers": [{"type": "Dens", "params": {"units": 2}}]},
            "layers[0].type: unknown layer 'Dens'; did you mean 'Dense'",
        ),
        (
            {**GOOD, "layers": [{"type": "Dense", "params": {"units": "2"}}]},
            "layers[0].params.units: expected an int, got '2'",
        ),
        (
            {
                **GOOD,
                "layers": [
                    "Flatten",
                    {"type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}},
                ],
            },
            "layers[1]: Conv2D cannot take input of shape (batch, 64)",
        ),
        ({k: v for k, v in GOOD.items() if k != "input"}, "input: required field is missing"),
        ('{"input": {"shape": [8]}, ', "malformed JSON at line 1"),
    ],
)
def test_bad_specs_give_one_located_error_and_exit_2(tmp_path, capsys, data, message):
    path = _write(tmp_path, data)
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_catalog_lists_and_filters(capsys):
    assert main(["catalog", "--kind", "optimizer"]) == 0
    out = capsys.readouterr().out
    assert "AMSGrad" in out and "Dense" not in out
    assert main(["catalog", "--json", "--kind", "loss"]) == 0
    names = {e["name"] for e in json.loads(capsys.readouterr().out)}
    assert {"mean_squared_error", "categorical_hinge", "huber"} <= names


def test_catalog_shows_one_entry_with_parameters(capsys):
    assert main(["catalog", "Conv2D"]) == 0
    out = capsys.readouterr().out
    assert "kernel_size" in out and "dilation_rate" in out and "(required)" in out
    assert main(["catalog", "Conv2E"]) == 2
    assert "did you mean 'Conv2D'" in capsys.readouterr().err


def test_version_and_help_in_a_real_process():
    out = subprocess.run(
        [sys.executable, "-m", "lamina", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().startswith("lamina ")
    helptext = subprocess.run(
        [sys.executable, "-m", "lamina", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("plugins", "catalog", "check", "schema"):
        assert command in helptext


def test_bad_spec_in_a_real_process_has_no_traceback(tmp_path):
    path = _write(tmp_path, {**GOOD, "layers": [{"type": "Dense", "params": {"units": -1}}]})
    proc = subprocess.run(
        [sys.executable, "-m", "lamina", "check", path], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "layers[0].params.units: expected a value >= 1, got -1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_gui_command_passes_its_arguments_to_the_app(monkeypatch):
    import lamina_gui.app

    seen = []
    monkeypatch.setattr(lamina_gui.app, "main", lambda argv: seen.append(argv) or 0)
    assert main(["gui", "proj", "--no-engine"]) == 0
    assert main(["gui", "--demo"]) == 0
    assert seen == [["proj", "--no-engine"], ["--demo"]]
