"""``lamina demo``: LeNet trained on synthetic galaxy images, with pictures of what it learnt."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from lamina.cli.common import project_errors
from lamina.cli.progress import TrainingProgress, report_result

DEFAULT_DEMO = "lamina-demo"


def add_parsers(sub: Any) -> None:
    """Adds ``demo`` to the command line."""
    p = sub.add_parser("demo", help="train LeNet on synthetic galaxy images (about a minute)")
    p.add_argument("--out", default=DEFAULT_DEMO, help=f"project folder (default ./{DEFAULT_DEMO})")
    p.add_argument(
        "--quick", action="store_true", help="a few-seconds version (tiny data, 1 epoch)"
    )
    p.set_defaults(func=run_demo)


def demo_settings(quick: bool) -> dict[str, Any]:
    """The demo's data and training settings (quick: seconds, full: about a minute on 2 cores)."""
    if quick:
        return {"data": {"n": 120, "size": 32}, "epochs": 1, "input_shape": (32, 32, 1)}
    return {"data": {"n": 1800, "size": 64}, "epochs": 15, "input_shape": (64, 64, 1)}


@project_errors
def run_demo(args: argparse.Namespace) -> int:
    """Trains the demo LeNet into a project and draws its pictures (``lamina demo``)."""
    import lamina
    from lamina.training import train

    settings = demo_settings(args.quick)
    spec = lamina.architecture(
        "lenet", input_shape=settings["input_shape"], n_classes=3, epochs=settings["epochs"]
    )
    spec = spec.copy_with(
        name="demo-lenet-galaxies",
        data={"type": "galaxies", "params": settings["data"]},
        training={**spec.training.model_dump(mode="json"), "standardize": True},
    )
    print(
        f"lamina demo: LeNet on {settings['data']['n']} synthetic galaxy images "
        f"({settings['data']['size']}x{settings['data']['size']}), {settings['epochs']} epoch(s)"
    )
    t0 = time.perf_counter()
    progress = TrainingProgress(show_bar=True)
    try:
        result = train(spec, project=args.out, on_event=progress, batch_events=progress.show_bar)
    finally:
        progress.stop()
    val = result.history.get("val_accuracy", [float("nan")])
    print(
        f"validation accuracy reached: {val[-1]:.3f} (best {max(val):.3f}) in {time.perf_counter() - t0:.0f}s"  # noqa: E501
    )
    report_result(result)
    if result.status == "finished" and result.path is not None:
        _demo_visualizations(result.path, steps=10 if args.quick else 60)
    return 0 if result.status == "finished" else 1


#: (kind, parameters) drawn into ``<run>/viz/`` by ``lamina demo``
DEMO_VISUALIZATIONS: list[tuple[str, dict[str, Any]]] = [
    ("filters", {"layer": 0}),
    ("deconvnet", {}),
    ("occlusion", {"stride": 4}),
    ("deep_dream", {}),
    ("training_curves", {}),
]


def _demo_visualizations(run_dir: Any, steps: int) -> None:
    """Writes the demo's pictures (filters, deconvnet, occlusion, deep dream) into the run."""
    from lamina.project import load_run
    from lamina.visualize import save_png
    from lamina.visualize.runs import visualize_run

    run = load_run(run_dir)
    model = run.model()
    out = Path(run_dir) / "viz"
    out.mkdir(exist_ok=True)
    for kind, params in DEMO_VISUALIZATIONS:
        extra = {"steps": steps} if kind == "deep_dream" else {}
        sample = None if kind in ("filters", "training_curves") else 0
        result = visualize_run(run, kind, {**params, **extra}, sample=sample, model=model)
        path = save_png(result, out / f"{kind}.png")
        print(f"{kind}: {path}")
