"""Numbers of the visualizations, checked by hand or in closed form on tiny hand-set models.

Written against surviving mutants of ``plugins/lamina_builtin/visualizations``
(scripts/mutation.sh): the best epoch and its markers, the confusion matrix's counts,
normalisation and accuracy, deep dream's objective, the class model's optimum,
SmoothGrad's noise scale and the deconvnet's generic step.
"""

from __future__ import annotations

import numpy as np
import pytest
from lamina_builtin.visualizations.diagnostics import confusion_matrix, training_curves

from lamina.visualize.errors import VisualizationError

HISTORY = {
    "loss": [1.0, 0.6, 0.4, 0.3],
    "val_loss": [1.1, 0.7, 0.9, 1.2],  # best at the second epoch, then over-fitting
    "accuracy": [0.5, 0.7, 0.8, 0.9],
    "val_accuracy": [0.4, 0.6, 0.6, 0.5],
    "lr": [0.1, 0.1, 0.1, 0.1],
}


def test_training_curves_mark_the_best_epoch_and_the_over_fitting_span():
    result = training_curves(history=HISTORY)
    assert result.titles == ["loss", "accuracy"]  # the learning rate is not a metric
    assert result.meta["best_epoch"] == 1
    assert result.meta["overfitting"] is True
    assert result.meta["suptitle"] == "training curves (best epoch 2)"
    loss, accuracy = result.panels
    assert [m.x for m in loss.markers] == [2] and [m.label for m in loss.markers] == ["best"]
    assert list(loss.spans) == [(2, 4, "over-fitting")]
    assert [c.label for c in loss.curves] == ["training", "validation"]
    np.testing.assert_array_equal(loss.curves[1].x, [1, 2, 3, 4])
    np.testing.assert_array_equal(loss.curves[1].y, HISTORY["val_loss"])
    assert [m.x for m in accuracy.markers] == [2]


def test_training_curves_without_over_fitting_or_validation():
    falling = training_curves(history={"loss": [2.0, 1.0], "val_loss": [2.0, 1.5]})
    assert falling.meta["best_epoch"] == 1 and falling.meta["overfitting"] is False
    assert list(falling.panels[0].spans) == []
    alone = training_curves(history={"loss": [2.0, 1.0]})
    assert alone.meta["best_epoch"] is None and "overfitting" not in alone.meta
    assert list(alone.panels[0].markers) == [] and alone.meta["suptitle"] == "training curves"
    with pytest.raises(VisualizationError):
        training_curves(history={})


def test_confusion_matrix_counts_normalises_rows_and_reports_accuracy():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 2]
    result = confusion_matrix(y_true=y_true, y_pred=y_pred, labels=["a", "b", "c", "d"])
    assert result.meta["counts"] == [
        [1, 1, 0, 0],
        [0, 2, 1, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 0],
    ]
    np.testing.assert_allclose(
        result.images,
        [[0.5, 0.5, 0, 0], [0, 2 / 3, 1 / 3, 0], [0, 0, 1, 0], [0, 0, 0, 0]],
        rtol=1e-6,
    )
    assert result.meta["accuracy"] == pytest.approx(4 / 6)
    assert result.meta["labels"] == ["a", "b", "c", "d"]
    assert result.meta["suptitle"] == "confusion matrix (accuracy 66.7%)"


def test_confusion_matrix_takes_one_hot_truth_and_scores_unnormalised():
    y_true = np.eye(3)[[0, 2, 2]]
    scores = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]])
    result = confusion_matrix(y_true=y_true, y_pred=scores, normalize=False)
    assert result.meta["counts"] == [[1, 0, 0], [0, 0, 0], [0, 1, 1]]
    np.testing.assert_array_equal(result.images, result.meta["counts"])
    assert result.meta["labels"] == ["0", "1", "2"] and result.meta["normalized"] is False
    single = confusion_matrix(y_true=np.array([[1], [0]]), y_pred=np.array([[1.0], [0.0]]))
    assert single.meta["counts"] == [[1, 0], [0, 1]]
    two = confusion_matrix(y_true=np.eye(2)[[0, 1, 1]], y_pred=np.eye(2)[[0, 0, 1]])
    assert two.meta["counts"] == [[1, 0], [1, 1]]
    with pytest.raises(VisualizationError, match="differ in length: 3 vs 2"):
        confusion_matrix(y_true=[0, 1, 1], y_pred=[0, 1])


@pytest.mark.parametrize(("filter_", "scale"), [(None, 2.0), (0, 1.0), (1, 3.0)])
def test_deep_dream_excites_the_asked_filter(filter_, scale):
    """The objective is the mean activation of the given filter (of all filters if None):
    a 1x1 ReLU convolution with hand-set kernels 1 and 3 on a positive image gives
    mean(x), 3 mean(x), and their mean 2 mean(x) at the start of the ascent."""
    from lamina_builtin.visualizations import deep_dream

    from lamina.keras import keras

    inp = keras.Input((6, 6, 1))
    conv = keras.layers.Conv2D(2, 1, activation="relu", name="c")
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(conv(inp))))
    conv.set_weights([np.array([1.0, 3.0], "float32").reshape(1, 1, 1, 2), np.zeros(2, "float32")])
    x = np.random.default_rng(0).uniform(0.1, 1.0, size=(6, 6, 1)).astype("float32")
    res = deep_dream(model, input=x, layer="c", filter=filter_, steps=3, jitter=0)
    objective = res.meta["objective"]
    assert objective[0] == pytest.approx(scale * float(x.mean()), rel=1e-5)
    assert objective[-1] > objective[0]  # the ascent raises it
    assert res.titles[-1] == ("dream: c" if filter_ is None else f"dream: c[{filter_}]")


@pytest.mark.parametrize(("scale", "step_size"), [(1.0, 1.0), (0.1, 0.01)])
def test_class_model_reaches_the_closed_form_optimum_of_a_linear_signal_model(scale, step_size):
    """For a linear score ``w . x`` the class model maximises ``w . x - l2 |x|^2 - tv TV(x)``,
    a quadratic whose optimum solves ``(2 l2 + 2 tv D^T D) x_c = w_c`` for each channel c
    (D: differences of neighbours along the signal, never across channels). Plain ascent
    converges to it; a normalised step would circle it. The learning rate is `step_size`
    per standard deviation of the first gradient (0.01 / std(0.1 w) here), capped at the
    inverse curvature 1 / (2 l2 + 8 tv) (the first case)."""
    from lamina_builtin.visualizations import class_model

    from lamina.keras import keras

    length, l2, tv = 8, 0.5, 0.5
    rng = np.random.default_rng(1)
    w = scale * rng.uniform(-1.0, 1.0, size=(length, 2)).astype("float32")
    inp = keras.Input((length, 2))
    dense = keras.layers.Dense(1, use_bias=False)
    model = keras.Model(inp, dense(keras.layers.Flatten()(inp)))
    dense.set_weights([w.reshape(-1, 1)])
    res = class_model(model, 0, steps=150, step_size=step_size, l2=l2, tv=tv, jitter=0)
    d = np.diff(np.eye(length), axis=0)
    optimum = np.linalg.solve(2 * l2 * np.eye(length) + 2 * tv * d.T @ d, w)
    np.testing.assert_allclose(res.meta["image"], optimum, atol=1e-4 * scale)


