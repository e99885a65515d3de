"""Prediction on a run: the training part's standardiser, one-hot targets, one unwrapping."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.data.dataset import Dataset
from lamina.data.standardize import Standardizer
from lamina.inference import evaluate, predict, unwrap
from lamina.training.targets import one_hot_targets

DIGITS = {"type": "digits", "params": {"n": 240}}


def _spec(loss: str = "categorical_crossentropy", **training) -> lamina.ModelSpec:
    return lamina.make_spec(
        [8, 8, 1],
        ["Flatten", lamina.item("Dense", units=10, activation="softmax")],
        loss=loss,
        metrics=["accuracy"],
        **training,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One standardised run of a one-hot classifier, saved in a project."""
    project = tmp_path_factory.mktemp("inference") / "p"
    spec = _spec(epochs=2, seed=1, standardize=True, validation_split=0.25, test_split=0.25)
    result = lamina.train(spec, data=DIGITS, project=project)
    assert result.status == "finished"
    return result, project


def test_the_standardiser_is_fitted_on_the_training_part_only(trained):
    result, _ = trained
    own = Standardizer().fit(result.splits.train.x)
    np.testing.assert_array_equal(result.standardizer.mean, own.mean)
    np.testing.assert_array_equal(result.standardizer.std, own.std)
    everything = Standardizer().fit(lamina.load_data(DIGITS).x)
    assert not np.allclose(result.standardizer.mean, everything.mean)


def test_predict_on_a_run_applies_its_standardiser(trained):
    from lamina.project import load_run

    result, _ = trained
    x = lamina.load_data(DIGITS).x[:16]
    st = result.standardizer
    by_hand = result.model.predict((x.astype(np.float32) - st.mean) / st.std, verbose=0)
    np.testing.assert_allclose(predict(result, x), by_hand, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(predict(load_run(result.path), x), by_hand, rtol=1e-5, atol=1e-6)
    raw = result.model.predict(x.astype(np.float32), verbose=0)
    np.testing.assert_allclose(predict(result, x, standardize=False), raw, rtol=1e-5, atol=1e-6)
    assert not np.allclose(raw, by_hand)


def test_evaluate_on_a_run_gives_the_test_metrics_of_training(trained):
    result, _ = trained
    test = result.splits.test
    again = evaluate(result, test.x, test.y, task="classification")  # one-hot targets here too
    assert again["n"] == result.metrics["n"] == len(test)
    assert again["loss"] == pytest.approx(result.metrics["loss"], rel=1e-5)
    assert again["accuracy"] == pytest.approx(result.metrics["accuracy"])
    assert again["confusion_matrix"] == result.metrics["confusion_matrix"]


def test_the_confusion_matrix_is_that_of_predict_without_tracing_a_predict_function():
    from lamina.inference import _called

    result = lamina.train(_spec(epochs=1, seed=2), data=DIGITS)
    model, test = result.model, result.splits.test
    assert model.predict_function is None  # the test metrics made none
    x = result.standardizer.transform(test.x) if result.standardizer else test.x
    by_predict = model.predict(x, batch_size=7, verbose=0)
    called = _called(model, x, batch_size=7)  # several batches, the last one short
    assert called.shape == by_predict.shape == (len(test), 10)
    np.testing.assert_allclose(called, by_predict, rtol=1e-5, atol=1e-6)
    pred = by_predict.argmax(axis=1)
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (test.y, pred), 1)
    assert result.metrics["confusion_matrix"] == matrix.tolist()


def test_visualized_samples_are_standardised_as_in_training(trained):
    from lamina.project import load_run
    from lamina.visualize.runs import sample_inputs

    result, _ = trained
    x = lamina.load_data(DIGITS).x[[0, 5]]
    expected = result.standardizer.transform(x)
    np.testing.assert_array_equal(sample_inputs(load_run(result.path), [0, 5]), expected)
    np.testing.assert_array_equal(sample_inputs(result, [0, 5]), expected)


