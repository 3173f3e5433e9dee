"""The query text: one read-only ``SELECT``/``WITH`` statement, and what it names (files, frames).

A tokenizer that knows strings, quoted names, comments and dollar quotes — enough to refuse a second
statement or a data-changing keyword with a clear line before anything reaches a database (which is the
real guard: the text runs as a subquery, and on PostgreSQL in a read-only transaction).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationFailed

SQL_EXAMPLE = "%measure H1 --sql \"SELECT * FROM 'trials.parquet'\" --metric invited --group variant"

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*')
    | (?P<dollar>\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$)
    | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`)
    | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<other>.)
    """,
    re.S | re.X,
)
#: keywords that change data, or lock rows, inside an otherwise read-only statement
#: (PostgreSQL's ``WITH d AS (DELETE ... RETURNING *) SELECT``, ``SELECT ... INTO t``, ``FOR UPDATE``)
_WRITES = frozenset({"insert", "update", "delete", "merge", "into"})
_STARTS = frozenset({"select", "with"})
#: file suffixes DuckDB reads by path; a string literal ending in one names a file the query reads
_FILE_SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz", ".tsv", ".json", ".ndjson", ".jsonl")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    end: int

    @property
    def value(self) -> str:
        """A string's or quoted identifier's content, unescaped; a word as written."""
        if self.kind == "string":
            return self.text[1:-1].replace("''", "'")
        if self.kind == "quoted":
            quote = self.text[0]
            return self.text[1:-1].replace(quote * 2, quote)
        return self.text


def _tokens(query: str) -> list[_Token]:
    """The significant tokens (no spaces or comments); an unterminated quote or comment is an error."""
    found = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "tag":  # the named group inside a dollar quote
            kind = "dollar"
        text = match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "other" and (text in "'\"`" or query.startswith("/*", match.start())):
            what = "comment" if text == "/" else "quoted text"
            raise ValidationFailed(
                f"the query has an unterminated {what} (from {query[match.start() : match.start() + 30]!r})",
                example=SQL_EXAMPLE,
            )
        found.append(_Token(kind, text, match.end()))
    return found


def check_query(query: Any) -> str:
    """The query, checked to be one read-only ``SELECT`` or ``WITH`` statement, without a trailing ``;``.

    Raises ``ValidationFailed`` naming what was refused: a write keyword, a second statement, a statement
    that is not a query. (The database itself is the second line of defence: the text runs as a subquery,
    and on PostgreSQL in a read-only transaction.)
    """
    if not isinstance(query, str):
        raise ValidationFailed(f"the query must be SQL text, not {type(query).__name__}", example=SQL_EXAMPLE)
    tokens = _tokens(query)
    while tokens and tokens[-1].text == ";":
        tokens.pop()
    if not tokens:
        raise ValidationFailed("the query is empty", example=SQL_EXAMPLE)
    if any(t.text == ";" for t in tokens):
        raise ValidationFailed(
            "refused: the query must be a single statement (it holds a ';' before its end)",
            example=SQL_EXAMPLE,
        )
    words = [t for t in tokens if t.kind == "word"]
    first = next((t for t in tokens if t.text != "("), tokens[0])
    if first.kind != "word" or first.text.lower() not in _STARTS:
        raise ValidationFailed(
            f"refused: only a SELECT or WITH query is run, read-only (this one starts with {first.text[:20]!r})",
            example=SQL_EXAMPLE,
        )
    for token in words:
        if token.text.lower() in _WRITES:
            raise ValidationFailed(
                f"refused: the query must only read, and it holds {token.text.upper()} (quote a column of that "
                'name as "name")',
                example=SQL_EXAMPLE,
            )
    for before, after in itertools.pairwise(words):
        if before.text.lower() == "for" and after.text.lower() in ("update", "share"):
            raise ValidationFailed("refused: the query must not lock rows (FOR ...)", example=SQL_EXAMPLE)
    return query[: tokens[-1].end]


def files_read(query: str) -> tuple[str, ...]:
    """Paths in the query's string literals that name data files (``'trials.parquet'``, ``'logs/*.csv'``).

    What the embedded DuckDB reads by path, so a caller can look for the mark ``%%synth --out`` leaves in a
    Parquet file (issue 18's ``synthetic.file_provenance``) without reading a row.
    """
    paths = []
    for token in _tokens(query):
        if token.kind == "string" and token.value.lower().endswith(_FILE_SUFFIXES):
            paths.append(token.value)
    return tuple(dict.fromkeys(paths))


def names_used(query: str) -> tuple[str, ...]:
    """Identifiers in the query (words and quoted names): which notebook variables it may refer to."""
    return tuple(
        dict.fromkeys(
            t.value for t in _tokens(query) if t.kind in ("word", "quoted") and t.value.isidentifier()
        )
    )