def test_smoothgrad_noise_scales_with_the_input_range():
    """SmoothGrad's noise is ``noise * (max - min)`` of the input, ``noise`` for a constant
    input. Through a ReLU, the gradient at a pixel is 1 exactly when the noise carries it
    past the kink: 0.5 above a pixel of 12 with sigma = 0.25 * (12 - 10), 0.5 above a
    constant image with sigma = 0.5; either way with probability erfc(1 / sqrt 2) / 2."""
    from math import erfc, sqrt

    from lamina_builtin.visualizations import saliency

    from lamina.keras import keras

    def relu_model(kink):
        inp = keras.Input((4, 4, 1))
        conv = keras.layers.Conv2D(1, 1, activation="relu")
        dense = keras.layers.Dense(1, use_bias=False)
        model = keras.Model(inp, dense(keras.layers.Flatten()(conv(inp))))
        conv.set_weights([np.ones((1, 1, 1, 1), "float32"), np.array([-kink], "float32")])
        dense.set_weights([np.ones((16, 1), "float32")])
        return model

    one_sigma = erfc(1 / sqrt(2)) / 2
    x = np.full((4, 4, 1), 10.0, "float32")
    x[:, 2:] = 12.0
    res = saliency(relu_model(12.5), x, class_index=0, smooth_samples=400, noise=0.25)
    assert float(res.meta["map"][:, 2:].mean()) == pytest.approx(one_sigma, abs=0.03)
    assert float(res.meta["map"][:, :2].mean()) < 0.01  # 5 sigma below the kink
    flat = np.full((4, 4, 1), 10.0, "float32")
    res = saliency(relu_model(10.5), flat, class_index=0, smooth_samples=400, noise=0.5)
    assert float(res.meta["map"].mean()) == pytest.approx(one_sigma, abs=0.03)


@pytest.mark.parametrize("middle", ["pad", "bn"])
def test_deconvnet_crosses_padding_generically_and_batch_norm_by_its_rule(middle):
    """Between the input and a 3x3 ReLU convolution sits a ZeroPadding2D, which has no
    deconvnet rule (the generic step takes its vector-Jacobian product: a crop), or an
    inference BatchNormalization (its rule: the scale gamma / sqrt(var + eps)). The
    projection of the whole map is the transposed convolution of the rectified map,
    taken back through that layer."""
    from lamina_builtin.visualizations import deconvnet

    from lamina.keras import keras

    rng = np.random.default_rng(2)
    kernel = rng.normal(size=(3, 3)).astype("float32")
    x = rng.uniform(size=(5, 5, 1)).astype("float32")
    gamma, beta, mean, var, eps = 1.5, 0.2, 0.4, 0.25, 1e-3
    inp = keras.Input((5, 5, 1))
    if middle == "pad":
        layer = keras.layers.ZeroPadding2D(1, name="pad")
        z, scale, crop = np.pad(x[..., 0], 1), 1.0, 1
    else:
        layer = keras.layers.BatchNormalization(epsilon=eps, name="bn")
        scale, crop = gamma / np.sqrt(var + eps), 0
        z = (x[..., 0] - mean) * scale + beta
    conv = keras.layers.Conv2D(1, 3, activation="relu", use_bias=False, name="c")
    model = keras.Model(inp, conv(layer(inp)))
    conv.set_weights([kernel.reshape(3, 3, 1, 1)])
    if middle == "bn":
        layer.set_weights([np.array([v], "float32") for v in (gamma, beta, mean, var)])
    res = deconvnet(model, input=x, layer="c", filter=0, unit="all")
    n = z.shape[0] - 2
    act = np.array(
        [
            [max(0.0, float((kernel * z[p : p + 3, q : q + 3]).sum())) for q in range(n)]
            for p in range(n)
        ]
    )
    back = np.zeros_like(z)
    for p in range(n):
        for q in range(n):
            back[p : p + 3, q : q + 3] += act[p, q] * kernel
    expected = scale * back[crop : crop + 5, crop : crop + 5]
    assert res.meta["generic_layers"] == (["pad"] if middle == "pad" else [])
    np.testing.assert_allclose(res.meta["map"][..., 0], expected, rtol=1e-4, atol=1e-5)


def test_gradient_ascent_takes_plain_steps_without_jitter_by_default():
    """With ``normalize=False`` a step is ``x + step_size * grad``: on the objective
    ``-|x - t|^2`` a step of 0.25 halves the distance to t. Any shift of the image
    (jitter) would move it against the fixed t; ``clip`` bounds the pixels after each step."""
    from lamina_builtin.visualizations.ascent import gradient_ascent

    from lamina.keras import tf

    rng = np.random.default_rng(3)
    target = rng.uniform(-1.0, 1.0, size=(1, 6, 5, 1)).astype("float32")
    start = rng.uniform(-1.0, 1.0, size=(1, 6, 5, 1)).astype("float32")

    def objective(img):
        return -tf.reduce_sum((img - target) ** 2)

    out, values = gradient_ascent(objective, start, 3, 0.25, normalize=False)
    np.testing.assert_allclose(out, target + (start - target) / 8, atol=1e-6)
    assert values[0] == pytest.approx(-float(((start - target) ** 2).sum()), rel=1e-5)
    clipped, _ = gradient_ascent(objective, start, 3, 0.25, normalize=False, clip=(-0.5, 0.5))
    reference = start
    for _ in range(3):
        reference = np.clip(reference + 0.5 * (target - reference), -0.5, 0.5)
    np.testing.assert_allclose(clipped, reference, atol=1e-6)


def strided_same_model():
    """A stride-2 'same' 3x3 convolution on 9x9 pixels, then a stride-1 'same' 3x3 ("b"),
    both with all-ones kernels. On 9 pixels TF pads one pixel before (the odd pixel of
    padding goes after), so unit j of "b" sees input pixels 2j - 3 .. 2j + 3."""
    from lamina.keras import keras

    inp = keras.Input((9, 9, 1))
    first = keras.layers.Conv2D(1, 3, strides=2, padding="same", use_bias=False)
    second = keras.layers.Conv2D(1, 3, padding="same", use_bias=False, name="b")
    model = keras.Model(inp, second(first(inp)))
    for conv in (first, second):
        conv.set_weights([np.ones((3, 3, 1, 1), "float32")])
    return model


