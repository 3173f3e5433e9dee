"""Raw values or aggregates -> per-arm sufficient statistics (n, sum, sum of squares).

Missing values policy: NaN (and None / pd.NA) in the metric are dropped, and each arm counts how many it
lost in ``ArmStats.dropped`` so the result can say so. Rows with a missing group value belong to no arm
and are ignored. Infinite values are an error: they are almost always a bug upstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from disco_magics.errors import NotFoundError, ValidationFailed
from disco_magics.model.result import ArmStats, CovariateStats, MetricKind

if TYPE_CHECKING:  # pandas loads with the first frame, not with aggregates: the first %measure stays fast
    import pandas as pd

__all__ = ["arm_from_rate", "arm_from_summary", "arm_stats", "arms_from_frame", "metric_kind", "pick_arms"]

DATA_EXAMPLE = "%measure H1 --data trials --metric invited --group variant --control control"
AGGREGATES_EXAMPLE = "%measure H1 --observed 0.27 --n 2400 --baseline 0.18 --baseline-n 2400"


def _as_float_array(values: Any, label: str) -> np.ndarray:
    """Numbers (bool counts as 0/1) as float64 with NaN for missing; anything else is a one-line error."""
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values).ravel())
    dtype = series.dtype
    if dtype == np.bool_:  # plain numpy booleans cannot be missing: one cast, no nullable detour
        array = series.to_numpy().astype(float)
    elif pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(series, skipna=True) == "boolean"
    ):
        array = series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        array = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        kind = pd.api.types.infer_dtype(series, skipna=True)
        raise ValidationFailed(
            f"{label} is not numeric (it holds {kind} values); use a 0/1 or boolean column for a rate, "
            "or a numeric column for a mean",
            example=DATA_EXAMPLE,
        )
    if np.isinf(array).any():
        raise ValidationFailed(
            f"{label} has infinite values; fix them or filter those rows out", example=DATA_EXAMPLE
        )
    return array


def metric_kind(values: Any) -> MetricKind:
    """``"proportion"`` for a boolean or 0/1 column (missing values aside), ``"mean"`` for other numbers."""
    array = _as_float_array(values, "the metric")
    finite = array[~np.isnan(array)]
    return "proportion" if np.isin(finite, (0.0, 1.0)).all() else "mean"


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in ("proportion", "mean"):
        raise ValidationFailed(f"metric kind must be 'proportion' or 'mean', not {kind!r}")


def _arm(
    name: str,
    kind: MetricKind,
    n: int,
    total: float,
    total_sq: float,
    m2: float | None,
    dropped: int,
    label: str,
) -> ArmStats:
    if n <= 0:
        raise ValidationFailed(f"{label} has no values (all {dropped} are missing)", example=DATA_EXAMPLE)
    if kind == "proportion":
        total_sq, m2 = total, None
    elif m2 is not None:
        m2 = max(float(m2), 0.0) if np.isfinite(m2) else None
    return ArmStats(name=name, kind=kind, n=n, sum=total, sum_squares=total_sq, m2=m2, dropped=dropped)


def arm_stats(values: Any, name: str = "treatment", kind: MetricKind | None = None) -> ArmStats:
    """Sufficient statistics of one arm from raw values.

    Parameters
    ----------
    values : array-like or pandas.Series
        One value per user: booleans or 0/1 for a rate, numbers for a mean. NaNs are dropped and counted.
    name : str
        The arm's name.
    kind : {"proportion", "mean"}, optional
        Forced kind; detected from the values when omitted.

    Returns
    -------
    ArmStats
    """
    _check_kind(kind)
    array = _as_float_array(values, f"the values of arm {name}")
    missing = np.isnan(array)
    finite = array[~missing]
    if kind is None:
        kind = "proportion" if np.isin(finite, (0.0, 1.0)).all() else "mean"
    elif kind == "proportion" and not np.isin(finite, (0.0, 1.0)).all():
        raise ValidationFailed(f"arm {name} has values other than 0/1, so it is not a proportion")
    m2 = float(np.square(finite - finite.mean()).sum()) if finite.size else None
    return _arm(
        str(name),
        kind,
        int(finite.size),
        float(finite.sum()),
        float(np.dot(finite, finite)),
        m2,
        int(missing.sum()),
        f"arm {name}",
    )


def arms_from_frame(
    data: pd.DataFrame,
    metric: str,
    group: str,
    kind: MetricKind | None = None,
    covariate: str | None = None,
) -> dict[str, ArmStats]:
    """Per-arm sufficient statistics from a DataFrame, in one vectorized groupby.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per user.
    metric : str
        The column to measure (0/1 or boolean -> proportion; numeric -> mean).
    group : str
        The column naming each user's arm.
    kind : {"proportion", "mean"}, optional
        Forced kind; detected from the whole column when omitted, so every arm gets the same kind.
    covariate : str, optional
        CUPED: a pre-period numeric column; each arm also gets its sum, sum of squares and the sum of
        metric x covariate over the users with a metric value (a missing covariate counts as 0).

    Returns
    -------
    dict[str, ArmStats]
        Arm name -> statistics, in sorted order of the group values.
    """
    import pandas as pd

    _check_kind(kind)
    if not isinstance(data, pd.DataFrame):
        raise ValidationFailed(
            f"data must be a pandas DataFrame, not {type(data).__name__}", example=DATA_EXAMPLE
        )
    roles = (("metric", metric), ("group", group)) + ((("covariate", covariate),) if covariate is not None else ())
    for role, column in roles:
        if column not in data.columns:
            known = ", ".join(map(str, data.columns[:20])) + (" ..." if len(data.columns) > 20 else "")
            raise NotFoundError(
                f"no {role} column {column!r} in the data; its columns are: {known}", example=DATA_EXAMPLE
            )
    if metric == group:
        raise ValidationFailed("metric and group must be different columns", example=DATA_EXAMPLE)
    if covariate is not None and covariate in (metric, group):
        raise ValidationFailed(
            f"the covariate must be a pre-period column, not the {'metric' if covariate == metric else 'group'} itself",
            example=COVARIATE_EXAMPLE,
        )
    values = _as_float_array(data[metric], f"metric column {metric!r}")
    present = values[~np.isnan(values)]
    is_binary = bool(np.isin(present, (0.0, 1.0)).all())
    if kind is None:
        kind = "proportion" if is_binary else "mean"
    elif kind == "proportion" and not is_binary:
        raise ValidationFailed(
            f"metric column {metric!r} has values other than 0/1, so it is not a proportion"
        )

    # One pass of integer codes + bincount: the group column is factorized once (categorical codes are
    # reused as they are), so 10M rows cost a few hundred milliseconds, not a string groupby.
    # Sums of values shifted by the overall mean give each arm's m2 without the catastrophic cancellation
    # of sum_squares - sum**2/n when the values sit far from 0 (the "shifted data" algorithm).
    codes, labels = _group_codes(data[group])
    keep = codes >= 0
    present_mask = ~np.isnan(values)
    # the common case (no missing group, no missing value) takes no masked copies of 10M-row arrays
    every_row = bool(keep.all())
    every_value = bool(present_mask.all())
    shift = float(values.mean() if every_value else values[present_mask].mean()) if present_mask.any() else 0.0
    size = len(labels)
    grouped = codes if every_row else codes[keep]
    present = present_mask if every_row else present_mask[keep]
    x = values if every_value else np.where(present_mask, values, 0.0)
    x = x if every_row else x[keep]
    d = x - shift if every_value else np.where(present, x - shift, 0.0)
    rows_per = np.bincount(grouped, minlength=size)
    n_per = rows_per if every_value else np.bincount(grouped, weights=present, minlength=size)
    totals = np.bincount(grouped, weights=x, minlength=size)
    totals_sq = np.bincount(grouped, weights=x * x, minlength=size)
    devs = np.bincount(grouped, weights=d, minlength=size)
    devs_sq = np.bincount(grouped, weights=d * d, minlength=size)
    pre = (
        _covariate_sums(data[covariate], covariate, None if every_row else keep, grouped, present, x, size)
        if covariate
        else None
    )
    used = [i for i in range(size) if rows_per[i] > 0]
    try:
        order = sorted(used, key=lambda i: labels[i])
    except TypeError:  # mixed types in the group column: order by how they read
        order = sorted(used, key=lambda i: str(labels[i]))
    table = pd.DataFrame(
        {
            "rows": rows_per[order],
            "n": n_per[order].astype(np.int64),
            "total": totals[order],
            "total_sq": totals_sq[order],
            "dev": devs[order],
            "dev_sq": devs_sq[order],
        },
        index=[labels[i] for i in order],
    )
    if len(table) < 2:
        only = ", ".join(map(str, table.index)) or "nothing"
        raise ValidationFailed(
            f"group column {group!r} has only one value ({only}); a comparison needs a control and a treatment arm",
            example=DATA_EXAMPLE,
        )
    arms: dict[str, ArmStats] = {}
    for position, (arm, row) in enumerate(table.iterrows()):
        name = str(arm)
        if name in arms:
            raise ValidationFailed(f"group column {group!r} has two values that both read {name!r}")
        arms[name] = _arm(
            name,
            kind,
            int(row["n"]),
            float(row["total"]),
            float(row["total_sq"]),
            float(row["dev_sq"]) - float(row["dev"]) ** 2 / row["n"] if row["n"] > 0 else None,
            int(row["rows"] - row["n"]),
            f"arm {name} of {metric!r}",
        )
        if pre is not None:
            i = order[position]
            arms[name] = arms[name].model_copy(
                update={
                    "covariate": CovariateStats(
                        name=str(covariate),
                        kind=pre["kind"],
                        sum=float(pre["sum"][i]),
                        sum_squares=float(pre["sum_squares"][i]),
                        cross=float(pre["cross"][i]),
                        filled=int(pre["filled"][i]),
                    )
                }
            )
    return arms


COVARIATE_EXAMPLE = "%measure H1 --data trials --metric invited --group variant --covariate invited_before"


def _covariate_sums(
    column: pd.Series,
    covariate: str,
    keep: np.ndarray | None,
    grouped: np.ndarray,
    present: np.ndarray,
    x: np.ndarray,
    size: int,
) -> dict:
    """Per-arm sums of the covariate, its squares and metric x covariate, over users with a metric value.

    ``keep`` selects the rows in an arm (None: all of them), ``grouped`` their arm codes, ``present``
    which of them have a metric value and ``x`` that value (0 where missing), all as in ``arms_from_frame``.
    """
    values = _as_float_array(column, f"covariate column {covariate!r}")
    nan = np.isnan(values)
    holes = bool(nan.any())
    if holes and nan.all():
        raise ValidationFailed(
            f"covariate column {covariate!r} has no values (all missing); CUPED needs a pre-period measure",
            example=COVARIATE_EXAMPLE,
        )
    finite = values[~nan] if holes else values
    kind = "proportion" if ((finite == 0.0) | (finite == 1.0)).all() else "mean"
    pre = values if keep is None else values[keep]
    if holes or not present.all():
        nan = nan if keep is None else nan[keep]
        # GrowthBook coalesces a missing pre-period value to 0; a user with no metric value is left out
        pre = np.where(present & ~nan, pre, 0.0)
        filled = np.bincount(grouped, weights=nan & present, minlength=size)
    else:
        filled = np.zeros(size)
    return {
        "kind": kind,
        "sum": np.bincount(grouped, weights=pre, minlength=size),
        "sum_squares": np.bincount(grouped, weights=pre * pre, minlength=size),
        "cross": np.bincount(grouped, weights=pre * x, minlength=size),
        "filled": filled,
    }


def _group_codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes (-1 for missing) and the value of each code, without a string groupby."""
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), list(column.cat.categories)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def pick_arms(
    arms: Mapping[str, ArmStats], control: str | None = None, treatment: str | None = None
) -> tuple[ArmStats, ArmStats]:
    """The (control, treatment) pair out of ``arms_from_frame``'s dict.

    ``control`` defaults to an arm literally named "control"; ``treatment`` may be omitted when exactly one
    other arm exists.
    """
    names = list(arms)
    listed = ", ".join(names)
    if control is None:
        if "control" not in arms:
            raise ValidationFailed(
                f"say which arm is the control; the arms are: {listed}", example=DATA_EXAMPLE
            )
        control = "control"
    control = str(control)
    if control not in arms:
        raise NotFoundError(
            f"control arm {control!r} is not in the data; the arms are: {listed}", example=DATA_EXAMPLE
        )
    others = [n for n in names if n != control]
    if treatment is None:
        if len(others) != 1:
            raise ValidationFailed(
                f"there are {len(others)} arms besides {control!r} ({', '.join(others)}); say which is the treatment",
                example=DATA_EXAMPLE,
            )
        treatment = others[0]
    treatment = str(treatment)
    if treatment not in arms:
        raise NotFoundError(
            f"treatment arm {treatment!r} is not in the data; the arms are: {listed}", example=DATA_EXAMPLE
        )
    if treatment == control:
        raise ValidationFailed("control and treatment must be different arms", example=DATA_EXAMPLE)
    return arms[control], arms[treatment]


