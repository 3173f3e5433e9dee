"""The offline drafter: a DatasetSpec from the user's own words, by rules, when no LLM is configured.

It reads what people write when they describe data they expect — "half see the new checklist", "18%
invite a teammate, 27% with the checklist", "plans: free 70%, pro 25%, team 5%", "seats between 1 and
50", "signed up in Q1 2026", "an average of 3 seats", "churned (yes/no)", "a company name and email",
"one row per trial" — and turns each into a spec line. Whatever it had to assume goes into ``notes``, and
the first note says plainly that rules, not an LLM, wrote the draft. The result is meant to be printed
back (``spec.to_text(with_notes=True)``) and pasted into the cell.
"""

from __future__ import annotations

import math
import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date

from ..errors import ParseError
from ..model.dataset import (
    Bernoulli,
    Choice,
    ChoiceOption,
    ColumnSpec,
    DatasetSpec,
    Date,
    Fake,
    Integer,
    LogNormal,
    Normal,
    Poisson,
    Sequence,
    Uniform,
)

__all__ = ["OFFLINE_NOTE", "draft_spec_from_prose"]

OFFLINE_NOTE = (
    "drafted offline by rules from your words (no LLM wrote this); check it, then paste it into the cell"
)

_NUMBER = r"(?<!\d)\d+(?:[.,]\d+)*"  # (?<!\d): from the first digit only, never quadratic on long digit runs
_PERCENT_RE = re.compile(rf"({_NUMBER})\s*(?:%|percent\b)", re.IGNORECASE)
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_STOP = frozenset(
    """a an the of to in on at for with by from and or per each every their its his her our your they them
    who which that those these some about around roughly approximately nearly almost only just of all any
    is are be been was were will would should can could do does did has have had get gets got see sees
    users user trials trial people accounts account customers customer admins admin rows row visitors
    them others other rest remaining new there it this than more most less much many % percent""".split()  # noqa: SIM905 - a word list reads better as text
)
_FAKE_WORDS = [
    (r"company\s+names?|companies|company|employer|organi[sz]ation", "company", "company"),
    (r"e-?mails?(?:\s+address(?:es)?)?", "email", "email"),
    (r"phone(?:\s+numbers?)?", "phone", "phone_number"),
    (r"(?:street\s+)?address(?:es)?", "address", "street_address"),
    (r"cit(?:y|ies)", "city", "city"),
    (r"countr(?:y|ies)", "country", "country"),
    (r"job(?:\s+titles?)?", "job", "job"),
    (r"(?:full\s+|first\s+|last\s+|user\s+|customer\s+)?names?", "name", "name"),
]
_YES_NO_RE = re.compile(r"\b(yes\s*/\s*no|true\s*/\s*false|y\s*/\s*n|whether|flag)\b", re.IGNORECASE)
_ENTITY_RE = re.compile(
    r"\b(?:one\s+)?(?:row|line|record)\s+(?:per|for\s+each|each)\s+([a-z]+?)s?\b|\b([a-z]+)[\s_-]*ids?\b",
    re.IGNORECASE,
)
_ROWS_RE = re.compile(
    rf"\b({_NUMBER})\s*(k|m|thousand|million)?\s+(rows|users|trials|accounts|customers|signups|sign-ups|visitors|sessions|orders|records|people|admins)\b",
    re.IGNORECASE,
)
_MONEY = (
    "revenue",
    "spend",
    "amount",
    "price",
    "mrr",
    "arr",
    "value",
    "order_value",
    "payment",
    "dollars",
    "$",
    "€",
)
_DURATION = ("minutes", "minute", "seconds", "hours", "duration", "time", "age", "score")
_COUNT = (
    "seats",
    "seat",
    "sessions",
    "visits",
    "logins",
    "clicks",
    "events",
    "invites",
    "messages",
    "projects",
    "dashboards",
    "teammates",
    "members",
    "count",
    "items",
    "pages",
    "orders",
)


