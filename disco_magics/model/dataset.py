"""The dataset spec: columns, their distributions and conditional overrides.

One schema serves the ``%%synth`` grammar, the LLM (as an instructor ``response_model``), storage and
display. The rules a spec must follow live in the validators below, so a mistyped cell and a bad LLM
answer fail the same check; :func:`disco_magics.parse.spec.parse_spec` only adds the syntax and the line
numbers. ``DatasetSpec.to_text()`` prints the grammar back, and parsing that text gives the same spec.

To add a distribution: declare its parameters here (a subclass of ``_Distribution`` added to
``Distribution``), and its sampler in ``disco_magics/synth/distributions/``. The parser and the printer are
generic over the fields declared here.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import threading
from datetime import date
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from ._base import DiscoModel, Name

__all__ = [
    "DISTRIBUTIONS",
    "Bernoulli",
    "Choice",
    "ChoiceOption",
    "ColumnSpec",
    "DatasetSpec",
    "Date",
    "Distribution",
    "Fake",
    "Integer",
    "LogNormal",
    "Normal",
    "PlantedEffect",
    "Poisson",
    "Sequence",
    "SimulationResult",
    "SpecRuleError",
    "Uniform",
    "ValueKind",
    "faker_providers",
    "format_number",
    "format_token",
    "parse_bool_word",
]

#: What a column holds once sampled; an override must give the same kind as its base line.
ValueKind = Literal["bool", "int", "float", "date", "category", "text"]

_KIND_WORDS: dict[str, str] = {
    "bool": "yes/no",
    "int": "whole numbers",
    "float": "decimal numbers",
    "date": "dates",
    "category": "categories",
    "text": "text",
}

#: Weights further than this from 1 are normalised with a note; closer ones are left as written.
WEIGHT_TOLERANCE = 1e-6

_TOKEN_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_TRUE_WORDS = frozenset({"true", "yes", "1", "y"})
_FALSE_WORDS = frozenset({"false", "no", "0", "n"})
_FIRST_DATE, _LAST_DATE = date(1700, 1, 1), date(2199, 12, 31)


class SpecRuleError(ValueError):
    """A rule of the spec is broken; carries the line (when parsed) for a line-numbered ParseError."""

    def __init__(
        self, message: str, *, line: int | None = None, where: str = "", example: str | None = None
    ) -> None:
        self.message = message
        self.line = line
        self.example = example
        prefix = f"line {line}: " if line is not None else (f"{where}: " if where else "")
        super().__init__(prefix + message)


def format_number(value: float | int) -> str:
    """Shortest text that reads back as the same number (``3.0`` prints as ``3``)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_token(text: str) -> str:
    """A value as the grammar writes it: bare when it is a simple word, else double-quoted."""
    if _TOKEN_RE.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _close_matches(word: str, candidates: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)


def _finite(name: str, value: float, dist: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{dist}: {name} must be a finite number, got {value}")
    return value


# --------------------------------------------------------------------------------------- distributions


class _Distribution(DiscoModel):
    """Base of every distribution: a ``kind`` tag and typed parameters, printed as ``kind(p1, p2)``."""

    #: how the grammar shows the call, e.g. ``poisson(lam)``
    signature: ClassVar[str] = ""
    #: a full spec line using it, shown in error messages
    example: ClassVar[str] = ""
    #: what the sampled column holds
    value_kind: ClassVar[ValueKind] = "float"

    @classmethod
    def params(cls) -> tuple[str, ...]:
        """The parameter names in grammar order (every field but ``kind``)."""
        return tuple(name for name in cls.model_fields if name != "kind")

    @property
    def kind_name(self) -> str:
        return str(getattr(self, "kind"))  # noqa: B009 - every subclass declares the tag

    def to_text(self) -> str:
        args = []
        for name in self.params():
            value = getattr(self, name)
            if isinstance(value, str):
                args.append(format_token(value))
            elif isinstance(value, date):
                args.append(value.isoformat())
            else:
                args.append(format_number(value))
        return f"{self.kind_name}({', '.join(args)})"


class ChoiceOption(DiscoModel):
    value: str = Field(min_length=1, max_length=100, description="One category, e.g. control or pro.")
    weight: float = Field(
        description="Its probability, >= 0. The weights of one choice should sum to 1 (else they are normalised)."
    )

    @field_validator("value")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("a choice value must fit on one line")
        return value

    @field_validator("weight")
    @classmethod
    def _weight(cls, weight: float) -> float:
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"choice weights must be numbers >= 0, got {weight}")
        return weight


