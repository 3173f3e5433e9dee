"""Pieces every notebook-kind template shares: the docstring header and the event helper."""

from __future__ import annotations

import textwrap

from . import OFFLINE_NOTICE, Context, docstring_text, fill, py

HEADER = '''"""{{kind_title}} for {{id_text}}: {{title_text}}.

{{notice}}.
It tests {{tests_text}}
Events: {{exposure}} (the user saw it) -> {{conversion}} (what {{metric_text}} counts).

In a notebook, app() shows it to one user: a fresh id each call, or pass user= and variant=.
In Voila (voila app.ipynb in this folder) each visitor is one user.
Events go to the disco store; %measure {{id_text}} --events turns them into a result.
"""

import html
import uuid

import ipywidgets as widgets

import disco_magics

HYPOTHESIS = {{id}}
PROBLEM = {{problem}}


def _tracker(user, variant):
    """track(event, value=None) for one user, into the disco store."""

    def track(event, value=None):
        disco_magics.track(HYPOTHESIS, event, user=user, variant=variant, value=value, problem=PROBLEM)

    return track


def _new_user():
    return f"u-{uuid.uuid4().hex[:12]}"
'''


def header(ctx: Context, *, kind_title: str, tests: str, exposure: str, conversion: str) -> str:
    return fill(
        HEADER,
        kind_title=kind_title,
        id_text=ctx.hypothesis,
        title_text=docstring_text(ctx.title),
        notice=OFFLINE_NOTICE[:1].upper() + OFFLINE_NOTICE[1:],
        tests_text=textwrap.fill(docstring_text(tests).rstrip(".") + ".", 100),
        exposure=exposure,
        conversion=conversion,
        metric_text=ctx.metric,
        id=py(ctx.hypothesis),
        problem=py(ctx.problem),
    )