@dataclass
class _Draft:
    """Columns found so far, keyed by name, each with the position in the text where it was found."""

    found: dict[str, tuple[int, ColumnSpec]] = field(default_factory=dict)
    overrides: list[tuple[int, ColumnSpec]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    group: str | None = None
    group_values: list[str] = field(default_factory=list)

    def add(self, position: int, name: str, distribution, comment: str = "") -> str:
        name = _unique(name, self.found)
        self.found[name] = (position, ColumnSpec(name=name, distribution=distribution, comment=comment[:200]))
        return name

    def has(self, *names: str) -> bool:
        return any(name in self.found for name in names)


def _unique(name: str, taken: dict) -> str:
    if name not in taken:
        return name
    index = 2
    while f"{name}_{index}" in taken:
        index += 1
    return f"{name}_{index}"


def _number(text: str) -> float:
    """``10,000`` -> 10000.0, ``0.18`` -> 0.18, ``3,5`` -> 3.5 (a lone comma before 1-2 digits is decimal)."""
    if re.fullmatch(r"\d+,\d{1,2}", text):
        return float(text.replace(",", "."))
    return float(text.replace(",", ""))


def _name(words: str, fallback: str = "value") -> str:
    """Up to two content words as a column name: 'invite a teammate' -> 'invite_teammate'."""
    tokens = [t for t in re.findall(r"[a-z][a-z0-9]*", words.lower()) if t not in _STOP]
    return "_".join(tokens[:2]) or fallback


def _singular(word: str) -> str:
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _sentences(text: str) -> list[tuple[int, str]]:
    """Sentences with their offsets; a '.' between digits (0.18, 2026.01) does not end one."""
    pieces, start = [], 0
    for match in re.finditer(r"(?<!\d)[.!?;](?!\d)|\n", text):
        pieces.append((start, text[start : match.start()]))
        start = match.end()
    pieces.append((start, text[start:]))
    return [(offset, piece) for offset, piece in pieces if piece.strip()]


def draft_spec_from_prose(text: str) -> DatasetSpec:
    """Draft a dataset spec from a description in words, by rules (no LLM).

    Parameters
    ----------
    text
        Prose such as "20,000 trials in Q1 2026; half see the new checklist. 18% invite a teammate,
        27% with the checklist. Plans: free 70%, pro 25%, team 5%. Each has a company name."

    Returns
    -------
    DatasetSpec
        Columns in the order the text mentions them (the group column first when there are overrides);
        ``notes`` starts with :data:`OFFLINE_NOTE` and lists every assumption.

    Raises
    ------
    ParseError
        When no column can be recognised at all.
    """
    draft = _Draft()
    _find_group(text, draft)
    for offset, sentence in _sentences(text):
        consumed: list[tuple[int, int]] = []
        _find_dates(sentence, offset, draft, consumed)
        _find_percent_lists(sentence, offset, draft, consumed)
        _find_rates(sentence, offset, draft, consumed)
        _find_ranges(sentence, offset, draft, consumed)
        _find_averages(sentence, offset, draft, consumed)
        _find_yes_no(sentence, offset, draft, consumed)
        _find_column_list(sentence, offset, draft)
    _find_fake(text, draft)
    _find_ids(text, draft)
    _find_rows(text, draft)
    if not draft.found:
        raise ParseError(
            'could not find any column in these words; describe them ("18% invite a teammate", '
            '"seats between 1 and 50", "signed up in Q1 2026", "a company name") or write a spec',
            example="seats: poisson(3)",
        )
    return _assemble(draft)


# ------------------------------------------------------------------------------------ detectors


def _find_group(text: str, draft: _Draft) -> None:
    """An experiment's arms: 'variants: a, b', 'a vs b', 'half see the new checklist'."""
    listed = re.search(
        r"\b(?:variants?|arms?|groups?|buckets?)\s*(?::|=|are|is)\s*([\w\- ,/]+?(?:\s+(?:and|or)\s+[\w\-]+)?)(?=[.;\n)]|$)",
        text,
        re.IGNORECASE,
    )
    versus = re.search(
        r"(?<![\w\-])([A-Za-z][\w\-]*)\s+(?:vs\.?|versus)\s+([A-Za-z][\w\-]*)", text, re.IGNORECASE
    )
    half = re.search(
        r"\bhalf\b[^.;\n]*?\b(?:see|sees|get|gets|use|uses|receive|receives|with|are shown|try|tries)\s+"
        r"(?:the\s+|a\s+|an\s+|our\s+)?(?:new\s+)?([A-Za-z][\w\-]*)",
        text,
        re.IGNORECASE,
    )
    values: list[str] = []
    position = 0
    if listed:
        values = [v.strip().lower() for v in re.split(r",|/|\band\b|\bor\b", listed.group(1)) if v.strip()]
        values = [_name(v, v) for v in values if _name(v, "")][:6]
        position = listed.start()
    elif versus:
        values = [versus.group(1).lower(), versus.group(2).lower()]
        position = versus.start()
    elif half:
        values = ["control", half.group(1).lower()]
        position = half.start()
        draft.notes.append(f"assumed the other half is a control group that does not get {values[1]}")
    values = list(dict.fromkeys(values))
    if len(values) < 2:
        return
    weight = 1.0 / len(values)
    choice = Choice(options=[ChoiceOption(value=v, weight=weight) for v in values])
    draft.group = draft.add(position, "variant", choice, "experiment arm")
    draft.group_values = values


def _group_value_near(fragment: str, draft: _Draft) -> str | None:
    """A group value named in ``fragment`` ('with the checklist', 'for discount')."""
    for value in draft.group_values:
        if value != "control" and re.search(rf"\b{re.escape(value)}\w*\b", fragment, re.IGNORECASE):
            return value
    return None


def _overlaps(span: tuple[int, int], consumed: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in consumed)


def _find_dates(sentence: str, offset: int, draft: _Draft, consumed: list) -> None:
    patterns = [
        (rf"(?:between|from)\s+({_ISO_DATE})\s+(?:and|to|until|-)\s+({_ISO_DATE})", "iso"),
        (r"\bQ([1-4])\s*(\d{4})\b", "quarter"),
        (rf"\b(?:from|between)\s+{_MONTH}\s+(?:and|to|until|-)\s+{_MONTH}\s+(\d{{4}})", "months"),
        (rf"\b{_MONTH}\s+(\d{{4}})\b", "month"),
    ]
    for pattern, form in patterns:
        match = re.search(pattern, sentence, re.IGNORECASE)
        if not match or _overlaps(match.span(), consumed):
            continue
        groups = match.groups()
        if form == "iso":
            start, end = date.fromisoformat(groups[0]), date.fromisoformat(groups[1])
        elif form == "quarter":
            quarter, year = int(groups[0]), int(groups[1])
            start = date(year, 3 * quarter - 2, 1)
            end = date(year, 3 * quarter, monthrange(year, 3 * quarter)[1])
        elif form == "months":
            year = int(groups[2])
            first, last = _MONTHS[groups[0].lower()], _MONTHS[groups[1].lower()]
            start, end = date(year, first, 1), date(year, last, monthrange(year, last)[1])
        else:
            month, year = _MONTHS[groups[0].lower()], int(groups[1])
            start, end = date(year, month, 1), date(year, month, monthrange(year, month)[1])
        if start > end:
            start, end = end, start
        before = sentence[: match.start()].lower()
        verbs = re.findall(r"\b([a-z]+(?:ed|ing))\b", before[-30:])  # "purchased in May 2026"
        if re.search(r"sign(?:ed|s)?[\s-]*up|registered|joined|created|started", before):
            name = "signup_date"
        elif verbs:
            name = f"{_name(verbs[-1], 'event')}_date"
        else:
            name = "date"
        if not draft.has(name):
            draft.add(offset + match.start(), name, Date(start=start, end=end))
        consumed.append(match.span())
        return


def _find_percent_lists(sentence: str, offset: int, draft: _Draft, consumed: list) -> None:
    """'plans: free 70%, pro 25%, team 5%' or '70% free, 25% pro and 5% team plans' -> choice."""
    # (?<!...): a match starts at a word, not at each of its letters (quadratic on one long word)
    after = list(re.finditer(rf"(?<![\w\-])([A-Za-z][\w\-]*)\s*(?:=|:)?\s*({_NUMBER})\s*%", sentence))
    before = list(
        re.finditer(rf"({_NUMBER})\s*%\s*(?:are\s+|on\s+|use\s+|choose\s+)?([A-Za-z][\w\-]*)", sentence)
    )
    pairs, spans = [], []
    if len(after) >= 2 and not _mentions_group(sentence, draft):
        pairs = [(m.group(1).lower(), _number(m.group(2))) for m in after]
        spans = [m.span() for m in after]
    elif len(before) >= 2 and not _mentions_group(sentence, draft):
        pairs = [(m.group(2).lower(), _number(m.group(1))) for m in before]
        spans = [m.span() for m in before]
    pairs = [(value, weight) for value, weight in pairs if value not in _STOP]
    if len(pairs) < 2 or len({v for v, _ in pairs}) < len(pairs):
        return
    head = re.search(r"(?<![\w\-])([A-Za-z][\w\-]*)\s*(?::|\(|=)", sentence[: spans[0][0] + 1])
    tail = re.search(r"^\s*([A-Za-z][\w\-]*)", sentence[spans[-1][1] :])
    noun = head.group(1) if head else (tail.group(1) if tail else "category")
    name = _singular(_name(noun, "category"))
    total = sum(weight for _, weight in pairs)
    options = [ChoiceOption(value=_name(v, v), weight=w / 100) for v, w in pairs]
    draft.add(offset + spans[0][0], name, Choice(options=options))
    if abs(total - 100) > 1e-6:
        draft.notes.append(f"the shares of {name} add up to {total:g}%; they will be normalised to 100%")
    consumed.append((spans[0][0], spans[-1][1]))


def _mentions_group(sentence: str, draft: _Draft) -> bool:
    return _group_value_near(sentence, draft) is not None


def _find_rates(sentence: str, offset: int, draft: _Draft, consumed: list) -> None:
    """'18% invite a teammate, 27% with the checklist' -> bernoulli, with an override for the group."""
    matches = [m for m in _PERCENT_RE.finditer(sentence) if not _overlaps(m.span(), consumed)]
    if not matches:
        return
    base = None
    treated: tuple[str, float] | None = None
    for match in matches:
        share = _number(match.group(1)) / 100
        if not 0 <= share <= 1:
            continue
        window_after = sentence[match.end() : match.end() + 40]
        window_before = sentence[max(0, match.start() - 40) : match.start()]
        arm = _group_value_near(window_after, draft) or _group_value_near(window_before.split(",")[-1], draft)
        if arm and base is not None:
            treated = (arm, share)
            continue
        if base is None:
            base = (match, share, arm)
    if base is None:
        return
    match, share, arm = base
    rest = sentence[match.end() :]
    rest = re.sub(r"^\s*(?:of\s+(?:the\s+)?(?:\w+\s+)?)?(?:(?:will|would|do|does)\s+)?", "", rest)
    words = re.split(r",|\(|\bwith\b|\bin\b|\bwithin\b|\band\b|\bvs\b|\bversus\b|\bfor\b", rest)[0]
    name = _name(words, "")
    if not name:
        before = re.findall(r"[A-Za-z][\w\-]*", sentence[: match.start()])
        name = _name(" ".join(before[-2:]), "rate")
    if name == "rate" or name.endswith("_rate"):
        name = name[: -len("_rate")] if name.endswith("_rate") else "converted"
    if draft.has(name):
        return
    if arm and treated is None and draft.group:
        # '27% with the checklist' alone: no base rate stated for the others
        draft.notes.append(
            f"no rate was given outside {arm} for {name}; assumed the same {share:g} as a base"
        )
    name = draft.add(offset + match.start(), name, Bernoulli(p=share))
    if treated and draft.group:
        arm_value, arm_share = treated
        override = ColumnSpec(
            name=name, conditions={draft.group: arm_value}, distribution=Bernoulli(p=arm_share)
        )
        draft.overrides.append((offset + match.start(), override))
    consumed.extend(m.span() for m in matches)


def _find_ranges(sentence: str, offset: int, draft: _Draft, consumed: list) -> None:
    """'seats between 1 and 50', 'between 1 and 50 seats', 'from 5 to 30 minutes'."""
    pattern = rf"(?:between|from)\s+\$?({_NUMBER})\s*(?:and|to|-)\s*\$?({_NUMBER})\s*([A-Za-z][\w\-]*)?"
    for match in re.finditer(pattern, sentence, re.IGNORECASE):
        if _overlaps(match.span(), consumed):
            continue
        low, high = sorted((_number(match.group(1)), _number(match.group(2))))
        noun = match.group(3) if match.group(3) and match.group(3).lower() not in _STOP else None
        if noun is None:
            before = [
                w for w in re.findall(r"[A-Za-z][\w\-]*", sentence[: match.start()]) if w.lower() not in _STOP
            ]
            noun = before[-1] if before else "value"
        name = _name(noun, "value")
        if draft.has(name):
            continue
        whole = low.is_integer() and high.is_integer() and "." not in match.group(0)
        distribution = Integer(lo=int(low), hi=int(high)) if whole else Uniform(lo=low, hi=high)
        draft.add(offset + match.start(), name, distribution)
        consumed.append(match.span())


def _find_averages(sentence: str, offset: int, draft: _Draft, consumed: list) -> None:
    """'an average of 3 seats', 'seats average 3', 'about 3 seats per company', 'revenue averages $40'."""
    patterns = [
        rf"(?:average|mean)\s+(?:of\s+)?(?:about\s+|around\s+)?\$?({_NUMBER})\s*([A-Za-z][\w\-]*)?",
        rf"(?<![\w\-])([A-Za-z][\w\-]*)\s+(?:averages?|average of|mean of|of about|around)\s+\$?({_NUMBER})",
        rf"(?:about|around|roughly|typically)\s+\$?({_NUMBER})\s+([A-Za-z][\w\-]*)\s+(?:per|each|a)\b",
    ]
    for index, pattern in enumerate(patterns):
        for match in re.finditer(pattern, sentence, re.IGNORECASE):
            if _overlaps(match.span(), consumed):
                continue
            if index == 1:
                noun, value = match.group(1), _number(match.group(2))
            else:
                value, noun = _number(match.group(1)), match.group(2)
            if not noun or noun.lower() in _STOP:
                words = [
                    w
                    for w in re.findall(r"[A-Za-z][\w\-]*", sentence[: match.start()])
                    if w.lower() not in _STOP
                ]
                noun = words[-1] if words else "value"
            name = _name(noun, "value")
            if draft.has(name):
                continue
            lowered = sentence.lower()
            if any(word in name or word in lowered[match.start() : match.end() + 10] for word in _MONEY):
                sd = 0.8
                distribution = LogNormal(mu=round(math.log(max(value, 1e-9)) - sd * sd / 2, 4), sd=sd)
                draft.notes.append(
                    f"{name}: amounts are skewed, so lognormal with mean {value:g} (spread assumed)"
                )
            elif any(word in name for word in _COUNT) or (
                value.is_integer() and not any(w in name for w in _DURATION)
            ):
                distribution = Poisson(lam=value)
            else:
                distribution = Normal(mu=value, sd=round(value / 4, 4) or 1.0)
                draft.notes.append(f"{name}: normal around {value:g}, spread assumed to be a quarter of it")
            draft.add(offset + match.start(), name, distribution)
            consumed.append(match.span())


def _find_yes_no(sentence: str, offset: int, draft: _Draft, consumed: list) -> None:
    """'churned (yes/no)', 'whether they converted', 'a trial flag' -> bernoulli(0.5)."""
    match = _YES_NO_RE.search(sentence)
    if not match or _overlaps(match.span(), consumed):
        return
    if match.group(1).lower() == "whether":
        words = re.findall(r"[A-Za-z][\w\-]*", sentence[match.end() :])
    else:
        words = re.findall(r"[A-Za-z][\w\-]*", sentence[: match.start()])[::-1]
    words = [w for w in words if w.lower() not in _STOP]
    if not words:
        return
    name = _name(words[0], "flag")
    if draft.has(name):
        return
    draft.add(offset + match.start(), name, Bernoulli(p=0.5))
    draft.notes.append(f"no rate was given for {name}; assumed 50% yes")
    consumed.append(match.span())


def _find_column_list(sentence: str, offset: int, draft: _Draft) -> None:
    """'columns: user_id, plan, revenue, signup_date' -> a line per name, by what the name suggests."""
    match = re.search(r"\b(?:columns?|fields?)\s*(?::|are)\s*(.+)", sentence, re.IGNORECASE)
    if not match:
        return
    for raw in re.split(r",|\band\b", match.group(1)):
        name = "_".join(re.sub(r"[^a-z0-9_ ]", " ", raw.lower()).split())
        if not re.match(r"[a-z_]", name) or draft.has(name):
            continue
        distribution, note = _guess_by_name(name)
        draft.add(offset + match.start(), name, distribution)
        draft.notes.append(f"{name}: {note}")


def _guess_by_name(name: str):
    """A distribution that fits a bare column name, and the note that says it was guessed."""
    if name == "id" or name.endswith("_id"):
        return Sequence(prefix=name[0]), "a unique id per row"
    if "date" in name or name.endswith("_at") or name.endswith("_day"):
        return Date(start=date(2026, 1, 1), end=date(2026, 3, 31)), "dates assumed in Q1 2026"
    for words, _, provider in _FAKE_WORDS:
        if re.fullmatch(words, name.replace("_", " ")):
            return Fake(provider=provider), f"fake {provider} values"
    if name.startswith(("is_", "has_")) or name.endswith("ed"):
        return Bernoulli(p=0.5), "yes/no, assumed 50% yes"
    if any(word in name for word in _MONEY):
        return LogNormal(mu=3, sd=0.8), "skewed amounts, mean about 27 (assumed)"
    if any(word in name for word in _COUNT) or name.startswith(("n_", "num_")):
        return Poisson(lam=3), "counts, mean 3 assumed"
    if any(word in name for word in _DURATION):
        return Normal(mu=30, sd=10), "around 30 give or take 10 (assumed)"
    defaults = {
        "plan": ["free", "pro", "team"],
        "tier": ["free", "pro", "team"],
        "device": ["desktop", "mobile", "tablet"],
        "channel": ["organic", "paid", "referral"],
        "source": ["organic", "paid", "referral"],
        "segment": ["smb", "mid_market", "enterprise"],
    }
    values = next((v for key, v in defaults.items() if key in name), ["a", "b", "c"])
    options = [ChoiceOption(value=v, weight=1 / len(values)) for v in values]
    return Choice(options=options), "categories and shares guessed; replace them with yours"


def _find_fake(text: str, draft: _Draft) -> None:
    """'a company name and email' -> fake.company, fake.email ('company name' is not also a name)."""
    taken: list[tuple[int, int]] = []
    providers = {c.distribution.provider for _, c in draft.found.values() if isinstance(c.distribution, Fake)}
    for words, name, provider in _FAKE_WORDS:
        spans = [
            m.span()
            for m in re.finditer(rf"\b(?:{words})\b", text, re.IGNORECASE)
            if not _overlaps(m.span(), taken)
        ]
        taken.extend(spans)
        if spans and provider not in providers and not draft.has(name):
            draft.add(spans[0][0], name, Fake(provider=provider))
            providers.add(provider)


def _find_ids(text: str, draft: _Draft) -> None:
    match = _ENTITY_RE.search(text)
    if not match:
        return
    entity = (match.group(1) or match.group(2)).lower()
    name = f"{entity}_id"
    if not draft.has(name):
        draft.add(-1, name, Sequence(prefix=entity[0]))


def _find_rows(text: str, draft: _Draft) -> None:
    match = _ROWS_RE.search(text)
    if not match:
        return
    scale = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get((match.group(2) or "").lower(), 1)
    rows = int(_number(match.group(1)) * scale)
    if rows > 0:
        draft.notes.append(f"you mentioned {rows:,} {match.group(3).lower()}: sample them with --rows {rows}")


def _assemble(draft: _Draft) -> DatasetSpec:
    ordered = sorted(draft.found.values(), key=lambda item: item[0])
    if draft.group:
        # overrides condition on the group, so it must come before the columns they override
        ordered.sort(key=lambda item: item[1].name != draft.group)
    columns: list[ColumnSpec] = []
    for _, column in ordered:
        columns.append(column)
        columns.extend(o for _, o in draft.overrides if o.name == column.name)
    return DatasetSpec(columns=columns, notes=[OFFLINE_NOTE, *draft.notes])
