"""``%%problem`` and ``%%hypothesis`` cell bodies → models.

Pure functions: they know nothing of IPython or the store. Every failure is a ``ParseError`` or
``ValidationFailed`` whose message is one line with an example of the right form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ValidationError

from ..errors import NotFoundError, ParseError, ValidationFailed
from ..model import NAME_RE, RISKS, Hypothesis, Metric, Problem

PROBLEM_EXAMPLE = (
    "%%problem onboarding / <statement> / metric: invite_rate = share inviting a teammate (baseline 0.18)"
)
HYPOTHESIS_EXAMPLE = "%%hypothesis H1 --metric invite_rate --target 0.30 --risk value"
PROBLEM_KEYS = ("segment", "metric", "constraint", "outcome")

_KEY_LINE = re.compile(r"^\s*(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*)$")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = rf"(?P<{{g}}>{_NUMBER})\s*(?P<{{g}}_pct>%|percent\b|pct\b)?"
_BASELINE = re.compile(r"\(\s*baseline\s*[:=]?\s*" + _QUANTITY.format(g="b") + r"\s*\)\s*$", re.I)
_FROM_TO = re.compile(r"\bfrom\s+" + _QUANTITY.format(g="a") + r"\s+to\s+" + _QUANTITY.format(g="t"), re.I)
_TO = re.compile(
    r"\b(?:to|reach(?:es|ing)?|hit(?:s|ting)?|at least|above|below|under|over)\s+(?:about\s+|roughly\s+)?"
    + _QUANTITY.format(g="t"),
    re.I,
)
_UP_WORDS = re.compile(
    r"\b(raise|raises|increase|increases|grow|grows|more|higher|improve|improves|lift|boost)\b", re.I
)
_DOWN_WORDS = re.compile(
    r"\b(lower|lowers|reduce|reduces|decrease|decreases|fewer|less|cut|cuts|drop|drops)\b", re.I
)


def _quantity(match: re.Match, group: str) -> float:
    value = float(match.group(group))
    return value / 100.0 if match.group(f"{group}_pct") else value


def parse_number(text: str, what: str, example: str) -> float:
    """``"0.3"``, ``"30%"`` → 0.3; anything else is one clear error."""
    raw = str(text).strip()
    match = re.fullmatch(_QUANTITY.format(g="v"), raw)
    if not match:
        raise ParseError(f"{what} must be a number like 0.30 or 30%, not {raw[:40]!r}", example=example)
    value = _quantity(match, "v")
    if value != value or value in (float("inf"), float("-inf")):
        raise ParseError(f"{what} must be a finite number, not {raw[:40]!r}", example=example)
    return value


def check_name(name: str | None, what: str, example: str) -> str:
    if not name:
        raise ParseError(f"{what} is missing", example=example)
    if not NAME_RE.match(name):
        raise ParseError(
            f"{what} {name[:40]!r} is not a valid name (letters, digits, _ . -; starting with a letter)",
            example=example,
        )
    return name


def first_error(err: ValidationError) -> str:
    """The first pydantic error as ``field: message``."""
    first = err.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "value"
    return f"{where}: {first.get('msg', 'invalid')}"


# ---------------------------------------------------------------------------------------------- problem


def _parse_metric(value: str, line_no: int) -> Metric:
    baseline = None
    match = _BASELINE.search(value)
    if match:
        baseline = _quantity(match, "b")
        value = value[: match.start()].rstrip()
    name, _, description = value.partition("=")
    name = name.strip()
    if not NAME_RE.match(name):
        raise ParseError(
            f"metric needs a name first, like `invite_rate = share of trials inviting a teammate (baseline 0.18)`; "
            f"got {value[:60]!r}",
            line=line_no,
        )
    return Metric(name=name, description=description.strip(), baseline=baseline)


def parse_problem(name: str, body: str) -> Problem:
    """Parse a ``%%problem`` body: statement paragraph(s), then ``key: value`` lines."""
    check_name(name, "problem name", PROBLEM_EXAMPLE)
    statement: list[str] = []
    fields: dict[str, list[tuple[int, str]]] = {key: [] for key in PROBLEM_KEYS}
    in_keys = False
    for line_no, line in enumerate(body.splitlines(), start=1):
        match = _KEY_LINE.match(line)
        key = match.group("key").lower() if match else None
        if key in PROBLEM_KEYS:
            in_keys = True
            fields[key].append((line_no, match.group("value").strip()))
        elif not line.strip():
            if not in_keys:
                statement.append("")
        elif in_keys:
            raise ParseError(
                f"expected `key: value` with a key among {', '.join(PROBLEM_KEYS)}; got {line.strip()[:60]!r}",
                line=line_no,
                example="metric: paid_rate = share of trials converting to paid (baseline 0.06)",
            )
        else:
            statement.append(line.strip())
    text = "\n".join(statement).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if not text:
        raise ParseError(
            f"problem {name} needs a statement: the customer problem in words", example=PROBLEM_EXAMPLE
        )
    metrics = [_parse_metric(value, line_no) for line_no, value in fields["metric"]]
    seen: set[str] = set()
    for (line_no, _), metric in zip(fields["metric"], metrics, strict=True):
        if metric.name in seen:
            raise ParseError(f"metric {metric.name} is declared twice", line=line_no)
        seen.add(metric.name)
    for key in ("segment", "outcome"):
        if len(fields[key]) > 1:
            raise ParseError(f"{key} is given twice; keep one", line=fields[key][1][0])
    for key, entries in fields.items():
        for line_no, value in entries:
            if not value:
                raise ParseError(f"{key}: needs a value", line=line_no, example=PROBLEM_EXAMPLE)
    try:
        return Problem(
            name=name,
            statement=text,
            segment=fields["segment"][0][1] if fields["segment"] else None,
            metrics=metrics,
            constraints=[value for _, value in fields["constraint"]],
            outcome=fields["outcome"][0][1] if fields["outcome"] else None,
        )
    except ValidationError as err:
        raise ValidationFailed(f"problem {name}: {first_error(err)}", example=PROBLEM_EXAMPLE) from None


# ------------------------------------------------------------------------------------------- hypothesis


@dataclass
class _FromText:
    target: float | None = None
    baseline: float | None = None
    metric: str | None = None
    #: True when the numbers came from an explicit "from X to Y"; a lone "to Y" may be about something else
    #: ("up to 3 seats"), so it only fills a gap and never contradicts an option.
    explicit: bool = False


def _read_text(text: str, problem: Problem) -> _FromText:
    found = _FromText()
    match = _FROM_TO.search(text)
    if match:
        found.baseline = _quantity(match, "a")
        found.target = _quantity(match, "t")
        found.explicit = True
    else:
        match = _TO.search(text)
        if match:
            found.target = _quantity(match, "t")
    mentioned = [m.name for m in problem.metrics if re.search(rf"\b{re.escape(m.name)}\b", text)]
    if len(mentioned) == 1:
        found.metric = mentioned[0]
    return found


def _agree(what: str, option: float | None, from_text: float | None, example: str) -> float | None:
    if option is not None and from_text is not None and abs(option - from_text) > 1e-9:
        raise ValidationFailed(
            f"--{what} {option:g} contradicts {from_text:g} in the text; give one or make them agree",
            example=example,
        )
    return option if option is not None else from_text


def lint(hypothesis: Hypothesis, problem: Problem) -> list[str]:
    """Testability lint: gentle warnings, never errors."""
    warnings = []
    if hypothesis.baseline is None:
        warnings.append(f"no baseline for {hypothesis.metric}: add (baseline X) to the metric or --baseline")
    elif hypothesis.target == hypothesis.baseline:
        warnings.append("the target equals the baseline: say how far the metric must move")
    if hypothesis.direction is not None:
        up, down = _UP_WORDS.search(hypothesis.statement), _DOWN_WORDS.search(hypothesis.statement)
        if hypothesis.direction == "increase" and down and not up:
            warnings.append("the text says the metric goes down, but the target is above the baseline")
        elif hypothesis.direction == "decrease" and up and not down:
            warnings.append("the text says the metric goes up, but the target is below the baseline")
    if hypothesis.risk is None:
        warnings.append("no risk named: add --risk value|usability|feasibility|viability")
    if not problem.segment and not re.search(r"\bfor\b", hypothesis.statement, re.I):
        warnings.append(
            "no segment named: say who it is for (segment: on the problem, or 'for …' in the text)"
        )
    if not re.search(r"\bbecause\b", hypothesis.statement, re.I):
        warnings.append("no 'because': the reason you believe it makes the hypothesis easier to learn from")
    return warnings


def parse_hypothesis(
    hypothesis_id: str,
    text: str,
    problem: Problem | None,
    *,
    metric: str | None = None,
    target: float | str | None = None,
    baseline: float | str | None = None,
    risk: str | None = None,
) -> Hypothesis:
    """Build a ``Hypothesis`` from its text and options, checked against its problem."""
    example = HYPOTHESIS_EXAMPLE
    check_name(hypothesis_id, "hypothesis ID", example)
    statement = (text or "").strip()
    if not statement:
        raise ParseError(
            f"hypothesis {hypothesis_id} needs a statement: what we change, for whom, and why",
            example=example,
        )
    if problem is None:
        raise NotFoundError(
            "no problem yet: run a %%problem cell before the hypotheses", example=PROBLEM_EXAMPLE
        )
    if risk is not None and risk not in RISKS:
        raise ValidationFailed(
            f"unknown risk {str(risk)[:30]!r}; choose one of {', '.join(RISKS)}", example=example
        )
    if isinstance(target, str):
        target = parse_number(target, "--target", example)
    if isinstance(baseline, str):
        baseline = parse_number(baseline, "--baseline", example)

    found = _read_text(statement, problem)
    metric = metric or found.metric
    if metric is None and len(problem.metrics) == 1:
        metric = problem.metrics[0].name
    if metric is None:
        known = (
            ", ".join(problem.metric_names)
            or "none yet — add `metric: NAME = ... (baseline X)` to the problem"
        )
        raise ValidationFailed(
            f"which metric does {hypothesis_id} move? known metrics: {known}", example=example
        )
    declared = problem.metric(metric)
    if declared is None:
        known = ", ".join(problem.metric_names) or "none"
        raise NotFoundError(
            f"unknown metric {metric[:40]!r} for problem {problem.name}; known: {known}", example=example
        )

    if found.explicit:
        target = _agree("target", target, found.target, example)
        baseline = _agree("baseline", baseline, found.baseline, example)
    elif target is None:
        target = found.target
    if baseline is None:
        baseline = declared.baseline
    if target is None:
        raise ValidationFailed(
            f"no target for {hypothesis_id}: give --target or say it in the text (e.g. 'from 18% to 30%')",
            example=example,
        )
    rate = declared.is_rate or (baseline is not None and 0 <= baseline <= 1)
    if rate and not 0 <= target <= 1:
        raise ValidationFailed(
            f"target {target:g} is outside [0, 1], but {metric} is a rate (baseline {baseline:g})",
            example=example,
        )
    try:
        hypothesis = Hypothesis(
            id=hypothesis_id,
            problem=problem.name,
            statement=statement,
            metric=metric,
            target=target,
            baseline=baseline,
            risk=risk,
        )
    except ValidationError as err:
        raise ValidationFailed(f"hypothesis {hypothesis_id}: {first_error(err)}", example=example) from None
    hypothesis.warnings = lint(hypothesis, problem)
    return hypothesis
