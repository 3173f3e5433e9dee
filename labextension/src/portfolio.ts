/**
 * The team's portfolio as the server extension returns it (`GET disco-magics/portfolio`,
 * `disco_magics.model.Portfolio`), and the pure logic the Portfolio view needs:
 * its filters and the one-line summary. No JupyterLab here, so jest tests it directly.
 */

/** The route of the read-only server extension, under the server's base URL. */
export const PORTFOLIO_ROUTE = 'disco-magics/portfolio';

/** One hypothesis: an experiment-table row plus where it was framed. Read tolerantly. */
export interface IPortfolioHypothesis {
  id: string;
  problem: string;
  statement?: string | null;
  risk?: string | null;
  metric?: string | null;
  baseline?: number | null;
  target?: number | null;
  observed?: number | null;
  p_value?: number | null;
  verdict?: string | null;
  reason?: string | null;
  status?: string | null;
  decision?: string | null;
  learning?: string | null;
  killed?: boolean | null;
  /** From pre-registration (issue 13): the test changed after its first result. */
  post_hoc?: boolean | null;
  /** From the evidence log (issue 14): none, qualitative, prototype or experiment. */
  evidence_level?: string | null;
  notebook?: string | null;
  cell?: string | null;
  [key: string]: unknown;
}

export interface IPortfolioProblem {
  name: string;
  statement?: string | null;
  segment?: string | null;
  metrics?: string[];
  notebook?: string | null;
  cell?: string | null;
  hypotheses: IPortfolioHypothesis[];
}

export interface IPortfolio {
  store: string;
  problems: IPortfolioProblem[];
  reason?: string | null;
  generated_at?: string | null;
}

/** What the view's filters hold; an empty string means "any". */
export interface IPortfolioFilter {
  problem: string;
  status: string;
  risk: string;
}

export const NO_FILTER: IPortfolioFilter = { problem: '', status: '', risk: '' };

/**
 * The status filter's choices: the hypothesis statuses, then the portfolio's own
 * views of a bet — killed (decided), post hoc (changed after its first result),
 * waiting (no evidence yet: draft or running without a verdict).
 */
export const STATUS_CHOICES = [
  'draft',
  'running',
  'validated',
  'invalidated',
  'inconclusive',
  'killed',
  'post hoc',
  'waiting'
] as const;

export const RISK_CHOICES = ['value', 'usability', 'feasibility', 'viability'] as const;

/** Whether a hypothesis is in the bucket a status choice names. */
export function hasStatus(h: IPortfolioHypothesis, status: string): boolean {
  switch (status) {
    case '':
      return true;
    case 'killed':
      return Boolean(h.killed) || h.decision === 'kill';
    case 'post hoc':
      return Boolean(h.post_hoc);
    case 'waiting':
      return !h.verdict && (h.status === 'draft' || h.status === 'running' || !h.status);
    default:
      return (h.status || 'draft') === status;
  }
}

/** The problems and hypotheses the filter lets through; a problem with none left is dropped
 * unless it was chosen by name (so an empty problem still shows when asked for). */
export function filterPortfolio(portfolio: IPortfolio, filter: IPortfolioFilter): IPortfolioProblem[] {
  const out: IPortfolioProblem[] = [];
  for (const problem of portfolio.problems) {
    if (filter.problem && problem.name !== filter.problem) {
      continue;
    }
    const hypotheses = problem.hypotheses.filter(
      h => hasStatus(h, filter.status) && (!filter.risk || h.risk === filter.risk)
    );
    if (hypotheses.length || filter.problem || (!filter.status && !filter.risk)) {
      out.push({ ...problem, hypotheses });
    }
  }
  return out;
}

/** "2 problems · 5 hypotheses: 2 validated, 1 killed, 2 waiting", or why it is empty. */
export function portfolioSummary(portfolio: IPortfolio): string {
  if (!portfolio.problems.length) {
    return portfolio.reason || 'No problems in the store yet.';
  }
  const all = portfolio.problems.flatMap(p => p.hypotheses);
  const parts: string[] = [];
  for (const status of STATUS_CHOICES) {
    const n = all.filter(h => hasStatus(h, status)).length;
    if (n && status !== 'draft' && status !== 'running') {
      parts.push(`${n} ${status}`);
    }
  }
  const problems = `${portfolio.problems.length} problem${portfolio.problems.length === 1 ? '' : 's'}`;
  const hypotheses = `${all.length} hypothes${all.length === 1 ? 'is' : 'es'}`;
  return `${problems} · ${hypotheses}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** Whether the view can open a notebook path: relative to the server root, inside it. */
export function isOpenable(notebook: string | null | undefined): notebook is string {
  return Boolean(notebook) && !notebook!.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(notebook!) && !notebook!.split('/').includes('..');
}
