"""The ``disco`` command: run discovery notebooks headless, write the learning report, start new notebooks.

Every failure is one line on stderr and a non-zero exit; nothing prints a traceback for bad input.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from .errors import DiscoError, printable

PROBLEM_CELL = re.compile(r"^%%problem\s+(\S+)", re.M)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, then exit 2 (argparse's own convention)
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _fail(message: str, code: int = 1) -> int:
    print(f"disco: {printable(message)}", file=sys.stderr)
    return code


# ------------------------------------------------------------------------------------------------- run


def _store_for(notebook: Path) -> str:
    return os.environ.get("DISCO_STORE") or str(notebook.parent / ".disco" / "discovery.db")


def _kernel_config(folder: str):
    """The kernel's sockets: Unix domain sockets in a private folder (``ipc``), not loopback TCP. Nothing
    else on the machine can reach the kernel, and ipykernel has no reason to print "Kernel is running over
    TCP without encryption", which newcomers read as a security problem. Windows has no ``ipc`` and keeps
    TCP. (Given as configuration, so that nbclient still owns the kernel and shuts it down.)"""
    from traitlets.config import Config

    if os.name == "nt":
        return Config()
    os.chmod(folder, 0o700)
    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}})


def run_notebook(path: Path, out: Path | None, inplace: bool, timeout: int, progress: bool = True) -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError
    from tqdm.auto import tqdm

    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as err:
        return _fail(f"cannot read {path}: {err}")
    except Exception as err:  # JSON, but not a notebook: nbformat raises schema and type errors
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        return _fail(f"cannot read {path}: not a valid notebook ({reason})")
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    bar = tqdm(total=len(code_cells), desc=path.name, unit="cell", disable=not progress, file=sys.stderr)
    failed: dict[str, object] = {}

    def on_complete(cell, cell_index, **_):
        if cell.cell_type == "code":
            bar.update(1)

    def on_error(cell, cell_index, execute_reply, **_):
        failed["index"] = cell_index
        failed["cell"] = cell
        content = execute_reply.get("content", {}) if isinstance(execute_reply, dict) else {}
        failed["error"] = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}".strip()

    sockets = tempfile.TemporaryDirectory(prefix="disco-kernel-")
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        config=_kernel_config(sockets.name),
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_complete=on_complete,
        on_cell_error=on_error,
    )
    _send_cell_ids(client)
    status = 0
    try:
        # The kernel learns its notebook as under JupyterLab (JPY_SESSION_NAME), so what the notebook
        # declares records where it came from (the portfolio's "open the notebook").
        client.execute(env={**os.environ, "JPY_SESSION_NAME": str(path.resolve())})
    except (CellExecutionError, CellTimeoutError) as err:
        status = 1
        index = failed.get("index", "?")
        cell = failed.get("cell")
        first = (cell.source.strip().splitlines() or [""])[0][:80] if cell is not None else ""
        reason = failed.get("error") or str(err).strip().splitlines()[-1]
        print(f"disco run: cell {index} failed ({first}): {reason}", file=sys.stderr)
    except Exception as err:  # the kernel died or could not start: still one line
        status = 1
        print(f"disco run: {path.name} could not run: {type(err).__name__}: {err}", file=sys.stderr)
    finally:
        bar.close()
        sockets.cleanup()
    target = path if inplace else out
    if target is not None:
        from .files import write_text_atomic

        write_text_atomic(target, nbformat.writes(notebook) + "\n")
        print(f"wrote {target}", file=sys.stderr)
    if status == 0:
        _summary(path, notebook)
    return status


def _send_cell_ids(client) -> None:
    """Send each cell's id with its execute request (``metadata.cellId``), as JupyterLab does.

    nbclient sends none, and jupyter_client's ``execute`` takes no metadata; the request is built by the
    client's ``session.msg``, so that call is wrapped once the kernel client exists (``on_cell_execute``
    runs just before each request is sent).
    """
    running: dict[str, str | None] = {"cell": None}
    wrapped: set[int] = set()

    def on_cell_execute(cell, cell_index, **_):
        running["cell"] = cell.get("id")
        session = getattr(client.kc, "session", None)
        if session is None or id(session) in wrapped:
            return
        wrapped.add(id(session))
        original = session.msg

        def msg(msg_type, content=None, parent=None, header=None, metadata=None):
            if msg_type == "execute_request" and running["cell"]:
                metadata = {**(metadata or {}), "cellId": running["cell"]}
            return original(msg_type, content, parent, header, metadata)

        session.msg = msg

    client.on_cell_execute = on_cell_execute


def _summary(path: Path, notebook) -> None:
    """Hypotheses, verdicts and decisions of the problems the notebook declares."""
    from .api import experiment_table
    from .display.table import table_text
    from .session import Session, Settings

    names = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            names += PROBLEM_CELL.findall(cell.source)
    session = Session(settings=Settings(store=_store_for(path)))
    try:
        for name in dict.fromkeys(names):
            print(f"\n{path.name} — problem {name}")
            print(table_text(experiment_table(name, session=session)))
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------- report


def write_report(store: str | None, out: str | None, problem: str | None) -> int:
    from .api import report
    from .display.report import report_markdown
    from .session import Session, Settings

    session = Session(settings=Settings(store=store or os.environ.get("DISCO_STORE")))
    try:
        made = report(out=out, problem=problem, session=session)
    finally:
        session.close()
    if out:
        print(f"wrote {out}", file=sys.stderr)
    else:
        print(report_markdown(made), end="")
    return 0


# ------------------------------------------------------------------------------------------- portfolio


def write_portfolio(store: str | None, out: str | None) -> int:
    """Every problem and hypothesis of the store, as Markdown on stdout or into ``out`` (.md or .html)."""
    from .api import portfolio
    from .api._common import _standalone_html
    from .display.portfolio import portfolio_html, portfolio_markdown

    suffix = Path(out).suffix.lower() if out else ".md"
    if suffix not in (".md", ".html"):
        return _fail(f"portfolio: cannot write {Path(out).name[:60]!r}: use .md or .html — e.g. --out portfolio.md", 2)
    made = portfolio(store)
    text = portfolio_markdown(made) if suffix == ".md" else _standalone_html(portfolio_html(made))
    if out:
        from .files import write_text_atomic

        write_text_atomic(out, text)
        print(f"wrote {out}", file=sys.stderr)
    else:
        print(text, end="")
    return 0


# ------------------------------------------------------------------------------------------------ init

TEMPLATE_CELLS = [
    (
        "markdown",
        "# {name}\n\nThe customer problem, the leading indicators that say it is solved, and the riskiest "
        "assumptions to test first. Replace each template with your own words.",
    ),
    ("code", "%load_ext disco_magics"),
    (
        "code",
        "%%problem {name}\nWho is stuck, doing what, and what it costs them — in their words.\n"
        "segment: who exactly\nmetric: activation_rate = share of new accounts reaching the aha moment in 7 days "
        "(baseline 0.20)",
    ),
    (
        "code",
        "%%hypothesis H1 --metric activation_rate --target 0.30 --risk value\nWe believe <change> for <segment> "
        "will raise activation_rate from 20% to 30%, because <reason>.",
    ),
    (
        "markdown",
        "## Rehearse on synthetic data\n\nBefore real users arrive, plant the effect you hope for in synthetic "
        "data and run the analysis you plan. The card is labelled **rehearsal**: it shows what the analysis would "
        "say and how many users it needs. H1 stays a draft — data this notebook made is never evidence.",
    ),
    (
        "code",
        "%%synth rehearsal --rows 10000 --seed 1 --for H1\nvariant: choice(control=0.5, treatment=0.5)\n"
        "activated: bernoulli(0.20)\nactivated[variant=treatment]: bernoulli(0.30)",
    ),
    ("code", "%measure H1 --data rehearsal --metric activated --group variant --control control"),
    (
        "markdown",
        "## Measure real behaviour\n\nWhen the experiment has run, load its export from your product "
        "(one row per account: its variant, and whether it reached the aha moment) and measure it. Only data "
        "from real users moves H1 to validated, invalidated or inconclusive.",
    ),
    (
        "code",
        "# import pandas as pd\n# export = pd.read_csv(\"activation_export.csv\")  # your product's export\n"
        "# %measure H1 --data export --metric activated --group variant --control control",
    ),
    ("code", "%experiments"),
]


def init_notebook(name: str, directory: Path) -> int:
    import nbformat

    from .model import NAME_RE

    if not NAME_RE.match(name):
        return _fail(
            f"init: {name[:40]!r} is not a valid name (letters, digits, _ . -) — e.g. disco init onboarding",
            2,
        )
    target = directory / f"{name}.ipynb"
    if target.exists():
        return _fail(f"init: {target} already exists; choose another name", 2)
    notebook = nbformat.v4.new_notebook()
    for kind, text in TEMPLATE_CELLS:
        body = text.replace("{name}", name)
        notebook.cells.append(
            nbformat.v4.new_markdown_cell(body) if kind == "markdown" else nbformat.v4.new_code_cell(body)
        )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    from .files import write_text_atomic

    write_text_atomic(target, nbformat.writes(notebook) + "\n")
    print(f"created {target}")
    return 0


# ------------------------------------------------------------------------------------------------ main


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the OS, a NUL byte
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="disco", description="Product discovery notebooks, headless.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="execute a discovery notebook headless and summarise its verdicts")
    run.add_argument("notebook", type=Path)
    run.add_argument("--out", type=Path, help="write the executed notebook here")
    run.add_argument("--inplace", action="store_true", help="write the executed notebook over the original")
    run.add_argument("--timeout", type=int, default=600, help="seconds one cell may take (default 600)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")

    rep = sub.add_parser("report", help="write the learning report")
    rep.add_argument(
        "--store", help="store path or database URL (default: DISCO_STORE or .disco/discovery.db)"
    )
    rep.add_argument("--problem", help="only this problem")
    rep.add_argument("--out", help="report.md or report.html (default: Markdown on stdout)")

    port = sub.add_parser("portfolio", help="every problem and hypothesis of a store, across notebooks")
    port.add_argument(
        "--store", help="store path or database URL (default: DISCO_STORE or .disco/discovery.db)"
    )
    port.add_argument("--out", help="portfolio.md or portfolio.html (default: Markdown on stdout)")

    init = sub.add_parser("init", help="create a new discovery notebook from the template")
    init.add_argument("name")
    init.add_argument("--dir", type=Path, default=Path("."), help="folder for the notebook (default: here)")

    serve = sub.add_parser("serve", help="serve a web prototype to real users and collect its events")
    serve.add_argument("id", help="hypothesis ID whose prototype to serve")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--dir", type=Path, default=Path("prototypes"), help="prototypes folder")
    serve.add_argument("--store", help="store path or database URL")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            if not _is_file(args.notebook):
                return _fail(f"run: no notebook at {str(args.notebook)[:200]}", 2)
            return run_notebook(
                args.notebook, args.out, args.inplace, args.timeout, progress=not args.no_progress
            )
        if args.command == "report":
            return write_report(args.store, args.out, args.problem)
        if args.command == "portfolio":
            return write_portfolio(args.store, args.out)
        if args.command == "init":
            return init_notebook(args.name, args.dir)
        if args.command == "serve":
            from .serve import serve

            return serve(args.id, host=args.host, port=args.port, folder=args.dir, store=args.store)
        return _fail("no command given; choose run, report, portfolio, init or serve (see disco --help)", 2)
    except DiscoError as err:
        return _fail(f"{args.command}: {err.one_line()}", 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
