"""``lamina catalog``/``plugins``/``schema``/``--help`` answer from the catalogue cache.

With a warm cache they import no TensorFlow and print exactly what the loaded catalogue
prints; a plug-in added to or removed from a plug-in folder is seen on the next call (the
cache is rebuilt, and the rebuild says so on stderr).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import textwrap

import pytest

from lamina import plugins as lp
from lamina.cli import main

#: Runs the command line in this process and says on stderr whether TensorFlow loaded.
WRAPPER = textwrap.dedent(
    """
    import sys
    from lamina.cli import main
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:  # --help
        code = exc.code or 0
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "tf_keras"))
    print("TF-MODULES", len(loaded), file=sys.stderr)
    sys.exit(code)
    """
)

PLUGIN = """
from lamina.hookspecs import hookimpl

def tripled(x):
    '''Three times its input.'''
    return 3 * x

@hookimpl
def register_activations(register):
    register(tripled, name="tripled_for_cache_test", category="test")
"""

COMMANDS = [
    ["--help"],
    ["catalog"],
    ["catalog", "Conv2D"],
    ["catalog", "--json", "--kind", "loss"],
    ["catalog", "conv2d"],  # unknown: the same "did you mean" message
    ["plugins"],
    ["plugins", "--json"],
    ["schema"],
]


@pytest.fixture
def cache_env(tmp_path, monkeypatch):
    """A fresh lamina home and an (empty) plug-in folder on LAMINA_PLUGIN_PATH."""
    home, folder = tmp_path / "home", tmp_path / "more-plugins"
    folder.mkdir()
    monkeypatch.setenv("LAMINA_HOME", str(home))
    monkeypatch.setenv("LAMINA_PLUGIN_PATH", str(folder))
    monkeypatch.setenv("LAMINA_DISABLE_PLUGINS", "probability,graph")  # a quicker rebuild
    return folder


def run_cli(*args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ),
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def tf_modules(proc: subprocess.CompletedProcess) -> int:
    return int(proc.stderr.split("TF-MODULES", 1)[1].split()[0])


def live_output(args: list[str]) -> tuple[int, str, str]:
    """What the command prints with the catalogue loaded in this process (no cache)."""
    out, err = io.StringIO(), io.StringIO()
    old = lp.set_registry(lp.build_registry())
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:
                code = exc.code or 0
    finally:
        lp.set_registry(old)
    return code, out.getvalue(), err.getvalue()


def catalog_names() -> tuple[set[str], str]:
    proc = run_cli("catalog", "--json")
    assert proc.returncode == 0, proc.stderr
    return {e["name"] for e in json.loads(proc.stdout)}, proc.stderr


def test_warm_cache_answers_without_tensorflow_and_prints_the_same(cache_env):
    cold = run_cli("catalog")
    assert cold.returncode == 0
    assert "rewriting its cache (no cache yet)" in cold.stderr
    assert tf_modules(cold) > 0  # the rebuild loaded the catalogue
    for args in COMMANDS:
        warm = run_cli(*args)
        assert tf_modules(warm) == 0, (args, warm.stderr)
        assert "rewriting" not in warm.stderr
        code, out, err = live_output(args)
        assert (warm.returncode, warm.stdout) == (code, out), args
        assert warm.stderr.split("TF-MODULES")[0] == err, args
    assert "did you mean 'Conv2D'" in run_cli("catalog", "conv2d").stderr


def test_a_plugin_added_or_removed_is_seen_on_the_next_call(cache_env):
    names, _ = catalog_names()
    assert "tripled_for_cache_test" not in names and "Conv2D" in names
    plugin = cache_env / "tripler.py"
    plugin.write_text(PLUGIN)
    names, err = catalog_names()
    assert "tripled_for_cache_test" in names
    assert "changed: the user plug-in folders" in err
    names, err = catalog_names()  # warm again: from the cache, still there
    assert "tripled_for_cache_test" in names and "rewriting" not in err
    assert tf_modules(run_cli("plugins")) == 0
    assert "tripler" in run_cli("plugins").stdout
    plugin.unlink()
    names, err = catalog_names()
    assert "tripled_for_cache_test" not in names and "Conv2D" in names
    assert "rewriting" in err


def test_a_changed_plugin_variable_rebuilds_the_cache(cache_env, monkeypatch):
    catalog_names()
    monkeypatch.setenv("LAMINA_DISABLE_PLUGINS", "graph")
    names, err = catalog_names()
    assert "LAMINA_PLUGIN_PATH / LAMINA_PLUGINS / LAMINA_DISABLE_PLUGINS" in err
    assert "Normal" in names  # the probability plug-in is back


def test_the_drawn_catalogue_table_is_cached_per_terminal_and_with_the_catalogue(
    cache_env, monkeypatch
):
    from lamina.catalog_cache import cache_path

    run_cli("catalog")  # cold: builds the catalogue cache
    first = run_cli("catalog")  # warm: draws the table and keeps its text
    texts = cache_path().with_name("catalog_text.json")
    data = json.loads(texts.read_text())
    assert data["stamp"] == json.loads(cache_path().read_text())["saved"]
    ((name, text),) = data["texts"].items()
    assert text == first.stdout == live_output(["catalog"])[1]
    # the next call prints the kept text: a changed text shows
    data["texts"][name] = text.replace("Conv2D", "CONV-KEPT")
    texts.write_text(json.dumps(data))
    assert "CONV-KEPT" in run_cli("catalog").stdout
    # another terminal (colours forced) is drawn for itself, in colour, as rich draws it
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = run_cli("catalog")
    assert "\x1b[" in coloured.stdout and "CONV-KEPT" not in coloured.stdout
    assert coloured.stdout == live_output(["catalog"])[1]
    assert run_cli("catalog").stdout == coloured.stdout
    assert len(json.loads(texts.read_text())["texts"]) == 2
    # a view with options is its own entry; plugins too
    assert (
        run_cli("catalog", "--kind", "loss").stdout == live_output(["catalog", "--kind", "loss"])[1]
    )
    assert run_cli("plugins").stdout == live_output(["plugins"])[1]
    # a rebuilt catalogue (a plug-in added) draws afresh: the kept text is dropped
    monkeypatch.delenv("FORCE_COLOR")
    (cache_env / "tripler.py").write_text(PLUGIN)
    run_cli("catalog")
    fresh = run_cli("catalog")
    assert "CONV-KEPT" not in fresh.stdout and "tripled_for_cache_test" in fresh.stdout
    assert fresh.stdout == live_output(["catalog"])[1]
