"""Training as the command line shows it: epoch lines, a progress bar and the result."""

from __future__ import annotations

import sys
from typing import Any


def format_metrics(metrics: dict[str, Any]) -> str:
    """Formats the numeric metrics as ``name=value`` pairs, four decimals each."""
    return "  ".join(f"{k}={v:.4f}" for k, v in metrics.items() if isinstance(v, (int, float)))


class TrainingProgress:
    """Prints per-epoch lines and (optionally) a rich progress bar over the batches."""

    def __init__(self, show_bar: bool) -> None:
        self.show_bar = show_bar and sys.stderr.isatty()
        self.progress: Any = None
        self.task: Any = None
        self.epochs = 0
        self.steps = 0
        self.running = False
        self.checkpoint: Any = None  # the last CheckpointSaved while training

    def __call__(self, event: Any) -> None:
        """Prints what a training event means: data report, epoch line, bar step or outcome."""
        from lamina.training import events as ev

        if isinstance(event, ev.RunStarted):
            self.running = True
            self.epochs, self.steps = event.epochs, event.steps_per_epoch or 0
            from lamina.data.report import data_report

            for line in data_report(event.dataset, event.data, event.split_given):
                print(line)
            print(
                f"training on {event.device} (seed {event.seed}): {event.epochs} epoch(s) of "
                f"{self.steps} batches",
                flush=True,
            )
            if self.show_bar:
                from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

                self.progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    TimeRemainingColumn(),
                    transient=True,
                )
                self.progress.start()
        elif isinstance(event, ev.EpochStarted) and self.progress is not None:
            if self.task is not None:
                self.progress.remove_task(self.task)
            self.task = self.progress.add_task(
                f"epoch {event.epoch + 1}/{self.epochs}", total=self.steps
            )
        elif (
            isinstance(event, ev.BatchEnded) and self.progress is not None and self.task is not None
        ):
            self.progress.update(
                self.task,
                completed=event.batch + 1,
                description=f"epoch {event.epoch + 1}/{self.epochs} "
                f"loss={event.metrics.get('loss', float('nan')):.4f}",
            )
        elif isinstance(event, ev.EpochEnded):
            line = f"epoch {event.epoch + 1}/{self.epochs}  {format_metrics(event.metrics)}  ({event.seconds:.1f}s)"  # noqa: E501
            if self.progress is not None:
                self.progress.console.print(line)
            else:
                print(line, flush=True)
        elif isinstance(event, ev.EarlyStopped):
            self._print(
                f"early stopping at epoch {event.epoch + 1}; best epoch {event.best_epoch + 1}"
            )
        elif isinstance(event, ev.CheckpointSaved) and self.running:
            self.checkpoint = event
            self._print(f"checkpoint: best weights so far (epoch {event.epoch + 1}) saved")
        elif isinstance(event, (ev.RunFinished, ev.RunFailed, ev.RunCancelled)):
            self.running = False
            self.stop()
            if isinstance(event, ev.RunFailed):
                print(f"run failed: {event.reason}", file=sys.stderr)
            elif isinstance(event, ev.RunCancelled):
                print(f"run cancelled: {event.message}", file=sys.stderr)

    def _print(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(text)
        else:
            print(text, flush=True)

    def stop(self) -> None:
        """Stops and removes the progress bar, if one is shown."""
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def report_result(result: Any) -> None:
    """Prints a finished run's test metrics and the folder it was saved in."""
    if result.metrics:
        shown = {k: v for k, v in result.metrics.items() if k != "n"}
        print(f"test ({result.metrics.get('n', '?')} samples): {format_metrics(shown)}")
    if result.path is not None:
        print(f"run saved in {result.path}")
