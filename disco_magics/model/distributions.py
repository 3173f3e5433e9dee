"""The distributions a spec column can draw from: each a typed model printed as ``kind(p1, p2)``.

To add a distribution: declare its parameters here (a subclass of ``_Distribution`` added to
``Distribution``), and its sampler in ``disco_magics/synthetic/distributions/``. The parser and the
printer are generic over the fields declared here.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import Field, field_validator, model_validator

from ._base import DiscoModel
from ._faker import faker_providers
from ._grammar import ValueKind, close_matches, format_number, format_token

__all__ = [
    "DISTRIBUTIONS",
    "Bernoulli",
    "Choice",
    "ChoiceOption",
    "Date",
    "Distribution",
    "Fake",
    "Integer",
    "LogNormal",
    "Normal",
    "Poisson",
    "Sequence",
    "Uniform",
]

_FIRST_DATE, _LAST_DATE = date(1700, 1, 1), date(2199, 12, 31)


def _finite(name: str, value: float, dist: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{dist}: {name} must be a finite number, got {value}")
    return value



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
            close = close_matches(provider, sorted(known))
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
