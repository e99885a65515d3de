"""A folder of images with one sub-folder per class (PNG/JPEG via Pillow, FITS via astropy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lamina.data.dataset import SPLIT_ALIASES, SPLIT_PARTS, Dataset
from lamina.data.errors import DataError
from lamina.data.loaders.fits import import_fits, is_fits_path, read_fits_image
from lamina.data.loaders.paths import check_dir
from lamina.data.loaders.to_dataset import make_dataset

PILLOW_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
COLOR_MODES = ("auto", "grayscale", "rgb")


def is_image_path(path: Path) -> bool:
    """True if the file name ends like an image lamina can read."""
    return path.suffix.lower() in PILLOW_SUFFIXES or is_fits_path(path)


def _read_pillow(path: Path, color: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            if mode in ("I;16", "I;16B", "I;16L", "I"):
                data = np.asarray(img, dtype=np.float32) / 65535.0
                data = data[:, :, None]
            elif mode == "F":
                data = np.asarray(img, dtype=np.float32)[:, :, None]
            elif mode in ("1", "L", "LA"):
                data = np.asarray(img.convert("L"), dtype=np.float32)[:, :, None] / 255.0
            else:
                data = np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0
                if mode == "P" and np.all(data == data[:, :, :1]):
                    data = data[:, :, :1]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DataError(f"cannot read image ({exc})", source=str(path)) from exc
    return _to_color(data, color)


def _to_color(data: np.ndarray, color: str) -> np.ndarray:
    if color == "grayscale" and data.shape[-1] == 3:
        return (data @ np.array([0.299, 0.587, 0.114], dtype=np.float32))[:, :, None]
    if color == "rgb" and data.shape[-1] == 1:
        return np.repeat(data, 3, axis=-1)
    return data


def _read_fits(path: Path, color: str) -> np.ndarray:
    data = read_fits_image(path, import_fits(str(path)))
    if data.ndim == 2:
        data = data[:, :, None]
    elif data.ndim == 3:
        data = np.transpose(data, (1, 2, 0))  # FITS (c, h, w) -> (h, w, c)
    else:
        raise DataError(f"expected a 2-D image, got data of shape {data.shape}", source=str(path))
    bad = ~np.isfinite(data)
    if bad.any():
        r, c, _ = (int(v) for v in np.argwhere(bad)[0])
        raise DataError(
            f"{int(bad.sum())} NaN/inf pixel(s), the first at row {r}, column {c}; "
            "replace them (e.g. with the background level) before training",
            source=str(path),
            row=r,
            column=c,
        )
    return _to_color(data, color)


def _resize(data: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    h, w = size
    channels = [
        np.asarray(
            Image.fromarray(data[:, :, c].astype(np.float32), mode="F").resize(
                (w, h), Image.Resampling.BILINEAR
            )
        )
        for c in range(data.shape[-1])
    ]
    return np.stack(channels, axis=-1).astype(np.float32)


def _sub_folders(folder: Path) -> list[Path]:
    return sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))


def _loose_images_hint(folder: Path) -> str:
    """`` (found N images directly in it)`` for a folder that holds images, else ``""``."""
    loose = [f for f in folder.iterdir() if f.is_file() and is_image_path(f)]
    return f" (found {len(loose)} images directly in it)" if loose else ""


def _part_folders(root: Path, folders: list[Path]) -> list[tuple[str, Path]] | None:
    """Returns ``[(part, folder)]`` if the top-level folders are all parts, None if none is.

    Raises:
        DataError: A mix of part folders and class folders, or two folders for one part.
    """
    parts = {d: SPLIT_ALIASES.get(d.name.lower()) for d in folders}
    named = [d for d in folders if parts[d] is not None]
    if not named:
        return None
    others = [d for d in folders if parts[d] is None]
    if others:
        raise DataError(
            f"the folder mixes part folders ({', '.join(d.name for d in named)}) and class "
            f"folders ({', '.join(d.name for d in others)}); put every class folder inside "
            "train/, validation/ and test/, or use no part folders",
            source=str(root),
        )
    out: list[tuple[str, Path]] = []
    for part in SPLIT_PARTS:
        same = [d for d in named if parts[d] == part]
        if len(same) > 1:
            raise DataError(
                f"folders {', '.join(repr(d.name) for d in same)} all name the {part} part; "
                "keep one",
                source=str(root),
            )
        if same:
            out.append((part, same[0]))
    return out


def load_image_folder(
    path: str | Path,
    size: int | tuple[int, int] | None = None,
    color: str = "auto",
    name: str | None = None,
) -> Dataset:
    """Reads a folder holding one sub-folder of images per class.

    The sub-folder names (sorted) are the class names. PNG/JPEG/TIFF... images are
    read with Pillow and scaled to [0, 1] (8-bit by 255, 16-bit by 65535); FITS images
    (``.fits``, ``.fit``, ``.fts``, ``.gz``) keep their values. Other files are
    ignored. Nothing is written to disk.

    A folder split into parts holds only ``train/`` (or ``training/``), ``validation/``
    (``val/``, ``valid/``) and ``test/`` (``testing/``) sub-folders, any case, each
    with one sub-folder per class: the class names are then the sorted union over the
    parts (a part may lack a class) and `Dataset.split` names each image's part,
    which `split_dataset` keeps.

    Args:
        path: The folder, e.g. ``galaxies/`` with ``galaxies/spiral/*.png`` ...
        size: Resize every image to ``size x size`` (or ``(height, width)``); None
            keeps the sizes, which must then all be equal. Defaults to None.
        color: ``"grayscale"`` (1 channel), ``"rgb"`` (3 channels) or ``"auto"`` (RGB
            if any image is in colour, else grayscale). Defaults to `"auto"`.
        name: Dataset name. Defaults to the folder's name.

    Raises:
        DataError: Missing folder, no class sub-folders, an empty class, an unreadable
            file, images of mixed sizes (names the file and both sizes), or a mix of
            part folders and class folders.
    """
    root = check_dir(path)
    source = str(root)
    if color not in COLOR_MODES:
        raise DataError(f"color must be one of {COLOR_MODES}, got {color!r}", source=source)
    if isinstance(size, int | np.integer):
        target_size: tuple[int, int] | None = (int(size), int(size))
    elif size:
        target_size = (int(size[0]), int(size[1]))
    else:
        target_size = None
    top = _sub_folders(root)
    if not top:
        raise DataError(
            "expected one sub-folder of images per class, found no sub-folders"
            + _loose_images_hint(root),
            source=source,
        )
    parts = _part_folders(root, top)
    # (part or None, class folder), in reading order.
    class_folders: list[tuple[str | None, Path]] = []
    if parts is None:
        class_folders = [(None, d) for d in top]
    else:
        for part_name, part_dir in parts:
            inside = _sub_folders(part_dir)
            if not inside:
                raise DataError(
                    f"part folder {part_dir.name!r} must hold one sub-folder of images per "
                    "class, found no sub-folders" + _loose_images_hint(part_dir),
                    source=str(part_dir),
                )
            class_folders.extend((part_name, d) for d in inside)
    class_names = sorted({d.name for _, d in class_folders})
    label_of = {c: i for i, c in enumerate(class_names)}

    images: list[np.ndarray] = []
    labels: list[int] = []
    files: list[str] = []
    sample_parts: list[str] = []
    first: tuple[Path, tuple[int, ...]] | None = None
    for part, class_dir in class_folders:
        members = sorted(
            f
            for f in class_dir.rglob("*")
            if f.is_file() and not f.name.startswith(".") and is_image_path(f)
        )
        if not members:
            where = class_dir.name if part is None else f"{class_dir.parent.name}/{class_dir.name}"
            raise DataError(f"class folder {where!r} holds no images", source=str(class_dir))
        for f in members:
            data = _read_fits(f, color) if is_fits_path(f) else _read_pillow(f, color)
            if target_size is not None and data.shape[:2] != target_size:
                data = _resize(data, target_size)
            if first is None:
                first = (f, data.shape[:2])
            elif data.shape[:2] != first[1]:
                raise DataError(
                    f"image size {data.shape[0]}x{data.shape[1]} differs from "
                    f"{first[1][0]}x{first[1][1]} of {first[0]}; "
                    "pass size=... to resize all images",
                    source=str(f),
                )
            images.append(data)
            labels.append(label_of[class_dir.name])
            files.append(str(f))
            sample_parts.append(part or "")
    n_channels = max(img.shape[-1] for img in images)
    if color == "auto" and n_channels > 1:
        images = [
            img if img.shape[-1] == n_channels else np.repeat(img, n_channels, axis=-1)
            for img in images
        ]
    bad = [f for f, img in zip(files, images, strict=True) if img.shape[-1] != n_channels]
    if bad:
        raise DataError("image has a different number of channels than the others", source=bad[0])
    x = np.stack(images).astype(np.float32)
    description = f"{len(files)} images in {len(class_names)} class folders of {root.name}"
    if parts is not None:
        description += f", split into {', '.join(d.name for _, d in parts)}"
    return make_dataset(
        x,
        np.asarray(labels, dtype=np.int64),
        task="classification",
        name=name or root.name,
        source=source,
        description=description + ".",
        class_names=class_names,
        extras={"files": np.array(files)},
        split=None if parts is None else np.array(sample_parts),
    )
