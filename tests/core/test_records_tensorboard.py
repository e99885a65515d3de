"""TensorBoard records: every saved run writes event files that TensorBoard reads."""

from __future__ import annotations

import json

import pytest

import lamina
from lamina.records.tensorboard import TENSORBOARD_DIR, hparams_of, read_scalars


@pytest.fixture(scope="module")
def run(tmp_path_factory, digits):
    spec = lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=24, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        optimizer={"type": "Adam", "params": {"learning_rate": 0.003}},
        epochs=3,
        name="tb",
    )
    result = lamina.train(spec, data=digits(200), project=tmp_path_factory.mktemp("tb") / "p")
    assert result.status == "finished"
    return result


def test_event_files_hold_the_per_epoch_scalars(run):
    scalars = read_scalars(run.path)
    history = json.loads((run.path / "history.json").read_text())
    assert scalars["train"]["epoch_loss"] == pytest.approx(history["loss"], rel=1e-5)
    assert scalars["train"]["epoch_accuracy"] == pytest.approx(history["accuracy"], rel=1e-5)
    assert scalars["validation"]["epoch_loss"] == pytest.approx(history["val_loss"], rel=1e-5)
    assert scalars["validation"]["epoch_accuracy"] == pytest.approx(
        history["val_accuracy"], rel=1e-5
    )
    assert scalars["train"]["epoch_learning_rate"] == pytest.approx([0.003] * 3, rel=1e-5)


def test_graph_and_hparams_are_written(run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import metadata

    root = run.path / TENSORBOARD_DIR
    train = EventAccumulator(str(root / "train"))
    train.Reload()
    graph = train.PluginTagToContent("graph_keras_model")
    assert list(graph) == ["keras"]  # the conceptual graph: the model's Keras config
    config = json.loads(train.Tensors("keras")[0].tensor_proto.string_val[0])
    assert [layer["class_name"] for layer in config["config"]["layers"]][-2:] == [
        "Dense",
        "Dense",
    ]
    top = EventAccumulator(str(root))
    top.Reload()
    content = top.PluginTagToContent(metadata.PLUGIN_NAME)
    start = metadata.parse_session_start_info_plugin_data(content[metadata.SESSION_START_INFO_TAG])
    assert start.hparams["layers[1].params.units"].number_value == 24
    assert start.hparams["compile.optimizer.params.learning_rate"].number_value == pytest.approx(
        0.003
    )
    assert start.hparams["layers[0].type"].string_value == "Flatten"
    assert start.group_name == run.path.name


def _histogram_steps(run_dir):
    """The weight histograms in a run's TensorBoard records: ``{tag: [step, ...]}``."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(run_dir / TENSORBOARD_DIR / "train"), size_guidance={"tensors": 0})
    acc.Reload()
    try:
        tags = acc.PluginTagToContent("histograms")
    except KeyError:  # no histogram at all
        return {}
    return {tag: sorted(e.step for e in acc.Tensors(tag)) for tag in tags}


def test_weight_histograms_are_off_by_default(run):
    assert _histogram_steps(run.path) == {}


def test_lamina_train_writes_weight_histograms_when_asked(tmp_path, capsys):
    from lamina.cli import main

    spec = lamina.make_spec(
        [2],
        [lamina.item("Dense", units=4, activation="tanh"), lamina.item("Dense", units=1)],
        loss="mse",
        epochs=3,
    )
    path = tmp_path / "spec.json"
    lamina.save_spec(spec, path)
    project = tmp_path / "p"
    argv = ["train", str(path), "--data", "xor", "--project", str(project), "--no-progress"]
    assert main([*argv, "--tensorboard-histograms", "2"]) == 0, capsys.readouterr().err
    (run_dir,) = (project / "runs").iterdir()
    steps = _histogram_steps(run_dir)
    assert len(steps) == 4, steps  # two kernels, two biases
    assert all(s == [0, 2] for s in steps.values()), steps  # every 2nd epoch from the first
    assert any("kernel" in tag for tag in steps)


def test_negative_histogram_frequency_is_a_located_error(tmp_path, capsys):
    from lamina.cli import main
    from lamina.training.trainer import SettingError

    spec = lamina.make_spec([2], [lamina.item("Dense", units=1)], loss="mse", epochs=1)
    path = tmp_path / "spec.json"
    lamina.save_spec(spec, path)
    project = tmp_path / "p"
    argv = ["train", str(path), "--data", "xor", "--project", str(project)]
    assert main([*argv, "--tensorboard-histograms", "-1"]) == 2
    err = capsys.readouterr().err
    assert "--tensorboard-histograms" in err and "-1" in err and "Traceback" not in err
    for bad in (-1, "2", 1.5, True):
        with pytest.raises(SettingError, match="^tensorboard_histograms: "):
            lamina.train(spec, data="xor", project=project, tensorboard_histograms=bad)
    assert not project.exists()


def test_hparams_are_scalars():
    spec = lamina.make_spec([4], [lamina.item("Dense", units=3)], loss="mse", epochs=2)
    hp = hparams_of(spec)
    assert hp["layers[0].params.units"] == 3 and hp["training.epochs"] == 2
    assert hp["input.shape"] == "[4]" and hp["data"] == "none"
    assert all(isinstance(v, (bool, int, float, str)) for v in hp.values())


def test_lamina_tensorboard_serves_the_scalars_then_stops(run):
    import signal
    import subprocess
    import sys
    import urllib.parse
    import urllib.request

    project = run.path.parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "lamina", "tensorboard", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl+C as a terminal gives it, even if this suite runs as a job started with `&`
        # (which passes SIGINT on ignored: the command would then never stop)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = proc.stdout.readline()
        assert "TensorBoard serves" in line, proc.stderr.read() if proc.poll() else line
        url = line.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        train_run = f"runs/{run.path.name}/{TENSORBOARD_DIR}/train"
        with urllib.request.urlopen(url + "data/runs", timeout=30) as reply:
            assert train_run in json.loads(reply.read())
        query = urllib.parse.urlencode({"run": train_run, "tag": "epoch_loss"})
        with urllib.request.urlopen(url + "data/plugin/scalars/scalars?" + query, timeout=30) as r:
            points = json.loads(r.read())
        history = json.loads((run.path / "history.json").read_text())
        assert [p[1] for p in points] == [0, 1, 2]
        assert [p[2] for p in points] == pytest.approx(history["loss"], rel=1e-5)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "data/runs", timeout=5)


def test_lamina_tensorboard_refuses_a_folder_that_is_no_project(tmp_path, capsys):
    from lamina.cli import main

    assert main(["tensorboard", str(tmp_path)]) == 2
    assert "project" in capsys.readouterr().err
