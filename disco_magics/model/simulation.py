"""What a spec implies when sampled: the planted effect (``%%synth --for``) and ``%simulate``'s outcome."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import DiscoModel

__all__ = ["PlantedEffect", "SimulationResult"]


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
