"""Words of the Visualize view: the meta line, the sample's labels, a run's class names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Meta keys that are drawing instructions or arrays, not facts for the meta line.
HIDDEN_META = {
    "cmap",
    "symmetric",
    "colorbar",
    "suptitle",
    "background",
    "sample",
    "map",
    "panels",
    "columns",
    "wcs",
    "stretch",
}


def meta_line(meta: dict[str, Any]) -> str:
    """The facts of a visualization's meta in plain words (no raw keys, short numbers)."""
    facts = []
    for key, value in meta.items():
        if key in HIDDEN_META or isinstance(value, bool):
            continue
        if isinstance(value, float):
            text = f"{value:.3g}"
        elif isinstance(value, int):
            text = str(value)
        elif isinstance(value, str) and len(value) <= 60:
            text = value
        else:
            continue
        facts.append(f"{key.replace('_', ' ')}: {text}")
    return "   ·   ".join(facts[:6])


def sample_text(sample: Any) -> str:
    """``sample 3 — true: spiral · predicted: elliptical (87 %)`` from the meta's sample."""
    if not isinstance(sample, dict) or "index" not in sample:
        return ""
    parts = [f"Sample {sample['index']}"]
    if sample.get("true"):
        parts.append(f"true: <b>{sample['true']}</b>")
    if sample.get("predicted"):
        conf = sample.get("confidence")
        share = f" ({100 * float(conf):.0f} %)" if isinstance(conf, (int, float)) else ""
        ok = sample.get("true") in (None, sample["predicted"])
        colour = "#287a28" if ok else "#b00020"
        parts.append(f"predicted: <b style='color:{colour}'>{sample['predicted']}</b>{share}")
    return " — ".join(parts[:1]) + (" — " + " · ".join(parts[1:]) if parts[1:] else "")


def run_class_names(run_dir: str | None) -> list[str]:
    """The class names of a saved run's data (from its ``run.json``), or []."""
    if not run_dir:
        return []
    try:
        info = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = ((info if isinstance(info, dict) else {}).get("data") or {}).get("class_names")
    return [str(n) for n in names] if isinstance(names, list) else []
