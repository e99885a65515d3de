"""Readable pictures and plots (no engine): heat maps over their input with a colour bar
and an opacity slider, the sample's true and predicted class, a plain meta line cleared
between pictures, whole epochs, full class names, one colour per class in every view."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from lamina_gui.views.visualize_text import meta_line, sample_text
from lamina_gui.widgets.overlay import overlay_heatmap
from lamina_gui.widgets.plots import ConfusionTable, EpochAxis, class_colours

VIS_CATALOG = {
    "entries": [
        {
            "name": "gradcam",
            "kind": "visualization",
            "category": "attribution",
            "params": [{"name": "input"}, {"name": "class_index"}],
        }
    ],
    "plugins": [],
}


def test_the_meta_line_is_plain_words_and_short_numbers() -> None:
    meta = {
        "base_score": 0.5827541351318359,
        "suptitle": "occlusion (8px patch), class 2",
        "class_index": 2,
        "cmap": "jet",
        "map": [[0.1]],
    }
    assert meta_line(meta) == "base score: 0.583   ·   class index: 2"


def test_the_sample_line_names_true_and_predicted_classes() -> None:
    text = sample_text(
        {"index": 3, "true": "spiral", "predicted": "elliptical", "confidence": 0.87}
    )
    assert text.startswith("Sample 3 — true: <b>spiral</b> · predicted:")
    assert "elliptical</b> (87 %)" in text and "#b00020" in text  # wrong: in red
    assert "#287a28" in sample_text({"index": 1, "true": "a", "predicted": "a"})


@pytest.fixture
def viz(qtbot: Any, make_state: Any, make_bridge: Any) -> Any:
    from lamina_gui.views.visualize import VisualizeView

    view = VisualizeView(make_state(VIS_CATALOG), make_bridge(VIS_CATALOG))
    qtbot.addWidget(view)
    return view


def test_a_heat_map_is_drawn_over_its_input_with_opacity_and_colour_bar(viz: Any) -> None:
    rng = np.random.default_rng(0)
    background = rng.random((16, 16, 1)).astype(np.float32)
    heat = rng.random((16, 16)).astype(np.float32)
    sample = {"index": 3, "true": "spiral", "predicted": "spiral", "confidence": 0.9}
    meta = {"background": background, "cmap": "jet", "colorbar": True, "sample": sample}
    viz.show_result({"kind": "gradcam", "images": heat[None], "titles": ["t"], "meta": meta})
    expected = overlay_heatmap(background, heat, 0.45, "jet")
    assert np.array_equal(viz.grid.image(0), expected)
    assert not viz.colour_bar.isHidden() and not viz.opacity_slider.isHidden()
    assert viz.colour_bar.high.text() == f"{heat.max():.3g}"
    viz.opacity_slider.setValue(0)  # only the input
    grey = np.round(background[..., 0] / background.max() * 255)
    assert np.abs(viz.grid.image(0)[..., 0].astype(float) - grey).max() <= 1
    assert "true: <b>spiral</b>" in viz.sample_label.text()
    # another picture without a map: no slider, and the old facts are gone
    viz.show_result({"kind": "filters", "images": heat[None], "titles": ["f"], "meta": {}})
    assert viz.opacity_slider.isHidden() and viz.colour_bar.isHidden()
    assert viz.sample_label.text() == "" and viz.meta_label.text() == ""


def test_the_class_box_shows_the_class_name(viz: Any, tmp_path: Any) -> None:
    import json

    run = tmp_path / "run"
    run.mkdir()
    info = {"data": {"class_names": ["elliptical", "spiral", "edge-on"]}}
    (run / "run.json").write_text(json.dumps(info))
    viz.set_run_dir(str(run))
    viz.class_box.setValue(1)
    assert viz.class_box.text().endswith("(spiral)")
    assert viz.class_box.maximum() == 2


def test_epoch_axes_have_whole_ticks_only(qtbot: Any) -> None:
    axis = EpochAxis("bottom")
    levels = axis.tickValues(1.0, 3.0, 400)
    values = [v for _, vals in levels for v in vals]
    assert values and all(float(v).is_integer() for v in values)
    assert axis.tickStrings([1.0, 2.0], 1, 1) == ["1", "2"]


def test_confusion_matrix_has_full_names_and_a_normalised_view(qtbot: Any) -> None:
    table = ConfusionTable()
    qtbot.addWidget(table)
    table.show_matrix(np.array([[3, 1], [0, 4]]), ["elliptical", "spiral"])
    assert table.horizontalHeaderItem(0).text() == "elliptical"
    assert table.item(0, 1).text() == "1"
    table.set_normalised(True)
    assert [table.item(0, c).text() for c in range(2)] == ["0.75", "0.25"]
    assert table.item(1, 1).text() == "1.00"


def test_data_preview_points_use_the_class_colours_of_the_boundary(qtbot: Any) -> None:
    from lamina_gui.widgets.data_preview import DataPreview

    preview = DataPreview()
    qtbot.addWidget(preview)
    x = np.array([[0, 0], [1, 1], [2, 0]], dtype=np.float32)
    summary = {"class_names": ["upper", "lower"], "feature_names": ["x1", "x2"]}
    preview.show_samples(summary, "points", x, np.array([0, 1, 1]))
    items = preview.plot.getPlotItem().listDataItems()
    colours = [tuple(i.opts["symbolBrush"].color().getRgb()[:3]) for i in items]
    assert colours == [tuple(c) for c in class_colours(2)]
    assert not preview.plot.getAxis("bottom").autoSIPrefix
