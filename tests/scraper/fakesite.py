"""A fake county government site on 127.0.0.1, serving the real sample notices from ``raw/``.

Laid out like a TRS-built 政府文件 column (``/zfwj/index.html`` + ``index_1.html``):

page 1 (GBK, charset only in ``<meta>``)     page 2 (UTF-8, charset in the HTTP header)
  t20240301_1001.html  GBK notice (001)          t20240201_0901.html  slow: sleeps > client time-out
  t20240302_1002.shtml UTF-8 notice (000),       t20240202_0902.html  500 once, then a notice (002)
     absolute link; attachments .docx + .doc     /xxgk/…/t20240301_1001.html  page 1's notice again
  /private/…           forbidden by robots.txt   t20240203_0903.html  302 to a foreign host
  t20240304_1004.html  404                       下一页 / 上一页 / page numbers, nav and footer links
  P020240305_….pdf     a PDF linked directly (004)
                                               (002 links a .doc and a .xls: served as OLE files)

Every 200 has an ``ETag`` and ``Last-Modified`` and a matching conditional request gets a 304, like
a real web server. ``requests`` logs each request (path, Host header, conditional header) and
``max_in_flight`` the most requests served at once, for the politeness assertions. The foreign host
is ``localhost`` on the same port, so a crawler that wrongly followed the redirect would show up in
the log instead of reaching the internet.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RAW = PROJECT_ROOT / "raw"
NOTICE_GBK = RAW / "001_3066dfd361fc75f9.html"  # a GBK page (meta charset gb2312)
NOTICE_UTF8 = RAW / "000_3fcaf470a0c023ac.html"
NOTICE_RECOVERS = RAW / "002_c5a7bb6645cf0ce3.html"
ATTACHMENT_DOCX = RAW / "003_b54ff24471a88dd0.docx"
LISTED_PDF = RAW / "004_597f21caaa58e27d.pdf"
OLE_DOC = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
)  # a Word 97-2003 file, as far as a sniffer sees

SLOW_SECONDS = 1.2  # bounded; tests use a client time-out below it (0.6 s)
LAST_MODIFIED = "Fri, 01 Mar 2024 08:00:00 GMT"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ATT_DOCX = "/zfwj/202403/P020240302_附件1.docx"
ATT_DOC = "/zfwj/202403/P020240302_附件2.doc"


def _listing(items: list[tuple[str, str, str]], pager: str, charset: str) -> str:
    lis = "\n".join(
        f'<li><a href="{href}" title="{title}" target="_blank">{title}</a>'
        f'<span class="date">{date}</span></li>'
        for href, title, date in items
    )
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>政府文件_测试县人民政府</title></head>
<body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/about.html">关于我们</a>
<a href="/zwgk/zcwj/index.html">政策文件</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府文件</div>
<div class="list"><ul>
{lis}
</ul></div>
<div class="page">{pager}</div>
<div class="footer"><a href="http://www.gov.cn/">中国政府网</a> <a href="/sitemap.html">网站地图</a>
<p>测试县人民政府办公室 主办</p></div>
</body></html>
"""


@dataclass(frozen=True)
class Request:
    path: str  # decoded path with query
    host: str
    if_none_match: str | None
    if_modified_since: str | None
    at: float  # time.monotonic() when it arrived


class FakeSite:
    """Start with ``with FakeSite() as site:``; ``site.url('/zfwj/index.html')`` gives absolute URLs."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._failed_once: set[str] = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fakesite", daemon=True)

    # --- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> FakeSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()  # wakes the slow page
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    # --- helpers for tests -----------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base + quote(path, safe="/?=&%:")

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def sources_toml(self, name: str = "fake-county", **politeness: float) -> str:
        pol = {
            "delay_seconds": 0.0,
            "timeout_seconds": 0.6,
            "retries": 1,
            "backoff_seconds": 0.05,
            **politeness,
        }
        pol_lines = "\n".join(f"{k} = {v}" for k, v in pol.items())
        return f"""
[[source]]
name = "{name}"
title = "测试县人民政府 · 政府文件"
listing_url = "{self.url("/zfwj/index.html")}"

