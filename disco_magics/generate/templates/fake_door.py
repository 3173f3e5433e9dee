"""Fake door (value risk): offer the change before it exists and count who reaches for it."""

from __future__ import annotations

from ...model.prototype import NotebookDraft, PrototypeEvent, PrototypeFile
from . import OFFLINE_NOTICE, Context, fill, py
from ._notebook import header

KIND = "fake-door"
WHERE = "notebook"
DEFAULT_FOR = ("value",)
PURPOSE = "whether users want the change at all: it is offered before it is built and clicks are counted"

BODY = '''

HEADLINE = {{headline}}
PITCH = {{pitch}}
FOR_WHOM = {{segment}}
CTA = "Try it now"
NOT_YET = (
    "Thank you! This is not built yet: we are finding out whether it is worth building. "
    "Would you like us to tell you when it is ready?"
)


def app(user=None, variant=None):
    """The fake door for one user: logs exposed now, clicked_cta when the button is pressed."""
    track = _tracker(user or _new_user(), variant)
    offer = widgets.HTML(
        f"<h3 style='margin:0 0 4px'>{html.escape(HEADLINE)}</h3>"
        f"<div style='color:#57606a'>For {html.escape(FOR_WHOM)}</div>"
        f"<p>{html.escape(PITCH)}</p>"
    )
    cta = widgets.Button(description=CTA, button_style="primary", layout=widgets.Layout(width="auto"))
    cta.add_class("disco-cta")
    follow = widgets.Button(description="Yes, tell me", layout=widgets.Layout(width="auto"))
    follow.add_class("disco-follow-up")
    thanks = widgets.HTML("")
    box = widgets.VBox([offer, cta])
    box.add_class("disco-prototype")

    def clicked(_):
        if cta.disabled:  # count each user once
            return
        cta.disabled = True
        track("clicked_cta")
        thanks.value = f"<p>{html.escape(NOT_YET)}</p>"
        box.children = [offer, cta, thanks, follow]

    def follow_up(_):
        if follow.disabled:
            return
        follow.disabled = True
        track("asked_follow_up")
        thanks.value = "<p>Noted: we will tell you. Thank you!</p>"

    cta.on_click(clicked)
    follow.on_click(follow_up)
    track("exposed")
    return box
'''


def draft(ctx: Context) -> NotebookDraft:
    tests = f"whether {ctx.segment} want {ctx.change}: the share who press its button estimates {ctx.move}"
    code = header(
        ctx, kind_title="Fake door", tests=tests, exposure="exposed", conversion="clicked_cta"
    ) + fill(
        BODY,
        headline=py(ctx.title),
        pitch=py(f"Coming soon: {ctx.change}."),
        segment=py(ctx.segment),
    )
    return NotebookDraft(
        title=f"Fake door: {ctx.title}"[:120],
        summary=(
            f"A card offers {ctx.change} to {ctx.segment} with a 'Try it now' button. Nothing behind it is "
            "built: a click thanks the user, says so, and asks whether to tell them when it is ready."
        ),
        tests=tests,
        files=[PrototypeFile(path="app.py", language="python", content=code)],
        entry="app.py",
        run=(
            "Run the inserted cell to see it as one user; put it in front of real users with "
            "`voila app.ipynb` in the prototype folder (each visitor is one user). "
            f"Then: %measure {ctx.hypothesis} --events. ({OFFLINE_NOTICE}.)"
        ),
        events=[
            PrototypeEvent(name="exposed", description="the offer was shown to the user"),
            PrototypeEvent(name="clicked_cta", description="the user pressed 'Try it now'"),
            PrototypeEvent(name="asked_follow_up", description="the user asked to hear when it is ready"),
        ],
        exposure_event="exposed",
        conversion_event="clicked_cta",
    )