#: More users than any product has (about the world's population, 1,000 times over): a typo, not data.
MAX_USERS = 10**13


def _check_n(n: Any, label: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer, float, np.floating)):
        raise ValidationFailed(
            f"{label} must be a whole number of users, not {n!r}", example=AGGREGATES_EXAMPLE
        )
    # np.isfinite cannot take a Python int beyond 64 bits (TypeError); a whole number needs no such check
    if not isinstance(n, (int, np.integer)) and (not np.isfinite(n) or n != int(n)):
        raise ValidationFailed(
            f"{label} must be a whole number of users, not {n}", example=AGGREGATES_EXAMPLE
        )
    if n <= 0:
        raise ValidationFailed(f"{label} must be at least 1, not {int(n)}", example=AGGREGATES_EXAMPLE)
    if n > MAX_USERS:
        raise ValidationFailed(
            f"{label} must be at most {MAX_USERS:,} users, not a {len(str(int(n)))}-digit number",
            example=AGGREGATES_EXAMPLE,
        )
    return int(n)


def _check_number(x: Any, label: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) or not np.isfinite(x):
        raise ValidationFailed(f"{label} must be a finite number, not {x!r}", example=AGGREGATES_EXAMPLE)
    return float(x)


def arm_from_rate(name: str, rate: float, n: int) -> ArmStats:
    """A proportion arm from an observed rate and its number of users (``--observed 0.27 --n 2400``)."""
    n = _check_n(n, f"n of arm {name}")
    rate = _check_number(rate, f"the rate of arm {name}")
    if not 0.0 <= rate <= 1.0:
        raise ValidationFailed(
            f"the rate of arm {name} must be between 0 and 1, not {rate} (write 27% as 0.27)",
            example=AGGREGATES_EXAMPLE,
        )
    total = rate * n
    return ArmStats(name=str(name), kind="proportion", n=n, sum=total, sum_squares=total)


def arm_from_summary(name: str, n: int, mean: float, sd: float) -> ArmStats:
    """A mean arm from its n, mean and sample standard deviation (``n - 1`` denominator)."""
    n = _check_n(n, f"n of arm {name}")
    mean = _check_number(mean, f"the mean of arm {name}")
    sd = _check_number(sd, f"the standard deviation of arm {name}")
    if sd < 0:
        raise ValidationFailed(f"the standard deviation of arm {name} cannot be negative ({sd})")
    total = mean * n
    m2 = sd * sd * (n - 1)
    return ArmStats(name=str(name), kind="mean", n=n, sum=total, sum_squares=m2 + total * total / n, m2=m2)