class Choice(_Distribution):
    """Categories drawn with the given probabilities: ``choice(free=0.7, pro=0.25, team=0.05)``."""

    signature = "choice(a=w, b=w, ...)"
    example = "plan: choice(free=0.7, pro=0.25, team=0.05)"
    value_kind = "category"

    kind: Literal["choice"] = "choice"
    options: list[ChoiceOption] = Field(
        max_length=100,
        description="The categories and their probabilities, in display order; at least one.",
        json_schema_extra={"minItems": 1},
    )

    @model_validator(mode="after")
    def _options(self) -> Choice:
        if not self.options:
            raise ValueError("choice needs at least one option")
        seen: set[str] = set()
        for option in self.options:
            if option.value in seen:
                raise ValueError(f"choice lists '{option.value}' twice")
            seen.add(option.value)
        if sum(option.weight for option in self.options) <= 0:
            raise ValueError("choice needs at least one weight above 0")
        return self

    @property
    def values(self) -> list[str]:
        return [option.value for option in self.options]

    @property
    def weights(self) -> list[float]:
        return [option.weight for option in self.options]

    def to_text(self) -> str:
        weights = self.weights
        if len(weights) > 1 and len(set(weights)) == 1 and len(format_number(weights[0])) > 6:
            # equal shares like 1/3 read better as a plain list, which parses back to exactly 1/3
            return f"choice({', '.join(format_token(v) for v in self.values)})"
        pairs = (f"{format_token(o.value)}={format_number(o.weight)}" for o in self.options)
        return f"choice({', '.join(pairs)})"


class Bernoulli(_Distribution):
    """Yes/no with probability ``p`` of yes: ``bernoulli(0.18)``."""

    signature = "bernoulli(p)"
    example = "invited: bernoulli(0.18)"
    value_kind = "bool"

    kind: Literal["bernoulli"] = "bernoulli"
    p: float = Field(description="Probability of true, between 0 and 1 (a share like 18% is 0.18).")

    @field_validator("p")
    @classmethod
    def _p(cls, p: float) -> float:
        if not (0.0 <= p <= 1.0):
            raise ValueError(f"bernoulli(p) needs p between 0 and 1, got {format_number(p)}")
        return p


class Poisson(_Distribution):
    """Counts with mean ``lam``: ``poisson(3)``."""

    signature = "poisson(lam)"
    example = "seats: poisson(3)"
    value_kind = "int"

    kind: Literal["poisson"] = "poisson"
    lam: float = Field(description="Mean count, >= 0.")

    @field_validator("lam")
    @classmethod
    def _lam(cls, lam: float) -> float:
        _finite("lam", lam, "poisson")
        if lam < 0:
            raise ValueError(f"poisson(lam) needs lam >= 0, got {format_number(lam)}")
        if lam > 1e9:
            raise ValueError(f"poisson(lam) needs lam <= 1e9, got {format_number(lam)}")
        return lam


class _MuSd(_Distribution):
    mu: float = Field(description="Mean (for lognormal: mean of the logarithm).")
    sd: float = Field(description="Standard deviation, >= 0 (for lognormal: of the logarithm).")

    @model_validator(mode="after")
    def _spread(self) -> _MuSd:
        _finite("mu", self.mu, self.kind_name)
        _finite("sd", self.sd, self.kind_name)
        if self.sd < 0:
            raise ValueError(f"{self.kind_name}(mu, sd) needs sd >= 0, got {format_number(self.sd)}")
        return self


class Normal(_MuSd):
    """Bell curve: ``normal(mu, sd)``."""

    signature = "normal(mu, sd)"
    example = "session_minutes: normal(12, 4)"
    value_kind = "float"

    kind: Literal["normal"] = "normal"


class LogNormal(_MuSd):
    """Skewed positive amounts whose logarithm is normal: ``lognormal(mu, sd)``."""

    signature = "lognormal(mu, sd)"
    example = "revenue: lognormal(3, 0.8)"
    value_kind = "float"

    kind: Literal["lognormal"] = "lognormal"

    @model_validator(mode="after")
    def _not_overflowing(self) -> LogNormal:
        if self.mu + self.sd * self.sd / 2 > 700:
            raise ValueError("lognormal(mu, sd) is too large: mu + sd²/2 must stay below 700")
        return self