[source.politeness]
{pol_lines}
"""

    # --- content ---------------------------------------------------------------------------------

    def routes(self) -> dict[str, tuple[int, dict[str, str], bytes]]:
        page1 = _listing(
            [
                (
                    "./202403/t20240301_1001.html",
                    "泸县人民政府办公室关于印发泸县推进基层政务公开标准化规范化工作实施方案的通知",
                    "2024-03-01",
                ),
                (
                    self.url("/zfwj/202403/t20240302_1002.shtml"),
                    "四川省人民政府办公厅关于全面推进基层政务公开标准化规范化工作的通知",
                    "2024-03-02",
                ),
                ("/private/t20240303_1003.html", "内部文件不公开测试通知", "2024-03-03"),
                ("./202403/t20240304_1004.html", "已经删除的一份通知文件", "2024-03-04"),
                ("./202403/P020240305_实施方案.pdf", "关于印发实施方案的通知（PDF版）", "2024-03-05"),
            ],
            '<a href="index.html">1</a> <a href="index_1.html">2</a> <a href="index_1.html">下一页</a>',
            "gb2312",
        ).encode("gbk")
        page2 = _listing(
            [
                ("./202402/t20240201_0901.html", "响应很慢的一份通知文件", "2024-02-01"),
                ("./202402/t20240202_0902.html", "第一次请求出错后恢复的通知", "2024-02-02"),
                (
                    "/xxgk/2024/t20240301_1001.html",
                    "泸县人民政府办公室关于印发实施方案的通知（转载）",
                    "2024-03-01",
                ),
                ("./202402/t20240203_0903.html", "跳转到外部网站的一份通知", "2024-02-03"),
            ],
            '<a href="index.html">上一页</a> <a href="index.html">1</a> <a href="index_1.html">2</a>',
            "utf-8",
        ).encode("utf-8")
        attachments = (
            f'<p>附件：<a href="{quote(Path(ATT_DOCX).name)}">附件1.docx</a> '
            f'<a href="{self.url(ATT_DOC)}">附件2.doc</a></p>'
        )
        notice_utf8 = NOTICE_UTF8.read_bytes().replace(
            b'<div class="share">', b'<div class="share">' + attachments.encode("utf-8"), 1
        )
        html_gbk = {"Content-Type": "text/html"}  # charset only in the page's <meta>
        html_utf8 = {"Content-Type": "text/html; charset=utf-8"}
        return {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
            "/zfwj/index.html": (200, html_gbk, page1),
            "/zfwj/index_1.html": (200, html_utf8, page2),
            "/zfwj/202403/t20240301_1001.html": (200, html_gbk, NOTICE_GBK.read_bytes()),
            "/xxgk/2024/t20240301_1001.html": (200, html_gbk, NOTICE_GBK.read_bytes()),
            "/zfwj/202403/t20240302_1002.shtml": (200, html_utf8, notice_utf8),
            "/private/t20240303_1003.html": (200, html_utf8, NOTICE_UTF8.read_bytes()),
            "/zfwj/202403/P020240305_实施方案.pdf": (
                200,
                {"Content-Type": "application/pdf"},
                LISTED_PDF.read_bytes(),
            ),
            ATT_DOCX: (200, {"Content-Type": DOCX_TYPE}, ATTACHMENT_DOCX.read_bytes()),
            ATT_DOC: (200, {"Content-Type": "application/msword"}, OLE_DOC),
            "/zfwj/202402/t20240202_0902.html": (200, html_utf8, NOTICE_RECOVERS.read_bytes()),
            # the attachments notice 002 links to (relative links in the real page)
            "/zfwj/202402/附件1.基层政务公开标准化规范化工作任务分工及进度安排.doc": (
                200,
                {},
                OLE_DOC + b"1",
            ),
            "/zfwj/202402/附件2.基层政务公开事项标准目录格式.xls": (200, {}, OLE_DOC + b"2"),
            "/zfwj/202402/t20240201_0901.html": (200, html_utf8, NOTICE_UTF8.read_bytes() + b"<!-- slow -->"),
            "/zfwj/202402/t20240203_0903.html": (
                302,
                {"Location": f"http://localhost:{self.port}/elsewhere/t1.html"},
                b"",
            ),
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                path = unquote(self.path)
                with site._lock:
                    site.requests.append(
                        Request(
                            path,
                            self.headers.get("Host", ""),
                            self.headers.get("If-None-Match"),
                            self.headers.get("If-Modified-Since"),
                            time.monotonic(),
                        )
                    )
                    site._in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site._in_flight)
                try:
                    self._serve(urlsplit(path).path)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (time-out test)
                finally:
                    with site._lock:
                        site._in_flight -= 1

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _serve(self, path: str) -> None:
                if "/t20240201_0901" in path:
                    site._stop.wait(SLOW_SECONDS)
                if path == "/zfwj/202402/t20240202_0902.html" and path not in site._failed_once:
                    site._failed_once.add(path)
                    self._send(500, {"Content-Type": "text/plain"}, b"internal error")
                    return
                route = site.routes().get(path)
                if route is None:
                    self._send(404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>")
                    return
                status, headers, body = route
                if status != 200:
                    self._send(status, headers, body)
                    return
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag or (
                    self.headers.get("If-None-Match") is None
                    and self.headers.get("If-Modified-Since") == LAST_MODIFIED
                ):
                    self._send(304, {"ETag": etag}, b"")
                    return
                self._send(200, {**headers, "ETag": etag, "Last-Modified": LAST_MODIFIED}, body)

        return Handler
