"""A kernel larger than its input is a plain message at its parameter (not Keras's text)."""

from __future__ import annotations

import pytest

import lamina
from lamina.build.shape_messages import plain_shape_error


def _spec(kernel: int, pool: int | None = None) -> dict:
    layers = [{"type": "Conv2D", "params": {"filters": 4, "kernel_size": 3}}]
    if pool is not None:
        layers.append({"type": "MaxPooling2D", "params": {"pool_size": pool}})
    layers += [
        {"type": "Conv2D", "params": {"filters": 4, "kernel_size": kernel}},
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 2}},
    ]
    return {
        "name": "m",
        "input": {"shape": [64, 64, 1]},
        "layers": layers,
        "compile": {"loss": "mse", "optimizer": "Adam"},
    }


def test_a_kernel_larger_than_the_input_is_located_at_kernel_size():
    report = lamina.check(_spec(80))
    (problem,) = report.problems
    assert problem.path == "layers[1].params.kernel_size"
    assert problem.message == (
        "Conv2D: kernel size 80 is larger than the 62×62-pixel input it gets; use a kernel "
        "size of at most 62, or fewer down-sampling items before it"
    )
    assert report.items[1].param == "kernel_size"
    assert "downsampling" not in report.items[1].error


def test_the_input_after_pooling_is_the_one_named():
    report = lamina.check(_spec(40, pool=2))
    assert report.problems[0].path == "layers[2].params.kernel_size"
    assert "larger than the 31×31-pixel input" in report.problems[0].message


def test_other_errors_are_left_to_keras_words():
    assert plain_shape_error("Dense", {}, [10], ValueError("expected min_ndim=4")) is None


@pytest.mark.parametrize(
    ("params", "shape", "words", "param"),
    [
        (
            {"kernel_size": [3, 9]},
            [5, 8, 1],
            "kernel size 9 is larger than the 5×8-pixel",
            "kernel_size",
        ),
        (  # a side as large as the kernel is not the one too small
            {"kernel_size": [4, 9]},
            [4, 8, 1],
            "kernel size 9 is larger than the 4×8-pixel",
            "kernel_size",
        ),
        ({}, [1, 1, 4], "pool size 2 is larger than the 1×1-pixel", None),
        ({"kernel_size": 3, "strides": 9}, [4, 4, 1], "4×4-pixel input it gets is too small", None),
    ],
)
def test_plain_words_for_each_case(params, shape, words, param):
    exc = ValueError("One of the dimensions in the output is <= 0 due to downsampling in x")
    message, located = plain_shape_error("Conv2D", params, shape, exc)
    assert words in message and located == param


def test_a_keras_error_is_cut_to_its_first_three_useful_lines():
    from lamina.build.symbolic import short_error

    keras_text = (
        "Exception encountered when calling layer 'conv' (type Conv2D).\n\n"
        "Negative dimension size caused by subtracting 80 from 64.\n"
        "Call arguments received by layer 'conv' (type Conv2D):\n"
        "  • inputs=tf.Tensor(shape=(None, 64, 64, 1), dtype=float32)\n"
        "Input shape: (None, 64, 64, 1)\n"
        "Kernel: (80, 80)\n"
    )
    assert short_error(ValueError(keras_text)) == (
        "Exception encountered when calling layer 'conv' (type Conv2D)."
        " Negative dimension size caused by subtracting 80 from 64."
        " Input shape: (None, 64, 64, 1)"
    )
    assert short_error(ValueError("")) == "ValueError"
    only_dump = "Traceback (most recent call last):\n  File 'x.py', line 1"
    assert short_error(RuntimeError(only_dump)) == "Traceback (most recent call last):"
    long = short_error(ValueError("x" * 1000))
    assert len(long) == 400 and long.endswith("...")