def test_receptive_field_of_strided_same_padding_matches_the_gradient_support():
    """The field of a unit is exactly where its gradient is nonzero (nothing cancels)."""
    from lamina_builtin.visualizations.top9 import receptive_field

    from lamina.keras import tf

    model = strided_same_model()
    rf = receptive_field(model, model.get_layer("b"))
    assert rf["size"] == [7.0, 7.0] and rf["jump"] == [2.0, 2.0]
    x = tf.constant(np.ones((1, 9, 9, 1), "float32"))
    for unit in ((2, 2), (2, 3)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = model(x)[0, unit[0], unit[1], 0]
        rows, cols = np.nonzero(np.asarray(tape.gradient(value, x))[0, ..., 0])
        for axis, found in ((0, rows), (1, cols)):
            centre = rf["start"][axis] + unit[axis] * rf["jump"][axis]
            assert (found.min(), found.max()) == (centre - 3, min(centre + 3, 8)), (unit, axis)


def test_top9_takes_the_strongest_inputs_in_order_and_cuts_their_fields():
    """The k inputs whose strongest unit is highest, best first, each cut to the field
    of that unit: pixels 2j - 3 .. 2j + 3 of the input, clipped to it."""
    from lamina_builtin.visualizations import top9

    model = strided_same_model()
    x = np.random.default_rng(10).uniform(size=(40, 9, 9, 1)).astype("float32")
    act = np.asarray(model(x))[..., 0]
    best = act.reshape(40, -1).max(axis=1)
    res = top9(model, data=x, layer="b", k=5)
    assert res.meta["indices"] == np.argsort(-best)[:5].tolist()
    np.testing.assert_allclose(res.meta["values"], np.sort(best)[::-1][:5], rtol=1e-6)
    meta = res.meta
    for idx, pos, box in zip(meta["indices"], meta["positions"], meta["boxes"], strict=True):
        assert act[idx][tuple(pos)] == best[idx]
        assert box == [(max(2 * j - 3, 0), min(2 * j + 4, 9)) for j in pos]
    few = top9(model, data=x[:4], layer="b")  # k = 9 of 4 inputs: all of them, in order
    assert few.meta["indices"] == np.argsort(-best[:4]).tolist()


@pytest.mark.parametrize(
    ("kind", "make_map"),
    [
        ("deconvnet", lambda m: m),  # (T, C): channels summed
        ("gradcam", lambda m: m.sum(axis=-1)[None]),  # a (1, T) strip
        ("occlusion", lambda m: m.sum(axis=-1)),  # already (T,)
    ],
)
def test_attribution_band_of_a_signal_is_the_map_summed_over_channels(kind, make_map):
    """A 1-D attribution is drawn as one band over the signal: a ``(T, C)`` map summed over
    its channels, a ``(1, T)`` strip flattened; the signal's channels are its own lines."""
    from lamina_builtin.visualizations.signals import as_curves

    from lamina.visualize.result import Result

    rng = np.random.default_rng(4)
    x = rng.normal(size=(1, 7, 2))
    m = rng.uniform(size=(7, 2))
    res = as_curves(Result(kind, np.zeros((1, 7)), [kind], {"map": make_map(m)}), x)
    (panel,) = res.panels
    lines = [c for c in panel.curves if c.kind == "line"]
    (band,) = [c for c in panel.curves if c.kind == "band"]
    assert [c.label for c in lines] == ["input ch 0", "input ch 1"]
    np.testing.assert_allclose(lines[1].y, x[0, :, 1])
    np.testing.assert_allclose(band.y, m.sum(axis=-1))
    np.testing.assert_allclose(band.x, np.arange(7))
    assert res.meta["plot"] == "curves"


@pytest.mark.parametrize(("n", "columns"), [(3, 1), (4, 3)])
def test_top9_signals_are_one_column_up_to_three_then_three_columns(n, columns):
    from lamina_builtin.visualizations.signals import as_curves

    from lamina.visualize.result import Result

    x = np.random.default_rng(5).normal(size=(6, 10, 1))
    meta = {"indices": list(range(n)), "boxes": [[(2, 5)]] * n}
    res = as_curves(Result("top9", np.zeros((n, 10)), [], meta), x)
    assert res.meta["columns"] == columns and len(res.panels) == n
    assert res.panels[1].curves[0].y.tolist() == x[1, :, 0].tolist()
    assert list(res.panels[0].spans) == [(2.0, 4.0, "receptive field")]


def test_overfitting_needs_the_validation_loss_to_rise_after_its_best_epoch():
    """A plateau at the minimum (the best epoch is the first of equal values) is not
    over-fitting: the last value must be above the best one."""
    plateau = training_curves(history={"loss": [3.0, 2.0, 1.0], "val_loss": [2.0, 1.0, 1.0]})
    assert plateau.meta["best_epoch"] == 1 and plateau.meta["overfitting"] is False
    rising = training_curves(history={"loss": [3.0, 2.0, 1.0], "val_loss": [2.0, 1.0, 1.5]})
    assert rising.meta["overfitting"] is True


def test_filters_of_a_one_d_convolution_are_drawn_per_tap():
    """A Conv1D kernel (3-D) is a layer with filters: each filter is a curve over its taps."""
    from lamina_builtin.visualizations import filters

    from lamina.keras import keras

    inp = keras.Input((12, 1))
    conv = keras.layers.Conv1D(2, 5, name="c1")
    model = keras.Model(inp, conv(inp))
    kernel = np.random.default_rng(6).normal(size=(5, 1, 2)).astype("float32")
    conv.set_weights([kernel, np.zeros(2, "float32")])
    res = filters(model)
    assert res.meta["layer"] == "c1" and len(res.panels) == 2
    np.testing.assert_allclose(res.panels[1].curves[0].y, kernel[:, 0, 1])
    np.testing.assert_allclose(res.panels[1].curves[0].x, [-2, -1, 0, 1, 2])


def test_deconvnet_projects_a_dense_unit_through_the_transposed_weights():
    """Below a Dense layer the deconvnet takes the signal of the strongest unit through
    the transposed weight matrix, rectified at every ReLU layer it crosses."""
    from lamina_builtin.visualizations import deconvnet

    from lamina.keras import keras

    w1 = np.array([[1.0, 0.5, -0.2], [0.3, 1.0, 0.4], [-0.5, 0.2, 1.0], [0.6, -0.4, 0.3]])
    w2 = np.array(
        [[1.0, -0.5, 0.2, 0.1, 0.3], [-0.8, 0.4, 1.0, 0.2, -0.1], [0.5, 0.3, -0.6, 0.1, 0.2]]
    )
    inp = keras.Input((2, 2, 1))
    d1 = keras.layers.Dense(3, activation="relu", name="d1")
    d2 = keras.layers.Dense(5, activation="relu", name="d2")
    model = keras.Model(inp, d2(d1(keras.layers.Flatten()(inp))))
    d1.set_weights([w1.astype("float32"), np.zeros(3, "float32")])
    d2.set_weights([w2.astype("float32"), np.zeros(5, "float32")])
    x = np.array([0.9, 0.2, 0.4, 0.7], "float32").reshape(2, 2, 1)
    out = np.maximum(np.maximum(x.reshape(-1) @ w1, 0) @ w2, 0)
    top = int(np.argmax(out))
    e = np.zeros(5)
    e[top] = out[top]
    assert (e @ w2.T).min() < 0 < out[top]  # the backward ReLU at d1 cuts something
    res = deconvnet(model, input=x, layer="d2", unit="all")
    assert res.meta["filter"] == top
    assert res.meta["generic_layers"] == []  # Dense has its own rule
    expected = np.maximum(e @ w2.T, 0) @ w1.T
    np.testing.assert_allclose(res.meta["map"].reshape(-1), expected, rtol=1e-5, atol=1e-7)


def test_deep_dream_from_noise_is_reproducible_with_seed_zero_by_default():
    """Without a start input, deep dream starts from noise drawn with `seed` (default 0)."""
    from lamina_builtin.visualizations import deep_dream

    from lamina.keras import keras

    inp = keras.Input((6, 6, 1))
    model = keras.Model(inp, keras.layers.Conv2D(2, 3, activation="relu", name="c")(inp))
    kwargs = {"layer": "c", "steps": 2, "jitter": 0}
    default = deep_dream(model, **kwargs).meta["image"]
    np.testing.assert_array_equal(default, deep_dream(model, seed=0, **kwargs).meta["image"])
    assert not np.allclose(default, deep_dream(model, seed=1, **kwargs).meta["image"])


def test_stack_pair_turns_a_colour_map_grey_for_a_grey_input_and_scales_both():
    from lamina_builtin.visualizations.gradients import stack_pair

    rng = np.random.default_rng(8)
    grey, colour = rng.uniform(2.0, 5.0, size=(4, 6)), rng.uniform(size=(4, 6, 3))

    def unit(a):
        return (a - a.min()) / (a.max() - a.min())

    pair = stack_pair(grey, colour)
    np.testing.assert_allclose(pair[0], unit(grey), rtol=1e-5)
    np.testing.assert_allclose(pair[1], unit(colour.mean(axis=-1)), rtol=1e-5)
    swapped = stack_pair(colour, grey)
    np.testing.assert_allclose(swapped[0], unit(colour.mean(axis=-1)), rtol=1e-5)
    signal, strip = rng.uniform(size=(6, 3)), rng.uniform(size=(1, 6))  # (T, C), a (1, T) map
    drawn = stack_pair(signal, strip)
    np.testing.assert_allclose(drawn[0], unit(signal.T), rtol=1e-5)  # channels as rows
    np.testing.assert_allclose(drawn[1], np.repeat(unit(strip), 3, axis=0), rtol=1e-5)


def test_weight_histograms_count_every_weight_under_its_layer_and_name():
    from lamina_builtin.visualizations import weight_histograms

    from lamina.keras import keras

    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(4, name="d")(inp))
    kernel, bias = (w.numpy() for w in model.get_layer("d").weights)
    res = weight_histograms(model, bins=5)
    first, second = res.meta["histograms"]
    assert first["title"] == f"d/kernel (std {kernel.std():.3g})"
    assert second["title"] == "d/bias (std 0)"
    counts, edges = np.histogram(kernel.ravel(), bins=5)
    assert list(first["counts"]) == counts.tolist() and sum(first["counts"]) == 12
    np.testing.assert_allclose(first["edges"], edges)


