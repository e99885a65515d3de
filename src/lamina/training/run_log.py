"""The run log: every event of a run as one line of ``log.txt``, passed on to a listener."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lamina.training.events import Event, RunStarted

#: Event fields the run log gives their own lines (`data_report`) or leaves out.
_LONG = ("data", "dataset", "split_given")


class RunLog:
    """Forwards events to the listener and keeps the run log.

    Args:
        on_event: Called with every event, or None.
    """

    def __init__(self, on_event: Callable[[Event], None] | None) -> None:
        self.on_event = on_event
        self.lines: list[str] = []

    def log(self, text: str) -> None:
        """Adds a time-stamped line to the log (not sent to the listener)."""
        stamp = datetime.now().strftime("%H:%M:%S")
        self.lines.append(f"{stamp} {text}")

    def __call__(self, event: Event) -> None:
        """Logs a line for `event` (and the data report when a run starts), then passes it on."""
        self.log(_describe(event))
        if isinstance(event, RunStarted):
            from lamina.data.report import data_report

            for line in data_report(event.dataset, event.data, event.split_given):
                self.log(line)
        if self.on_event is not None:
            self.on_event(event)

    def text(self) -> str:
        """The whole log, one line per entry."""
        return "\n".join(self.lines) + "\n"


def _describe(event: Event) -> str:
    data = event.to_dict()
    kind = data.pop("event")
    if "metrics" in data and isinstance(data["metrics"], dict):
        metrics = data.pop("metrics")
        shown = " ".join(f"{k}={v:.4g}" for k, v in metrics.items() if isinstance(v, (int, float)))
        return (
            f"{kind} "
            + " ".join(f"{k}={v}" for k, v in data.items() if k not in _LONG)
            + f" {shown}"
        )
    return f"{kind} " + " ".join(f"{k}={v}" for k, v in data.items() if k not in _LONG)