class Uniform(_Distribution):
    """Any decimal between ``lo`` and ``hi``: ``uniform(0, 1)``."""

    signature = "uniform(lo, hi)"
    example = "discount: uniform(0, 0.3)"
    value_kind = "float"

    kind: Literal["uniform"] = "uniform"
    lo: float = Field(description="Lowest value.")
    hi: float = Field(description="Highest value, >= lo.")

    @model_validator(mode="after")
    def _range(self) -> Uniform:
        _finite("lo", self.lo, "uniform")
        _finite("hi", self.hi, "uniform")
        if self.lo > self.hi:
            raise ValueError(
                f"uniform(lo, hi) needs lo <= hi, got {format_number(self.lo)} and {format_number(self.hi)}"
            )
        return self


class Integer(_Distribution):
    """Whole numbers from ``lo`` to ``hi``, both included, equally likely: ``integer(1, 50)``."""

    signature = "integer(lo, hi)"
    example = "seats: integer(1, 50)"
    value_kind = "int"

    kind: Literal["integer"] = "integer"
    lo: int = Field(description="Lowest whole number (included).")
    hi: int = Field(description="Highest whole number (included), >= lo.")

    @model_validator(mode="after")
    def _range(self) -> Integer:
        if self.lo > self.hi:
            raise ValueError(f"integer(lo, hi) needs lo <= hi, got {self.lo} and {self.hi}")
        if max(abs(self.lo), abs(self.hi)) >= 2**62:
            raise ValueError("integer(lo, hi) needs bounds within ±4.6e18")
        return self


class Date(_Distribution):
    """A day between ``start`` and ``end``, both included, equally likely: ``date(2026-01-01, 2026-03-31)``."""

    signature = "date(start, end)"
    example = "signup_date: date(2026-01-01, 2026-03-31)"
    value_kind = "date"

    kind: Literal["date"] = "date"
    start: date = Field(description="First possible day, ISO format YYYY-MM-DD.")
    end: date = Field(description="Last possible day (included), ISO format YYYY-MM-DD, not before start.")

    @model_validator(mode="after")
    def _range(self) -> Date:
        if self.start > self.end:
            raise ValueError(f"date(start, end) needs start <= end, got {self.start} and {self.end}")
        if self.start < _FIRST_DATE or self.end > _LAST_DATE:
            raise ValueError(f"date(start, end) supports days from {_FIRST_DATE} to {_LAST_DATE}")
        return self


class Fake(_Distribution):
    """Realistic text from a Faker provider, drawn from a seeded pool: ``fake.company``."""

    signature = "fake.PROVIDER"
    example = "company: fake.company"
    value_kind = "text"

    kind: Literal["fake"] = "fake"
    provider: str = Field(
        max_length=64,
        description="A Faker provider that takes no arguments, e.g. name, email, company, city, country, job.",
    )

    @field_validator("provider")
    @classmethod
    def _known(cls, provider: str) -> str:
        known = faker_providers()
        if provider not in known:
            close = _close_matches(provider, sorted(known))
            if close:
                hint = "close: " + ", ".join(f"fake.{name}" for name in close)
            else:
                hint = "e.g. fake.name, fake.email, fake.company, fake.city, fake.job"
            raise ValueError(f"unknown Faker provider '{provider}'; {hint}")
        return provider

    def to_text(self) -> str:
        return f"fake.{self.provider}"


class Sequence(_Distribution):
    """Unique row identifiers ``PREFIX1, PREFIX2, ...``: ``sequence(u)``."""

    signature = "sequence(prefix)"
    example = "user_id: sequence(u)"
    value_kind = "text"

    kind: Literal["sequence"] = "sequence"
    prefix: str = Field(max_length=32, description="Text put before the row number, e.g. u gives u1, u2, ...")

    @field_validator("prefix")
    @classmethod
    def _one_line(cls, prefix: str) -> str:
        if "\n" in prefix or "\r" in prefix:
            raise ValueError("sequence(prefix) needs a prefix on one line")
        return prefix


