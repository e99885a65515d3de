"""Must hold (issue 18): the plug-in guide, followed by a stranger, works as written.

A throw-away plug-in is built from ``docs/plugin-guide.md``'s code blocks alone (the
blocks headed by a path, see ``doc_blocks.py``), installed in a fresh virtual
environment with the guide's own commands (its ``bash`` blocks, run unchanged and in
order in the plug-in's folder), which also run its tests and the guide's end-to-end
checks: the catalogue and ``lamina plugins --entries`` list the entries, ``lamina
check``, a short ``lamina train``, ``lamina viz`` of the curve visualization (its x axis
label is asserted on the figure, and the PNG is the same picture), and a fresh process
reloading the exported ``.keras`` file. The app's palette shows the entries too.

How the fresh environment gets lamina without downloading TensorFlow: ``python -m venv
--system-site-packages`` does not help here, because a venv created from this venv's
Python points at the *base* interpreter, whose site-packages has neither lamina nor
TensorFlow. So the fresh venv gets a ``.pth`` file (and the ``lamina`` command that
installing lamina would have put into its ``bin/``) adding a folder of symlinks to this
environment's site-packages, minus the example plug-in (the developer's environment has
it installed, a stranger's has not) and minus pytest: the guide's ``pip install -e
".[test]"`` must itself put pytest, and its ``pytest`` command, into the fresh
environment (a ``pytest`` from elsewhere is exactly the ``No module named`` failure the
guide explains). Nothing is downloaded: ``PIP_NO_INDEX`` with ``PIP_FIND_LINKS`` pointing
at a wheel repacked from this environment's own pytest, and ``PIP_NO_BUILD_ISOLATION``
so that the environment's setuptools builds the plug-in (an isolated build would
download setuptools). Those are pip's environment variables: the guide's commands run
exactly as printed.

It takes a few minutes (an install, the plug-in's tests, a training run), hence `slow`.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest
from doc_blocks import ROOT, commands, plugin_files

# a few minutes alone; on a loaded 2-core machine up to 15 (pyproject's default is 900 s)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

#: what the guide's plug-in registers: name -> kind
ENTRIES = {
    "example.AsinhStretch": "layer",
    "example.log_cosh_relative": "loss",
    "example.SignSGD": "optimizer",
    "example.PositiveHead": "head",
    "example.photometry_mlp": "architecture",
    "example.star_colours": "dataset",
    "example.weight_norms": "visualization",
    "example.magnitude_response": "visualization",
}

#: top-level names of this environment's site-packages the fresh one must not see
HIDDEN = ("lamina_example", "lamina-example", "pytest", "_pytest", "py.py")


def repack_wheel(dist_name: str, wheelhouse: Path) -> Path:
    """Writes a wheel of an installed distribution (its files and dist-info) and returns it."""
    dist = importlib.metadata.distribution(dist_name)
    name = dist.metadata["Name"].replace("-", "_")
    wheel = wheelhouse / f"{name}-{dist.version}-py3-none-any.whl"
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    record_path = next(str(f) for f in dist.files if str(f).endswith(".dist-info/RECORD"))
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in dist.files:
            path = str(file)
            if path.startswith("..") or "__pycache__" in path or path == record_path:
                continue
            data = file.locate().read_bytes()
            zf.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            writer.writerow([path, f"sha256={digest.decode()}", len(data)])
        writer.writerow([record_path, "", ""])
        zf.writestr(record_path, record.getvalue())
    return wheel


def linked_site_packages(target: Path) -> None:
    """A folder of symlinks to this environment's site-packages, minus `HIDDEN`."""
    site_dir = Path(sysconfig.get_paths()["purelib"])
    target.mkdir()
    for item in site_dir.iterdir():
        lowered = item.name.lower()
        if any(lowered == h or lowered.startswith((h + "-", h + ".")) for h in HIDDEN):
            continue
        if "lamina_example" in lowered or "lamina-example" in lowered:
            continue  # e.g. __editable__.lamina_example-0.1.0.pth
        (target / item.name).symlink_to(item)


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> str:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (
        f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    )
    return proc.stdout


