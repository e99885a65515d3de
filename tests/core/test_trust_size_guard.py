"""Finding 5 of issue 14: `check` estimates sizes from shapes and refuses huge models
before allocating their weights."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import lamina
from lamina.cli import main


def _spec(width, units):
    return {
        "input": {"shape": [width]},
        "layers": [{"type": "Dense", "params": {"units": units}}],
        "compile": {"loss": "mean_squared_error"},
    }


def test_check_refuses_a_model_above_the_limit_with_a_located_error(monkeypatch):
    monkeypatch.setenv("LAMINA_MAX_PARAMS", "1000")
    report = lamina.check(_spec(100, 100))
    assert [p.path for p in report.problems] == ["layers[0]"]
    message = report.problems[0].message
    assert "at least 10,000 parameters" in message and "limit of 1,000" in message
    assert "(40.0 KB of weights, about 160.0 KB to train)" in message  # float32: 4 bytes each
    assert "LAMINA_MAX_PARAMS" in message


def test_items_each_under_the_limit_are_refused_together(monkeypatch):
    """Dense 20 -> 30 (630 parameters) then 30 -> 20 (620): 1,250 in all, over 1,000."""
    monkeypatch.setenv("LAMINA_MAX_PARAMS", "1000")
    spec = _spec(20, 30)
    spec["layers"].append({"type": "Dense", "params": {"units": 20}})
    report = lamina.check(spec)
    assert [p.path for p in report.problems] == ["layers[1]"]
    message = report.problems[0].message
    assert "at least 600 parameters" in message  # its kernel, refused before its bias
    assert "with the items before it the model would have at least 1,230" in message
    assert lamina.check(spec, max_params=1250).ok


def test_sizes_in_the_message_change_unit_at_a_thousand():
    """A 1999 x 125 kernel: 249,875 float32 weights, 999,500 bytes; a 10 x 25 one: 1,000."""
    message = lamina.check(_spec(1999, 125), max_params=1000).problems[0].message
    assert "(999.5 KB of weights, about 4.0 MB to train)" in message
    message = lamina.check(_spec(10, 25), max_params=100).problems[0].message
    assert "(1.0 KB of weights, about 4.0 KB to train)" in message


EAGER_SCALE = '''
from lamina.hookspecs import hookimpl
from lamina.keras import layers, tf


class EagerScale(layers.Layer):
    """Makes its scale (n values) when constructed, its kernel when applied.

    Args:
        n: The width. Defaults to `100`.
    """

    def __init__(self, n: int = 100, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.scale = self.add_weight(name="scale", shape=(n,), initializer="ones")

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(int(input_shape[-1]), self.n))

    def call(self, x):
        return tf.matmul(x, self.kernel) * self.scale

    def get_config(self):
        return {**super().get_config(), "n": self.n}


@hookimpl
def register_layers(register):
    register(EagerScale, category="test")
'''


def test_weights_made_by_the_constructor_count_with_those_made_when_applied(lamina_temp_plugin):
    """EagerScale(n=100) on 20 inputs: 100 scale values made at construction (within the
    limit of 1,000), then a 20 x 100 kernel when applied: 2,100 parameters, 8,400 bytes."""
    from lamina.testing import make_registry

    registry = make_registry(lamina_temp_plugin("eager", EAGER_SCALE))
    spec = _spec(20, 1)
    spec["layers"] = [{"type": "EagerScale", "params": {"n": 100}}]
    report = lamina.check(spec, registry=registry, max_params=1000)
    assert [p.path for p in report.problems] == ["layers[0]"]
    message = report.problems[0].message
    assert "EagerScale would have at least 2,100 parameters" in message
    assert "(8.4 KB of weights, about 33.6 KB to train)" in message
    assert lamina.check(spec, registry=registry, max_params=2100).ok


def test_a_weight_made_without_a_dtype_counts_the_bytes_of_its_value():
    """A variable made from a value without naming its dtype: 4 bytes per float32 value,
    8 per float64 value; 4 when nothing tells (an initializer function)."""
    import numpy as np

    from lamina.build.size_guard import size_guard
    from lamina.keras import tf

    with size_guard(1000) as counted:
        tf.Variable(tf.zeros((10, 30)))
    assert counted == [300, 300 * 4]
    with size_guard(1000) as counted:
        tf.Variable(np.zeros((10, 30)))
    assert counted == [300, 300 * 8]
    with size_guard(1000) as counted:
        tf.Variable(lambda: tf.zeros((10, 30)), shape=(10, 30))
    assert counted == [300, 300 * 4]


def test_the_limit_can_be_raised_by_argument_and_env(monkeypatch):
    monkeypatch.setenv("LAMINA_MAX_PARAMS", "1000")
    assert lamina.check(_spec(100, 100), max_params=20_000).ok
    monkeypatch.setenv("LAMINA_MAX_PARAMS", "20000")
    assert lamina.check(_spec(100, 100)).ok


def test_a_bad_limit_is_a_user_error(monkeypatch, tmp_path, capsys):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(_spec(4, 2)))
    monkeypatch.setenv("LAMINA_MAX_PARAMS", "lots")
    assert main(["check", str(path)]) == 2
    assert "LAMINA_MAX_PARAMS" in capsys.readouterr().err


def test_cli_max_params_option(tmp_path, capsys):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(_spec(100, 100)))
    assert main(["check", str(path), "--max-params", "1000"]) == 2
    assert "layers[0]" in capsys.readouterr().err


# CPU time, not wall time: on a busy machine the wall time of two identical processes
# differs by seconds, their CPU time does not (allocating and filling 40 GB would)
_MEASURE = (
    "import resource, subprocess, sys\n"
    "run = subprocess.run([sys.executable, '-m', 'lamina', 'check', sys.argv[1]],"
    " capture_output=True, text=True)\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(run.returncode, use.ru_utime + use.ru_stime, use.ru_maxrss)\n"
    "print(run.stderr)\n"
)


def _measure(path):
    """(exit status, CPU seconds, peak RSS in kB, stderr) of `lamina check path`."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=600
    ).stdout
    first, _, stderr = out.partition("\n")
    code, seconds, rss = first.split()
    return int(code), float(seconds), int(rss), stderr


def test_ten_billion_parameters_refused_without_allocating(tmp_path):
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    small.write_text(json.dumps(_spec(4, 3)))
    big.write_text(json.dumps(_spec(100_000, 100_000)))
    start = time.monotonic()
    code_small, t_small, rss_small, _ = _measure(small)
    code_big, t_big, rss_big, err = _measure(big)
    assert time.monotonic() - start < 600
    assert code_small == 0
    assert code_big == 2, err
    assert "layers[0]" in err and "10,000,000,000 parameters" in err
    assert "internal error" not in err
    assert rss_big <= rss_small + 100 * 1024, (rss_small, rss_big)
    assert t_big <= t_small + 2.0, (t_small, t_big)