Distribution = Annotated[
    Choice | Bernoulli | Poisson | Normal | LogNormal | Uniform | Integer | Date | Fake | Sequence,
    Field(discriminator="kind", description="How the column's values are drawn."),
]

#: kind tag -> distribution class, in the order the contract lists them
DISTRIBUTIONS: dict[str, type[_Distribution]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(get_args(Distribution)[0])
}

# Faker methods that take no arguments but do not give one value per row (containers, bytes, extras).
_NOT_ONE_VALUE = frozenset(
    # a word list reads better as text than as 39 quoted items
    "binary color_hsl color_hsv color_rgb color_rgb_float cryptocurrency currency get_words_list image "  # noqa: SIM905
    "json_bytes latlng local_latlng location_on_land nic_handles paragraphs passport_dates passport_owner "
    "profile pydict pyiterable pylist pyobject pyset pystruct pytimezone pytuple random_choices "
    "random_elements random_letters random_sample sentences simple_profile tar texts time_delta "
    "time_series words xml zip".split()
)
_faker_lock = threading.Lock()


@functools.cache
def faker_providers() -> frozenset[str]:
    """Names usable as ``fake.NAME``: Faker (en_US) methods that take no arguments and give one value."""
    import inspect

    from faker import Faker  # imported on first use: a spec without fake columns never pays for it

    with _faker_lock:
        faker = Faker("en_US")
    names: set[str] = set()
    for provider in faker.get_providers():
        for name in dir(provider):
            if name.startswith("_") or name in _NOT_ONE_VALUE:
                continue
            method = getattr(provider, name, None)
            if not callable(method) or inspect.isclass(method):
                continue
            try:
                parameters = inspect.signature(method).parameters.values()
            except (TypeError, ValueError):
                continue
            if all(
                p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters
            ):
                names.add(name)
    return frozenset(names)


# ------------------------------------------------------------------------------------------- columns


class ColumnSpec(DiscoModel):
    """One spec line: ``name: DIST``, or an override ``name[col=value, ...]: DIST`` for matching rows."""

    name: Name = Field(
        description="Column name: letters, digits and _, starting with a letter, e.g. signup_date."
    )
    conditions: dict[Name, str] = Field(
        default_factory=dict,
        max_length=8,
        description=(
            "Empty for the column's base line. For an override: {earlier_column: value} — the distribution "
            "then applies only to rows where every earlier column equals its value (the base line of this "
            "column must come first). Use it to plant an effect, e.g. {'variant': 'checklist'}."
        ),
    )
    distribution: Distribution
    comment: str = Field(
        default="", max_length=200, description="Optional: what the column means, in a few words."
    )
    line: SkipJsonSchema[int | None] = Field(
        default=None, ge=1, description="Line in the cell (set by the parser)."
    )

    @field_validator("conditions")
    @classmethod
    def _condition_values(cls, conditions: dict[str, str]) -> dict[str, str]:
        for column, value in conditions.items():
            if not value.strip() or "\n" in value or len(value) > 100:
                raise ValueError(f"condition {column}= needs a value on one line (at most 100 characters)")
        return conditions

    @field_validator("comment")
    @classmethod
    def _comment_one_line(cls, comment: str) -> str:
        return " ".join(comment.split())

    @property
    def is_override(self) -> bool:
        return bool(self.conditions)

    @property
    def head(self) -> str:
        """``name`` or ``name[a=x, b=y]`` as the grammar writes it."""
        if not self.conditions:
            return self.name
        inside = ", ".join(f"{column}={format_token(value)}" for column, value in self.conditions.items())
        return f"{self.name}[{inside}]"

    def to_text(self) -> str:
        text = f"{self.head}: {self.distribution.to_text()}"
        return f"{text}  # {self.comment}" if self.comment else text


