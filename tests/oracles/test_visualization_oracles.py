"""The visualizations checked against independent references on tiny hand-set models.

Every model here is built by lamina from a spec and then given fixed, seeded weights;
the references are written in plain numpy (float64) from the methods' definitions:

- saliency: ``|dS_c/dx|`` (max over channels) against central finite differences of a
  numpy forward pass of the same network (``S_c`` the pre-softmax score);
- Grad-CAM: ``relu(sum_k w_k A_k)`` with ``w_k`` the spatial mean of ``dS_c/dA_k``;
- guided backpropagation: at each ReLU the backward signal becomes
  ``relu(g) * (forward input > 0)``;
- deconvnet: unpooling with the forward switches, ``relu`` of the backward signal at
  each ReLU (no forward mask), transposed filters at each convolution;
- occlusion: a brute-force loop over the patch positions.

Each method is asked for a class that is *not* the predicted one, so a method that
silently uses the predicted class fails.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import lamina
from lamina import item

# --------------------------------------------------------------------------- numpy reference


def conv_same(x: np.ndarray, k: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Keras Conv2D, stride 1, padding "same" (cross-correlation), one sample (H, W, C)."""
    kh, kw, _, n = k.shape
    ph, pw = (kh - 1) // 2, (kw - 1) // 2
    xp = np.pad(x, ((ph, kh - 1 - ph), (pw, kw - 1 - pw), (0, 0)))
    h, w = x.shape[:2]
    out = np.zeros((h, w, n))
    for i in range(h):
        for j in range(w):
            out[i, j] = np.tensordot(xp[i : i + kh, j : j + kw], k, axes=3) + b
    return out