#: run in the fresh environment after the guide's commands: the figure, the reloaded
#: model, `--entries` and the app's palette, in one process (TensorFlow loads once)
CHECKS = textwrap.dedent(
    """
    import json
    import numpy as np
    from PIL import Image
    from PySide6.QtWidgets import QApplication
    import lamina
    from lamina.engine.catalog_cache import load_cached_catalog
    from lamina.engine.handlers import handle
    from lamina.engine.protocol import CatalogRequest
    from lamina.entry_places import plugin_entries
    from lamina.project import find_run
    from lamina_gui.widgets.palette import Palette
    from lamina.visualize.render import render_figure
    from lamina.visualize.runs import visualize_run

    run = find_run("star-project")
    result = visualize_run(run, "example.magnitude_response", {}, sample=0)
    fig = render_figure(result)
    fig.savefig("again.png", dpi=100)
    (panel,) = result.panels
    star = lamina.load_data("example.star_colours", params={"n": 300}).x[0]
    change = np.linspace(-5.0, 5.0, 41)
    expected = run.model().predict(star[None, :] * 10.0 ** (-0.4 * change[:, None]), verbose=0)
    drawn, again = (np.asarray(Image.open(p)) for p in ("response.png", "again.png"))
    reloaded = lamina.load_model("star.keras", compile=True)
    out = {"entries": {e.name: [e.kind, *e.places] for e in plugin_entries("example")}}

    catalog = handle(CatalogRequest()).to_dict()  # what the engine answers the app
    app = QApplication([])
    for label, data in (("engine", catalog), ("cache", load_cached_catalog())):
        palette = Palette()
        palette.set_catalog(data)  # the app fills its palette from the cache, then the engine
        out[label] = sorted(n for n in palette.visible_entries() if n.startswith("example."))
        item = palette.find_item("example.AsinhStretch", kind="layer")
        out[label + "_plugin_column"] = item.text(1) if item is not None else None
        palette.deleteLater()

    print("RESULT" + json.dumps({
        **out,
        "x_label": fig.axes[0].get_xlabel(),
        "y_label": fig.axes[0].get_ylabel(),
        "x": panel.curves[0].x.tolist(),
        "y_error": float(np.max(np.abs(panel.curves[0].y - expected[:, 0]))),
        "same_png": drawn.shape == again.shape and bool(np.array_equal(drawn, again)),
        "reloaded": reloaded.predict(star[None], verbose=0).tolist(),
        "run_model": run.model().predict(star[None], verbose=0).tolist(),
    }))
    """
)


def result_of(output: str) -> dict:
    return json.loads(output.split("RESULT", 1)[1])