def test_unwrap_a_model_a_run_and_a_run_result(trained, monkeypatch):
    from lamina.project import Run, load_run

    result, _ = trained
    bare = unwrap(result.model)
    assert bare.model is result.model and bare.standardizer is None
    assert bare.spec == result.spec  # built by lamina: the spec rides on the model
    parts = unwrap(result)
    assert parts.model is result.model and parts.standardizer is result.standardizer

    def no_rebuild(self, *args, **kwargs):
        raise AssertionError("the model was rebuilt")

    monkeypatch.setattr(Run, "model", no_rebuild)
    run_parts = unwrap(load_run(result.path))
    assert run_parts.spec == result.spec
    np.testing.assert_array_equal(run_parts.standardizer.mean, result.standardizer.mean)


def test_find_run_from_a_run_or_a_project_folder(trained, tmp_path):
    from lamina.project import ProjectError, create_project, find_run

    result, project = trained
    assert find_run(project).id == result.run_id
    assert find_run(project / "project.json").id == result.run_id
    assert find_run(project, result.run_id).path == result.path
    assert find_run(result.path).id == result.run_id
    create_project(tmp_path / "empty")
    with pytest.raises(ProjectError, match="no saved runs yet"):
        find_run(tmp_path / "empty")
    with pytest.raises(ProjectError, match="run folder not found"):
        find_run(tmp_path / "nowhere")


def test_one_hot_targets_follow_the_loss():
    y = np.array([0, 2, 1])
    one_hot = one_hot_targets(_spec(), y, 3)
    np.testing.assert_array_equal(one_hot, np.eye(3, dtype=np.float32)[[0, 2, 1]])
    assert one_hot.dtype == np.float32
    assert one_hot_targets(_spec("sparse_categorical_crossentropy"), y, 3) is y
    assert one_hot_targets(None, y, 3) is y
    assert one_hot_targets(_spec(), y, None) is y
    two_d = np.eye(3)[y]
    assert one_hot_targets(_spec(), two_d, 3) is two_d


def test_prepared_targets_are_one_hot_for_classification_only():
    from lamina.training.prepare import prepare_data

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype(np.float32)
    spec = lamina.make_spec(
        [4],
        [lamina.item("Dense", units=3, activation="softmax")],
        loss="categorical_crossentropy",
        validation_split=0.0,
        test_split=0.0,
    )
    labels = Dataset(x=x, y=np.arange(40) % 3, name="labels", task="classification")
    prepared = prepare_data(spec, labels, n_out=3, seed=0)
    train = prepared.splits.train
    np.testing.assert_array_equal(prepared.targets(train), np.eye(3)[train.y])
    values = Dataset(x=x, y=rng.normal(size=40), name="values", task="regression")
    prepared = prepare_data(spec, values, n_out=3, seed=0)
    train = prepared.splits.train
    np.testing.assert_array_equal(prepared.targets(train), train.y)  # left as they are


def test_a_standardised_reconstruction_is_scored_in_the_units_it_learnt():
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 3.0, size=(96, 6)).astype(np.float32)
    data = Dataset(x=x, y=x.copy(), name="echo", task="reconstruction")
    spec = lamina.make_spec(
        [6],
        [lamina.item("Dense", units=3), lamina.item("Dense", units=6)],
        loss="mean_squared_error",
        epochs=2,
        seed=0,
        standardize=True,
        validation_split=0.25,
        test_split=0.25,
    )
    result = lamina.train(spec, data=data)
    st, test = result.standardizer, result.splits.test
    expected = result.model.evaluate(
        st.transform(test.x), st.transform(test.y), verbose=0, return_dict=True
    )["loss"]
    assert result.metrics["loss"] == pytest.approx(expected, rel=1e-5)
    again = evaluate(result, test.x, test.y, task="reconstruction")
    assert again["loss"] == pytest.approx(expected, rel=1e-5)
