"""Hypotheses drafted from an ambiguous problem: one structured call per draft, or the offline drafter.

The response model is ``HypothesisDraft`` bound to the problem (its metric and risk fixed per draft, so the
N drafts spread over the assumption map). Its validator builds the real ``%%hypothesis`` cell and parses it
with the same ``parse_hypothesis`` a user's cell goes through, and refuses any testability warning: a draft
that would not run lint-clean is re-asked by instructor, exactly as a user's mistyped cell is refused.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from ..errors import DiscoError, ProviderError, ValidationFailed
from ..model import RISKS, Hypothesis, Problem

if TYPE_CHECKING:
    from ..session import Session

#: the cheapest tests that could prove a hypothesis wrong, cheapest first (Testing Business Ideas)
TestKind = Literal["interview", "fake-door", "mockup", "landing-page", "concierge", "wizard-of-oz", "spike"]
TEST_KINDS: tuple[str, ...] = get_args(TestKind)
MAX_DRAFTS = 20
OFFLINE_NOTICE = "drafted offline by rules from the problem's own words — no LLM wrote these"

SYSTEM = """You are a product discovery coach. You turn an ambiguous customer problem into one falsifiable
hypothesis a team can test this week. Rules:
- statement: one sentence, "We believe <a change we make> for <who> will raise|lower <the metric> because
  <why we think so>." Use the problem's own words; no numbers in the statement.
- target: the value the metric must reach, on the side of its baseline that the statement says (raise:
  above it; lower: below it). A share stays between 0 and 1.
- test: the cheapest test that could prove the hypothesis wrong; test_plan: how it runs, in one sentence."""


class HypothesisDraft(BaseModel):
    """One drafted hypothesis: the LLM's answer and the offline drafter's output alike."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    #: the problem the draft must fit; set on the per-call subclass (``draft_model``)
    problem: ClassVar[Problem | None] = None

    statement: str = Field(
        min_length=20,
        max_length=500,
        description='One sentence: "We believe <change> for <who> will raise|lower <metric> because <reason>."',
    )
    metric: str = Field(max_length=64, description="The problem's metric the change moves.")
    target: float = Field(description="The value the metric must reach, on the intended side of its baseline.")
    risk: Literal["value", "usability", "feasibility", "viability"]
    test: TestKind = Field(description="The cheapest test that could prove the hypothesis wrong.")
    test_plan: str = Field(min_length=5, max_length=200, description="How that test runs, in one sentence.")

    @model_validator(mode="after")
    def _testable(self) -> HypothesisDraft:
        if self.problem is not None:
            checked(self, type(self).problem, "H0")
        return self

    def body(self) -> str:
        """The ``%%hypothesis`` cell body: the statement, then the cheapest test."""
        plan = " ".join(self.test_plan.split()).rstrip(".")
        return f"{' '.join(self.statement.split())}\nCheapest test: {self.test} — {plan}."

    def cell(self, id: str, problem: str | None = None) -> str:
        where = f" --problem {problem}" if problem else ""
        return (
            f"%%hypothesis {id} --metric {self.metric} --target {number_text(self.target)} "
            f"--risk {self.risk}{where}\n{self.body()}"
        )


def number_text(value: float) -> str:
    short = format(value, "g")
    return short if float(short) == value else repr(value)


def checked(draft: HypothesisDraft, problem: Problem, id: str) -> Hypothesis:
    """The unsaved ``Hypothesis`` the draft's cell would make; a ``ValueError`` naming what is wrong
    when that cell would fail or carry a testability warning (instructor re-asks with the message)."""
    from ..parse.cells import parse_hypothesis

    if not re.match(r"^\s*we\s+believe\b", draft.statement, re.I):
        raise ValueError('the statement must start with "We believe"')
    if not re.search(r"\bbecause\b", draft.statement, re.I):
        raise ValueError("the statement needs a because-clause: why we believe it")
    if problem.metric(draft.metric) is None:
        raise ValueError(f"metric must be one of the problem's: {', '.join(problem.metric_names)}")
    try:
        made = parse_hypothesis(id, draft.body(), problem, metric=draft.metric, target=draft.target, risk=draft.risk)
    except DiscoError as err:
        raise ValueError(err.message) from None
    if made.direction is None:
        raise ValueError(f"the target must differ from the baseline {number_text(made.baseline or 0)}")
    if made.warnings:
        raise ValueError(made.warnings[0])
    return made


