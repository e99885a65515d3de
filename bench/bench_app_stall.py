"""Does training stall the app? A CNN trains through the real engine with the real
TrainingView shown offscreen, while a 10 ms QTimer records the longest gap between ticks.
With ``--concurrent`` (the default) the real Data view asks for its preview and the real
Visualize view for the filters of an earlier run every 0.7 s during the training, as a
person looking around while a model trains would; the bench prints how long those
answers took (they no longer wait behind the training).

Target: the longest gap <= 60 ms next to the idle baseline. Also prints the number of
epoch events the view got, and the UI thread's own CPU time in its longest gap (the rest
of a gap is time the thread waited: for a CPU on a loaded machine, or for the GIL). With
``--stalls`` a watchdog thread samples the UI thread's Python stack while it stalls;
``LAMINA_BENCH_TRACE=1`` prints the events and long gaps in time order.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_app_stall.py [--epochs 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SPEC = {
    "name": "digits-cnn",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {
            "type": "Conv2D",
            "params": {"filters": 16, "kernel_size": 3, "activation": "relu", "padding": "same"},
        },
        {"type": "MaxPooling2D", "params": {}},
        {"type": "Conv2D", "params": {"filters": 32, "kernel_size": 3, "activation": "relu"}},
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 64, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 5, "batch_size": 16},
    "data": {"type": "digits", "params": {}},
}


class StallSampler:
    """Samples what the UI thread runs while it has not ticked for `after_ms` (a watchdog
    thread reads its Python stack): where the long gaps come from."""

    def __init__(self, after_ms: float = 30.0) -> None:
        import threading

        self.after = after_ms / 1000
        self.last = time.perf_counter()
        self.main = threading.main_thread().ident
        self.samples: dict[str, int] = {}
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def tick(self) -> None:
        self.last = time.perf_counter()

    def _watch(self) -> None:
        import traceback

        while self.running:
            time.sleep(0.005)
            if time.perf_counter() - self.last < self.after:
                continue
            frame = sys._current_frames().get(self.main)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)[-6:]
            key = " < ".join(
                f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack)
            )
            self.samples[key] = self.samples.get(key, 0) + 1

    def report(self, top: int = 12) -> None:
        self.running = False
        total = sum(self.samples.values()) or 1
        print(f"UI thread while stalled (> {self.after * 1000:.0f} ms), 5 ms samples:")
        for key, n in sorted(self.samples.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {n:5d} ({100 * n / total:4.1f}%)  {key}")


def renice(pid: int, increment: int) -> None:
    """Lowers the priority of every thread of `pid` (and of threads it makes later)."""
    for task in os.listdir(f"/proc/{pid}/task"):
        tid = int(task)
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + increment)
    print(f"engine {pid} reniced by {increment}")


class Lookers:
    """The Data and Visualize views asking the engine for pictures during the training."""

    def __init__(self, state: object, bridge: object) -> None:
        from lamina_gui.views.data import DataView
        from lamina_gui.views.visualize import VisualizeView

        from lamina.engine.protocol import TrainRequest

        earlier = dict(SPEC, training=dict(SPEC["training"], epochs=1))
        run = bridge.client.call(  # type: ignore[attr-defined]
            TrainRequest(earlier, project_dir=tempfile.mkdtemp(), boundary=False), timeout=600
        )
        self.run_dir = run.run_dir
        self.data = DataView(state, bridge)
        self.viz = VisualizeView(state, bridge)
        for w in (self.data, self.viz):
            w.resize(900, 600)
            w.show()
        self.viz.set_run_dir(self.run_dir)
        self.viz.set_kind("filters")
        self.asked: dict[str, float] = {}
        self.seconds: dict[str, list[float]] = {"preview": [], "filters": []}
        self.data.preview_shown.connect(lambda _s: self._answered("preview"))
        self.viz.shown.connect(lambda _s: self._answered("filters"))
        self.draw_ms: dict[str, list[float]] = {"preview": [], "filters": []}
        self.data.show_summary = self._timed(self.data.show_summary, "preview")
        self.viz.show_result = self._timed(self.viz.show_result, "filters")
        self.timer = QTimer()
        self.timer.setInterval(700)
        self.timer.timeout.connect(self._ask)
        self.turn = 0

    def _timed(self, draw: object, what: str) -> object:
        def timed(result: object) -> None:
            t = time.perf_counter()
            draw(result)  # type: ignore[operator]
            self.draw_ms[what].append((time.perf_counter() - t) * 1000)

        return timed

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _ask(self) -> None:
        self.turn += 1
        if self.turn % 2 and "preview" not in self.asked:
            self.asked["preview"] = time.perf_counter()
            self.data.refresh_preview()
        elif not self.turn % 2 and "filters" not in self.asked:
            self.viz.set_run_dir(self.run_dir)
            self.asked["filters"] = time.perf_counter()
            self.viz.run()

    def _answered(self, what: str) -> None:
        t = self.asked.pop(what, None)
        if t is not None:
            self.seconds[what].append(time.perf_counter() - t)

    def report(self) -> None:
        for what, secs in self.seconds.items():
            if secs:
                draw = self.draw_ms[what]
                print(
                    f"{what} during training: {len(secs)} answered, median "
                    f"{statistics.median(secs):.3f} s, longest {max(secs):.3f} s; drawing it "
                    f"took median {statistics.median(draw):.1f} ms, longest {max(draw):.1f} ms"
                )
            else:
                print(f"{what} during training: none answered")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="lower the engine's priority by this much (all its threads)",
    )
    parser.add_argument("--screenshot", default="", help="save the view as a PNG at the end")
    parser.add_argument(
        "--stalls",
        action="store_true",
        help="print where the UI thread was while it stalled (a watchdog samples its stack)",
    )
    parser.add_argument(
        "--no-concurrent",
        dest="concurrent",
        action="store_false",
        help="train only (no previews or visualizations during the training)",
    )
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv)
    from lamina_gui.bridge import EngineBridge
    from lamina_gui.state import AppState
    from lamina_gui.views.train import TrainingView

    bridge = EngineBridge()
    t0 = time.perf_counter()
    bridge.start()
    if not bridge.client.wait_ready(180):
        print("the engine did not start")
        return 2
    print(f"engine ready in {time.perf_counter() - t0:.1f} s")
    if args.nice and bridge.pid:
        renice(bridge.pid, args.nice)
    state = AppState()
    spec = dict(SPEC, training=dict(SPEC["training"], epochs=args.epochs))
    state.reset(spec, project_path=tempfile.mkdtemp(prefix="lamina-stall-"))
    view = TrainingView(state, bridge)
    view.resize(1200, 760)
    view.show()
    lookers = Lookers(state, bridge) if args.concurrent else None

    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(10)

    marks: list[tuple[float, str]] = []
    busy: list[float] = []
    sampler = StallSampler() if args.stalls else None

    cpu_at = [time.thread_time()]

    def tick() -> None:
        if sampler is not None:
            sampler.tick()
        now = time.thread_time()
        if clock.isValid():
            gaps.append(clock.nsecsElapsed() / 1e6)
            # the UI thread's own CPU time in that gap: the rest is waiting (for a CPU on
            # a loaded machine, or for the GIL)
            busy.append((now - cpu_at[0]) * 1000)
            if gaps[-1] > 50:
                marks.append(
                    (time.perf_counter(), f"gap {gaps[-1]:.0f} ms ({busy[-1]:.0f} ms CPU)")
                )
        cpu_at[0] = now
        clock.restart()

    ticker.timeout.connect(tick)
    collections: list[tuple[int, float]] = []  # (generation, ms) of the GC's runs
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            ms = (time.perf_counter() - gc_started[0]) * 1000
            collections.append((info["generation"], ms))
            if ms > 20:
                marks.append((time.perf_counter(), f"GC gen {info['generation']} {ms:.0f} ms"))

    gc.callbacks.append(on_gc)
    handler_ms: list[float] = []
    draw = view._on_event

    def timed(ev: object) -> None:  # how long the view itself takes per event
        t = time.perf_counter()
        draw(ev)
        handler_ms.append((time.perf_counter() - t) * 1000)

    view._on_event = timed
    batches = [0]
    bridge.event.connect(lambda ev: batches.__setitem__(0, batches[0] + (ev.TAG == "batch_end")))
    bridge.event.connect(lambda ev: marks.append((time.perf_counter(), ev.TAG)))
    bridge.reply.connect(lambda r: marks.append((time.perf_counter(), f"reply {r.id}")))
    result: dict = {}

    def done(res: dict) -> None:
        result.update(res)
        QTimer.singleShot(200, app.quit)

    view.finished.connect(done)
    view.failed.connect(lambda reason: (result.update(status="failed", reason=reason), app.quit()))
    idle: list[float] = []

    def begin() -> None:  # the first 3 s are a baseline: the engine is idle
        idle.extend(gaps)
        gaps.clear()
        busy.clear()
        collections.clear()
        view.start()
        if lookers is not None:
            lookers.start()

    QTimer.singleShot(0, ticker.start)
    QTimer.singleShot(3000, begin)
    t1 = time.perf_counter()
    app.exec()
    ticker.stop()
    if lookers is not None:
        lookers.stop()
    seconds = time.perf_counter() - t1 - 3.0
    if args.screenshot:
        view.grab().save(args.screenshot)
    bridge.stop()
    print(f"run: {result.get('status')} {result.get('reason') or ''} in {seconds:.1f} s")
    print(
        f"epoch events received: {view.epoch_events} (epochs: {args.epochs}); "
        f"batch events: {batches[0]}"
    )
    if gaps:
        gaps_sorted = sorted(gaps)
        p99 = gaps_sorted[int(0.99 * (len(gaps) - 1))]
        print(
            f"timer ticks: {len(gaps)}; gap median {statistics.median(gaps):.1f} ms, "
            f"p99 {p99:.1f} ms, longest {max(gaps):.1f} ms (target < 50 ms)"
        )
    if gaps and len(busy) == len(gaps):
        longest = max(range(len(gaps)), key=gaps.__getitem__)
        print(
            f"UI thread's own CPU time: in the longest gap {busy[longest]:.1f} ms; the most "
            f"in any gap {max(busy):.1f} ms (the rest of a gap is waiting for a CPU or the GIL)"
        )
    if collections:
        full = [ms for gen, ms in collections if gen == 2]
        print(
            f"garbage collections while training: {len(collections)}, longest "
            f"{max(ms for _, ms in collections):.1f} ms; full ones: {len(full)}"
            + (f", longest {max(full):.1f} ms" if full else "")
        )
    if os.environ.get("LAMINA_BENCH_TRACE"):
        for t, what in marks:
            print(f"  {t - t1:7.3f} s  {what}")
    if idle:
        print(
            f"baseline (engine idle, same machine load): longest gap {max(idle):.1f} ms, "
            f"p99 {sorted(idle)[int(0.99 * (len(idle) - 1))]:.1f} ms"
        )
    if lookers is not None:
        lookers.report()
    if sampler is not None:
        sampler.report()
    if gaps and idle:
        what = "training + previewing + visualizing" if lookers else "training"
        print(
            f"SUMMARY longest event-loop gap: {what} {max(gaps):.1f} ms | "
            f"idle {max(idle):.1f} ms | ratio {max(gaps) / max(max(idle), 0.1):.1f}"
        )
    if handler_ms:
        print(
            f"view's own time per event: median {statistics.median(handler_ms):.2f} ms, "
            f"longest {max(handler_ms):.1f} ms ({len(handler_ms)} events)"
        )
    cpu = time.process_time()
    print(
        f"GUI process CPU time {cpu:.1f} s; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    print("tensorflow imported in the GUI process:", "tensorflow" in sys.modules)
    return 0 if gaps and max(gaps) < 50 and view.epoch_events == args.epochs else 1


if __name__ == "__main__":
    sys.exit(main())
