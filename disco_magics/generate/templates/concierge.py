"""Concierge (value risk, by hand): offer the outcome done by a person, openly, and count who asks for it."""

from __future__ import annotations

from ...model.prototype import NotebookDraft, PrototypeEvent, PrototypeFile
from . import OFFLINE_NOTICE, Context, fill, py
from ._notebook import header

KIND = "concierge"
WHERE = "notebook"
DEFAULT_FOR = ()
PURPOSE = "whether users value the outcome enough to ask for it, delivered openly by a person before any code"

BODY = '''

OFFER = {{offer}}
DETAIL = {{detail}}
# Requests are appended here (one JSON object a line) for the person who fulfils them.
REQUESTS = Path(__file__).with_name("requests.jsonl")


def app(user=None, variant=None):
    """The concierge offer for one user: exposed now, requested when they ask for it."""
    user = user or _new_user()
    track = _tracker(user, variant)
    offer = widgets.HTML(
        f"<h3 style='margin:0 0 4px'>{html.escape(OFFER)}</h3><p>{html.escape(DETAIL)}</p>"
    )
    note = widgets.Textarea(placeholder="What should we do for you? (optional)", layout=widgets.Layout(width="95%"))
    note.add_class("disco-note")
    ask = widgets.Button(description="Yes, do it for me", button_style="primary", layout=widgets.Layout(width="auto"))
    ask.add_class("disco-cta")
    thanks = widgets.HTML("")
    box = widgets.VBox([offer, note, ask, thanks])
    box.add_class("disco-prototype")

    def requested(_):
        if ask.disabled:
            return
        ask.disabled = note.disabled = True
        entry = {"user": user, "variant": variant, "note": note.value[:2000], "at": time.time()}
        with REQUESTS.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\\n")
        track("requested")
        thanks.value = "<p>Thank you! A person from our team will do this with you and get in touch.</p>"

    ask.on_click(requested)
    track("exposed")
    return box


def requests():
    """The requests so far, oldest first (for the person doing the work)."""
    if not REQUESTS.exists():
        return []
    return [json.loads(line) for line in REQUESTS.read_text(encoding="utf-8").splitlines() if line.strip()]


def fulfil(user, variant=None):
    """Record that the team delivered the outcome to ``user`` by hand."""
    _tracker(user, variant)("fulfilled")
'''


def draft(ctx: Context) -> NotebookDraft:
    tests = (
        f"whether {ctx.segment} value {ctx.change} enough to ask for it when a person delivers it: the "
        f"share who ask estimates {ctx.move}"
    )
    code = header(ctx, kind_title="Concierge", tests=tests, exposure="exposed", conversion="requested")
    code = code.replace("import html\n", "import html\nimport json\nimport time\n", 1)
    code = code.replace("import uuid\n", "import uuid\nfrom pathlib import Path\n", 1)
    code += fill(
        BODY,
        offer=py(f"We will set up {ctx.change} for you, by hand"),
        detail=py(
            f"A person from our team does it with you this week, for {ctx.segment}, so you can get to "
            f"{ctx.task}. No setup on your side."
        ),
    )
    return NotebookDraft(
        title=f"Concierge: {ctx.title}"[:120],
        summary=(
            f"Offers {ctx.change}, delivered openly by a person, to {ctx.segment}. A request is saved to "
            "requests.jsonl for the team; fulfil(user) records the delivery."
        ),
        tests=tests,
        files=[PrototypeFile(path="app.py", language="python", content=code)],
        entry="app.py",
        run=(
            "Run the inserted cell (one user per run) or serve it with `voila app.ipynb` in the prototype "
            "folder. Read requests() and deliver each by hand, then call fulfil(user). "
            f"Then: %measure {ctx.hypothesis} --events. ({OFFLINE_NOTICE}.)"
        ),
        events=[
            PrototypeEvent(name="exposed", description="the offer was shown"),
            PrototypeEvent(name="requested", description="the user asked for it"),
            PrototypeEvent(name="fulfilled", description="the team delivered it by hand"),
        ],
        exposure_event="exposed",
        conversion_event="requested",
    )
