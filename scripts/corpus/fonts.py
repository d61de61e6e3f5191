"""The CJK font embedded in the PDFs (WenQuanYi Zen Hei, Debian ``fonts-wqy-zenhei``).

The TTC's first face is embedded (``subfontIndex=0``); pdfplumber reads its text back exactly.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT = "WQYZenHei"


class FontMissingError(RuntimeError):
    """The CJK font is not installed."""


def font_available(path: Path | None = None) -> bool:
    return (path or FONT_PATH).is_file()


def register_font(path: Path | None = None) -> str:
    """Register the font with reportlab (once) and return its name; fail with a clear message
    naming the install script when the font file is missing."""
    path = path or FONT_PATH
    if not font_available(path):
        raise FontMissingError(
            f"CJK font {path} not found: run scripts/install-system-deps.sh "
            "(installs the Debian package fonts-wqy-zenhei) and try again"
        )
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT
