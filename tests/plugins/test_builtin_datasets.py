"""Built-in dataset generators and file sources: registration, shapes, determinism, signal."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest
from lamina_builtin import datasets as builtin
from lamina_builtin.datasets import register_builtin_datasets
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from lamina.data import DataError, Dataset, split_dataset
from lamina.params import derive_params

GENERATORS = {
    "spirals",
    "moons",
    "circles",
    "xor",
    "blobs",
    "plane",
    "gaussian_surface",
    "heteroscedastic",
    "bimodal",
    "galaxies",
    "spectra",
    "sequences",
    "bright_spot",
    "shapes_segmentation",
    "digits",
    "sky_cutouts",
}
FILE_SOURCES = {"csv", "numpy", "hdf5", "fits", "image_folder", "cutouts"}


def _registered() -> dict[str, dict]:
    calls: dict[str, dict] = {}

    def register(fn, **kwargs):
        assert kwargs["name"] not in calls, f"{kwargs['name']} registered twice"
        calls[kwargs["name"]] = {"fn": fn, **kwargs}

    register_builtin_datasets(register)
    return calls


REGISTERED = _registered()


# --------------------------------------------------------------------------- registration


def test_registers_every_source_with_metadata():
    assert set(REGISTERED) == GENERATORS | FILE_SOURCES
    for name, call in REGISTERED.items():
        assert call["category"], name
        assert call["summary"], name
        fn = call["fn"]
        for p in inspect.signature(fn).parameters.values():
            assert p.annotation is not inspect.Parameter.empty, f"{name}.{p.name} lacks a type hint"
            if p.name != "path":
                assert p.default is not inspect.Parameter.empty, f"{name}.{p.name} lacks a default"
        schema = derive_params(fn)
        missing_help = [p.name for p in schema if not p.help]
        assert not missing_help, f"{name}: parameters without Args: docs {missing_help}"
        overrides = call["params"] or {}
        unknown = set(overrides) - {p.name for p in schema}
        assert not unknown, f"{name}: overrides for unknown params {unknown}"


@pytest.mark.parametrize("name", sorted(GENERATORS | FILE_SOURCES))
def test_example_params_give_a_valid_dataset(name):
    call = REGISTERED[name]
    params = call["example"]["params"]
    ds = call["fn"](**params)
    assert isinstance(ds, Dataset) and len(ds) > 0
    ds.validate()
    json.dumps(ds.summary())
    assert ds.source


# --------------------------------------------------------------------------- all generators

SMALL = {
    "spirals": {"n": 60},
    "moons": {"n": 60},
    "circles": {"n": 60},
    "xor": {"n": 60},
    "blobs": {"n": 61, "centers": 4},
    "plane": {"n": 50},
    "gaussian_surface": {"n": 50},
    "heteroscedastic": {"n": 50},
    "bimodal": {"n": 50},
    "galaxies": {"n": 31, "size": 32},
    "spectra": {"n": 30, "length": 64},
    "sky_cutouts": {"size": 12},
    "sequences": {"n": 30, "length": 20},
    "bright_spot": {"n": 30, "size": 16},
    "shapes_segmentation": {"n": 6, "size": 32},
    "digits": {"n": 100},
}

SHAPES = {
    "spirals": ((60, 2), (60,)),
    "moons": ((60, 2), (60,)),
    "circles": ((60, 2), (60,)),
    "xor": ((60, 2), (60,)),
    "blobs": ((61, 2), (61,)),
    "plane": ((50, 2), (50, 1)),
    "gaussian_surface": ((50, 2), (50, 1)),
    "heteroscedastic": ((50, 1), (50, 1)),
    "bimodal": ((50, 1), (50, 1)),
    "galaxies": ((31, 32, 32, 1), (31,)),
    "spectra": ((30, 64, 1), (30,)),
    "sky_cutouts": ((194, 12, 12, 2), (194,)),
    "sequences": ((30, 20, 1), (30, 1)),
    "bright_spot": ((30, 16, 16, 1), (30,)),
    "shapes_segmentation": ((6, 32, 32, 1), (6, 32, 32, 1)),
    "digits": ((100, 8, 8, 1), (100,)),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_shapes_dtypes_and_determinism(name):
    fn = REGISTERED[name]["fn"]
    a = fn(**SMALL[name], seed=1)
    b = fn(**SMALL[name], seed=1)
    c = fn(**SMALL[name], seed=2)
    assert (a.x.shape, a.y.shape) == SHAPES[name]
    assert a.x.dtype == np.float32
    if a.task in ("classification", "segmentation"):
        assert a.y.dtype == np.int64 and a.class_names
    else:
        assert a.y.dtype == np.float32
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)
    assert a.name == name and a.source == name and a.description
    a.validate(input_shape=a.x.shape[1:])


CLASSIFICATION = [
    "spirals",
    "moons",
    "circles",
    "xor",
    "blobs",
    "galaxies",
    "spectra",
    "bright_spot",
]


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classes_are_balanced(name):
    ds = REGISTERED[name]["fn"](**SMALL[name])
    assert ds.task == "classification"
    counts = np.bincount(ds.y, minlength=len(ds.class_names))
    assert counts.max() - counts.min() <= 1, ds.class_counts()
    classes = builtin.sequences(n=31, task="classification", classes=4)
    assert np.ptp(np.bincount(classes.y)) <= 1


def test_bad_parameters_raise_value_errors():
    with pytest.raises(ValueError, match="Received: n=0"):
        builtin.spirals(n=0)
    with pytest.raises(ValueError, match="Received: noise=-1"):
        builtin.moons(noise=-1)
    with pytest.raises(ValueError, match="Received: bands=2"):
        builtin.galaxies(n=3, bands=2)
    with pytest.raises(ValueError, match="Received: task='forecast'"):
        builtin.spectra(task="forecast")
    with pytest.raises(ValueError, match="Received: kind='circle'"):
        builtin.bright_spot(kind="circle")
    with pytest.raises(ValueError, match="at most 1797"):
        builtin.digits(n=5000)


def test_splits_carry_per_sample_extras():
    ds = builtin.bright_spot(n=20, size=16)
    parts = split_dataset(ds, validation=0.25, test=0.0)
    idx = parts.indices["validation"]
    np.testing.assert_array_equal(parts.validation.extras["positions"], ds.extras["positions"][idx])
    assert parts.validation.extras["masks"].shape == (5, 16, 16)


# --------------------------------------------------------------------------- signal


@pytest.mark.parametrize("name", ["spirals", "moons", "circles", "xor", "blobs"])
def test_toy_2d_classes_are_separable(name):
    ds = REGISTERED[name]["fn"](n=300)
    assert np.abs(ds.x).max() < 2.0  # scaled to about [-1, 1]
    score = cross_val_score(KNeighborsClassifier(5), ds.x, ds.y, cv=3).mean()
    assert score > 0.85, f"{name}: k-NN accuracy {score:.2f}"


def test_toy_2d_regression_targets_follow_inputs():
    plane = builtin.plane(n=200, noise=0.01)
    assert np.corrcoef(plane.x.sum(axis=1), plane.y[:, 0])[0, 1] > 0.99
    surface = builtin.gaussian_surface(n=200, noise=0.05)
    residual = surface.y[:, 0] - surface.extras["clean"]
    assert 0.03 < residual.std() < 0.07 and surface.extras["clean"].std() > 0.2


def test_heteroscedastic_noise_grows_with_x():
    ds = builtin.heteroscedastic(n=2000, noise=0.05, growth=0.5)
    x, resid, sigma = ds.x[:, 0], ds.y[:, 0] - ds.extras["mean"], ds.extras["sigma"]
    left, right = resid[x < -0.6].std(), resid[x > 0.6].std()
    assert right > 3 * left
    np.testing.assert_allclose(sigma, 0.05 + 0.5 * (x + 1) / 2, rtol=1e-5)
    np.testing.assert_allclose(right, sigma[x > 0.6].mean(), rtol=0.15)


def test_bimodal_has_two_branches():
    ds = builtin.bimodal(n=400, noise=0.02)
    x, y, branch = ds.x[:, 0], ds.y[:, 0], ds.extras["branch"]
    assert set(np.unique(branch)) == {-1.0, 1.0} and branch.sum() == 0
    np.testing.assert_array_equal(np.sign(y), branch)
    np.testing.assert_allclose(np.abs(y), 0.3 + x**2, atol=0.1)


def test_galaxies_carry_signal_and_colour():
    ds = builtin.galaxies(n=150, size=32, seed=3)
    assert ds.class_names == ["elliptical", "spiral", "merger"]
    assert ds.x.min() > -0.5 and ds.x.max() < 1.5
    img = ds.x[..., 0]
    flux = img.sum(axis=(1, 2))
    yy, xx = np.mgrid[0:32, 0:32] - 15.5
    r = np.hypot(yy, xx)
    features = np.stack(
        [
            np.abs(img - img[:, ::-1, ::-1]).sum(axis=(1, 2)) / flux,  # asymmetry
            (img * (r < 4)).sum(axis=(1, 2)) / flux,  # concentration
            (img * r).sum(axis=(1, 2)) / flux,  # extent
        ],
        axis=1,
    )
    score = cross_val_score(LogisticRegression(max_iter=1000), features, ds.y, cv=3).mean()
    assert score > 0.55, f"summary features give {score:.2f} (chance 0.33)"
    colour = builtin.galaxies(n=6, size=32, bands=3)
    assert colour.x.shape == (6, 32, 32, 3)
    np.testing.assert_array_equal(colour.y, builtin.galaxies(n=6, size=32).y)


def test_spectra_lines_and_redshift():
    ds = builtin.spectra(n=120, noise=0.02)
    assert ds.class_names == ["no emission", "emission"]
    wave = ds.extras["wavelength"]
    assert wave.shape == (256,) and 3600 < wave[0] < wave[-1] < 9200
    # H-alpha sits at 6563 (1 + z): the flux there is higher with emission lines.
    z = ds.extras["redshift"]
    at_line = np.array(
        [ds.x[i, np.abs(wave - 6563 * (1 + z[i])).argmin(), 0] for i in range(len(ds))]
    )
    near = np.array([np.median(ds.x[i, :, 0]) for i in range(len(ds))])
    excess = at_line - near
    assert excess[ds.y == 1].mean() > excess[ds.y == 0].mean() + 0.3
    reg = builtin.spectra(n=20, task="redshift", max_redshift=0.2)
    assert reg.task == "regression" and reg.y.shape == (20, 1)
    assert reg.y.min() >= 0 and reg.y.max() <= 0.2
    np.testing.assert_allclose(reg.y[:, 0], reg.extras["redshift"])


def test_sequences_forecast_and_classification():
    ds = builtin.sequences(n=200, length=30, horizon=3, noise=0.01)
    assert ds.task == "forecast" and ds.y.shape == (200, 3)
    assert np.abs(ds.y - ds.extras["clean_target"]).max() < 0.06
    # The next value is predictable from the last few (a linear AR fit).
    model = LinearRegression().fit(ds.x[:150, -4:, 0], ds.y[:150, 0])
    assert model.score(ds.x[150:, -4:, 0], ds.y[150:, 0]) > 0.95
    cls = builtin.sequences(n=90, length=64, task="classification", classes=3, noise=0.1)
    assert cls.class_names == ["f=0.04", "f=0.07", "f=0.10"]
    peak = np.abs(np.fft.rfft(cls.x[..., 0], axis=1))[:, 1:].argmax(axis=1)
    for a, b in [(0, 1), (1, 2)]:
        assert peak[cls.y == a].mean() < peak[cls.y == b].mean()


@pytest.mark.parametrize("kind", ["shape", "presence"])
def test_bright_spot_positions_point_at_the_feature(kind):
    ds = builtin.bright_spot(n=40, size=24, kind=kind, noise=0.05)
    pos, masks = ds.extras["positions"], ds.extras["masks"]
    present = pos[:, 0] >= 0
    for i in np.flatnonzero(present):
        r, c = pos[i]
        assert masks[i, r, c] and masks[i].sum() == 9
        assert ds.x[i, r, c, 0] > ds.x[i, ..., 0].mean() + 0.3
    if kind == "shape":
        assert present.all()
        plus = ds.y == ds.class_names.index("plus")
        r, c = pos[plus][0]
        assert masks[plus][0][r - 2, c] and not masks[plus][0][r - 1, c - 1]
    else:
        np.testing.assert_array_equal(present, ds.y == 1)
        assert not masks[~present].any()


def test_shapes_segmentation_masks_match_images():
    ds = builtin.shapes_segmentation(n=8, size=32, noise=0.05)
    assert ds.task == "segmentation" and ds.class_names == ["background", "disc", "rectangle"]
    assert set(np.unique(ds.y)) <= {0, 1, 2} and (ds.y > 0).any()
    inside, outside = ds.x[ds.y > 0].mean(), ds.x[ds.y == 0].mean()
    assert inside > outside + 0.25
    ds.validate(n_outputs=3)
    binary = builtin.shapes_segmentation(n=4, size=32, binary=True)
    assert set(np.unique(binary.y)) <= {0, 1} and binary.class_names == ["background", "shape"]


def test_digits():
    full = builtin.digits()
    assert full.x.shape == (1797, 8, 8, 1) and full.n_classes == 10
    assert full.x.min() == 0.0 and full.x.max() == 1.0
    flat = builtin.digits(n=50, flat=True)
    assert flat.x.shape == (50, 64) and len(flat.feature_names) == 64


# --------------------------------------------------------------------------- file sources


def test_file_sources_read_the_samples():
    samples = builtin.SAMPLES
    csv = REGISTERED["csv"]["fn"](path=str(samples / "stars.csv"), target="kind")
    npz = REGISTERED["numpy"]["fn"](path=str(samples / "stars.npz"))
    h5 = REGISTERED["hdf5"]["fn"](path=str(samples / "stars.h5"))
    table = REGISTERED["fits"]["fn"](path=str(samples / "stars.fits"), target="KIND")
    for ds in (csv, npz, h5, table):
        assert ds.x.shape == (30, 4) and ds.task == "classification" and ds.n_classes == 3
    np.testing.assert_array_equal(csv.y, npz.y)
    np.testing.assert_array_equal(table.y, h5.y)
    np.testing.assert_allclose(csv.x, npz.x)
    assert csv.class_names == table.class_names == ["galaxy", "quasar", "star"]
    images = REGISTERED["image_folder"]["fn"](path=str(samples / "shapes"), size=6)
    assert images.x.shape == (6, 6, 6, 1) and images.class_names == ["plus", "square"]
    features = REGISTERED["csv"]["fn"](
        path=str(samples / "stars.csv"), target="kind", features="mag_g"
    )
    assert features.x.shape == (30, 1)


def test_file_sources_name_the_missing_file(tmp_path):
    for name in sorted(FILE_SOURCES):
        missing = tmp_path / f"missing-{name}.dat"
        params = {"path": str(missing)}
        if name == "cutouts":  # two files: the images and the catalogue
            params = {"images": str(missing), "catalog": str(tmp_path / "missing.csv")}
        with pytest.raises(DataError) as info:
            REGISTERED[name]["fn"](**params)
        assert str(missing) in str(info.value), name
