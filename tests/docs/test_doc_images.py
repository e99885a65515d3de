"""Every picture under ``docs/img`` is shown by a page (docs/ or the README), and every
picture a page shows exists: no stale screenshots, no broken images."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
IMAGE = re.compile(r"""(?:\]\(|src=["'])([^)"'\s]+\.(?:png|jpe?g|gif|svg))""", re.I)


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md")) + sorted(ROOT.glob("README*"))


def shown() -> dict[Path, list[str]]:
    """Each picture a page shows (resolved from the page's folder) -> the pages."""
    found: dict[Path, list[str]] = {}
    for page in pages():
        for ref in IMAGE.findall(page.read_text(encoding="utf-8")):
            if "://" in ref:
                continue
            path = (page.parent / ref.split("#")[0]).resolve()
            found.setdefault(path, []).append(page.name)
    return found


def test_every_picture_in_docs_img_is_shown_by_a_page():
    refs = shown()
    unshown = [
        str(p.relative_to(ROOT))
        for p in sorted((DOCS / "img").rglob("*"))
        if p.is_file()
        and p.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".svg")
        and p.resolve() not in refs
    ]
    assert unshown == [], f"pictures no page shows (remove them or show them): {unshown}"


def test_every_picture_a_page_shows_exists():
    missing = [
        f"{', '.join(pages)}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
        for path, pages in shown().items()
        if not path.is_file()
    ]
    assert missing == [], f"broken pictures: {missing}"