class DatasetSpec(DiscoModel):
    """A synthetic dataset: columns in order, each a distribution, with overrides for matching rows."""

    bundle_kind = "dataset_spec"

    columns: list[ColumnSpec] = Field(
        max_length=200,
        description=(
            "Spec lines in order. Each column appears once without conditions (its base line); overrides "
            "for that column come after it and may only condition on columns defined before it. An "
            "override must give the same kind of value as the base (yes/no, whole numbers, decimals, "
            "dates, categories or text). At least one column."
        ),
        json_schema_extra={"minItems": 1},
    )
    notes: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Assumptions made while designing the data, one short sentence each.",
    )

    @model_validator(mode="after")
    def _rules(self) -> DatasetSpec:
        if not self.columns:
            raise SpecRuleError("a spec needs at least one column", example=Poisson.example)
        base_order = [c.name for c in self.columns if not c.conditions]
        kinds: dict[str, str] = {}
        dist_names: dict[str, str] = {}
        first_line: dict[str, int | None] = {}
        for index, column in enumerate(self.columns):
            where = f"columns[{index}] ({column.head})"
            if not column.conditions:
                if column.name in kinds:
                    first = first_line[column.name]
                    place = f" (first on line {first})" if first is not None else ""
                    raise SpecRuleError(
                        f"column '{column.name}' is defined twice{place}; "
                        f"to vary it by group write {column.name}[column=value]: DIST",
                        line=column.line,
                        where=where,
                    )
                kinds[column.name] = column.distribution.value_kind
                dist_names[column.name] = column.distribution.kind_name
                first_line[column.name] = column.line
                continue
            if column.name not in kinds:
                raise SpecRuleError(
                    f"the override of '{column.name}' comes before its base line; "
                    f"write '{column.name}: DIST' above it",
                    line=column.line,
                    where=where,
                    example="invited: bernoulli(0.18) then invited[variant=checklist]: bernoulli(0.27)",
                )
            kind = column.distribution.value_kind
            if kind != kinds[column.name]:
                raise SpecRuleError(
                    f"{column.name} holds {_KIND_WORDS[kinds[column.name]]} ({dist_names[column.name]}) "
                    f"but this override gives {_KIND_WORDS[kind]} ({column.distribution.kind_name}); "
                    "an override must give the same kind of value",
                    line=column.line,
                    where=where,
                )
        categories = {name: self.categories(name) for name, kind in kinds.items() if kind == "category"}
        for index, column in enumerate(self.columns):
            if column.conditions:
                canonical = self._check_conditions(column, index, base_order, kinds, dist_names, categories)
                if canonical != column.conditions:
                    self.columns[index] = column.model_copy(update={"conditions": canonical})
        self._normalise_weights()
        return self

    def _check_conditions(
        self,
        column: ColumnSpec,
        index: int,
        base_order: list[str],
        kinds: dict[str, str],
        dist_names: dict[str, str],
        categories: dict[str, list[str]],
    ) -> dict[str, str]:
        where = f"columns[{index}] ({column.head})"
        earlier = base_order[: base_order.index(column.name)]
        canonical: dict[str, str] = {}
        for name, value in column.conditions.items():
            if name not in earlier:
                listed = ", ".join(earlier) if earlier else "none"
                if name == column.name:
                    message = f"'{column.name}' cannot be conditioned on itself; conditions use earlier columns: {listed}"
                elif name in base_order:
                    message = (
                        f"condition column '{name}' comes after '{column.name}'; "
                        f"conditions use earlier columns: {listed}"
                    )
                else:
                    close = _close_matches(name, earlier)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    message = f"unknown condition column '{name}'{hint}; earlier columns: {listed}"
                raise SpecRuleError(message, line=column.line, where=where)
            canonical[name] = _canonical_value(
                name, value, kinds[name], dist_names[name], categories.get(name, []), column.line, where
            )
        return canonical

    def _normalise_weights(self) -> None:
        for index, column in enumerate(self.columns):
            dist = column.distribution
            if not isinstance(dist, Choice):
                continue
            total = sum(dist.weights)
            if abs(total - 1.0) <= WEIGHT_TOLERANCE:
                continue
            options = [
                ChoiceOption(value=o.value, weight=float(f"{o.weight / total:.10g}")) for o in dist.options
            ]
            self.columns[index] = column.model_copy(update={"distribution": Choice(options=options)})
            shown = ", ".join(f"{format_token(o.value)}={o.weight:.4g}" for o in options)
            place = f"line {column.line}: " if column.line is not None else ""
            self.notes.append(
                f"{place}the weights of {column.head} summed to {total:.6g}, not 1; normalised to {shown}"
            )

    # ---------------------------------------------------------------------------------- reading

    @property
    def column_names(self) -> list[str]:
        """Columns of the sampled DataFrame, in order (base lines)."""
        return [c.name for c in self.columns if not c.conditions]

    def base(self, name: str) -> ColumnSpec:
        """The base line of column ``name``; KeyError when there is none."""
        for column in self.columns:
            if column.name == name and not column.conditions:
                return column
        raise KeyError(name)

    def overrides(self, name: str) -> list[ColumnSpec]:
        """The override lines of column ``name``, in order (a later one wins where both match)."""
        return [c for c in self.columns if c.name == name and c.conditions]

    def value_kind(self, name: str) -> ValueKind:
        return self.base(name).distribution.value_kind

    def categories(self, name: str) -> list[str]:
        """Every value a choice column can take: its base options, then new ones from its overrides."""
        values: list[str] = []
        for column in self.columns:
            if column.name == name and isinstance(column.distribution, Choice):
                values.extend(v for v in column.distribution.values if v not in values)
        return values

    def depends_on(self, names: list[str] | tuple[str, ...]) -> list[str]:
        """``names`` plus every column their overrides condition on, transitively, in spec order."""
        needed = set(names)
        changed = True
        while changed:
            changed = False
            for column in self.columns:
                if column.name in needed:
                    for condition in column.conditions:
                        if condition not in needed:
                            needed.add(condition)
                            changed = True
        return [name for name in self.column_names if name in needed]

    def select(self, names: list[str] | tuple[str, ...]) -> DatasetSpec:
        """The spec restricted to ``names`` and the columns they depend on (same values when sampled)."""
        keep = set(self.depends_on(names))
        return DatasetSpec(columns=[c for c in self.columns if c.name in keep], notes=list(self.notes))

    def without_overrides(self, name: str, on: str | None = None) -> DatasetSpec:
        """The spec with the overrides of ``name`` removed (only those conditioned on ``on``, if given)."""
        columns = [
            c
            for c in self.columns
            if not (c.name == name and c.conditions and (on is None or on in c.conditions))
        ]
        return DatasetSpec(columns=columns, notes=list(self.notes))

    def to_text(self, *, with_notes: bool = False) -> str:
        """The spec in grammar form; ``parse_spec(spec.to_text())`` gives the same columns back."""
        lines = [f"# {note}" for note in self.notes] if with_notes else []
        lines.extend(column.to_text() for column in self.columns)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _canonical_value(
    column: str, value: str, kind: str, dist: str, categories: list[str], line: int | None, where: str
) -> str:
    """Check a condition value against the kind of its column; return it in its one canonical spelling."""
    value = value.strip()
    if kind == "category":
        if value not in categories:
            close = _close_matches(value, categories)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SpecRuleError(
                f"'{value}' is not a value of {column}{hint}; its values: {', '.join(categories)}",
                line=line,
                where=where,
            )
        return value
    if kind == "bool":
        word = value.lower()
        if word in _TRUE_WORDS:
            return "true"
        if word in _FALSE_WORDS:
            return "false"
        raise SpecRuleError(
            f"{column} is yes/no ({dist}); a condition on it is {column}=true or {column}=false, got '{value}'",
            line=line,
            where=where,
        )
    if kind == "int":
        try:
            return str(int(value))
        except ValueError:
            raise SpecRuleError(
                f"{column} holds whole numbers ({dist}); '{value}' is not one", line=line, where=where
            ) from None
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise SpecRuleError(
                f"{column} holds dates; '{value}' is not a date like 2026-01-15", line=line, where=where
            ) from None
    if kind == "float":
        raise SpecRuleError(
            f"conditions cannot use {column}: a {dist} column is continuous, so no row equals one value; "
            "condition on a choice, yes/no, whole-number or date column",
            line=line,
            where=where,
        )
    return value  # text: compared as written