def draft_model(problem: Problem, metric: str | None = None, risk: str | None = None) -> type[HypothesisDraft]:
    """``HypothesisDraft`` checked against ``problem``; with ``metric``/``risk`` fixed by the schema (the
    name stays ``HypothesisDraft``, so the cache key depends only on the fields)."""
    fields: dict[str, Any] = {}
    if metric is not None:
        fields["metric"] = (Literal[metric], Field(description="The problem's metric the change moves."))
    if risk is not None:
        fields["risk"] = (Literal[risk], Field(description="The risk this hypothesis tests."))
    model = create_model("HypothesisDraft", __base__=HypothesisDraft, __module__=__name__, **fields)
    model.problem = problem
    return model


# ------------------------------------------------------------------------------------------ the plan


def testable_metrics(problem: Problem, example: str) -> list[str]:
    """The metrics a draft can move: declared, with a baseline (else no target side can be checked)."""
    if not problem.metrics:
        raise ValidationFailed(
            f"problem {problem.name} has no metrics to draft hypotheses for: add `metric: NAME = ... (baseline X)`",
            example=example,
        )
    names = [m.name for m in problem.metrics if m.baseline is not None]
    if not names:
        raise ValidationFailed(
            f"no metric of problem {problem.name} has a baseline: add (baseline X) to a metric line",
            example="metric: invite_rate = share of trials inviting a teammate (baseline 0.18)",
        )
    return names


