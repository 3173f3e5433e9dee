"""The magics: thin glue from arguments to ``api`` functions to displays.

This is the one error boundary: the project's errors become exactly ``UsageError`` (one line, no
traceback). Nothing heavy is imported here; ``api`` and friends load on first use.
"""

from __future__ import annotations

import functools
import keyword
import re
import shlex
from collections.abc import Callable

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import observe

from .errors import DiscoError
from .session import Session, Settings, set_session
from .settings import CONFIGURABLE, SettingTraits

EXAMPLES = {
    "problem": "%%problem onboarding",
    "hypothesis": "%%hypothesis H1 --metric invite_rate --target 0.30 --risk value",
    "experiments": "%experiments --all --export experiments.csv",
    "disco": "%disco status | %disco use openai:gpt-4o-mini | %disco report --out report.md",
    "measure": "%measure H1 --data trials --metric invited --group variant --control control",
    "synth": "%%synth trials --rows 20000 --seed 7",
    "simulate": "%simulate H1 --rows 4000 --runs 200",
    "plan": "%plan H1 --traffic 400 --split 50:50",
    "prototype": "%prototype H1 --kind fake-door",
}


CELL_MAGICS = ("problem", "hypothesis", "synth")
SQL_EXAMPLE = "%measure H1 --sql \"SELECT * FROM 'trials.parquet'\" --metric invited --group variant"


def _boundary(fn: Callable) -> Callable:
    """Turn the project's errors into one ``UsageError`` line."""

    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except DiscoError as err:
            raise UsageError(err.one_line()) from None

    return wrapper


#: Longer argument strings are a paste gone wrong: expanding and splitting them takes time quadratic in
#: their length (a megabyte would hold the kernel for an hour before the first error).
MAX_ARGUMENTS = 4_000
_NOT_ARGUMENTS = re.compile(r"[\x00\ud800-\udfff]")


def _check_line(line: str, name: str) -> None:
    """One line for an argument string no magic can take: too long, a NUL byte, undecodable bytes."""
    if len(line) > MAX_ARGUMENTS:
        raise UsageError(
            f"{_sigil(name)}{name}: the arguments are {len(line):,} characters long; at most {MAX_ARGUMENTS:,} — e.g. {EXAMPLES[name]}"
        )
    bad = _NOT_ARGUMENTS.search(line)
    if bad:
        what = "a NUL byte" if bad.group() == "\x00" else "bytes that are not UTF-8"
        shown = bad.group().encode("unicode_escape").decode()
        raise UsageError(f"{_sigil(name)}{name}: the arguments hold {what} ({shown}) — e.g. {EXAMPLES[name]}")


def _expand(shell, line: str) -> str:
    """``$name`` and ``{expression}`` from the notebook's namespace, as IPython expands any magic's line.

    The magics opt out of IPython's own expansion (``no_var_expand``) and do it here, after ``_check_line``
    has bounded the line: IPython's ``$`` pattern is quadratic, so a pasted megabyte held the kernel for
    an hour before any magic could answer.
    """
    if shell is None or ("$" not in line and "{" not in line):
        return line
    from IPython.utils.text import DollarFormatter

    try:
        return DollarFormatter().vformat(line, args=[], kwargs=shell.user_ns)
    except Exception:  # as in IPython: a line that does not expand is used as typed
        return line


def _parse(magic: Callable, line: str, name: str):
    """Arguments → a typed namespace; a bad argument string is one line with an example."""
    _check_line(line, name)
    line = _expand(magic.__self__.shell, line)
    try:
        return parse_argstring(magic, line)
    except UsageError as err:
        raise UsageError(f"{_sigil(name)}{name}: {err} — e.g. {EXAMPLES[name]}") from None
    except ValueError as err:  # unbalanced quotes
        raise UsageError(f"{_sigil(name)}{name}: {err} — e.g. {EXAMPLES[name]}") from None


def _sigil(name: str) -> str:
    return "%%" if name in CELL_MAGICS else "%"


def _show(obj, metadata: dict | None = None) -> None:
    from IPython.display import display

    display(obj, metadata=metadata) if metadata else display(obj)


