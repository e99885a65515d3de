"""Projects: layout, corrupt files, interrupted saves."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from lamina.project import (
    ProjectError,
    create_project,
    load_project,
    load_run,
    open_project,
    write_run,
)
from lamina.spec import make_spec


def tiny_spec():
    return make_spec([4], [{"type": "Dense", "params": {"units": 2}}], loss="mean_squared_error")


def test_create_and_load(tmp_path):
    project = create_project(tmp_path / "p", name="stars", spec=tiny_spec())
    loaded = load_project(tmp_path / "p")
    assert loaded.name == "stars" and loaded.spec == tiny_spec()
    assert load_project(tmp_path / "p" / "project.json").name == "stars"
    run_dir = project.new_run_dir("first")
    write_run(run_dir, tiny_spec(), {"status": "finished"}, history={"loss": [1.0, 0.5]})
    assert [r.status for r in loaded.runs()] == ["finished"]
    assert load_run(run_dir).history == {"loss": [1.0, 0.5]}
    with pytest.raises(ProjectError, match="already exists"):
        create_project(tmp_path / "p")
    assert open_project(tmp_path / "p").name == "stars"


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "corrupt project file"),
        ('{"name": "x"}', "not a lamina project"),
        ("[1, 2]", "not a lamina"),
    ],
)
def test_corrupt_or_foreign_project_file(tmp_path, content, message):
    file = tmp_path / "project.json"
    file.write_text(content)
    with pytest.raises(ProjectError, match=message) as info:
        load_project(tmp_path)
    assert str(file) in str(info.value)
    assert file.read_text() == content


def test_incomplete_run_is_listed_not_loaded(tmp_path):
    project = create_project(tmp_path / "p")
    run_dir = project.new_run_dir()
    (run_dir / "spec.json").write_text(tiny_spec().to_json())
    assert project.runs() == []
    assert [r.status for r in project.runs(include_incomplete=True)] == ["incomplete"]
    with pytest.raises(ProjectError, match="interrupted"):
        load_run(run_dir)


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from lamina.atomic import atomic_write_bytes
    from lamina.project import open_project, write_run
    from lamina.spec import make_spec

    spec = make_spec([4], [{"type": "Dense", "params": {"units": 2}}], loss="mean_squared_error")
    project = open_project(sys.argv[1], spec=spec)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        project.extra["counter"] = i
        project.save()
        run_dir = project.new_run_dir(f"r{i}")
        atomic_write_bytes(run_dir / "weights.final.h5", b"x" * 200_000)
        write_run(run_dir, spec, {"status": "finished", "i": i},
                  history={"loss": list(range(2000))}, metrics={"n": i}, log="log\\n" * 1000)
    """
)


def test_killed_mid_save_leaves_a_loadable_project(tmp_path):
    path = tmp_path / "p"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    project = load_project(path)
    assert project.extra["counter"] >= 1
    runs = project.runs()
    assert runs, "at least one run was saved"
    for run in runs:
        assert run.status == "finished"
        assert len(run.history["loss"]) == 2000
        assert run.metrics["n"] == run.info["i"]
    assert len(project.runs(include_incomplete=True)) - len(runs) <= 1
    leftovers = [p for p in path.rglob(".*.tmp")]
    assert len(leftovers) <= 1
    json.loads((path / "project.json").read_text())


# -- one writer, one stored form of the spec ----------------------------------------------

#: A spec as a user writes it (and as the old app stored it): defaults left out.
AS_WRITTEN = {
    "name": "tiny",
    "input": {"shape": [4]},
    "layers": [{"type": "Dense", "params": {"units": 1}}],
    "compile": {"loss": "mean_squared_error"},
    "training": {"epochs": 1, "batch_size": 8, "validation_split": 0.25, "test_split": 0.0},
}


def _stored_spec_text(folder):
    return json.dumps(json.loads((folder / "project.json").read_text())["spec"], indent=2)


