"""CSV (and TSV) tables: one row per sample, feature columns and a target column."""

from __future__ import annotations

import csv as _csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lamina.data.dataset import MISSING_CELLS, Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.paths import check_file
from lamina.data.loaders.tables import table_to_dataset
from lamina.data.loaders.to_dataset import check_task


def load_csv(
    path: str | Path,
    target: str | Sequence[str] | None = None,
    features: str | Sequence[str] | None = None,
    task: str = "auto",
    delimiter: str | None = None,
    comment: str = "#",
    name: str | None = None,
    split_column: str | None = None,
) -> Dataset:
    """Reads a table from a CSV file with a header row.

    Text labels in the target column become class indices (sorted), with the texts as
    ``class_names``. Numbers are read as float32. Empty cells, NaN and inf are
    reported with their line and column. A `split_column` names each row's part
    (``train``, ``validation``/``val``, ``test``), which `split_dataset` keeps.

    Args:
        path: The CSV file.
        target: The target column, a list of columns (multi-output regression), or a
            comma-separated string of names. None = the last column; ``""`` = no
            target (reconstruction). Defaults to None.
        features: The feature columns (list or comma-separated). None = every column
            except the target. Defaults to None.
        task: ``"auto"``: text or few (<= 20) whole-number targets give
            classification, other numbers regression. Defaults to `"auto"`.
        delimiter: The column separator. None = tab for ``.tsv`` files, else
            detected among ``, ; tab |``. Defaults to None.
        comment: Lines starting with this are skipped ("" = none). Defaults to `"#"`.
        name: Dataset name. Defaults to the file's stem.
        split_column: The column naming each row's part (train/val/test). Defaults to `None`.

    Raises:
        DataError: Missing file, unknown column (lists the available ones), a
            non-numeric cell or NaN/inf (line and column), a missing or unknown part
            name in the split column (line, column and value).
    """
    p = check_file(path, "CSV file")
    source = str(p)
    check_task(task, source)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not a UTF-8 text file ({exc.reason} at byte {exc.start})", source=source
        ) from exc

    line_numbers: list[int] = []
    kept: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or (comment and line.lstrip().startswith(comment)):
            continue
        kept.append(line)
        line_numbers.append(number)
    if not kept:
        raise DataError("the file is empty (no header row)", source=source)
    if delimiter is None:
        delimiter = "\t" if p.suffix.lower() == ".tsv" else _sniff(kept[0])

    reader = _csv.reader(kept, delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise DataError(
            f"duplicate column name(s) {dupes} in the header (line {line_numbers[0]})",
            source=source,
        )
    rows: list[list[str]] = []
    row_lines: list[int] = []
    for row in reader:
        line_number = line_numbers[reader.line_num - 1]
        if len(row) != len(header):
            raise DataError(
                f"line {line_number} has {len(row)} cells but the header has {len(header)} columns",
                source=source,
                row=line_number,
            )
        rows.append([cell.strip() for cell in row])
        row_lines.append(line_number)
    if not rows:
        raise DataError("the file has a header but no data rows", source=source)

    cells = np.array(rows, dtype=str)
    columns = {
        h: cells[:, j] if h == split_column else _column(cells[:, j]) for j, h in enumerate(header)
    }

    def locate(i: int) -> str:
        return f"line {row_lines[i]}"

    return table_to_dataset(
        columns,
        target=target,
        features=features,
        task=task,
        name=name or p.stem,
        source=source,
        description=f"Table read from {p.name} ({len(rows)} rows).",
        locate_row=locate,
        split_column=split_column,
    )


def _sniff(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _column(cells: np.ndarray) -> np.ndarray:
    """Returns float64 values if every cell is a number or missing, else the texts."""
    lowered = np.char.lower(cells)
    missing = np.isin(lowered, list(MISSING_CELLS))
    try:
        values = np.where(missing, "nan", cells).astype(np.float64)
    except ValueError:
        if missing.all():
            return np.full(len(cells), np.nan)
        return cells
    return values