def parse_bool_word(value: str) -> bool | None:
    """``true``/``yes``/``1`` -> True, ``false``/``no``/``0`` -> False, anything else -> None."""
    word = value.strip().lower()
    return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else None


# ------------------------------------------------------------------------------- derived results


def _fmt(value: float) -> str:
    return f"{value:.4g}"


class PlantedEffect(DiscoModel):
    """What a spec implies for a hypothesis: the effect planted in ``metric`` between two ``group`` values."""

    bundle_kind = "planted_effect"

    metric: str
    group: str
    control: str
    treatment: str
    kind: Literal["proportion", "mean"] = Field(description="proportion for yes/no metrics, else mean.")
    control_mean: float
    treatment_mean: float
    control_sd: float
    treatment_sd: float
    rows: int = Field(ge=0)
    control_rows: float = Field(ge=0, description="Expected rows in the control arm.")
    treatment_rows: float = Field(ge=0, description="Expected rows in the treatment arm.")
    alpha: float = 0.05
    target_power: float = 0.8
    required_per_arm: int | None = Field(
        description="Rows per arm for target_power at alpha; None without effect."
    )
    rows_needed: int | None = Field(description="Total rows that give every arm required_per_arm.")
    power: float = Field(ge=0, le=1, description="Power of the two-sided unpooled z test at these rows.")
    exact: bool = Field(default=True, description="False when estimated from sampled rows.")
    target: float | None = Field(default=None, description="The linked hypothesis' target, if given.")

    @property
    def lift(self) -> float:
        return self.treatment_mean - self.control_mean

    @property
    def relative_lift(self) -> float | None:
        return self.lift / self.control_mean if self.control_mean else None

    @property
    def detectable(self) -> bool:
        """True when the planned measurement reaches ``target_power`` with the expected rows."""
        return self.required_per_arm is not None and self.power >= self.target_power

    @property
    def summary(self) -> str:
        arms = f"{self.group}={self.treatment} vs {self.control}"
        if self.required_per_arm is None:
            return f"no planted effect: {self.metric} is {_fmt(self.control_mean)} in both arms ({arms})"
        text = (
            f"planted effect: {self.metric} {_fmt(self.control_mean)} -> {_fmt(self.treatment_mean)} ({arms})"
        )
        if self.relative_lift is not None:
            text += f", {self.relative_lift:+.0%}"
        per_arm = f"{min(self.control_rows, self.treatment_rows):,.0f}"
        need = f"{self.required_per_arm:,} per arm are needed at alpha {self.alpha:g} and {self.target_power:.0%} power"
        if self.detectable:
            text += (
                f"; with {per_arm} rows per arm %measure would detect it (power {_pct(self.power)}; {need})"
            )
        else:
            text += (
                f"; with {per_arm} rows per arm %measure would likely miss it (power {_pct(self.power)}); "
                f"{need}, so use --rows {self.rows_needed:,} or more"
            )
        if self.target is not None:
            rising = self.target >= self.control_mean
            reaches = self.treatment_mean >= self.target if rising else self.treatment_mean <= self.target
            if reaches:
                text += f". The planted {_fmt(self.treatment_mean)} reaches the target {_fmt(self.target)}"
            else:
                text += (
                    f". The planted {_fmt(self.treatment_mean)} falls short of the target {_fmt(self.target)}, "
                    "so a correct analysis should not validate the hypothesis"
                )
        if not self.exact:
            text += " (estimated from sampled rows)"
        return text

    def __str__(self) -> str:
        return self.summary