@magics_class
class DiscoMagics(Magics, SettingTraits):
    """Product discovery magics: %%problem, %%hypothesis, %%synth, %measure, %experiments, %prototype, %disco.

    The configurable settings (``%config DiscoMagics.NAME``) are the traitlets of ``settings.SettingTraits``.
    """

    def __init__(self, shell=None, session: Session | None = None, **kwargs) -> None:
        # The session exists before traitlets load %config values, which the observer writes into it.
        self.session = session or Session(settings=Settings.from_env())
        super().__init__(shell=shell, **kwargs)
        settings = self.session.settings
        configured = set(self.config.get(type(self).__name__, {}))
        # The environment fills what %config did not set; %config set later takes over through the observer.
        for name in CONFIGURABLE:
            value = getattr(settings, name)
            if name in configured:
                continue  # the observer already copied the %config value into the settings
            if value is not None:
                self.set_trait(name, value)

    @observe(*CONFIGURABLE)
    def _settings_changed(self, change) -> None:
        if change["name"] == "store":
            self.session.use_store(change["new"])
        else:
            setattr(self.session.settings, change["name"], change["new"])

    # ---------------------------------------------------------------------------------------- problem

    @cell_magic
    @no_var_expand
    @_boundary
    @magic_arguments()
    @argument("name", nargs="?", help="Problem name, e.g. onboarding.")
    def problem(self, line: str, cell: str) -> None:
        """Declare the customer problem: a statement, then segment/metric/constraint/outcome lines."""
        from . import api

        args = _parse(self.problem, line, "problem")
        if not args.name:
            raise UsageError(f"%%problem needs a NAME — e.g. {EXAMPLES['problem']}")
        _show(api.problem(args.name, cell, session=self.session))

    # ------------------------------------------------------------------------------------- hypothesis

    @cell_magic
    @no_var_expand
    @_boundary
    @magic_arguments()
    @argument("id", nargs="?", help="Hypothesis ID, e.g. H1.")
    @argument("--metric", help="A metric declared on the problem.")
    @argument("--target", help="Target value of the metric, e.g. 0.30 or 30%%.")
    @argument("--baseline", help="Baseline value (default: the metric's).")
    @argument("--risk", help="value, usability, feasibility or viability.")
    @argument("--problem", help="Problem name (default: the current one).")
    def hypothesis(self, line: str, cell: str) -> None:
        """Frame a falsifiable hypothesis: what we change, for whom, which metric moves, to what target."""
        from . import api

        args = _parse(self.hypothesis, line, "hypothesis")
        if not args.id:
            raise UsageError(f"%%hypothesis needs an ID — e.g. {EXAMPLES['hypothesis']}")
        made = api.hypothesis(
            args.id,
            cell,
            metric=args.metric,
            target=args.target,
            baseline=args.baseline,
            risk=args.risk,
            problem=args.problem,
            session=self.session,
        )
        _show(made)

    # ---------------------------------------------------------------------------------------- measure

    @line_magic
    @no_var_expand
    @_boundary
    @magic_arguments()
    @argument("id", nargs="?", help="Hypothesis ID, e.g. H1.")
    @argument("--data", metavar="NAME", help="A pandas DataFrame in the notebook, one row per user.")
    @argument("--metric", help="The column to measure (0/1 or boolean -> rate; numeric -> mean).")
    @argument("--group", help="The column naming each user's arm.")
    @argument("--control", help="The control arm's value in --group (default: 'control').")
    @argument("--treatment", help="The treatment arm, when there are more than two.")
    @argument("--split", help="Expected control/treatment split for the sample-ratio check, e.g. 50/50.")
    @argument("--observed", help="Observed rate of the treatment (aggregates).")
    @argument("--n", help="Users in the treatment (aggregates).")
    @argument("--baseline", help="Baseline rate (default: the hypothesis').")
    @argument("--baseline-n", dest="baseline_n", help="Users behind the baseline, when it was measured.")
    @argument("--events", action="store_true", help="Measure from events tracked by the prototype.")
    @argument("--sql", metavar="NAME", help="A variable holding a SELECT query (or a quoted query), aggregated where the data lives.")
    @argument("--connection", metavar="URL", help="Database URL for --sql (default: an embedded DuckDB: files, DataFrames).")
    @argument(
        "--rehearsal",
        action="store_true",
        help="The data is simulated (e.g. a CSV %%%%synth wrote): show the card, count nothing as evidence.",
    )
    @argument("--engine", default="frequentist", help="frequentist (default) or bayesian.")
    @argument("--sequential", action="store_true", help="Always-valid intervals, safe to check at every look.")
    @argument("--fixed", action="store_true", help="The fixed-horizon test even on later looks (refuse sequential).")
    @argument("--sequential-tuning", dest="sequential_tuning", metavar="N", help="N*: total users at which a decision is expected.")
    @argument("--covariate", metavar="COL", help="CUPED: a pre-period numeric column of --data or --sql.")
    @argument("--prior-mean", dest="prior_mean", help="Bayesian: mean of a normal prior on the absolute lift.")
    @argument("--prior-sd", dest="prior_sd", help="Bayesian: standard deviation of that prior.")
    @argument("--problem", help="Problem name (default: the current one).")
    def measure(self, line: str = ""):
        """Measure real behaviour against a hypothesis' target, with honest statistics."""
        from . import api
        from .parse.args import parse_count, parse_split, parse_value, user_dataframe, user_text

        args = _parse(self.measure, line, "measure")
        if not args.id:
            raise UsageError(f"%measure needs a hypothesis ID — e.g. {EXAMPLES['measure']}")
        namespace = self.shell.user_ns
        data = user_dataframe(namespace, args.data) if args.data else None
        sql = user_text(namespace, args.sql, "--sql", SQL_EXAMPLE) if args.sql else None
        connection = user_text(namespace, args.connection, "--connection", SQL_EXAMPLE) if args.connection else None
        if args.sequential and args.fixed:
            raise UsageError(f"%measure: --sequential and --fixed contradict each other; give one — e.g. {EXAMPLES['measure']}")
        results = api.measure(
            args.id,
            data=data,
            metric=args.metric,
            group=args.group,
            control=args.control,
            treatment=args.treatment,
            split=parse_split(args.split) if args.split else None,
            observed=parse_value(args.observed, "--observed") if args.observed is not None else None,
            n=parse_count(args.n, "--n") if args.n is not None else None,
            baseline=parse_value(args.baseline, "--baseline") if args.baseline is not None else None,
            baseline_n=parse_count(args.baseline_n, "--baseline-n") if args.baseline_n is not None else None,
            events=args.events,
            sql=sql,
            connection=connection,
            namespace=namespace,
            rehearsal=args.rehearsal,
            engine=args.engine,
            sequential=True if args.sequential else False if args.fixed else None,
            sequential_tuning=parse_count(args.sequential_tuning, "--sequential-tuning") if args.sequential_tuning else None,
            covariate=args.covariate,
            prior_mean=parse_value(args.prior_mean, "--prior-mean") if args.prior_mean is not None else None,
            prior_sd=parse_value(args.prior_sd, "--prior-sd") if args.prior_sd is not None else None,
            problem=args.problem,
            session=self.session,
        )
        for result in results if isinstance(results, list) else [results]:
            _show(result)

    @line_magic
    @no_var_expand
    @_boundary
    @magic_arguments()
    @argument("id", nargs="?", help="Hypothesis ID, e.g. H1.")
    @argument("--traffic", metavar="USERS_PER_DAY", help="Users a day entering the experiment, both arms together.")
    @argument("--split", metavar="A:B", help="Control:treatment split, e.g. 50:50 (default).")
    @argument("--sd", help="A mean metric's standard deviation per user (default: from its latest result).")
    @argument("--problem", help="Problem name (default: the current one).")
    def plan(self, line: str = ""):
        """Users per arm to detect the target at 80% power (fixed and sequential), MDE and days; stored."""
        from . import api
        from .parse.args import parse_split, parse_value

        args = _parse(self.plan, line, "plan")
        if not args.id:
            raise UsageError(f"%plan needs a hypothesis ID — e.g. {EXAMPLES['plan']}")
        _show(
            api.plan(
                args.id,
                traffic=parse_value(args.traffic, "--traffic") if args.traffic is not None else None,
                split=parse_split(args.split) if args.split else None,
                sd=parse_value(args.sd, "--sd") if args.sd is not None else None,
                problem=args.problem,
                session=self.session,
            )
        )

    # ------------------------------------------------------------------------------------------ synth

    @cell_magic
    @no_var_expand
    @_boundary
    @magic_arguments()
    @argument("name", nargs="?", help="Variable to bind the DataFrame to, e.g. trials.")
    @argument("--rows", default="1000", help="Rows to sample (default 1000).")
    @argument("--seed", help="Seed: the same spec and seed give the same data.")
    @argument("--for", dest="for_id", metavar="ID", help="Link the dataset to hypothesis ID.")
    @argument("--out", metavar="PATH", help="Stream the rows to PATH (.parquet or .csv) in chunks.")
    def synth(self, line: str, cell: str) -> None:
        """Synthetic data from a column spec (or prose), sampled locally, vectorized and seeded."""
        from . import api
        from .parse.args import parse_whole

        args = _parse(self.synth, line, "synth")
        if not args.name:
            raise UsageError(f"%%synth needs a NAME for the data — e.g. {EXAMPLES['synth']}")
        if not args.name.isidentifier() or keyword.iskeyword(args.name):
            raise UsageError(
                f"%%synth NAME must be a Python variable name, not {args.name[:40]!r} — e.g. {EXAMPLES['synth']}"
            )
        run = api.synthesize(
            args.name,
            cell,
            rows=parse_whole(args.rows, "--rows", EXAMPLES["synth"], minimum=1),
            seed=parse_whole(args.seed, "--seed", EXAMPLES["synth"]) if args.seed else None,
            out=args.out,
            for_id=args.for_id,
            session=self.session,
        )
        if run.drafted:
            print(f"# spec {run.drafted}:\n{run.spec.to_text()}\n")
        columns = len(run.spec.column_names)
        if run.written is not None:
            print(f"{args.name}: wrote {run.rows:,} rows × {columns} columns to {run.written.path} (seed {run.seed})")
            if run.written.note:
                print(f"note: {run.written.note}")
        else:
            self.shell.user_ns[args.name] = run.frame
            print(f"{args.name}: {run.rows:,} rows × {columns} columns (seed {run.seed})")
        if run.hypothesis is not None:
            print(f"for {run.hypothesis.id}: {run.implied}")
        if run.frame is not None:
            _show(run.frame.head())

    @line_magic
    @no_var_expand
    @_boundary
    @magic_arguments()
    @argument("id", nargs="?", help="Hypothesis ID with a linked dataset (%%synth --for ID).")
    @argument("--rows", help="Rows per simulated dataset (default: the linked dataset's).")
    @argument("--runs", default="200", help="Datasets to simulate (default 200).")
    @argument("--seed", help="Seed for the simulation.")
    @argument("--peeks", metavar="K", help="Look K times (daily) under no effect: fixed vs sequential false positives.")
    def simulate(self, line: str = ""):
        """False-positive rate and power of the planned measurement, over many synthetic datasets."""
        from . import api
        from .parse.args import parse_whole

        args = _parse(self.simulate, line, "simulate")
        if not args.id:
            raise UsageError(f"%simulate needs a hypothesis ID — e.g. {EXAMPLES['simulate']}")
        outcome = api.simulate(
            args.id,
            rows=parse_whole(args.rows, "--rows", EXAMPLES["simulate"], minimum=4) if args.rows else None,
            runs=parse_whole(args.runs, "--runs", EXAMPLES["simulate"], minimum=1),
            seed=parse_whole(args.seed, "--seed", EXAMPLES["simulate"]) if args.seed else None,
            peeks=parse_whole(args.peeks, "--peeks", "%simulate H1 --peeks 30", minimum=2, maximum=365)
            if args.peeks
            else None,
            session=self.session,
        )
        if args.peeks:
            _show(outcome)
        else:
            print(outcome.summary)

    # -------------------------------------------------------------------------------------- prototype

    @line_magic
    @no_var_expand
    @_boundary
    @magic_arguments()
    @argument("ids", nargs="*", metavar="ID", help="Hypothesis IDs to prototype, e.g. H1 H2.")
    @argument("--kind", help="fake-door, landing-page, concierge, wizard-of-oz, mockup or spike (default: by risk).")
    @argument("--out", default="prototypes", metavar="DIR", help="Prototypes folder (default prototypes).")
    @argument("--no-insert", dest="no_insert", action="store_true", help="Do not insert the launcher cell.")
    @argument("--problem", help="Problem name (default: the current one).")
    def prototype(self, line: str = ""):
        """Draft the thinnest prototype that tests each hypothesis; its launcher is inserted, never run."""
        from . import api

        args = _parse(self.prototype, line, "prototype")
        if not args.ids:
            raise UsageError(f"%prototype needs a hypothesis ID — e.g. {EXAMPLES['prototype']}")
        out = args.out
        if len(out) > 1 and out[0] == out[-1] and out[0] in "'\"":  # IPython keeps the quotes of --out 'a b'
            out = out[1:-1]
        drafted = api.prototype(args.ids, kind=args.kind, out=out, problem=args.problem, session=self.session)
        for made in drafted:
            _show(made)
        if not args.no_insert:
            from .prototypes import joined

            self.shell.set_next_input(joined([made.launcher for made in drafted]), replace=False)

    # ------------------------------------------------------------------------------------ experiments

    @line_magic
    @no_var_expand
    @_boundary
    @magic_arguments()
    @argument("--problem", help="Show this problem's hypotheses (default: the current problem).")
    @argument("--all", action="store_true", help="Show every problem's hypotheses.")
    @argument("--export", metavar="PATH", help="Write the table to PATH (.csv, .md or .html).")
    def experiments(self, line: str = ""):
        """The experiment table: live, editable decisions and learnings, exportable."""
        from . import api

        args = _parse(self.experiments, line, "experiments")
        if args.export:
            written = api.export_experiments(args.export, problem=args.problem, all=args.all, session=self.session)
            print(f"wrote {written}")
            return
        from .widgets.live import LiveExperimentTable, current_cell_id, track_cells

        track_cells(self.shell)  # a re-run or deleted cell closes its table instead of leaving it subscribed
        table = LiveExperimentTable(
            args.problem, args.all, session=self.session, cell_id=current_cell_id(self.shell)
        )
        table.show()

    # ------------------------------------------------------------------------------------------ disco

    @line_magic
    @no_var_expand
    @_boundary
    def disco(self, line: str = "") -> None:
        """%disco status | use PROVIDER[:MODEL] | report [--out PATH]"""
        _check_line(line, "disco")
        line = _expand(self.shell, line)
        try:
            words = shlex.split(line)
        except ValueError as err:
            raise UsageError(f"%disco: {err} — e.g. {EXAMPLES['disco']}") from None
        command, rest = (words[0], words[1:]) if words else ("status", [])
        handler = _DISCO_COMMANDS.get(command)
        if handler is None:
            known = ", ".join(_DISCO_COMMANDS)
            raise UsageError(f"%disco: unknown command {command[:30]!r}; known: {known} — e.g. {EXAMPLES['disco']}")
        handler(self, rest)


