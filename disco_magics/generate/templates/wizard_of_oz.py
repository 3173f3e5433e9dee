"""Wizard of Oz (value risk, faked automation): users meet what looks automated; a person answers behind it."""

from __future__ import annotations

from ...model.prototype import NotebookDraft, PrototypeEvent, PrototypeFile
from . import OFFLINE_NOTICE, Context, fill, py
from ._notebook import header

KIND = "wizard-of-oz"
WHERE = "notebook"
DEFAULT_FOR = ()
PURPOSE = "whether users value the result of an automation before it is built: a person produces it by hand"

BODY = '''

PROMPT = {{prompt}}
# Requests and answers pass through this folder, so the person answering can sit in another notebook.
QUEUE = Path(__file__).with_name("wizard_queue")


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def app(user=None, variant=None):
    """What the user sees: exposed now, submitted on a request, accepted when the answer helps."""
    user = user or _new_user()
    track = _tracker(user, variant)
    ask = widgets.HTML(f"<h3 style='margin:0 0 4px'>{html.escape(PROMPT)}</h3>")
    question = widgets.Textarea(placeholder="Describe what you need", layout=widgets.Layout(width="95%"))
    question.add_class("disco-question")
    send = widgets.Button(description="Send", button_style="primary", layout=widgets.Layout(width="auto"))
    send.add_class("disco-send")
    check = widgets.Button(description="Check for the answer", layout=widgets.Layout(width="auto"))
    check.add_class("disco-check")
    answer = widgets.HTML("")
    helps = widgets.Button(description="This helps", button_style="success", layout=widgets.Layout(width="auto"))
    helps.add_class("disco-cta")
    useless = widgets.Button(description="Not useful", layout=widgets.Layout(width="auto"))
    useless.add_class("disco-reject")
    box = widgets.VBox([ask, question, send])
    box.add_class("disco-prototype")
    state = {"id": None, "rated": False}

    def submitted(_):
        if state["id"] or not question.value.strip():
            return
        state["id"] = uuid.uuid4().hex[:12]
        _write(QUEUE / f"{state['id']}.request.json",
               {"id": state["id"], "user": user, "variant": variant, "question": question.value[:4000]})
        send.disabled = question.disabled = True
        track("submitted")
        answer.value = "<p>Working on it: check back in a few minutes.</p>"
        box.children = [ask, question, send, answer, check]

    def checked(_):
        reply = QUEUE / f"{state['id']}.answer.json"
        if not state["id"] or not reply.exists():
            answer.value = "<p>Not ready yet: check again in a minute.</p>"
            return
        text = json.loads(reply.read_text(encoding="utf-8"))["answer"]
        answer.value = f"<pre style='white-space:pre-wrap'>{html.escape(text)}</pre>"
        box.children = [ask, question, answer, widgets.HBox([helps, useless])]

    def rated(event):
        def handler(_):
            if state["rated"]:
                return
            state["rated"] = helps.disabled = useless.disabled = True
            track(event)

        return handler

    send.on_click(submitted)
    check.on_click(checked)
    helps.on_click(rated("accepted"))
    useless.on_click(rated("rejected"))
    track("exposed")
    return box


def pending():
    """Requests not answered yet, oldest first (for the person behind the curtain)."""
    if not QUEUE.exists():
        return []
    found = sorted(QUEUE.glob("*.request.json"), key=lambda p: p.stat().st_mtime)
    return [json.loads(p.read_text(encoding="utf-8")) for p in found
            if not p.with_name(p.name.replace(".request", ".answer")).exists()]


def answer(request_id, text):
    """Answer one request as the 'automation' would; the user sees it when they check."""
    request = json.loads((QUEUE / f"{request_id}.request.json").read_text(encoding="utf-8"))
    _write(QUEUE / f"{request_id}.answer.json", {"id": request_id, "answer": str(text)})
    _tracker(request["user"], request["variant"])("answered")


def operator():
    """A panel for the person behind the curtain: the oldest pending request and a box to answer it."""
    shown = widgets.HTML()
    reply = widgets.Textarea(placeholder="Your answer", layout=widgets.Layout(width="95%"))
    reply.add_class("disco-reply")
    send = widgets.Button(description="Send answer", button_style="primary", layout=widgets.Layout(width="auto"))
    send.add_class("disco-answer")
    refresh = widgets.Button(description="Refresh", layout=widgets.Layout(width="auto"))
    refresh.add_class("disco-refresh")
    current = {"request": None}

    def load(_=None):
        waiting = pending()
        current["request"] = waiting[0] if waiting else None
        if current["request"] is None:
            shown.value = "<p>No pending requests.</p>"
        else:
            shown.value = (f"<p>{len(waiting)} waiting. Oldest:</p>"
                           f"<pre style='white-space:pre-wrap'>{html.escape(current['request']['question'])}</pre>")

    def sent(_):
        if current["request"] is not None and reply.value.strip():
            answer(current["request"]["id"], reply.value)
            reply.value = ""
            load()

    send.on_click(sent)
    refresh.on_click(load)
    load()
    panel = widgets.VBox([shown, reply, widgets.HBox([send, refresh])])
    panel.add_class("disco-operator")
    return panel
'''


def draft(ctx: Context) -> NotebookDraft:
    tests = (
        f"whether {ctx.segment} value what {ctx.change} would give them, before it is built: a person writes "
        f"each answer, and the share who find it helps estimates {ctx.move}"
    )
    code = header(ctx, kind_title="Wizard of Oz", tests=tests, exposure="exposed", conversion="accepted")
    code = code.replace("import html\n", "import html\nimport json\n", 1)
    code = code.replace("import uuid\n", "import uuid\nfrom pathlib import Path\n", 1)
    code += fill(BODY, prompt=py(f"{ctx.title}: tell it what you need"))
    return NotebookDraft(
        title=f"Wizard of Oz: {ctx.title}"[:120],
        summary=(
            f"{ctx.segment.capitalize()} ask what looks like {ctx.change}; a person answers from operator() "
            "(or answer(id, text)) and the user rates the answer."
        ),
        tests=tests,
        files=[PrototypeFile(path="app.py", language="python", content=code)],
        entry="app.py",
        run=(
            "Run the inserted cell for a user (or `voila app.ipynb` in the prototype folder for real users); "
            "in another notebook, run the file and show operator() to answer requests as they come. "
            f"Then: %measure {ctx.hypothesis} --events. ({OFFLINE_NOTICE}.)"
        ),
        events=[
            PrototypeEvent(name="exposed", description="the prompt was shown"),
            PrototypeEvent(name="submitted", description="the user sent a request"),
            PrototypeEvent(name="answered", description="the person behind the curtain answered"),
            PrototypeEvent(name="accepted", description="the user said the answer helps"),
            PrototypeEvent(name="rejected", description="the user said the answer is not useful"),
        ],
        exposure_event="exposed",
        conversion_event="accepted",
    )