def test_project_json_is_written_by_project_save_only(tmp_path, monkeypatch):
    from lamina.project import Project, save_project
    from lamina.project import folder as project_folder

    writes = []
    real_save = Project.save
    monkeypatch.setattr(Project, "save", lambda self: writes.append(self.name) or real_save(self))
    written = []
    real_write = project_folder.write_json
    monkeypatch.setattr(
        project_folder,
        "write_json",
        lambda path, data: written.append(path.name) or real_write(path, data),
    )
    create_project(tmp_path / "a", name="a", spec=tiny_spec())
    save_project(tmp_path / "a", tiny_spec().copy_with(name="b"))
    save_project(tmp_path / "b", AS_WRITTEN, name="b")
    open_project(tmp_path / "c", spec=tiny_spec())
    load_project(tmp_path / "a").set_spec(tiny_spec())
    assert writes == ["a", "a", "b", "c", "a"]
    assert written == ["project.json"] * 5


def test_save_project_keeps_runs_name_and_extra_fields(tmp_path):
    from lamina.project import save_project

    project = create_project(tmp_path / "p", name="stars", spec=tiny_spec())
    project.extra["note"] = "kept"
    project.save()
    write_run(project.new_run_dir("r"), tiny_spec(), {"status": "finished"})
    spec = tiny_spec().copy_with(name="other")
    saved = save_project(tmp_path / "p", spec)
    assert saved.spec is spec, "a ModelSpec is stored as it is, not copied"
    loaded = load_project(tmp_path / "p")
    assert (loaded.name, loaded.extra, loaded.spec.name) == ("stars", {"note": "kept"}, "other")
    assert len(loaded.runs()) == 1
    assert save_project(tmp_path / "p", spec, name="renamed").name == "renamed"
    assert load_project(tmp_path / "p").name == "renamed"


def test_old_project_file_without_defaults_still_opens(tmp_path):
    from lamina.project import save_project
    from lamina.spec import parse_spec

    folder = tmp_path / "old"
    folder.mkdir()
    old = {"format": "lamina-project", "name": "old", "created": "2026-01-01", "spec": AS_WRITTEN}
    (folder / "project.json").write_text(json.dumps(old, indent=2))
    project = load_project(folder)
    assert project.spec == parse_spec(AS_WRITTEN)
    save_project(folder, project.spec)
    assert json.loads((folder / "project.json").read_text())["spec"] == project.spec.to_dict()
    assert load_project(folder).created == "2026-01-01"


def test_spec_text_is_the_same_whoever_saved_the_project(tmp_path):
    """The app (`save_project`), `lamina.train` and ``lamina train`` store the same text."""
    import numpy as np

    import lamina
    import lamina.cli as cli
    from lamina.project import save_project
    from lamina.spec import parse_spec

    rng = np.random.default_rng(0)
    data = tmp_path / "data.npz"
    np.savez(data, x=rng.normal(size=(16, 4)).astype("float32"), y=rng.normal(size=(16, 1)))
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(AS_WRITTEN))

    save_project(tmp_path / "app", AS_WRITTEN, name="app")
    lamina.train(AS_WRITTEN, data=str(data), project=tmp_path / "api")
    args = ["train", str(spec_file), "--data", str(data), "--project", str(tmp_path / "cli")]
    assert cli.main([*args, "--no-progress"]) == 0

    texts = {name: _stored_spec_text(tmp_path / name) for name in ("app", "api", "cli")}
    assert texts["app"] == texts["api"] == texts["cli"]
    assert json.loads(texts["app"]) == parse_spec(AS_WRITTEN).to_dict(), "defaults filled in"


@pytest.mark.parametrize("run_id", ["a/b", "../p", "a\\b", "", ".", ".."])
def test_a_run_id_that_is_not_a_plain_folder_name_is_refused(tmp_path, run_id):
    project = create_project(tmp_path / "p")
    (tmp_path / "p" / "runs" / "a").mkdir(parents=True)
    with pytest.raises(ProjectError, match="is not a run id"):
        project.run(run_id)


