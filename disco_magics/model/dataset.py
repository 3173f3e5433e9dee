"""The dataset spec: columns, their distributions and conditional overrides.

One schema serves the ``%%synth`` grammar, the LLM (as an instructor ``response_model``), storage and
display. The rules a spec must follow live in the validators below, so a mistyped cell and a bad LLM
answer fail the same check; :func:`disco_magics.parse.spec.parse_spec` only adds the syntax and the line
numbers. ``DatasetSpec.to_text()`` prints the grammar back, and parsing that text gives the same spec.

The distributions live in ``distributions.py``, the grammar's words in ``_grammar.py``, what a sampled
spec implies in ``simulation.py``; their names are re-exported here for code that imported them from
this module.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from ._base import DiscoModel, Name
from ._faker import faker_providers
from ._grammar import (
    FALSE_WORDS,
    KIND_WORDS,
    TRUE_WORDS,
    SpecRuleError,
    ValueKind,
    close_matches,
    format_number,
    format_token,
    parse_bool_word,
)
from .distributions import (
    DISTRIBUTIONS,
    Bernoulli,
    Choice,
    ChoiceOption,
    Date,
    Distribution,
    Fake,
    Integer,
    LogNormal,
    Normal,
    Poisson,
    Sequence,
    Uniform,
)
from .simulation import PlantedEffect, SimulationResult

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

#: Weights further than this from 1 are normalised with a note; closer ones are left as written.
WEIGHT_TOLERANCE = 1e-6


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
                    f"{column.name} holds {KIND_WORDS[kinds[column.name]]} ({dist_names[column.name]}) "
                    f"but this override gives {KIND_WORDS[kind]} ({column.distribution.kind_name}); "
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
                    close = close_matches(name, earlier)
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
            close = close_matches(value, categories)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SpecRuleError(
                f"'{value}' is not a value of {column}{hint}; its values: {', '.join(categories)}",
                line=line,
                where=where,
            )
        return value
    if kind == "bool":
        word = value.lower()
        if word in TRUE_WORDS:
            return "true"
        if word in FALSE_WORDS:
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