def conv_same_transpose(g: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The transpose of `conv_same` (its input gradient) applied to a signal `g`."""
    kh, kw, c, _ = k.shape
    ph, pw = (kh - 1) // 2, (kw - 1) // 2
    h, w = g.shape[:2]
    gp = np.zeros((h + kh - 1, w + kw - 1, c))
    for i in range(h):
        for j in range(w):
            gp[i : i + kh, j : j + kw] += np.tensordot(k, g[i, j], axes=([3], [0]))
    return gp[ph : ph + h, pw : pw + w]


def maxpool2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max pooling, stride 2; returns the output and the switches (a 0/1 mask)."""
    h, w, c = x.shape
    out = np.zeros((h // 2, w // 2, c))
    switch = np.zeros_like(x)
    for i in range(h // 2):
        for j in range(w // 2):
            for ch in range(c):
                win = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2, ch]
                a, bb = np.unravel_index(int(np.argmax(win)), win.shape)
                out[i, j, ch] = win[a, bb]
                switch[2 * i + a, 2 * j + bb, ch] = 1.0
    return out, switch


def unpool2(s: np.ndarray, switch: np.ndarray) -> np.ndarray:
    """Max unpooling: each value goes back to the position of its window's maximum."""
    up = np.repeat(np.repeat(s, 2, axis=0), 2, axis=1)
    return up * switch


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


# --------------------------------------------------------------------------- models


def hand_set(model, seed: int, scale: float = 0.6):
    """Gives every layer with weights seeded normal weights (returns them by layer type)."""
    rng = np.random.default_rng(seed)
    weights = []
    for layer in model.layers:
        if layer.get_weights():
            ws = [rng.normal(0.0, scale, size=w.shape) for w in layer.get_weights()]
            layer.set_weights([w.astype("float32") for w in ws])
            weights.append([w.astype("float32").astype("float64") for w in ws])
    return weights


def build(input_shape, layers):
    spec = lamina.make_spec(input_shape, layers, loss="sparse_categorical_crossentropy")
    return lamina.build_model(spec)


def probs(model, x: np.ndarray) -> np.ndarray:
    return np.asarray(model(x[None].astype("float32"), training=False))[0].astype("float64")


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def not_predicted(p: np.ndarray) -> int:
    """A class other than the predicted one (the least probable)."""
    c = int(np.argmin(p))
    assert c != int(np.argmax(p))
    return c


CONV = {"kernel_size": 3, "padding": "same", "activation": "relu"}


# --------------------------------------------------------------------------- saliency


@pytest.fixture(scope="module")
def saliency_case():
    """Conv(relu) -> MaxPool -> Flatten -> Dense(softmax) on a 6x6x2 input."""
    model = build(
        [6, 6, 2],
        [
            item("Conv2D", filters=3, **CONV),
            item("MaxPooling2D", pool_size=2),
            "Flatten",
            item("Dense", units=3, activation="softmax"),
        ],
    )
    (k, b), (w, bd) = hand_set(model, seed=1)
    x = np.random.default_rng(2).normal(0.0, 1.0, size=(6, 6, 2))

    def logits(xx: np.ndarray) -> np.ndarray:
        pooled, _ = maxpool2(relu(conv_same(xx, k, b)))
        return pooled.reshape(-1) @ w + bd

    return model, x, logits


def test_saliency_reference_forward_matches_the_model(saliency_case):
    model, x, logits = saliency_case
    np.testing.assert_allclose(softmax(logits(x)), probs(model, x), rtol=1e-4, atol=1e-6)


def test_saliency_equals_finite_differences_of_the_requested_class(saliency_case):
    model, x, logits = saliency_case
    c = not_predicted(probs(model, x))
    res = lamina.viz("saliency", model, input=x.astype("float32"), class_index=c)
    assert res.meta["class_index"] == c

    eps = 1e-6
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        grad[idx] = (logits(up)[c] - logits(down)[c]) / (2 * eps)
    expected = np.abs(grad).max(axis=-1)
    assert np.abs(expected).max() > 0.1  # the class's score depends on the input
    np.testing.assert_allclose(res.meta["map"], expected, rtol=1e-3, atol=1e-5)

    predicted = int(np.argmax(probs(model, x)))
    other = lamina.viz("saliency", model, input=x.astype("float32"), class_index=predicted)
    assert not np.allclose(other.meta["map"], expected, atol=1e-3)


def test_saliency_default_class_is_the_predicted_one(saliency_case):
    model, x, _ = saliency_case
    res = lamina.viz("saliency", model, input=x.astype("float32"))
    assert res.meta["class_index"] == int(np.argmax(probs(model, x)))


# --------------------------------------------------------------------------- Grad-CAM


@pytest.fixture(scope="module")
def gradcam_case():
    """Conv(relu) -> Flatten -> Dense(softmax): dS_c/dA is the Dense column of class c."""
    model = build(
        [5, 5, 1],
        [
            item("Conv2D", filters=3, **CONV),
            "Flatten",
            item("Dense", units=3, activation="softmax"),
        ],
    )
    (k, b), (w, bd) = hand_set(model, seed=3)
    x = np.random.default_rng(4).normal(0.0, 1.0, size=(5, 5, 1))
    return model, x, k, b, w


def gradcam_reference(x, k, b, w, c):
    a = relu(conv_same(x, k, b))  # (H, W, K)
    g = w[:, c].reshape(a.shape)  # dS_c / dA
    weights = g.mean(axis=(0, 1))
    raw = (a * weights).sum(axis=-1)
    return raw, relu(raw)


def test_gradcam_equals_its_formula_for_the_requested_class(gradcam_case):
    model, x, k, b, w = gradcam_case
    p = probs(model, x)
    c = not_predicted(p)
    raw, expected = gradcam_reference(x, k, b, w, c)
    # the case is informative: the ReLU cuts something, and |g| would give other weights
    assert raw.min() < -1e-3 and raw.max() > 1e-3
    g = w[:, c].reshape(5, 5, 3)
    assert not np.allclose(np.abs(g).mean(axis=(0, 1)), g.mean(axis=(0, 1)), atol=1e-2)

    res = lamina.viz("gradcam", model, input=x.astype("float32"), class_index=c)
    assert res.meta["class_index"] == c
    assert res.meta["layer"] == model.layers[1].name
    np.testing.assert_allclose(res.meta["coarse"], expected, rtol=1e-4, atol=1e-5)
    # same size as the input here: the map is the coarse one, scaled to a maximum of 1
    np.testing.assert_allclose(res.meta["map"], expected / expected.max(), atol=1e-4)

    _, for_predicted = gradcam_reference(x, k, b, w, int(np.argmax(p)))
    assert not np.allclose(for_predicted, expected, atol=1e-3)


def gradcam_plus_plus_reference(x, k, b, w, c):
    """Grad-CAM++ (Chattopadhay et al. eq. 19 with Y = exp(S_c), as pytorch-grad-cam):
    alpha = g^2 / (2 g^2 + sum(A) g^3) with g = dS_c/dA, weights sum alpha relu(g)."""
    a = relu(conv_same(x, k, b))
    g = w[:, c].reshape(a.shape)
    denom = 2 * g**2 + a.sum(axis=(0, 1)) * g**3
    alpha = np.where(denom != 0, g**2 / np.where(denom != 0, denom, 1.0), 0.0)
    weights = (alpha * relu(g)).sum(axis=(0, 1))
    return relu((a * weights).sum(axis=-1))


def test_gradcam_plus_plus_equals_its_formula_and_differs_from_gradcam(gradcam_case):
    model, x, k, b, w = gradcam_case
    c = not_predicted(probs(model, x))
    expected = gradcam_plus_plus_reference(x, k, b, w, c)
    res = lamina.viz("gradcam", model, input=x.astype("float32"), class_index=c, plus_plus=True)
    np.testing.assert_allclose(res.meta["coarse"], expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(res.meta["map"], expected / expected.max(), atol=1e-4)
    _, plain = gradcam_reference(x, k, b, w, c)
    assert not np.allclose(expected / expected.max(), plain / plain.max(), atol=1e-2)
    assert res.meta["suptitle"].startswith("Grad-CAM++ at ")


# --------------------------------------------------------------------------- guided backprop


@pytest.fixture(scope="module")
def guided_case():
    """Conv(relu) -> Flatten -> Dense(relu) -> Dense(softmax)."""
    model = build(
        [5, 5, 1],
        [
            item("Conv2D", filters=2, **CONV),
            "Flatten",
            item("Dense", units=6, activation="relu"),
            item("Dense", units=3, activation="softmax"),
        ],
    )
    (k, b), (w1, b1), (w2, _) = hand_set(model, seed=5)
    x = np.random.default_rng(6).normal(0.0, 1.0, size=(5, 5, 1))
    return model, x, (k, b, w1, b1, w2)


def backward(x, params, c, rule):
    """The input gradient of S_c with the ReLU rule "plain" (g * mask) or "guided"."""
    k, b, w1, b1, w2 = params
    pre0 = conv_same(x, k, b)
    pre1 = relu(pre0).reshape(-1) @ w1 + b1

    def through_relu(g, pre):
        if rule == "guided":
            return relu(g) * (pre > 0)
        return g * (pre > 0)

    g = through_relu(w2[:, c], pre1)
    g = through_relu((w1 @ g).reshape(pre0.shape), pre0)
    return conv_same_transpose(g, k)


def test_guided_backprop_equals_the_guided_rule_for_the_requested_class(guided_case):
    model, x, params = guided_case
    p = probs(model, x)
    c = not_predicted(p)
    expected = backward(x, params, c, "guided")
    assert np.abs(expected).max() > 1e-3
    # the guided rule matters here: it differs from the plain gradient
    assert not np.allclose(expected, backward(x, params, c, "plain"), atol=1e-3)

    res = lamina.viz("guided_backprop", model, input=x.astype("float32"), class_index=c)
    np.testing.assert_allclose(res.meta["map"], expected, rtol=1e-4, atol=1e-5)
    assert res.meta["relus_swapped"] == 2
    assert f"class {c}" in res.titles[-1]
    assert not np.allclose(backward(x, params, int(np.argmax(p)), "guided"), expected, atol=1e-3)


def test_guided_backprop_leaves_the_model_plain(guided_case):
    """After the visualization the model's gradients are ordinary ones again."""
    model, x, params = guided_case
    lamina.viz("guided_backprop", model, input=x.astype("float32"), class_index=0)
    from lamina.keras import tf

    xt = tf.convert_to_tensor(x[None].astype("float32"))
    last = model.layers[-1]
    sub = lamina.keras.keras.Model(model.inputs, last.input)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        z = tf.matmul(sub(xt), last.kernel) + last.bias
        s = z[0, 0]
    got = np.asarray(tape.gradient(s, xt))[0]
    np.testing.assert_allclose(got, backward(x, params, 0, "plain"), rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- deconvnet


@pytest.fixture(scope="module")
def deconv_case():
    """Conv(relu) -> Conv(relu) -> MaxPool(2) -> Flatten -> Dense(softmax) on 6x6x1."""
    model = build(
        [6, 6, 1],
        [
            item("Conv2D", filters=2, **CONV),
            item("Conv2D", filters=2, **CONV),
            item("MaxPooling2D", pool_size=2),
            "Flatten",
            item("Dense", units=3, activation="softmax"),
        ],
    )
    (k1, b1), (k2, b2), _ = hand_set(model, seed=7)
    x = np.random.default_rng(8).normal(0.0, 1.0, size=(6, 6, 1))
    return model, x, (k1, b1, k2, b2)


def deconv_reference(x, params, filter, unit, rectify=True):
    k1, b1, k2, b2 = params
    a1 = relu(conv_same(x, k1, b1))
    a2 = relu(conv_same(a1, k2, b2))
    pooled, switch = maxpool2(a2)
    mask = np.zeros_like(pooled)
    if unit == "max":
        pos = np.unravel_index(int(np.argmax(pooled[..., filter])), pooled.shape[:2])
        mask[(*pos, filter)] = pooled[(*pos, filter)]
    else:
        mask[..., filter] = pooled[..., filter]
    r = relu if rectify else (lambda s: s)
    s = unpool2(mask, switch)
    s = conv_same_transpose(r(s), k2)
    mid = s
    s = conv_same_transpose(r(s), k1)
    return s, mid


@pytest.mark.parametrize("unit", ["max", "all"])
@pytest.mark.parametrize("filter", [0, 1])
def test_deconvnet_equals_unpool_rectify_transpose(deconv_case, unit, filter):
    model, x, params = deconv_case
    pool = model.layers[3].name
    expected, mid = deconv_reference(x, params, filter, unit)
    assert np.abs(expected).max() > 1e-3
    # the rectification matters: the signal reaching the first ReLU has negative parts
    assert mid.min() < -1e-3
    assert not np.allclose(expected, deconv_reference(x, params, filter, unit, False)[0])

    res = lamina.viz(
        "deconvnet", model, input=x.astype("float32"), layer=pool, filter=filter, unit=unit
    )
    assert res.meta["layer"] == pool and res.meta["filter"] == filter
    assert res.meta["generic_layers"] == []
    np.testing.assert_allclose(res.meta["map"], expected, rtol=1e-4, atol=1e-5)


def test_deconvnet_is_not_the_guided_gradient(deconv_case):
    """The deconvnet ignores the forward ReLU mask (guided backprop would apply it)."""
    model, x, params = deconv_case
    k1, b1, k2, _ = params
    expected, mid = deconv_reference(x, params, 0, "all")
    pre1 = conv_same(x, k1, b1)
    guided = conv_same_transpose(relu(mid) * (pre1 > 0), k1)
    assert not np.allclose(expected, guided, atol=1e-3)


# --------------------------------------------------------------------------- occlusion


@pytest.fixture(scope="module")
def occlusion_case():
    """Flatten -> Dense(softmax) on 8x8x1; class 1 looks at a bright 2x2 spot at (4, 2)."""
    model = build([8, 8, 1], ["Flatten", item("Dense", units=3, activation="softmax")])
    rng = np.random.default_rng(9)
    w = rng.normal(0.0, 0.1, size=(64, 3))
    spot = np.zeros((8, 8, 1))
    spot[4:6, 2:4] = 1.0
    w[:, 1] += 3.0 * spot.reshape(-1)
    model.layers[-1].set_weights([w.astype("float32"), np.zeros(3, "float32")])
    x = rng.uniform(0.0, 0.2, size=(8, 8, 1))
    x[4:6, 2:4] = 1.0
    return model, x


def brute_force_occlusion(model, x, c, patch, stride, fill):
    """The mean drop of the class probability over the patches covering each pixel.

    `x` is ``(H, W, C)`` or a ``(T, C)`` signal: patches cover every spatial axis.
    """
    sides = x.shape[:-1]
    starts = []
    for n in sides:
        axis = list(range(0, n - patch + 1, stride))
        if axis[-1] != n - patch:
            axis.append(n - patch)
        starts.append(axis)
    base = probs(model, x)[c]
    drop, count = np.zeros(sides), np.zeros(sides)
    for corner in itertools.product(*starts):
        window = tuple(slice(r, r + patch) for r in corner)
        hidden = x.copy()
        hidden[window] = fill
        drop[window] += base - probs(model, hidden)[c]
        count[window] += 1
    return drop / count


@pytest.mark.parametrize("patch,stride", [(2, 2), (3, 2), (2, 1)])
def test_occlusion_equals_brute_force(occlusion_case, patch, stride):
    model, x = occlusion_case
    p = probs(model, x)
    assert int(np.argmax(p)) == 1
    for c in (1, not_predicted(p)):
        res = lamina.viz(
            "occlusion",
            model,
            input=x.astype("float32"),
            class_index=c,
            patch=patch,
            stride=stride,
            fill=0.0,
        )
        assert res.meta["class_index"] == c
        expected = brute_force_occlusion(model, x, c, patch, stride, 0.0)
        np.testing.assert_allclose(res.meta["map"], expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("patch,stride", [(3, 2), (4, 4), (None, None)])
def test_occlusion_of_a_signal_equals_brute_force(patch, stride):
    """The same rule along one axis: a (T, C) signal, patches of `patch` steps (by
    default 8, every 4 steps)."""
    from lamina.keras import keras

    rng = np.random.default_rng(7)
    model = keras.Sequential(
        [keras.Input((16, 2)), keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")]
    )
    model.layers[-1].set_weights(
        [rng.normal(0, 0.5, size=(32, 3)).astype("float32"), np.zeros(3, "float32")]
    )
    x = rng.uniform(0.0, 1.0, size=(16, 2))
    given = {} if patch is None else {"patch": patch, "stride": stride}
    for c in (0, 2):
        res = lamina.viz(
            "occlusion", model, input=x.astype("float32"), class_index=c, fill=0.0, **given
        )
        expected = brute_force_occlusion(model, x, c, patch or 8, stride or 4, 0.0)
        np.testing.assert_allclose(
            np.asarray(res.meta["map"]).reshape(-1), expected, rtol=1e-4, atol=1e-6
        )


def test_occlusion_peak_is_at_the_spot_and_not_one_stride_away(occlusion_case):
    model, x = occlusion_case
    res = lamina.viz(
        "occlusion", model, input=x.astype("float32"), class_index=1, patch=2, stride=2
    )
    m = res.meta["map"]
    assert res.meta["peak"] == [4, 2]
    assert m[4:6, 2:4].min() > 0.15  # hiding the spot removes much of class 1
    # everything outside the spot (including one stride away) drops far less
    outside = m.copy()
    outside[4:6, 2:4] = -np.inf
    assert outside.max() < 0.2 * m[4:6, 2:4].min()
    expected = brute_force_occlusion(model, x, 1, 2, 2, float(x.astype("float32").mean()))
    np.testing.assert_allclose(m, expected, rtol=1e-4, atol=1e-6)


def test_guided_backprop_through_relu_layers(guided_case):
    """The same network written with separate ``ReLU`` layers (a plain Keras model): the
    guided rule is applied at those layers too."""
    from lamina.keras import keras

    model, x, params = guided_case
    k, b, w1, b1, w2 = params
    inp = keras.Input((5, 5, 1))
    h = keras.layers.Conv2D(2, 3, padding="same", name="conv")(inp)
    h = keras.layers.ReLU()(h)
    h = keras.layers.Flatten()(h)
    h = keras.layers.Dense(6, name="hidden")(h)
    h = keras.layers.ReLU()(h)
    out = keras.layers.Dense(3, activation="softmax", name="out")(h)
    plain = keras.Model(inp, out)
    plain.get_layer("conv").set_weights(model.layers[1].get_weights())
    plain.get_layer("hidden").set_weights(model.layers[3].get_weights())
    plain.get_layer("out").set_weights(model.layers[4].get_weights())
    c = not_predicted(probs(model, x))
    res = lamina.viz("guided_backprop", plain, input=x.astype("float32"), class_index=c)
    assert res.meta["relus_swapped"] == 2
    np.testing.assert_allclose(
        res.meta["map"], backward(x, params, c, "guided"), rtol=1e-4, atol=1e-5
    )