def test_open_project_keeps_a_stored_spec_and_fills_a_missing_one(tmp_path):
    other = make_spec([4], [{"type": "Dense", "params": {"units": 3}}], loss="mean_squared_error")
    create_project(tmp_path / "with", spec=tiny_spec())
    assert open_project(tmp_path / "with", spec=other).spec == tiny_spec()  # kept
    assert load_project(tmp_path / "with").spec == tiny_spec()
    create_project(tmp_path / "without")
    assert open_project(tmp_path / "without").spec is None
    assert open_project(tmp_path / "without", spec=other).spec == other  # filled and saved
    assert load_project(tmp_path / "without").spec == other


def test_find_run_takes_the_project_file_for_its_folder(tmp_path):
    from lamina.project import find_run

    project = create_project(tmp_path / "p", spec=tiny_spec())
    for label in ("first", "second"):
        run_dir = project.new_run_dir(label)
        (run_dir / "weights.final.h5").write_bytes(b"weights")
        write_run(run_dir, tiny_spec(), {"status": "finished"}, history={"loss": [1.0]})
    latest = find_run(tmp_path / "p" / "project.json")
    assert latest.path == run_dir
    assert find_run(tmp_path / "p").path == run_dir


def test_a_run_folder_name_takes_the_first_40_characters_of_the_label(tmp_path):
    project = create_project(tmp_path / "p")
    run_dir = project.new_run_dir("galaxy morphology / deep net with 7 conv layers & dropout 0.3")
    assert re.fullmatch(r"\d{8}-\d{6}-galaxy-morphology-deep-net-with-7-conv-l", run_dir.name)


def test_a_file_of_the_project_other_than_project_json_is_not_a_project(tmp_path):
    create_project(tmp_path / "p", spec=tiny_spec())
    notes = tmp_path / "p" / "notes.txt"
    notes.write_text("galaxies")
    with pytest.raises(ProjectError, match="project folder not found") as info:
        load_project(notes)
    assert str(notes) in str(info.value)


def test_find_run_says_which_incomplete_runs_it_skipped(tmp_path):
    from lamina.project import find_run

    project = create_project(tmp_path / "p", spec=tiny_spec())
    cut = project.new_run_dir("cut")  # interrupted before its run.json was written
    (cut / "spec.json").write_text(tiny_spec().to_json())
    with pytest.raises(
        ProjectError, match=rf"no finished run with weights \({cut.name} incomplete\)"
    ):
        find_run(tmp_path / "p")
    good = project.new_run_dir("good")
    (good / "weights.final.h5").write_bytes(b"weights")
    write_run(good, tiny_spec(), {"status": "finished"}, history={"loss": [1.0]})
    later = project.new_run_dir("later")
    (later / "spec.json").write_text(tiny_spec().to_json())
    notes = []
    assert find_run(tmp_path / "p", note=notes.append).path == good
    assert notes == [f"using run {good.name} (the latest finished run; {later.name} incomplete)"]


def test_weights_that_do_not_fit_the_spec_are_a_located_project_error(tmp_path):
    from lamina.build import build_model

    bigger = make_spec([4], [{"type": "Dense", "params": {"units": 3}}], loss="mean_squared_error")
    project = create_project(tmp_path / "p", spec=tiny_spec())
    run_dir = project.new_run_dir("r")
    build_model(bigger).save_weights(str(run_dir / "weights.final.h5"))  # 4x3, not 4x2
    write_run(run_dir, tiny_spec(), {"status": "finished"}, history={"loss": [1.0]})
    with pytest.raises(ProjectError, match="cannot load the weights into the spec's model") as info:
        load_run(run_dir).model()
    assert str(run_dir / "weights.final.h5") in str(info.value)


