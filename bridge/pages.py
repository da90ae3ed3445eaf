"""The plain page a browser gets where no app is: a heading and a paragraph.

Consent answers that the command line finishes land either on the web
app's callback or on the command's own loopback listener; both show the
same page, so it lives below both.
"""

from __future__ import annotations

from html import escape

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CalBridge</title></head>
<body><h1>{title}</h1><p>{text}</p></body></html>
"""


def plain_page(title: str, text: str) -> str:
    """The page, its texts escaped."""
    return PAGE.format(title=escape(title), text=escape(text))
