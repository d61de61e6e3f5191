"""Safe file names inside ``raw/`` for what was downloaded.

A scraped name comes from a stranger (URL path, ``Content-Disposition``, link text), so it is
treated as hostile: path separators, ``..``, control characters, characters Windows forbids,
leading dots (which would hide the file from the pipeline) and over-long names are all removed,
and ``safe_join`` refuses any path that would resolve outside the raw directory (symlinks
included). The suffix comes from the bytes where they are unambiguous (a PDF is ``.pdf`` whatever
the URL says), so the parser reads the file with the right reader.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from parsers.sniff import HTML_SUFFIXES, LEGACY_SUFFIXES, sniff_head

MAX_NAME_BYTES = 120
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]+')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.I)
#: Suffixes a stored file may end in: what the parser reads or refuses with a clear message.
STORABLE_SUFFIXES = frozenset({".pdf", ".docx", *HTML_SUFFIXES, *LEGACY_SUFFIXES})
#: Stored but not read by the parser yet: reported as such after every crawl.
UNREADABLE_SUFFIXES = frozenset(LEGACY_SUFFIXES)


class UnsafePathError(ValueError):
    """A computed path would land outside the raw directory."""


def safe_segment(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """One path segment that is safe on any file system and visible to the pipeline."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name)
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip("._ -") or "file"
    if _WINDOWS_RESERVED.match(name):
        name = "_" + name
    stem, suffix = split_suffix(name)
    while len((stem + suffix).encode()) > max_bytes and stem:
        stem = stem[:-1]
    return (stem or "file") + suffix


def split_suffix(name: str) -> tuple[str, str]:
    """``("t2024_1", ".shtml")``; a 'suffix' longer than 6 characters is not one."""
    dot = name.rfind(".")
    if dot <= 0 or len(name) - dot > 7 or not name[dot + 1 :].isalnum():
        return name, ""
    return name[:dot], name[dot:].lower()


def url_hash(url: str, n: int = 8) -> str:
    return hashlib.sha1(url.encode()).hexdigest()[:n]


def disposition_filename(header: str | None) -> str | None:
    """The file name a ``Content-Disposition`` header offers (RFC 6266 ``filename*`` first)."""
    if not header:
        return None
    star = re.search(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", header, re.I)
    if star:
        try:
            return unquote(star.group(2).strip().strip('"'), encoding=star.group(1))
        except LookupError:
            return unquote(star.group(2).strip().strip('"'))
    plain = re.search(r'filename\s*=\s*"?([^";]+)"?', header, re.I)
    if not plain:
        return None
    value = plain.group(1).strip()
    try:  # servers send GBK or UTF-8 bytes that arrive as latin-1 text
        raw = value.encode("latin-1")
        for codec in ("utf-8", "gb18030"):
            try:
                value = raw.decode(codec)
                break
            except UnicodeDecodeError:
                continue
    except UnicodeEncodeError:
        pass
    return unquote(value)


def sniff_kind(data: bytes) -> str:
    """pdf, docx, ole (legacy Word/WPS/Excel), zip, html or unknown — from the bytes in memory."""
    kind = sniff_head(data[:4096])
    if kind == "zip":
        return "docx" if b"word/document.xml" in data else "zip"
    return kind


def choose_suffix(offered: str, kind: str) -> str | None:
    """The suffix to store a file under, ``None`` when the bytes are not a document at all."""
    if kind == "pdf":
        return ".pdf"
    if kind == "docx":
        return ".docx"
    if kind == "html":
        return offered if offered in HTML_SUFFIXES else ".html"
    if kind == "ole":
        return offered if offered in (".doc", ".wps", ".xls") else ".doc"
    if kind in ("zip", "unknown") and offered in UNREADABLE_SUFFIXES:
        return offered  # .wps/.xlsx/.ofd: stored, reported as not readable yet
    return None


def name_from_url(url: str) -> str:
    """The last path segment of ``url`` (percent-decoded), plus a hash when a query matters."""
    parts = urlsplit(url)
    segment = unquote(PurePosixPath(parts.path).name) or "index"
    if parts.query:
        stem, suffix = split_suffix(segment)
        segment = f"{stem}-{url_hash(url)}{suffix}"
    return segment


def file_name(
    url: str,
    data: bytes,
    *,
    disposition: str | None = None,
    link_text: str = "",
    prefix: str | None = None,
) -> str | None:
    """A safe file name for a download, or ``None`` when the bytes are not a storable document.

    The name: ``Content-Disposition`` name, else the URL's last segment, else the link text;
    ``prefix`` (the notice page's stem, for attachments) keeps a notice's files together.
    """
    offered = disposition_filename(disposition) or name_from_url(url)
    stem, suffix = split_suffix(offered)
    if not suffix:
        text_stem, text_suffix = split_suffix(link_text.strip())
        if text_suffix:
            stem, suffix = (stem if stem not in ("", "index") else text_stem), text_suffix
    chosen = choose_suffix(suffix, sniff_kind(data))
    if chosen is None:
        return None
    name = stem + chosen
    if prefix:
        name = f"{prefix}__{name}"
    return safe_segment(name)


def with_hash(name: str, url: str) -> str:
    """``name`` made unique for ``url`` (when two URLs would share a file name)."""
    stem, suffix = split_suffix(name)
    return safe_segment(f"{stem}-{url_hash(url)}{suffix}")


def safe_join(raw_dir: Path, rel: str) -> Path:
    """``raw_dir / rel``, refusing anything that resolves outside ``raw_dir``."""
    root = raw_dir.resolve()
    rel_path = PurePosixPath(rel)
    if rel_path.is_absolute() or any(p in ("", ".", "..") for p in rel_path.parts):
        raise UnsafePathError(f"unsafe path {rel!r}")
    target = (root / rel_path).resolve()
    if not target.is_relative_to(root) or target == root:
        raise UnsafePathError(f"{rel!r} would be written outside {root}")
    return target