def test_a_plugin_built_from_the_guide_alone_installs_tests_trains_draws_and_reloads(
    tmp_path: Path,
) -> None:
    # the plug-in, from the guide's file blocks alone
    plugin_dir = tmp_path / "lamina-example"
    files = plugin_files()
    assert {
        "pyproject.toml",
        "src/lamina_example/plugin.py",
        "tests/test_example_plugin.py",
    } <= set(files)
    for rel, text in files.items():
        (plugin_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (plugin_dir / rel).write_text(text, encoding="utf-8")

    # a fresh environment that sees lamina and TensorFlow, but neither the plug-in nor pytest
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAMINA_", "PYTHON", "PIP_"))}
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    repack_wheel("pytest", wheelhouse)
    env.update(
        LAMINA_HOME=str(tmp_path / "home"),  # no user plug-ins; the catalogue cache goes here
        QT_QPA_PLATFORM="offscreen",
        TF_CPP_MIN_LOG_LEVEL="2",
        # the fresh environment's commands, then the system's: no other environment's
        PATH=os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
        PIP_CONFIG_FILE=os.devnull,  # no index or find-links of this machine's pip.conf
        PIP_NO_INDEX="1",  # nothing may be downloaded
        PIP_FIND_LINKS=str(wheelhouse),
        PIP_NO_BUILD_ISOLATION="0",  # pip's spelling of --no-build-isolation
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    new_site = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        env,
        tmp_path,
    ).strip()
    linked = tmp_path / "linked-site-packages"
    linked_site_packages(linked)
    lines = [f"import site; site.addsitedir({str(linked)!r})"]
    lines += [str(ROOT / "src"), str(ROOT / "plugins"), str(ROOT / "gui")]
    (Path(new_site) / "lamina_dev_env.pth").write_text("\n".join(lines) + "\n")

    # the `lamina` command that installing lamina puts into an environment's bin/
    lamina = venv / "bin" / "lamina"
    lamina.write_text(f"#!{python}\nimport sys\nfrom lamina.cli import main\nsys.exit(main())\n")
    lamina.chmod(0o755)

    missing = "import importlib.util as u; print(u.find_spec('lamina_example'))"
    assert run([str(python), "-c", missing], env, tmp_path).strip() == "None"
    assert not (venv / "bin" / "pytest").exists()
    probe = subprocess.run([str(python), "-c", "import pytest"], env=env, capture_output=True)
    assert probe.returncode != 0, "the fresh environment must not see this one's pytest"

    # the guide's commands, unchanged and in order, in the plug-in's folder
    blocks = commands()
    assert len(blocks) == 4, blocks  # install, check the catalogue, run the tests, end to end
    outputs = [
        run(["bash", "-e", "-o", "pipefail", "-c", block], env, plugin_dir) for block in blocks
    ]
    install, listing, tests, end_to_end = outputs

    # the install put pytest into the environment, with the command on its PATH
    assert (venv / "bin" / "pytest").exists()
    assert shutil.which("pytest", path=env["PATH"]) == str(venv / "bin" / "pytest")

    # the catalogue and --entries list every entry, with where the app shows it
    for name in ENTRIES:
        assert name in listing, f"{name} missing from the guide's listing"
    assert "Visualize view: the visualization list" in listing

    # the plug-in's own tests ran, from its installed copy
    assert " passed" in tests and " failed" not in tests, tests[-2000:]
    assert "6 passed" in tests, tests[-2000:]

    # check, train, viz, export and the fresh-process reload of the end-to-end section
    assert "total params: 1,282" in end_to_end
    assert "run saved in star-project/runs/" in end_to_end
    assert "example.magnitude_response: wrote response.png" in end_to_end
    assert end_to_end.strip().splitlines()[-1] == "log_cosh_relative"
    png = plugin_dir / "response.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("LAMINA_KEEP_WALKTHROUGH_PNG")
    if keep:  # to look at it: LAMINA_KEEP_WALKTHROUGH_PNG=/tmp/response.png
        shutil.copy(png, keep)

    figure = result_of(run([str(python), "-c", CHECKS], env, plugin_dir))
    assert figure["x_label"] == "magnitude change [mag]"
    assert figure["y_label"] == "prediction"
    assert figure["same_png"], "lamina viz drew another picture than the figure checked here"
    assert figure["x"][0] == -5.0 and figure["x"][-1] == 5.0 and len(figure["x"]) == 41
    assert figure["y_error"] < 1e-4
    # the fresh process reloading the exported file predicts what the run's model does
    assert figure["reloaded"][0] == pytest.approx(figure["run_model"][0], rel=1e-5)

    # `lamina plugins --entries example`: every entry, with where the app shows it
    assert {name: e[0] for name, e in figure["entries"].items()} == ENTRIES
    assert figure["entries"]["example.magnitude_response"][1:] == [
        "palette: Visualizations",
        "Visualize view: the visualization list",
    ]
    # the app's palette shows the entries, from the engine and from the catalogue cache
    for source in ("engine", "cache"):
        assert figure[source] == sorted(ENTRIES), figure
        assert figure[source + "_plugin_column"] == "example"