def test_feature_maps_of_a_signal_are_one_strip_per_channel():
    from lamina_builtin.visualizations import feature_maps

    from lamina.keras import keras

    inp = keras.Input((7, 1))
    conv = keras.layers.Conv1D(3, 1, use_bias=False, name="c")
    model = keras.Model(inp, conv(inp))
    conv.set_weights([np.array([1.0, -2.0, 3.0], "float32").reshape(1, 1, 3)])
    x = np.random.default_rng(11).normal(size=(7, 1)).astype("float32")
    res = feature_maps(model, input=x, layer="c")
    assert res.images.shape == (3, 1, 7)
    np.testing.assert_allclose(res.images[2, 0], 3.0 * x[:, 0], rtol=1e-6)
    dense = keras.Model(inp, keras.layers.Dense(4, name="d")(keras.layers.Flatten()(inp)))
    vector = feature_maps(dense, input=x, layer="d")
    assert vector.images.shape == (1, 1, 4)
    np.testing.assert_allclose(vector.images[0, 0], np.asarray(dense(x[None]))[0], rtol=1e-6)


@pytest.mark.parametrize("channels", [3, 2, 1])
def test_dense_filters_on_an_image_input_are_images(channels):
    """A Dense layer on a flattened image shows each unit's weights as an image of the
    input: in colour for an RGB input, summed over channels otherwise."""
    from lamina_builtin.visualizations import filters

    from lamina.keras import keras

    inp = keras.Input((3, 2, channels), name="img")
    dense = keras.layers.Dense(4, name="d")
    model = keras.Model(inp, dense(keras.layers.Flatten()(inp)))
    per_unit = np.asarray(dense.kernel).T.reshape(4, 3, 2, channels)
    res = filters(model, layer="d")
    if channels == 3:
        assert res.meta["mode"] == "dense weights as input images"
        np.testing.assert_allclose(res.images, per_unit, rtol=1e-6)
    elif channels == 1:  # a grey input: one grey image per unit
        assert res.meta["mode"] == "dense weights as input images"
        np.testing.assert_allclose(res.images, per_unit[..., 0], rtol=1e-6)
    else:
        assert res.meta["mode"] == "weights on img's positions, summed over channels"
        np.testing.assert_allclose(res.images, per_unit.sum(axis=-1), rtol=1e-5)


def test_feature_maps_of_an_image_are_one_image_per_channel():
    """A (H, W, C) activation becomes C images of H x W, channel c from filter c."""
    from lamina_builtin.visualizations import feature_maps

    from lamina.keras import keras

    inp = keras.Input((4, 6, 1))
    conv = keras.layers.Conv2D(3, 1, use_bias=False, name="c")
    model = keras.Model(inp, conv(inp))
    conv.set_weights([np.array([1.0, -2.0, 3.0], "float32").reshape(1, 1, 1, 3)])
    x = np.random.default_rng(12).normal(size=(4, 6, 1)).astype("float32")
    res = feature_maps(model, input=x, layer="c", max_maps=2)
    assert res.images.shape == (2, 4, 6)  # the first two channels, each (H, W)
    np.testing.assert_allclose(res.images[1], -2.0 * x[..., 0], rtol=1e-6)


def test_confusion_matrix_of_a_single_class_is_one_by_one():
    """Labels and predictions that are all class 0 give a 1 x 1 matrix, not a phantom class."""
    result = confusion_matrix(y_true=[0, 0, 0], y_pred=[0, 0, 0], normalize=False)
    assert result.meta["counts"] == [[3]]
    assert result.meta["labels"] == ["0"] and result.meta["accuracy"] == 1.0


def _occlusion_model(dropout: float):
    from lamina.keras import keras

    inp = keras.Input((5, 5, 1))
    flat = keras.layers.Dropout(dropout, seed=1)(keras.layers.Flatten()(inp))
    dense = keras.layers.Dense(2, use_bias=False, name="d")
    model = keras.Model(inp, dense(flat))
    w = np.linspace(-1.0, 1.0, 50, dtype="float32").reshape(25, 2)
    dense.set_weights([w])
    return model, w