def _pct(value: float) -> str:
    if value >= 0.999:
        return "> 99.9%"
    if value < 0.001:
        return "< 0.1%"
    return f"{value:.1%}"


class SimulationResult(DiscoModel):
    """``%simulate``: how the planned measurement behaves over many synthetic datasets."""

    bundle_kind = "simulation"

    metric: str
    group: str
    control: str
    treatment: str
    rows: int = Field(ge=2)
    runs: int = Field(ge=1)
    alpha: float
    seed: int
    false_positive_rate: float = Field(
        ge=0, le=1, description="Share of runs without the effect found significant."
    )
    power: float = Field(ge=0, le=1, description="Share of runs with the planted effect found significant.")
    expected_power: float | None = Field(
        default=None, description="Power from the normal formula, for comparison."
    )

    @property
    def summary(self) -> str:
        expected = f" (formula: {_pct(self.expected_power)})" if self.expected_power is not None else ""
        return (
            f"{self.runs:,} runs of {self.rows:,} rows, {self.metric} by {self.group} "
            f"({self.treatment} vs {self.control}), two-sided z test at alpha {self.alpha:g}: "
            f"false-positive rate {self.false_positive_rate:.1%} without the effect (expected {self.alpha:.0%}), "
            f"power {self.power:.1%} with it{expected}"
        )

    def __str__(self) -> str:
        return self.summary
