"""Keeps secrets out of access logs: a feed URL's token is as good as a password."""

from __future__ import annotations

import logging
import re

_FEED_TOKEN = re.compile(r"(/feeds/)[^/?#\s]+(\.ics)")


def redact(text: str) -> str:
    return _FEED_TOKEN.sub(r"\1…\2", text)


class RedactFeedTokens(logging.Filter):
    """Rewrites feed tokens in a record's message arguments (uvicorn passes the path there)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install(logger_names: tuple[str, ...] = ("uvicorn.access", "radicale")) -> None:
    """Add the filter once to the loggers that print request paths."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
            logger.addFilter(RedactFeedTokens())