def test_occlusion_with_a_patch_larger_than_the_input_hides_all_of_it_at_inference():
    """A patch wider than the image is one patch over the whole image; the drop is the
    inference score of the image minus that of the filled image (dropout is off for both)."""
    from lamina_builtin.visualizations import occlusion

    model, w = _occlusion_model(0.5)
    x = np.random.default_rng(13).uniform(size=(5, 5, 1)).astype("float32")
    res = occlusion(model, input=x, class_index=1, patch=8, stride=4, fill=0.25)
    assert res.meta["positions"] == [(0, 0)]
    base = float(x.reshape(-1) @ w[:, 1])
    filled = float(np.full(25, 0.25) @ w[:, 1])
    assert res.meta["base_score"] == pytest.approx(base, rel=1e-5)
    np.testing.assert_allclose(res.meta["map"], np.full((5, 5), base - filled), rtol=1e-5)


def test_occlusion_refuses_a_volume_and_names_the_sample_shape():
    from lamina_builtin.visualizations import occlusion

    from lamina.keras import keras

    inp = keras.Input((2, 3, 4, 1))
    model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Flatten()(inp)))
    with pytest.raises(VisualizationError, match=r"got input \(2, 3, 4, 1\)$"):
        occlusion(model, input=np.zeros((2, 3, 4, 1), "float32"))


def test_occlusion_band_of_a_layer_spreads_over_the_whole_signal():
    """On a (T, C) signal the curves are the channels (a single channel is the signal itself,
    unlabelled) and the bands, even a shorter response map, span the T input samples."""
    from lamina_builtin.visualizations.signals import as_curves

    from lamina.visualize import Result

    x = np.random.default_rng(14).normal(size=(1, 40, 2))
    meta = {"map": np.ones((40, 2)), "response_map": np.ones(10), "layer": "pool"}
    panel = as_curves(Result("occlusion", np.zeros((0,)), meta=meta), x).panels[-1]
    lines = [c for c in panel.curves if c.kind != "band"]
    assert [c.label for c in lines] == ["input ch 0", "input ch 1"]
    band, response = [c for c in panel.curves if c.kind == "band"]
    np.testing.assert_array_equal(band.x, np.arange(40))
    assert response.label == "mean response of pool"
    np.testing.assert_allclose(response.x, (np.arange(10) + 0.5) * 4 - 0.5)
    one = as_curves(Result("occlusion", np.zeros((0,)), meta=meta), x[:, :, :1]).panels[-1]
    assert [c.label for c in one.curves if c.kind != "band"] == ["input"]


#: The smallest value each bounded parameter takes (a count of patches, steps or samples
#: starts at 1, an index or a weight at 0), and the choices of the choice parameters.
LOWEST = [
    ("top9", "k", 1, 1),
    ("top9", "filter", 0, 1),
    ("saliency", "smooth_samples", 0, 1),
    ("saliency", "noise", 0.0, 0.01),
    ("occlusion", "patch", 1, 1),
    ("occlusion", "stride", 1, 1),
    ("deep_dream", "steps", 1, 1),
    ("deep_dream", "octaves", 1, 1),
    ("class_model", "steps", 1, 1),
    ("class_model", "l2", 0.0, 0.01),
    ("class_model", "tv", 0.0, 0.01),
]


@pytest.mark.parametrize(("kind", "name", "lowest", "step"), LOWEST)
def test_bounded_parameters_take_their_lowest_value_and_refuse_one_below(kind, name, lowest, step):
    from lamina.build import check_params
    from lamina.plugins import get_registry

    registry = get_registry()
    entry = registry.get("visualization", kind)

    def problems(value):  # the inputs the caller passes (arrays) are left out
        found = check_params(entry, {name: value}, kind, registry)
        return [(p.path, p.message) for p in found if not p.message.startswith("required")]

    assert problems(lowest) == []
    assert problems(lowest - step) == [
        (f"{kind}.params.{name}", f"expected a value >= {lowest}, got {lowest - step!r}")
    ]


def test_choice_parameters_and_hidden_ones_of_the_visualizations():
    from lamina.plugins import get_registry

    registry = get_registry()
    assert registry.get("visualization", "filters").param("mode").choices == (
        "auto",
        "colour",
        "sum",
        "channel",
    )
    assert registry.get("visualization", "deconvnet").param("unit").choices == ("max", "all")
    for kind in ("deep_dream", "class_model"):  # a callback is not a form field
        assert registry.get("visualization", kind).param("on_step") is None
    assert all(
        e.param("model") is None and e.param("axis") is None
        for e in registry.entries("visualization")
    )


def _relu_conv_model(size: int = 16):
    from lamina.keras import keras

    inp = keras.Input((size, size, 1))
    conv = keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="c")
    return keras.Model(inp, keras.layers.Dense(3)(keras.layers.Flatten()(conv(inp))))


