"""Mockup (usability risk): click through the change screen by screen and see who finishes the task."""

from __future__ import annotations

from ...model.prototype import NotebookDraft, PrototypeEvent, PrototypeFile
from . import OFFLINE_NOTICE, Context, fill, py
from ._notebook import header

KIND = "mockup"
WHERE = "notebook"
DEFAULT_FOR = ("usability",)
PURPOSE = "whether users can use the change: a clickable mockup of its screens, with the task to finish"

BODY = '''

TASK = {{task}}
# The screens, in order: (title, what the user sees). Replace the words with your design's.
SCREENS = [
    ({{screen1_title}}, {{screen1_body}}),
    ({{screen2_title}}, {{screen2_body}}),
    ({{screen3_title}}, {{screen3_body}}),
]


def app(user=None, variant=None):
    """The mockup for one user: exposed now, step_completed per screen, task_completed at the end."""
    track = _tracker(user or _new_user(), variant)
    started = time.monotonic()
    state = {"screen": 0, "over": False}
    task = widgets.HTML(f"<div style='color:#57606a'>Your task: {html.escape(TASK)}</div>")
    screen = widgets.HTML()
    step = widgets.HTML()
    back = widgets.Button(description="Back", layout=widgets.Layout(width="auto"))
    back.add_class("disco-back")
    forward = widgets.Button(description="Next", button_style="primary", layout=widgets.Layout(width="auto"))
    forward.add_class("disco-next")
    stuck = widgets.Button(description="I'm stuck", layout=widgets.Layout(width="auto"))
    stuck.add_class("disco-stuck")
    box = widgets.VBox([task, step, screen, widgets.HBox([back, forward, stuck])])
    box.add_class("disco-prototype")

    def show():
        title, body = SCREENS[state["screen"]]
        last = state["screen"] == len(SCREENS) - 1
        step.value = f"<small>Screen {state['screen'] + 1} of {len(SCREENS)}</small>"
        screen.value = f"<h3 style='margin:4px 0'>{html.escape(title)}</h3><p>{html.escape(body)}</p>"
        back.disabled = state["screen"] == 0
        forward.description = "Finish the task" if last else "Next"

    def finish(message):
        state["over"] = True
        for button in (back, forward, stuck):
            button.disabled = True
        screen.value = f"<p>{html.escape(message)}</p>"

    def next_screen(_):
        if state["over"]:
            return
        track("step_completed", value=state["screen"] + 1)
        if state["screen"] == len(SCREENS) - 1:
            track("task_completed", value=round(time.monotonic() - started, 1))
            finish("Done: thank you! That is all we wanted to see.")
        else:
            state["screen"] += 1
            show()

    def previous_screen(_):
        if not state["over"] and state["screen"] > 0:
            state["screen"] -= 1
            show()

    def gave_up(_):
        if state["over"]:
            return
        track("gave_up", value=state["screen"] + 1)
        finish("Thank you: knowing where it gets hard is exactly what we needed.")

    forward.on_click(next_screen)
    back.on_click(previous_screen)
    stuck.on_click(gave_up)
    show()
    track("exposed")
    return box
'''


def draft(ctx: Context) -> NotebookDraft:
    tests = (
        f"whether {ctx.segment} can use {ctx.change} to finish the task ({ctx.task}): the share who "
        f"finish it estimates {ctx.move}"
    )
    screens = {
        "screen1_title": py("Welcome"),
        "screen1_body": py(f"You are one of {ctx.segment}. Here is something new: {ctx.change}."),
        "screen2_title": py(ctx.title),
        "screen2_body": py(f"This is where you would use it. Use it to get to: {ctx.task}."),
        "screen3_title": py("Finish"),
        "screen3_body": py(f"Last step: {ctx.task}. Press 'Finish the task' when you would do it."),
    }
    code = header(ctx, kind_title="Mockup", tests=tests, exposure="exposed", conversion="task_completed")
    code = code.replace("import html\n", "import html\nimport time\n", 1) + fill(
        BODY, task=py(ctx.task), **screens
    )
    return NotebookDraft(
        title=f"Mockup: {ctx.title}"[:120],
        summary=(
            f"Three clickable screens walk one of {ctx.segment} through {ctx.change} to a task: {ctx.task}. "
            "Users can go back, finish, or say they are stuck."
        ),
        tests=tests,
        files=[PrototypeFile(path="app.py", language="python", content=code)],
        entry="app.py",
        run=(
            "Run the inserted cell and hand the keyboard to a user (a fresh user each run), or serve it with "
            "`voila app.ipynb` in the prototype folder. Replace the screens' words with your design's. "
            f"Then: %measure {ctx.hypothesis} --events. ({OFFLINE_NOTICE}.)"
        ),
        events=[
            PrototypeEvent(name="exposed", description="the first screen was shown"),
            PrototypeEvent(name="step_completed", description="a screen was passed (value: its number)"),
            PrototypeEvent(name="task_completed", description="the user finished the task (value: seconds)"),
            PrototypeEvent(name="gave_up", description="the user said they were stuck (value: screen)"),
        ],
        exposure_event="exposed",
        conversion_event="task_completed",
    )
