"""`import lamina` is light: no Qt, no TensorFlow until needed."""

import subprocess
import sys


def test_import_lamina_does_not_import_qt_or_tensorflow():
    code = (
        "import lamina, sys; "
        "assert 'PySide6' not in sys.modules, 'Qt imported'; "
        "assert 'tensorflow' not in sys.modules, 'TensorFlow imported'; "
        "import os; assert os.environ['TF_USE_LEGACY_KERAS'] == '1'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_building_a_model_never_imports_qt():
    code = (
        "import lamina, sys; "
        "lamina.build_model(lamina.make_spec([4], [lamina.item('Dense', units=2)], loss='mse')); "
        "assert 'PySide6' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_resolves_to_an_object_not_a_submodule():
    import types

    import lamina

    for name in lamina.__all__:
        if name == "__version__":
            continue
        value = getattr(lamina, name)
        assert not isinstance(value, types.ModuleType), f"lamina.{name} is a module"
    assert callable(lamina.get_registry) and callable(lamina.train)
