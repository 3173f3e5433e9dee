"""Durable persistence of every model (SQLAlchemy Core; SQLite by default, PostgreSQL by URL)."""

from .repository import Store, resolve_url

__all__ = ["Store", "resolve_url"]
