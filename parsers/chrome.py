"""Page chrome as text: lines a web page wraps around a notice (扫一扫在手机打开当前页, 当前位置：…,
版权所有…). The HTML reader drops them; when a page was converted to Word or PDF by another tool
they arrive as ordinary paragraphs, and the extractors skip them with the same rules."""

from __future__ import annotations

import re
from functools import lru_cache

from parsers.text import ShortTextMemo
from parsers.vocab import data_lines


@lru_cache(maxsize=1)
def chrome_text_re() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in data_lines("page_chrome_text")))


@ShortTextMemo
def is_chrome_line(text: str) -> bool:
    """A line made only of chrome phrases (扫一扫在手机打开当前页, 【打印正文】, 上一篇：…).

    Remembered: the reader asks for each web-page line, then the metadata rules ask again for every
    paragraph of each notice, and the phrase patterns are tried at every position of the line."""
    rest = chrome_text_re().sub("", text.strip())
    return bool(text.strip()) and not re.search(r"[\w\u3400-\u9fff]", rest)