def test_deep_dream_octaves_grow_from_four_pixels_at_least_to_the_input_size():
    """Octave o of n is the input shrunk by ``octave_scale ** (n - 1 - o)``, never under
    4 pixels a side; the step numbers run on across octaves."""
    from lamina_builtin.visualizations import deep_dream

    seen = []
    res = deep_dream(
        _relu_conv_model(16),
        layer="c",
        steps=2,
        octaves=4,
        octave_scale=2.0,
        on_step=lambda i, img: seen.append((i, img.shape)),
    )
    sides = [4, 4, 8, 16]  # 16 / 8 = 2 -> 4, 16 / 4, 16 / 2, 16
    assert seen == [(i, (sides[i // 2], sides[i // 2], 1)) for i in range(8)]
    assert len(res.meta["objective"]) == 8
    assert res.meta["suptitle"] == "deep dream on c, 4 octave(s) x 2 steps"


def test_ascent_with_a_zero_step_keeps_the_start_noise_of_the_seed():
    """With a step size of 0 the image is the start: deep dream's grey noise
    ``0.5 + 0.1 N(0, 1)`` and the class model's ``0.01 N(0, 1)``, drawn with `seed`; the
    shown start image is scaled to [0, 1]."""
    from lamina_builtin.visualizations import class_model, deep_dream

    model = _relu_conv_model(6)
    noise = np.random.default_rng(3).standard_normal((6, 6, 1))
    dream = deep_dream(model, layer="c", steps=2, step_size=0.0, jitter=2, seed=3)
    start = (0.5 + 0.1 * noise).astype("float32")
    np.testing.assert_allclose(dream.meta["image"], start, rtol=1e-6)
    shown = (start[..., 0] - start.min()) / (start.max() - start.min())
    np.testing.assert_allclose(dream.images[0], shown, rtol=1e-5, atol=1e-6)
    assert dream.titles == ["start", "dream: c"]
    cm = class_model(model, class_index=1, steps=2, step_size=0.0, seed=3)
    start = (0.01 * noise).astype("float32")
    np.testing.assert_allclose(cm.meta["image"], start, rtol=1e-6)
    score = float(np.asarray(model(start[None]))[0, 1])
    assert cm.meta["score"] == pytest.approx(score, rel=1e-5)
    assert cm.titles == ["class 1"]
    assert cm.meta["suptitle"] == "class model of class 1 (L2 0.01, TV 0.0)"


def _wavelengths():
    from lamina.visualize.axis import SignalAxis

    return SignalAxis(
        name="wavelength",
        unit="Å",
        values=4000.0 + 2.0 * np.arange(40),
        signal="flux",
        lines={"Hα": 4040.0},
        redshift=[0.0, 0.5, 0.25],
    )


def test_signal_panels_carry_the_axis_and_each_sample_s_redshifted_lines():
    """Against a wavelength axis: kernels by their offset in Å from the centre tap, each
    top-9 sample with its own redshifted lines, the signal's name on the y axis."""
    from lamina_builtin.visualizations.signals import as_curves

    from lamina.visualize import Result

    ax = _wavelengths()
    kernel = np.arange(3 * 2 * 4, dtype="float32").reshape(3, 2, 4)  # 3 taps, 2 in, 4 out
    filt = as_curves(Result("filters", np.zeros((0,)), meta={"kernel": kernel}), None, ax)
    assert [p.title for p in filt.panels] == ["filter 0", "filter 1", "filter 2", "filter 3"]
    first = filt.panels[3]
    assert (first.x_label, first.x_unit, first.y_label) == ("wavelength offset", "Å", "weight")
    assert [c.label for c in first.curves] == ["in 0", "in 1"]
    np.testing.assert_array_equal(first.curves[1].x, [-2.0, 0.0, 2.0])
    np.testing.assert_array_equal(first.curves[1].y, kernel[:, 1, 3])
    assert filt.meta["plot"] == "curves" and filt.meta["axis"] == "wavelength [Å]"
    one_in = as_curves(Result("filters", np.zeros((0,)), meta={"kernel": kernel[:, :1]}), None)
    assert [c.label for c in one_in.panels[0].curves] == [""]  # one input: no legend
    assert (one_in.panels[0].x_label, one_in.panels[0].x_unit) == ("offset", "px")
    data = np.random.default_rng(15).normal(size=(3, 40, 1))
    meta = {"indices": [2, 1, 0], "boxes": [[(4, 5)], [], []]}  # half-open: one pixel
    top = as_curves(Result("top9", np.zeros((0,)), meta=meta), data, ax)
    assert [[(m.label, m.x) for m in p.markers] for p in top.panels] == [
        [("Hα", 4040.0 * 1.25)],
        [("Hα", 4040.0 * 1.5)],
        [("Hα", 4040.0)],
    ]
    assert top.panels[0].spans == ((4008.0, 4008.0, "receptive field"),)
    assert (top.panels[0].y_label, top.panels[0].x_label) == ("flux", "wavelength")
    np.testing.assert_array_equal(top.panels[1].curves[0].y, data[1, :, 0])


@pytest.mark.parametrize(("maps", "columns"), [(5, 1), (6, 2)])
def test_feature_map_panels_of_a_signal_stack_in_one_column_up_to_six(maps, columns):
    from lamina_builtin.visualizations.signals import as_curves

    from lamina.visualize import Result

    x = np.random.default_rng(16).normal(size=(1, 40, 1))
    images = np.arange(maps * 10, dtype="float32").reshape(maps, 1, 10)
    res = as_curves(Result("feature_maps", images, [f"c[{i}]" for i in range(maps)]), x)
    assert len(res.panels) == maps + 1 and res.meta["columns"] == columns
    assert res.panels[0].title == "input" and res.panels[-1].title == f"c[{maps - 1}]"
    assert res.panels[-1].y_label == "activation"
    np.testing.assert_array_equal(res.panels[-1].curves[0].y, images[-1, 0])
    np.testing.assert_allclose(res.panels[-1].curves[0].x, (np.arange(10) + 0.5) * 4 - 0.5)


def test_synthesised_signals_are_drawn_with_their_start():
    from lamina_builtin.visualizations.signals import as_curves

    from lamina.visualize import Result

    x = np.random.default_rng(17).normal(size=(1, 40, 1))
    dream = np.ones((40, 1))
    res = as_curves(
        Result("deep_dream", np.zeros((0,)), ["start", "dream: c"], {"image": dream}), x
    )
    (panel,) = res.panels
    assert [c.label for c in panel.curves] == ["start", "dream"]
    assert panel.title == "dream: c"
    np.testing.assert_array_equal(panel.curves[0].y, x[0, :, 0])
    np.testing.assert_array_equal(panel.curves[1].y, dream[:, 0])
    image = np.zeros((40, 2))
    cm = as_curves(Result("class_model", np.zeros((0,)), ["class 1"], {"image": image}), None)
    (panel,) = cm.panels
    assert [c.label for c in panel.curves] == ["class model ch 0", "class model ch 1"]
    assert (panel.title, panel.y_label) == ("class 1", "input")
    image_2d = np.zeros((8, 8, 1))  # an image class model is left to the image renderer
    assert not as_curves(
        Result("class_model", np.zeros((0,)), meta={"image": image_2d}), None
    ).panels


def test_top9_patches_keep_the_field_s_size_blank_outside_the_input_in_any_batches():
    """A field that reaches over the border is shown at its full 7 x 7 size, the part
    outside the input blank (NaN); scoring in batches of 3 changes nothing."""
    from lamina_builtin.visualizations import top9

    model = strided_same_model()
    x = np.random.default_rng(18).uniform(size=(7, 9, 9, 1)).astype("float32")
    x[:3, :2, :2] += 5.0  # a bright top-left corner: the strongest unit sits there
    res = top9(model, data=x, layer="b", k=5)
    small = top9(model, data=x, layer="b", k=5, batch_size=3)
    assert small.meta["indices"] == res.meta["indices"]
    assert small.meta["positions"] == res.meta["positions"]
    np.testing.assert_array_equal(small.images, res.images)
    assert res.images.shape == (5, 7, 7)
    for n, (idx, pos) in enumerate(zip(res.meta["indices"], res.meta["positions"], strict=True)):
        lo = [2 * j - 3 for j in pos]  # the field's first pixel, maybe outside
        patch = np.full((7, 7), np.nan)
        for r in range(7):
            for c in range(7):
                if 0 <= lo[0] + r < 9 and 0 <= lo[1] + c < 9:
                    patch[r, c] = x[idx, lo[0] + r, lo[1] + c, 0]
        np.testing.assert_array_equal(res.images[n], patch)
        assert res.titles[n] == f"#{idx} act {res.meta['values'][n]:.3g}"
    assert np.isnan(res.images).any()  # some field reaches over the border
    assert res.meta["suptitle"] == "top-5 inputs for b[0]"
    assert top9(model, data=x[:2], layer="b").meta["suptitle"] == "top-2 inputs for b[0]"
    whole = top9(model, data=x, layer="b", k=2, patches=False)
    assert whole.meta["boxes"] == [] and whole.images.shape == (2, 9, 9)


def test_filters_show_kernels_in_colour_summed_or_one_channel_and_refuse_the_rest():
    from lamina_builtin.visualizations import filters

    from lamina.keras import keras

    inp = keras.Input((6, 6, 3))
    first = keras.layers.Conv2D(4, (2, 3), name="c")
    second = keras.layers.Conv2D(2, 1, name="c2")
    flat = keras.layers.Dropout(0.5)(keras.layers.Flatten()(inp))
    model = keras.Model(inp, [second(first(inp)), keras.layers.Dense(2, name="d")(flat)])
    w = np.asarray(first.kernel)  # (2, 3, 3, 4)
    colour = filters(model)  # the first layer with a kernel; 3 input channels: colour
    assert colour.meta["mode"] == "colour" and colour.titles == ["c[0]", "c[1]", "c[2]", "c[3]"]
    np.testing.assert_allclose(colour.images, np.moveaxis(w, 3, 0), rtol=1e-6)
    summed = filters(model, layer="c", mode="sum", max_filters=2)
    np.testing.assert_allclose(summed.images, np.moveaxis(w, 3, 0)[:2].sum(axis=-1), rtol=1e-5)
    assert summed.meta["suptitle"] == "filters of c (sum over input channels)"
    one = filters(model, layer="c", mode="channel", channel=2)
    np.testing.assert_allclose(one.images, np.moveaxis(w[..., 2, :], 2, 0), rtol=1e-6)
    assert one.meta["mode"] == "channel 2"
    assert filters(model, layer="c2").meta["mode"] == "sum over input channels"
    dense = filters(model, layer="d")  # through the dropout to the flattened input
    assert dense.meta["mode"] == "dense weights as input images"
    assert dense.images.shape == (2, 6, 6, 3)
    for bad, message in (
        (
            {"layer": "c", "mode": "channel", "channel": 3},
            r"has 3 input channels, valid range is 0\.\.2$",
        ),
        ({"layer": "c", "mode": "channel", "channel": -1}, r"channel -1 out of range"),
        (
            {"layer": "c2", "mode": "colour"},
            r"^mode 'colour' needs 3 input channels; layer 'c2' has 4$",
        ),
        (
            {"layer": "c", "mode": "rgb"},
            r"^mode must be 'auto', 'colour', 'sum' or 'channel', got 'rgb'$",
        ),
    ):
        with pytest.raises(VisualizationError, match=message):
            filters(model, **bad)


def test_filters_of_a_model_without_kernels_and_of_a_dense_row_say_what_there_is():
    from lamina_builtin.visualizations import filters

    from lamina.keras import keras

    inp = keras.Input((4,))
    hidden = keras.layers.Dense(3, name="h")(keras.layers.Activation("relu", name="a")(inp))
    model = keras.Model(inp, hidden)
    rows = filters(model)
    assert rows.meta["mode"] == "dense weights (one row per unit)"
    np.testing.assert_allclose(rows.images, np.asarray(model.get_layer("h").kernel).T[:, None, :])
    with pytest.raises(
        VisualizationError, match=r"layer 'a' has no kernel to show; layers with kernels: \['h'\]"
    ):
        filters(model, layer="a")
    grey = keras.Input((5, 5, 1))
    single = filters(keras.Model(grey, keras.layers.Conv2D(2, 3)(grey)))
    assert single.meta["mode"] == "single channel" and single.images.shape == (2, 3, 3)
    bare = keras.Model(inp, keras.layers.Activation("relu")(inp))
    with pytest.raises(VisualizationError, match="no layer with a kernel in this model; layers: "):
        filters(bare)


def test_training_curves_read_a_keras_history_and_skip_the_learning_rate():
    from types import SimpleNamespace

    history = SimpleNamespace(history={"loss": [1.0, 0.5], "learning_rate": [0.1, 0.1]})
    model = SimpleNamespace(history=history)  # what Keras leaves on a fitted model
    res = training_curves(model)
    assert res.titles == ["loss"] and res.meta["columns"] == 1
    assert res.meta["series"] == {"loss": {"training": [1.0, 0.5]}}
    two = training_curves(history=HISTORY)
    assert two.meta["columns"] == 2
    with pytest.raises(VisualizationError, match=r"or a Keras History, got list$"):
        training_curves(history=[1.0, 0.5])
    with pytest.raises(VisualizationError, match=r"got NoneType$"):
        training_curves()


@pytest.mark.parametrize(("filter_", "weight"), [(0, 1.0), (1, 2.0), (None, 2.0)])
def test_guided_backprop_of_a_filter_follows_its_strongest_unit(filter_, weight):
    """For a filter, the score is its largest activation over positions (over all filters
    if None): through a 1x1 ReLU convolution with kernels 1 and 2 on a positive image, the
    guided gradient is that filter's kernel at the brightest pixel and 0 elsewhere."""
    from lamina_builtin.visualizations import guided_backprop

    from lamina.keras import keras

    inp = keras.Input((4, 5, 1))
    conv = keras.layers.Conv2D(2, 1, activation="relu", use_bias=False, name="c")
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(conv(inp))))
    conv.set_weights([np.array([1.0, 2.0], "float32").reshape(1, 1, 1, 2)])
    x = np.random.default_rng(19).uniform(0.1, 1.0, size=(4, 5, 1)).astype("float32")
    res = guided_backprop(model, input=x, layer="c", filter=filter_)
    brightest = np.unravel_index(int(np.argmax(x[..., 0])), (4, 5))
    expected = np.zeros((4, 5, 1))
    expected[brightest] = weight
    np.testing.assert_allclose(res.meta["map"], expected, rtol=1e-6)
    assert res.meta["peak"] == [int(v) for v in brightest]
    assert res.titles == ["input", f"guided backprop c[{filter_}]"]
    assert res.meta["suptitle"] == f"guided backpropagation, c[{filter_}]"


def test_occlusion_maps_a_layer_s_mean_response_under_each_patch_in_any_batches():
    """With `layer`, each pixel also gets the mean response of the layer (one filter of
    it) over the occluded copies that hide it; here the layer doubles the image, so a
    copy's response is twice its mean."""
    from lamina_builtin.visualizations import occlusion

    from lamina.keras import keras

    inp = keras.Input((5, 5, 1))
    conv = keras.layers.Conv2D(2, 1, use_bias=False, name="c")
    dense = keras.layers.Dense(1, use_bias=False)
    model = keras.Model(inp, dense(keras.layers.Flatten()(conv(inp))))
    conv.set_weights([np.array([2.0, -1.0], "float32").reshape(1, 1, 1, 2)])
    x = np.random.default_rng(20).uniform(size=(5, 5, 1)).astype("float32")
    res = occlusion(model, input=x, layer="c", filter=0, patch=3, stride=2, fill=0.0, batch_size=2)
    starts = [0, 2]
    total, count = np.zeros((5, 5)), np.zeros((5, 5))
    for r in starts:
        for c in starts:
            hidden = x[..., 0].copy()
            hidden[r : r + 3, c : c + 3] = 0.0
            total[r : r + 3, c : c + 3] += 2.0 * hidden.mean()
            count[r : r + 3, c : c + 3] += 1
    np.testing.assert_allclose(res.meta["response_map"], total / count, rtol=1e-5)
    np.testing.assert_allclose(res.images[1], total / count, rtol=1e-5)
    assert res.titles == ["drop of class 0 score", "mean response of c[0]"]
    assert res.meta["layer"] == "c" and res.meta["positions"] == [(0, 0), (0, 2), (2, 0), (2, 2)]
    whole = occlusion(model, input=x, patch=3, stride=2, fill=0.0)
    np.testing.assert_allclose(res.meta["scores"], whole.meta["scores"], rtol=1e-5)
    with pytest.raises(VisualizationError, match=r"^filter 2 out of range for layer 'c', which"):
        occlusion(model, input=x, layer="c", filter=2)
    assert whole.titles == ["drop of class 0 score"] and "response_map" not in whole.meta


def test_deconvnet_unpools_a_signal_to_the_maxima_of_its_windows():
    """Through a 1-D max pooling, each pooled value goes back to where its window's
    maximum was (the switches), zeros elsewhere; an identity ReLU convolution below."""
    from lamina_builtin.visualizations import deconvnet

    from lamina.keras import keras

    inp = keras.Input((6, 1))
    conv = keras.layers.Conv1D(1, 1, activation="relu", use_bias=False, name="c")
    model = keras.Model(inp, keras.layers.MaxPooling1D(2, name="p")(conv(inp)))
    conv.set_weights([np.ones((1, 1, 1), "float32")])
    x = np.array([0.2, 0.9, 0.5, 0.1, 0.3, 0.8], "float32").reshape(6, 1)
    res = deconvnet(model, input=x, layer="p", filter=0, unit="all")
    np.testing.assert_allclose(res.meta["map"].reshape(-1), [0, 0.9, 0.5, 0, 0, 0.8], rtol=1e-6)


def test_deconvnet_of_a_layer_ignores_the_layers_after_it_and_beside_it():
    """Only the layers between the input and the chosen layer take part: the same
    projection as in the model cut at that layer, whatever follows or branches off."""
    from lamina_builtin.visualizations import deconvnet

    from lamina.keras import keras

    inp = keras.Input((6, 6, 1))
    conv = keras.layers.Conv2D(2, 3, activation="relu", name="c")
    features = conv(inp)
    side = keras.layers.Conv2D(1, 1, name="side")(inp)
    head = keras.layers.Dense(3, name="d")(keras.layers.Flatten()(features))
    full = keras.Model(inp, [head, keras.layers.Flatten()(side)])
    cut = keras.Model(inp, features)
    kernel = np.random.default_rng(23).uniform(-0.5, 1.0, size=(3, 3, 1, 2)).astype("float32")
    conv.set_weights([kernel, np.zeros(2, "float32")])
    x = np.random.default_rng(21).uniform(size=(6, 6, 1)).astype("float32")
    whole = deconvnet(full, input=x, layer="c", filter=1, unit="all")
    alone = deconvnet(cut, input=x, layer="c", filter=1, unit="all")
    assert np.abs(alone.meta["map"]).max() > 0
    np.testing.assert_allclose(whole.meta["map"], alone.meta["map"], rtol=1e-6)
    assert whole.meta["generic_layers"] == []


def test_training_curves_skip_the_learning_rate_wherever_it_comes():
    res = training_curves(history={"lr": [0.1, 0.1], "loss": [1.0, 0.5], "val_loss": [1.2, 0.9]})
    assert res.titles == ["loss"]
    assert res.meta["series"]["loss"] == {"training": [1.0, 0.5], "validation": [1.2, 0.9]}


def test_guided_backprop_refuses_a_filter_the_layer_does_not_have():
    from lamina_builtin.visualizations import guided_backprop

    from lamina.keras import keras

    inp = keras.Input((4, 4, 1))
    model = keras.Model(inp, keras.layers.Conv2D(2, 1, name="c")(inp))
    with pytest.raises(VisualizationError, match=r"^filter 2 out of range for layer 'c'"):
        guided_backprop(model, input=np.ones((4, 4, 1), "float32"), layer="c", filter=2)


@pytest.mark.parametrize(
    ("kind", "method", "label"),
    [
        ("saliency", "SmoothGrad (n=8)", "SmoothGrad"),
        ("saliency", "vanilla gradient", "saliency"),
        ("gradcam", "SmoothGrad", "Grad-CAM"),
    ],
)
def test_the_band_of_a_signal_is_named_after_its_method(kind, method, label):
    from lamina_builtin.visualizations.signals import as_curves

    from lamina.visualize import Result

    x = np.random.default_rng(22).normal(size=(1, 20, 1))
    meta = {"map": np.ones(20), "method": method}
    panel = as_curves(Result(kind, np.zeros((0,)), meta=meta), x).panels[-1]
    (band,) = [c for c in panel.curves if c.kind == "band"]
    assert band.label == label and panel.title == label


def test_gradcam_of_a_class_with_no_positive_evidence_is_a_blank_map():
    """Feature maps that are all zero give a Grad-CAM of zeros, not 0 / 0."""
    from lamina_builtin.visualizations import gradcam

    from lamina.keras import keras

    inp = keras.Input((4, 4, 1))
    conv = keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="c")
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(conv(inp))))
    conv.set_weights([np.zeros((3, 3, 1, 2), "float32"), np.full(2, -1.0, "float32")])
    res = gradcam(model, input=np.ones((4, 4, 1), "float32"), class_index=0)
    np.testing.assert_array_equal(res.meta["map"], np.zeros((4, 4)))