@pytest.mark.parametrize("checkpoint, epoch", [({"best_epoch": 2}, 3), ({"monitor": "x"}, 1)])
def test_an_interrupted_run_says_which_epoch_its_best_weights_are_from(tmp_path, checkpoint, epoch):
    project = create_project(tmp_path / "p")
    run_dir = project.new_run_dir("cut")
    (run_dir / "spec.json").write_text(tiny_spec().to_json())
    (run_dir / "checkpoint.json").write_text(json.dumps(checkpoint))
    (run_dir / "weights.best.h5").write_bytes(b"weights")
    with pytest.raises(ProjectError, match="interrupted") as info:
        load_run(run_dir)
    assert f"its best weights so far (epoch {epoch}) are in {run_dir / 'weights.best.h5'}" in str(
        info.value
    )


def test_a_run_saved_with_best_weights_writes_them_and_keeps_the_final_ones(tmp_path):
    import numpy as np

    from lamina.build import build_model

    model = build_model(tiny_spec())
    final = [np.full(w.shape, 1.0, dtype="float32") for w in model.get_weights()]
    best = [np.full(w.shape, -2.0, dtype="float32") for w in model.get_weights()]
    model.set_weights(final)
    project = create_project(tmp_path / "p", spec=tiny_spec())
    for name, best_weights, expected_best in (("kept", best, best), ("none", None, final)):
        run_dir = project.new_run_dir(name)
        written = write_run(
            run_dir, tiny_spec(), {"status": "finished"}, model=model, best_weights=best_weights
        )
        assert written == {
            "final": run_dir / "weights.final.h5",
            "best": run_dir / "weights.best.h5",
        }
        run = load_run(run_dir)
        for which, expected in (("final", final), ("best", expected_best)):
            for got, want in zip(run.model(which).get_weights(), expected, strict=True):
                np.testing.assert_array_equal(got, want, err_msg=f"{name}: {which}")
        for got, want in zip(model.get_weights(), final, strict=True):
            np.testing.assert_array_equal(got, want)  # the model keeps its final weights


def test_an_interrupted_run_without_best_weights_does_not_point_to_them(tmp_path):
    project = create_project(tmp_path / "p")
    run_dir = project.new_run_dir("cut")
    (run_dir / "spec.json").write_text(tiny_spec().to_json())
    (run_dir / "checkpoint.json").write_text(json.dumps({"best_epoch": 2}))
    with pytest.raises(ProjectError, match="interrupted") as info:
        load_run(run_dir)
    assert str(info.value).endswith("the run was interrupted before it was saved")


def test_an_interrupted_run_with_stray_best_weights_but_no_checkpoint_says_only_interrupted(
    tmp_path,
):
    project = create_project(tmp_path / "p")
    run_dir = project.new_run_dir("cut")
    (run_dir / "spec.json").write_text(tiny_spec().to_json())
    (run_dir / "weights.best.h5").write_bytes(b"weights")
    with pytest.raises(ProjectError, match="interrupted") as info:
        load_run(run_dir)
    assert str(info.value).endswith("the run was interrupted before it was saved")


def test_two_runs_with_one_label_in_the_same_second_get_two_folders(tmp_path, monkeypatch):
    project = create_project(tmp_path / "p")
    monkeypatch.setattr(time, "strftime", lambda *args: "20260101-120000")
    first = project.new_run_dir("same")
    second = project.new_run_dir("same")
    third = project.new_run_dir("same")
    assert [first.name, second.name, third.name] == [
        "20260101-120000-same",
        "20260101-120000-same-2",
        "20260101-120000-same-3",
    ]
    assert all(d.is_dir() for d in (first, second, third))


def test_project_json_has_format_version_1_and_newer_versions_are_refused(tmp_path):
    create_project(tmp_path / "p")
    file = tmp_path / "p" / "project.json"
    data = json.loads(file.read_text())
    assert data["format_version"] == 1
    assert load_project(tmp_path / "p").name == "p"
    data["format_version"] = 2
    file.write_text(json.dumps(data))
    with pytest.raises(ProjectError, match=r"format version 2 is newer .*\(1\); upgrade lamina"):
        load_project(tmp_path / "p")