def assignments(metrics: list[str], n: int) -> list[tuple[str, str, int]]:
    """(risk, metric, magnitude step) for each of ``n`` drafts: every risk early, metrics rotated."""
    plan = []
    per_round = len(RISKS) * len(metrics)
    k = 0
    while len(plan) < n:
        step, within = divmod(k, per_round)
        risk = RISKS[within % len(RISKS)]
        metric = metrics[(within + within // len(RISKS)) % len(metrics)]
        plan.append((risk, metric, step))
        k += 1
    return plan


def same(a: HypothesisDraft, b: HypothesisDraft) -> bool:
    def words(d: HypothesisDraft) -> str:
        return re.sub(r"[^a-z0-9]+", " ", d.statement.lower()).strip()

    return words(a) == words(b) or (a.metric, a.risk, a.target, a.test) == (b.metric, b.risk, b.target, b.test)


def distinct(drafts: list[HypothesisDraft]) -> list[HypothesisDraft]:
    kept: list[HypothesisDraft] = []
    for draft in drafts:
        if not any(same(draft, other) for other in kept):
            kept.append(draft)
    return kept


# ------------------------------------------------------------------------------------ offline drafter

_LIFTS = (0.3, 0.5, 0.2, 0.75, 0.4)
#: metrics that a good change lowers (churn, cost, errors, time to ...): the drafts say "lower" for them
_DOWN_METRIC = re.compile(
    r"(?:^|[\s_])(churn\w*|costs?|errors?|tickets?|abandon\w*|bounce\w*|latency|refunds?|time[\s_-]to|wait\w*)",
    re.I,
)
_CLAUSE = re.compile(r"(?:,\s*(?:so|and so|which|because|but)\b|;|\s[—–-]\s|:\s)", re.I)

#: risk -> (the change when no focus is given, why we believe it, cheapest test, how it runs)
_ANGLES = {
    "value": (
        "a guided first step that shows what the product is built to do",
        "today {pain}, and they would act once they see what is in it for them",
        "fake-door",
        "offer it behind a button to the segment and count who asks for it",
    ),
    "usability": (
        "a shorter first-session path with one clear next step",
        "they want the outcome but lose their way in the current steps, so {pain}",
        "mockup",
        "five moderated sessions on a clickable mockup, noting where each person stalls",
    ),
    "viability": (
        "an offer that ties their first success to their plan",
        "the change has to pay for itself{constraint}",
        "landing-page",
        "a landing page with the offer to the segment, counting sign-ups of intent",
    ),
    "feasibility": (
        "an automated setup that does the first step",
        "we can build it with what we have{constraint}",
        "spike",
        "a one-day spike on real accounts, counting the runs that work end to end",
    ),
}


def _pain(problem: Problem) -> str:
    first = re.split(r"(?<=[.!?])\s", " ".join(problem.statement.split()), maxsplit=1)[0]
    clause = _CLAUSE.split(first, maxsplit=1)[0].strip(" .!?;,")
    words = clause.split()
    if len(words) > 24:
        clause = " ".join(words[:24])
    if clause[:1].isupper() and not clause[1:2].isupper():
        clause = clause[:1].lower() + clause[1:]
    return clause or "the problem gets in their way"


def _decreasing(problem: Problem, metric: str) -> bool:
    declared = problem.metric(metric)
    return bool(_DOWN_METRIC.search(metric) or (declared and _DOWN_METRIC.search(declared.description)))


def offline_target(baseline: float, rate: bool, down: bool, step: int) -> float:
    lift = _LIFTS[step % len(_LIFTS)] * (1 + step // len(_LIFTS))
    if down:
        target = baseline * (1 - min(lift, 0.9) * 0.6) if baseline else -lift
    elif rate and baseline > 0.5:
        target = baseline + (1 - baseline) * min(lift, 0.9)
    else:
        target = baseline * (1 + lift) if baseline else lift / 10
    return round(target, 4 if rate else 3)


def _quantity(value: float, rate: bool) -> str:
    return f"{number_text(round(value * 100, 4))}%" if rate else number_text(value)


def offline_drafts(problem: Problem, n: int, focus: str | None = None) -> list[HypothesisDraft]:
    """``n`` distinct, lint-clean drafts from the problem's statement, segment, metrics and constraints."""
    example = "%hypotheses --draft 3"
    metrics = testable_metrics(problem, example)
    model = draft_model(problem)
    segment = " ".join(problem.segment.split()) if problem.segment else "the people the problem names"
    pain = _pain(problem)
    constraint = f", within the constraint: {problem.constraints[0]}" if problem.constraints else ""
    drafts: list[HypothesisDraft] = []
    for risk, metric, step in assignments(metrics, n * 3):
        if len(drafts) == n:
            break
        declared = problem.metric(metric)
        baseline = declared.baseline
        rate = declared.is_rate
        down = _decreasing(problem, metric)
        target = offline_target(baseline, rate, down, step)
        change, reason, test, plan = _ANGLES[risk]
        change = " ".join(focus.split()) if focus else change.format(pain=pain)
        verb = "lower" if down else "raise"
        move = f"{verb} {metric} from {_quantity(baseline, rate)} to {_quantity(target, rate)}"
        because = reason.format(pain=pain, constraint=constraint)
        for statement in (
            f"We believe {change} for {segment} will {move} because {because}.",
            f"We believe {change} for {segment} will {verb} {metric} because {because}.",
        ):
            try:
                draft = model(statement=statement, metric=metric, target=target, risk=risk, test=test, test_plan=plan)
            except ValueError:
                continue
            if not any(same(draft, other) for other in drafts):
                drafts.append(draft)
            break
    if len(drafts) < n:
        raise ValidationFailed(
            f"the offline drafter found {len(drafts)} distinct drafts for problem {problem.name}, not {n}: "
            "ask for fewer or add metrics with baselines",
            example=example,
        )
    return [HypothesisDraft.model_validate(d.model_dump()) for d in drafts]


# ------------------------------------------------------------------------------------------ LLM path


def _task(problem: Problem, risk: str, metric: str, k: int, n: int, focus: str | None, avoid: list[str], temperature: float):
    from ..llm import Task

    declared = problem.metric(metric)
    instructions = (
        f"Draft hypothesis {k} of {n} for this problem. It tests the {risk} risk and moves {metric} "
        f"(baseline {number_text(declared.baseline)}). "
    )
    if focus:
        instructions += "Keep to the focus the team gave. "
    if avoid:
        instructions += "Make it different from the drafts already written. "
    data: dict[str, Any] = {
        "problem": problem.model_dump(mode="json", include={"name", "statement", "segment", "metrics", "constraints", "outcome"}),
        "risk": risk,
        "metric": metric,
    }
    if focus:
        data["focus"] = focus
    if avoid:
        data["already_drafted"] = avoid
    return Task(
        name="hypothesis_draft",
        response_model=draft_model(problem, metric, risk),
        system=SYSTEM,
        data=data,
        instructions=instructions,
        max_tokens=512,
        temperature=temperature,
    )


def llm_drafts(session: Session, problem: Problem, n: int, focus: str | None = None, *, progress: bool = True):
    """``(drafts, notice)`` from ``n`` concurrent structured calls, deduplicated; one round of re-asks for
    duplicates; a one-line ``ProviderError`` when the model cannot give ``n`` distinct drafts."""
    from ..llm import generate_many

    plan = assignments(testable_metrics(problem, "%hypotheses --draft 3"), n)
    tasks = [_task(problem, r, m, k + 1, n, focus, [], 0.0) for k, (r, m, _) in enumerate(plan)]
    made = generate_many(session, tasks, progress=progress)
    drafts = distinct([HypothesisDraft.model_validate(g.value.model_dump()) for g in made])
    if len(drafts) < n:
        avoid = [d.statement for d in drafts]
        missing = plan[: n - len(drafts)]
        more = generate_many(
            session,
            [_task(problem, r, m, k + 1, n, focus, avoid, 0.8) for k, (r, m, _) in enumerate(missing)],
            progress=progress,
        )
        drafts = distinct(drafts + [HypothesisDraft.model_validate(g.value.model_dump()) for g in more])
    if len(drafts) < n:
        raise ProviderError(
            f"the model drafted {len(drafts)} distinct hypotheses, not {n}: run it again or ask for fewer"
        )
    return drafts[:n], made[0].notice