def test_receptive_field_of_a_valid_convolution_after_a_stride_starts_one_jump_in():
    """A 3x3 'valid' convolution after a stride-2 one: unit j sees input pixels 2j .. 2j + 6
    (its centre 3 + 2j), which is where its gradient is nonzero."""
    from lamina_builtin.visualizations.top9 import receptive_field

    from lamina.keras import keras, tf

    inp = keras.Input((11, 11, 1))
    first = keras.layers.Conv2D(1, 3, strides=2, use_bias=False)
    second = keras.layers.Conv2D(1, 3, use_bias=False, name="b")
    model = keras.Model(inp, second(first(inp)))
    for conv in (first, second):
        conv.set_weights([np.ones((3, 3, 1, 1), "float32")])
    rf = receptive_field(model, model.get_layer("b"))
    assert rf == {"size": [7.0, 7.0], "jump": [2.0, 2.0], "start": [3.0, 3.0]}
    x = tf.constant(np.ones((1, 11, 11, 1), "float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = model(x)[0, 1, 0, 0]
    rows, cols = np.nonzero(np.asarray(tape.gradient(value, x))[0, ..., 0])
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (2, 8, 0, 6)


def test_a_confusion_matrix_of_no_samples_has_an_accuracy_of_zero_not_nan():
    result = confusion_matrix(y_true=[], y_pred=[])
    assert result.meta["counts"] == [[0]] and result.meta["accuracy"] == 0.0
