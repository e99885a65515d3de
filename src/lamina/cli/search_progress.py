"""A search as the command line shows it: one line per trial, and a bar (done, best, ETA)."""

from __future__ import annotations

import sys
import time
from typing import Any


class SearchProgress:
    """Prints a line per finished trial and, on a terminal, a rich bar with the best so far.

    Args:
        total: The trials the search runs.
        done: Trials already in the study (a resumed search).
        directions: The objectives' directions (the first decides "best so far").
        show_bar: Draw the bar (only when stderr is a terminal).
    """

    def __init__(self, total: int, done: int, directions: list[str], show_bar: bool = True) -> None:
        self.total, self.done = total, done
        self.maximize = directions[0] == "maximize"
        self.best: float | None = None
        self.started = time.monotonic()
        self.finished_here = 0
        self.progress: Any = None
        self.task: Any = None
        if show_bar and sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("trials"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("best {task.fields[best]}"),
                TimeRemainingColumn(),
                transient=True,
            )
            self.task = self.progress.add_task("search", total=total, completed=done, best="-")
            self.progress.start()

    def eta(self) -> float | None:
        """Seconds left, from the mean time of the trials finished in this process."""
        if not self.finished_here:
            return None
        per_trial = (time.monotonic() - self.started) / self.finished_here
        return per_trial * max(0, self.total - self.done)

    def __call__(self, event: Any) -> None:
        """Prints what a search event means."""
        from lamina.hpsearch.events import SearchFinished, TrialFinished, TrialStarted

        if isinstance(event, TrialStarted):
            params = ", ".join(f"{_short(k)}={_fmt(v)}" for k, v in event.params.items())
            self._print(f"trial {event.number}: {params}")
        elif isinstance(event, TrialFinished):
            self.done += 1
            self.finished_here += 1
            value = event.values[0] if event.values else None
            if value is not None and (
                self.best is None or (value > self.best if self.maximize else value < self.best)
            ):
                self.best = value
            what = "" if value is None else f" {_fmt(value)}"
            why = f" ({event.reason})" if event.reason else ""
            eta = self.eta()
            tail = f"  [{self.done}/{self.total}, best {_fmt(self.best)}"
            tail += f", ETA {eta:.0f} s]" if eta is not None else "]"
            self._print(
                f"trial {event.number} {event.state}{what} in {event.seconds:.1f} s{why}{tail}"
            )
            if self.progress is not None:
                self.progress.update(self.task, completed=self.done, best=_fmt(self.best))
        elif isinstance(event, SearchFinished):
            self.stop()
            print(
                f"search {event.name!r}: {event.complete} complete, {event.pruned} pruned, "
                f"{event.failed} failed"
                + (" (stopped: run the same command to resume)" if event.stopped else ""),
                flush=True,
            )

    def _print(self, line: str) -> None:
        if self.progress is not None:
            self.progress.console.print(line, highlight=False)
        else:
            print(line, flush=True)

    def stop(self) -> None:
        """Removes the bar."""
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _short(path: str) -> str:
    return path.replace(".params.", ".").replace("compile.optimizer.", "opt.")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
