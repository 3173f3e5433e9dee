"""What every operation shares: the session to act on, and the page around exported HTML."""

from __future__ import annotations

from ..session import Session, get_session


def _session(session: Session | None) -> Session:
    return session if session is not None else get_session()


def _standalone_html(body: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Experiments</title></head>'
        f"<body>{body}</body></html>\n"
    )
