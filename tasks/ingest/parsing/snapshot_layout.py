"""Where the parts of an OpenAlex works snapshot are, and what each one holds.

A part is known by its content, not its name: `content_key` is its size and a hash of its
first and last 64 KiB. A gzip part ends with the CRC-32 and length of its whole
decompressed content, and a Parquet part ends with its footer (row counts, sizes and
statistics of every column chunk), so a part rewritten with other records almost surely
changes its tail even at the same size; the head adds the first records. The key leaves
out the path and the modification time, so the same part in another quarterly copy (a
fresh download, new times) is recognised as already stored, while reading 128 KiB per part
instead of hashing all 330 GB keeps the check to seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

EDGE = 64 << 10  # bytes hashed at each end of a part


def content_key(path: str | Path) -> str:
    """`<size>-<blake2b of head and tail>`: equal for the same bytes wherever they are."""
    size = os.path.getsize(path)
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        h.update(fh.read(EDGE))
        if size > EDGE:
            fh.seek(max(EDGE, size - EDGE))
            h.update(fh.read(EDGE))
    return f"{size}-{h.hexdigest()}"


FORMATS = {"jsonl": ".gz", "parquet": ".parquet"}


class LayoutError(ValueError):
    """PATH is not a snapshot Trendline can read (one line, naming PATH)."""


@dataclass
class Layout:
    """The works parts of one snapshot copy, oldest update first."""

    works: Path  # the works/ folder (or the one part given)
    format: str  # jsonl | parquet
    parts: list[Path] = field(default_factory=list)
    merged: list[Path] = field(default_factory=list)  # merged_ids/works/*.csv.gz
    manifest: Path | None = None
    manifest_hash: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, why): not read
    unlisted: int = 0  # parts on disk the manifest does not list (left out)

    def moved(self) -> str:
        """'' when the manifest (if any) is as it was when the ingest began; else why not."""
        if self.manifest is None:
            return ""
        if not self.manifest.is_file():
            return f"{self.manifest} disappeared during the ingest"
        if _hash(self.manifest) != self.manifest_hash:
            return f"{self.manifest} changed during the ingest: the copy moved, run it again"
        return ""


def find(path: Path, fmt: str | None = None) -> Layout:
    """The parts under PATH: the bucket's `data/` (or the bucket), a format prefix
    (`data/jsonl/`, `data/parquet/`), a works folder, the legacy layout (`legacy-data/` or
    an older copy with works/ and merged_ids/), or one part file. The format is `fmt`, else
    the one the files have (Parquet when both copies are there: it reads fewer bytes)."""
    if path.is_file():
        kind = "parquet" if path.suffix == ".parquet" else "jsonl"
        return Layout(path, fmt or kind, [path])
    choices = [fmt] if fmt else ["parquet", "jsonl"]
    for kind in choices:
        for base in _bases(path, kind):
            works = _works_folder(base, kind)
            if works is not None:
                return _layout(works, kind)
    wanted = f"{fmt} " if fmt else ""
    raise LayoutError(f"{path}: no {wanted}snapshot parts (updated_date=*/part_*.gz or "
                      "*.parquet) under it")


def _bases(path: Path, kind: str) -> list[Path]:
    return [path, path / kind, path / "data" / kind, path / "legacy-data"]


def _works_folder(base: Path, kind: str) -> Path | None:
    for folder in (base, base / "works"):
        if folder.is_dir() and _parts_in(folder, kind):
            return folder
    return None


def _parts_in(folder: Path, kind: str) -> list[Path]:
    ext = FORMATS[kind]
    found = list(folder.glob(f"updated_date=*/part_*{ext}"))
    if not found and (folder.name == "works" or any(folder.glob(f"*{ext}"))):
        found = [p for p in folder.glob(f"**/*{ext}") if not p.name.endswith(".csv.gz")]
    return sorted(found, key=lambda p: (version_of(p), str(p)))


def _layout(works: Path, kind: str) -> Layout:
    layout = Layout(works, kind, _parts_in(works, kind))
    base = works.parent
    layout.merged = sorted({*base.glob("merged_ids/works/*.csv.gz"),
                            *works.glob("merged_ids/works/*.csv.gz"),
                            *base.parent.parent.glob("legacy-data/merged_ids/works/*.csv.gz")})
    manifest = next((m for m in (base / "manifest.json", works / "manifest") if m.is_file()),
                    None)
    if manifest is not None:
        _apply_manifest(layout, manifest)
    return layout


def _apply_manifest(layout: Layout, manifest: Path) -> None:
    """List the parts from the manifest: a listed part that is missing or of another size
    is a problem of that part (a download not finished); a part it does not list is left
    out. A manifest that cannot be read is one clear error."""
    try:
        entries = json.loads(manifest.read_bytes())["entries"]
        listed = {}
        for e in entries:
            url = str(e["url"])
            if "/works/" in url and url.endswith(FORMATS[layout.format]):
                size = (e.get("meta") or {}).get("content_length")
                listed[layout.works / url.split("/works/", 1)[1]] = size
    except (ValueError, KeyError, TypeError) as exc:
        raise LayoutError(f"{manifest}: not an OpenAlex manifest ({type(exc).__name__}: "
                          f"{exc})") from None
    layout.manifest, layout.manifest_hash = manifest, _hash(manifest)
    on_disk = set(layout.parts)
    layout.unlisted = len(on_disk - set(listed))
    layout.parts = []
    for part, size in sorted(listed.items(), key=lambda kv: (version_of(kv[0]), str(kv[0]))):
        if not part.is_file():
            layout.problems.append((str(part), "listed in manifest.json but not on disk"))
        elif isinstance(size, int) and part.stat().st_size != size:
            layout.problems.append((str(part), f"{part.stat().st_size:,} bytes, the manifest "
                                               f"says {size:,}: download not finished"))
        else:
            layout.parts.append(part)


def _hash(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def version_of(path: Path | str) -> str:
    """The updated_date of a part, from its folder name ('' when it has none)."""
    parent = Path(path).parent.name
    return parent.split("=", 1)[1] if parent.startswith("updated_date=") else ""