def _disco_status(magics: DiscoMagics, rest: list[str]) -> None:
    from .status import status_text

    if rest:
        raise UsageError(f"%disco status takes no arguments — e.g. {EXAMPLES['disco']}")
    print(status_text(magics.session))


def _disco_use(magics: DiscoMagics, rest: list[str]) -> None:
    from .status import parse_use

    if len(rest) != 1:
        raise UsageError("%disco use needs one PROVIDER[:MODEL] — e.g. %disco use openai:gpt-4o-mini")
    provider, model = parse_use(rest[0])
    magics.provider = provider
    magics.model = model
    print(f"provider: {provider}" + (f", model: {model}" if model else ""))


def _disco_report(magics: DiscoMagics, rest: list[str]) -> None:
    import argparse

    from . import api

    parser = argparse.ArgumentParser(prog="%disco report", add_help=False, exit_on_error=False)
    parser.add_argument("--out")
    parser.add_argument("--problem")
    parser.add_argument("--all", action="store_true")
    try:
        args, extra = parser.parse_known_args(rest)
    except argparse.ArgumentError as err:
        raise UsageError(f"%disco report: {err} — e.g. %disco report --out report.md") from None
    if extra:
        raise UsageError(f"%disco report: unknown arguments {' '.join(extra)[:60]} — e.g. %disco report --out report.md")
    problem = None if args.all else magics.session.problem_name(args.problem)
    report = api.report(out=args.out, problem=problem, session=magics.session)
    if args.out:
        print(f"wrote {args.out}")
    else:
        _show(report)


_DISCO_COMMANDS: dict[str, Callable[[DiscoMagics, list[str]], None]] = {
    "status": _disco_status,
    "use": _disco_use,
    "report": _disco_report,
}


def _model_bundle(obj):
    """IPython's printer for every model: ``display`` (and pydantic) load on the first model shown."""
    from .display import ipython_bundle

    return ipython_bundle(obj)


def load(ipython) -> DiscoMagics:
    magics = DiscoMagics(shell=ipython)
    ipython.register_magics(magics)
    # By name, so nothing heavy loads now; model never imports display, the extension wires them.
    ipython.display_formatter.mimebundle_formatter.for_type_by_name(
        "disco_magics.model._base", "DiscoModel", _model_bundle
    )
    from .origin import kernel_origin

    magics.session.locate = functools.partial(kernel_origin, ipython)
    set_session(magics.session)
    return magics
