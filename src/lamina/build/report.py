"""What `check` reports: per item, its output shape, parameter count and error."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lamina.spec import SpecError, SpecProblem


@dataclass
class ItemReport:
    """What `check` found for one item of the stack."""

    index: int
    type: str
    name: str
    output_shape: list[int | None] | None = None
    params: int = 0
    error: str | None = None
    checked: bool = True
    #: The parameter the error is about (``kernel_size``), if one is.
    param: str | None = None

    @property
    def path(self) -> str:
        """The item's location in the spec: ``layers[<index>]``."""
        return f"layers[{self.index}]"

    @property
    def error_path(self) -> str:
        """Where the error is: the parameter's path if known, else the item's."""
        return f"{self.path}.params.{self.param}" if self.param else self.path


@dataclass
class CheckReport:
    """The result of `check`: one `ItemReport` per item, totals, and all problems."""

    items: list[ItemReport] = field(default_factory=list)
    input_shape: list[int | None] | None = None
    output_shape: list[int | None] | None = None
    total_params: int = 0
    trainable_params: int = 0
    problems: list[SpecProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if the spec checked without problems."""
        return not self.problems

    def raise_if_failed(self, source: str | None = None) -> None:
        """Raises `SpecError` with every problem if the spec did not check."""
        if self.problems:
            raise SpecError(self.problems, source)

    def to_dict(self) -> dict[str, Any]:
        """Returns the report as JSON-serialisable data (for the app and the engine)."""
        return {
            "ok": self.ok,
            "items": [asdict(i) for i in self.items],
            "input_shape": self.input_shape,
            "output_shape": self.output_shape,
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "problems": [{"path": p.path, "message": p.message} for p in self.problems],
        }
