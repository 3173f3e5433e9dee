"""The pure-Python distribution functions against scipy (the engines must not need scipy.stats)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scipy import special, stats

from disco_magics.stats import _dist

DOFS = [1, 1.5, 2, 3, 4.7, 10, 29, 30, 31, 59.5, 100, 1e3, 4e4, 99_999, 100_010, 1e6, 2e7, 1e9, 1e12]
TS = [0.0, 0.01, 0.3, 1, 1.7, 1.8, 2, 3, 5, 10, 20, 29.9, 30, 40, 1e3, 1e6]


@pytest.mark.parametrize("dof", DOFS)
def test_t_survival_function_matches_scipy(dof):
    for t in TS:
        for sign in (1, -1):
            theirs = float(stats.t.sf(sign * t, dof))
            ours = _dist.t_sf(sign * t, dof)
            if theirs > 1e-300:
                assert ours == pytest.approx(theirs, rel=1e-11), (dof, sign * t)
            else:
                assert ours <= 1e-300


@pytest.mark.parametrize("dof", [*DOFS, float("inf")])
def test_t_quantile_matches_scipy(dof):
    for q in [0.025, 0.3, 0.5, 0.5001, 0.6, 0.9, 0.975, 0.995, 0.99999, 1 - 1e-12]:
        assert _dist.t_ppf(q, dof) == pytest.approx(float(stats.t.ppf(q, dof)), rel=1e-11, abs=1e-300), (dof, q)


def test_normal_and_chi_square_match_scipy():
    for x in [-38, -20, -5, -1, 0, 0.5, 3, 8, 30]:
        assert _dist.norm_cdf(x) == pytest.approx(float(special.ndtr(x)), rel=1e-12, abs=1e-300)
        assert _dist.norm_sf(x) == pytest.approx(float(special.ndtr(-x)), rel=1e-12, abs=1e-300)
        assert _dist.norm_pdf(x) == pytest.approx(float(stats.norm.pdf(x)), rel=1e-12, abs=1e-300)
    for q in [1e-300, 1e-20, 1e-5, 0.025, 0.3, 0.5, 0.975, 1 - 1e-12]:
        assert _dist.norm_ppf(q) == pytest.approx(float(special.ndtri(q)), rel=1e-14, abs=1e-300)
    for x in [0.0, 0.001, 0.5, 3.84, 20, 300, 1400]:
        assert _dist.chi2_sf(x, 1) == pytest.approx(float(stats.chi2.sf(x, 1)), rel=1e-12, abs=1e-300)
    with pytest.raises(ValueError):
        _dist.chi2_sf(1.0, 2)


def test_measuring_from_aggregates_imports_neither_scipy_nor_pandas():
    code = (
        "import sys\n"
        "from disco_magics.model import ArmStats\n"
        "from disco_magics import stats\n"
        "arm = stats.arm_from_rate('treatment', 0.27, 2400)\n"
        "for engine in ('frequentist', 'bayesian'):\n"
        "    stats.evaluate(hypothesis='H1', metric='m', target=0.3, control=0.18, treatment=arm, engine=engine)\n"
        "stats.evaluate(hypothesis='H1', metric='m', target=0.3, control=0.18, treatment=arm, look=2)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'pandas')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_tiny_and_huge_arguments_stay_finite():
    for dof in (1.0, 2.5, 40.0, 1e6):
        assert _dist.t_sf(1e-300, dof) == 0.5 and _dist.t_sf(-1e-300, dof) == 0.5
        assert _dist.t_sf(1e300, dof) == 0.0 and _dist.t_sf(-1e300, dof) == 1.0
        assert _dist.t_sf(float("inf"), dof) == 0.0
