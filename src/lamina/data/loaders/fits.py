"""FITS files (astropy, an optional extra): image cubes, lists of images, and tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.formats import format_of
from lamina.data.loaders.paths import check_file
from lamina.data.loaders.tables import table_to_dataset
from lamina.data.loaders.to_dataset import check_task, make_dataset


def is_fits_path(path: str | Path) -> bool:
    """True if the file name ends like a FITS file (``.fits``, ``.fit``, ``.fts``, ``.gz``)."""
    return format_of(path) == "fits"


def import_fits(source: str) -> Any:
    """Returns ``astropy.io.fits`` or raises DataError telling how to install it."""
    try:
        from astropy.io import fits
    except ImportError as exc:
        raise DataError(
            'reading FITS files needs astropy, an optional extra: pip install "lamina[fits]"',
            source=source,
        ) from exc
    return fits


def read_fits_image(path: Path, fits: Any, hdu: int | str | None = None) -> np.ndarray:
    """Returns the image data of a FITS file (first HDU with image data by default)."""
    source = str(path)
    try:
        with fits.open(path, memmap=False) as hdul:
            chosen = _pick_hdu(hdul, hdu, source, want="image")
            data = np.asarray(chosen.data)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001  astropy raises many types on a bad file
        raise DataError(f"not a readable FITS file ({exc})", source=source) from exc
    return data.astype(np.float32)


def _describe(hdul: Any) -> str:
    parts = []
    for i, h in enumerate(hdul):
        kind = type(h).__name__
        shape = None if h.data is None else getattr(h.data, "shape", None)
        parts.append(
            f"{i}: {h.name or '(no name)'} {kind}{'' if shape is None else ' ' + str(shape)}"
        )
    return "; ".join(parts)


def _pick_hdu(hdul: Any, hdu: int | str | None, source: str, want: str) -> Any:
    """Returns the chosen HDU, or the first with data of the wanted kind.

    `want` is "image", "table" or "any".
    """
    from astropy.io.fits import BinTableHDU, TableHDU

    if hdu is not None and hdu != "":
        try:
            key: int | str = int(hdu) if isinstance(hdu, int) or str(hdu).isdigit() else str(hdu)
            chosen = hdul[key]
        except (KeyError, IndexError) as exc:
            raise DataError(
                f"HDU {hdu!r} not found; HDUs in the file: {_describe(hdul)}",
                source=source,
                key=str(hdu),
            ) from exc
        if chosen.data is None:
            raise DataError(
                f"HDU {hdu!r} holds no data; HDUs: {_describe(hdul)}", source=source, key=str(hdu)
            )
        return chosen
    for h in hdul:
        if h.data is None:
            continue
        is_table = isinstance(h, BinTableHDU | TableHDU)
        if want == "any" or (want == "table") == is_table:
            return h
    raise DataError(f"no {want} HDU with data; HDUs in the file: {_describe(hdul)}", source=source)


def _images_to_x(data: np.ndarray, source: str) -> np.ndarray:
    """FITS image data -> (n, h, w, c).

    2-D is one image, 3-D a cube of n images, 4-D (n, c, h, w).
    """
    if data.ndim == 2:
        return data[None, :, :, None]
    if data.ndim == 3:
        return data[:, :, :, None]
    if data.ndim == 4:
        return np.transpose(data, (0, 2, 3, 1))
    raise DataError(
        f"expected a 2-D image or a 3-D cube, got data of shape {data.shape}", source=source
    )


def _table_columns(table: Any) -> dict[str, np.ndarray]:
    columns = {}
    for col in table.columns.names:
        values = np.asarray(table[col])
        if values.dtype.kind == "S":
            values = np.char.decode(values, "utf-8")
        if values.dtype.kind == "f" or values.dtype.kind in "iub":
            values = values.astype(values.dtype.newbyteorder("="))
        columns[col] = values
    return columns


def load_fits(
    path: str | Path | Sequence[str | Path],
    hdu: int | str | None = None,
    kind: str = "auto",
    target: str | Sequence[str] | None = None,
    features: str | Sequence[str] | None = None,
    task: str = "auto",
    name: str | None = None,
    split_column: str | None = None,
) -> Dataset:
    """Reads images or a table from FITS files.

    Images: a 2-D image, a 3-D cube ``(n, h, w)`` (or 4-D ``(n, c, h, w)``) in one file,
    or a list of files each holding one image of the same size, become ``x (n, h, w,
    c)``. A `target` names a column of a table HDU in the same file with one label
    per image. Tables: feature columns and a target column, as for CSV.

    Args:
        path: A FITS file, or a list of FITS image files.
        hdu: The HDU (index or name). None = the first HDU with data of the
            wanted kind. Defaults to None.
        kind: ``"image"``, ``"table"`` or ``"auto"`` (the first HDU with data
            decides). Defaults to `"auto"`.
        target: Table: the target column (None = the last column, "" = none).
            Images: a table column with one label per image (None = no labels).
            Defaults to None.
        features: Table feature columns (list or comma-separated). None = all but the
            target. Defaults to None.
        task: The task, or ``"auto"``. Defaults to `"auto"`.
        name: Dataset name. Defaults to the file's stem.
        split_column: Table: the column of each row's part (train/val/test). Defaults to `None`.

    Raises:
        DataError: Missing file, astropy not installed (``pip install lamina[fits]``),
            unknown HDU or column (lists what there is), images of mixed sizes (names the
            file), NaN/inf.
    """
    if kind not in ("auto", "image", "table"):
        raise DataError(f"kind must be 'auto', 'image' or 'table', got {kind!r}", source=str(path))
    if split_column and (kind == "image" or not isinstance(path, str | Path)):
        raise DataError(
            f"split_column {split_column!r} is read from tables only, not from images",
            source=str(path),
            column=split_column,
        )
    if not isinstance(path, str | Path):
        return _load_image_list([Path(p) for p in path], target=target, task=task, name=name)
    p = check_file(path, "FITS file")
    source = str(p)
    check_task(task, source)
    fits = import_fits(source)
    try:
        hdul = fits.open(p, memmap=False)
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"not a readable FITS file ({exc})", source=source) from exc
    try:
        with hdul:
            return _read_hdus(hdul, p, hdu, kind, target, features, task, name, split_column)
    except DataError:
        raise
    except (ValueError, OSError, TypeError, IndexError, KeyError) as exc:
        raise DataError(
            f"cannot read the data: the file is truncated or damaged ({exc})", source=source
        ) from None


def _read_hdus(
    hdul: Any,
    p: Path,
    hdu: int | str | None,
    kind: str,
    target: Any,
    features: Any,
    task: str,
    name: str | None,
    split_column: str | None,
) -> Dataset:
    """The dataset of the chosen HDU of an open FITS file (see `load_fits`)."""
    source = str(p)
    want = "any" if kind == "auto" else kind
    chosen = _pick_hdu(hdul, hdu, source, want)
    from astropy.io.fits import BinTableHDU, TableHDU

    is_table = isinstance(chosen, BinTableHDU | TableHDU)
    if kind == "image" and is_table:
        raise DataError(f"HDU {hdu!r} is a table, not an image", source=source, key=str(hdu))
    if kind == "table" and not is_table:
        raise DataError(f"HDU {hdu!r} is an image, not a table", source=source, key=str(hdu))
    stem = name or p.name.split(".")[0]
    if is_table:
        columns = _table_columns(chosen.data)
        return table_to_dataset(
            columns,
            target=target,
            features=features,
            task=task,
            name=stem,
            source=f"{source}[{chosen.name or hdul.index_of(chosen)}]",
            description=(f"Table read from {p.name}, HDU {chosen.name} ({len(chosen.data)} rows)."),
            split_column=split_column,
        )
    if split_column:
        raise DataError(
            f"split_column {split_column!r} is read from tables only, but the chosen HDU "
            f"{chosen.name or hdul.index_of(chosen)!r} holds an image",
            source=source,
            column=split_column,
        )
    x = _images_to_x(np.asarray(chosen.data, dtype=np.float32), source)
    y = None
    if target:
        label_hdu = _pick_hdu(hdul, None, source, want="table")
        columns = _table_columns(label_hdu.data)
        if target not in columns:
            raise DataError(
                f"label column {target!r} not found in table HDU {label_hdu.name}; "
                f"available columns: {', '.join(columns)}",
                source=source,
                column=target,
            )
        y = columns[str(target)]
    return make_dataset(
        x,
        y,
        task="classification"
        if task == "auto" and y is not None and y.dtype.kind in "USO"
        else task,
        name=stem,
        source=source,
        description=f"Images read from {p.name}: {tuple(x.shape)}.",
    )


def _load_image_list(paths: list[Path], target: Any, task: str, name: str | None) -> Dataset:
    if not paths:
        raise DataError("the list of FITS files is empty", source="(no files)")
    source = str(paths[0].parent) if len(paths) > 1 else str(paths[0])
    check_task(task, source)
    fits = import_fits(source)
    images = []
    first_shape = None
    for p in paths:
        check_file(p, "FITS file")
        data = read_fits_image(p, fits)
        img = _images_to_x(data, str(p))
        if img.shape[0] != 1:
            raise DataError(
                f"expected one image per file, got a cube of {img.shape[0]}", source=str(p)
            )
        if first_shape is None:
            first_shape = img.shape[1:]
        elif img.shape[1:] != first_shape:
            raise DataError(
                f"image size {img.shape[1:3]} differs from {first_shape[:2]} of {paths[0]}; "
                "all images must have the same size",
                source=str(p),
            )
        images.append(img[0])
    y = None
    if target is not None and not isinstance(target, str):
        y = np.asarray(target)
        if len(y) != len(paths):
            raise DataError(f"{len(paths)} files but {len(y)} labels", source=source)
    return make_dataset(
        np.stack(images),
        y,
        task=task,
        name=name or paths[0].stem,
        source=source,
        description=f"{len(paths)} FITS images.",
        extras={"files": np.array([str(p) for p in paths])},
    )
