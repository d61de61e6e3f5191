"""The raw directory's files and their partition keys (no Dagster here: ``pipelines.partitions``
registers the keys as Dagster partitions).

Partition key rule (``partition_key_for``), from the file's path relative to the raw directory:

1. the relative path in POSIX form, Unicode NFC;
2. each path segment keeps letters and digits of any script (so 附件1 stays 附件1), ``.``, ``-``
   and ``_``; every other character becomes ``_``, and runs of dots become one dot (``...`` is
   not allowed in Dagster keys);
3. segments are joined with ``__``;
4. when step 2 or 3 changed anything (a sub-folder, a space, full-width punctuation …) or the key
   would exceed 150 bytes, ``~`` plus the first 8 hex digits of the SHA-1 of the relative path
   is appended (the readable part cut to fit first). ``~`` never occurs in an unchanged key, so
   a lossy key cannot collide with a file whose name was kept as is.

So ``raw/000_3fcaf470a0c023ac.pdf`` has the key ``000_3fcaf470a0c023ac.pdf``, and
``raw/2024/泸县 方案.docx`` has ``2024__泸县_方案.docx~21584ce9``. Keys are valid Dagster partition
keys (no control characters, no ``...``, none of ``|,[]``) and valid file names, which the
per-partition fragments ``warehouse/_parts/<table>/<key>.arrow`` rely on.

Which files count: regular files whose suffix a reader handles or names a format we refuse with a
clear error (``.doc``, ``.wps``, ``.xls`` …, so they land in quarantine rather than vanish);
hidden files (any segment starting with ``.``) and Office lock files (``~$…``) are skipped.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from parsers.sniff import LEGACY_SUFFIXES, SUFFIX_FORMAT

#: File suffixes that become partitions (readable formats plus the ones refused with a message).
RAW_SUFFIXES: frozenset[str] = frozenset(SUFFIX_FORMAT) | frozenset(LEGACY_SUFFIXES)
MAX_KEY_BYTES = 150
_SAFE_PUNCT = frozenset("._-")


def _clean_segment(segment: str) -> str:
    chars = [c if (c.isalnum() or c in _SAFE_PUNCT) else "_" for c in segment]
    out = "".join(chars)
    while ".." in out:
        out = out.replace("..", ".")
    return out


def partition_key_for(rel_path: str) -> str:
    """The partition key of a file, from its path relative to the raw directory (see above)."""
    rel = unicodedata.normalize("NFC", Path(rel_path).as_posix())
    readable = "__".join(_clean_segment(s) for s in rel.split("/"))
    if readable == rel and len(readable.encode()) <= MAX_KEY_BYTES:
        return readable
    suffix = "~" + hashlib.sha1(rel.encode()).hexdigest()[:8]
    budget = MAX_KEY_BYTES - len(suffix)
    while len(readable.encode()) > budget:
        readable = readable[:-1]
    return readable + suffix


def is_raw_file(rel: Path) -> bool:
    if any(part.startswith(".") for part in rel.parts) or rel.name.startswith("~$"):
        return False
    return rel.suffix.lower() in RAW_SUFFIXES


def discover_raw_files(raw_dir: Path) -> dict[str, str]:
    """``{partition key: relative POSIX path}`` for every raw file, sorted by key.

    Raises ``FileNotFoundError`` when ``raw_dir`` is missing and ``ValueError`` when two files
    map to the same key (which the rule makes practically impossible, but never silently).
    """
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw directory {raw_dir} does not exist")
    found: dict[str, str] = {}
    for path in raw_dir.rglob("*"):
        rel = path.relative_to(raw_dir)
        if not path.is_file() or not is_raw_file(rel):
            continue
        rel_posix = unicodedata.normalize("NFC", rel.as_posix())
        key = partition_key_for(rel_posix)
        if key in found and found[key] != rel_posix:
            raise ValueError(f"files {found[key]!r} and {rel_posix!r} map to the same key {key!r}")
        found[key] = rel_posix
    return dict(sorted(found.items()))
