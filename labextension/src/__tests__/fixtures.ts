/** Notebook JSON builders for the tests, in the shape nbformat saves. */
import { ICellLike, INotebookLike, IOutputLike, MIME } from '../tokens';

export const PROBLEM_SOURCE = `%%problem onboarding
Trial admins don't reach a first shared dashboard, so most trials never invite a
teammate and few convert.
segment: trial admins at companies with 10-200 employees
metric: invite_rate = share of trials inviting a teammate within 7 days (baseline 0.18)
metric: paid_rate = share of trials converting to paid within 30 days (baseline 0.06)
constraint: no pricing changes this quarter`;

export const H1_SOURCE = `%%hypothesis H1 --metric invite_rate --target 0.30 --risk value
We believe a guided onboarding checklist for new trial admins will raise the share
who invite a teammate within 7 days, because admins don't see that the product is
built for teams.`;

let counter = 0;

export function code(source: string, outputs: IOutputLike[] = [], executionCount: number | null = null): ICellLike {
  counter += 1;
  // nbformat stores sources as lists of lines; exercise that form.
  const lines = source.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
  return { id: `cell-${counter}`, cell_type: 'code', source: lines, execution_count: executionCount, outputs };
}

export function markdown(source: string): ICellLike {
  counter += 1;
  return { id: `cell-${counter}`, cell_type: 'markdown', source };
}

export function display(mime: string, data: unknown): IOutputLike {
  return { output_type: 'display_data', data: { [mime]: data, 'text/plain': '<repr>' } };
}

export function notebook(...cells: ICellLike[]): INotebookLike {
  return { cells };
}

export const problemBundle = {
  name: 'onboarding',
  statement: "Trial admins don't reach a first shared dashboard.",
  segment: 'trial admins at companies with 10-200 employees',
  metrics: [
    { name: 'invite_rate', description: 'share of trials inviting a teammate within 7 days', baseline: 0.18 },
    { name: 'paid_rate', description: 'share of trials converting to paid within 30 days', baseline: 0.06 }
  ],
  constraints: ['no pricing changes this quarter'],
  outcome: null,
  created_at: '2026-03-01T10:00:00Z'
};

export function hypothesisBundle(overrides: Record<string, unknown> = {}) {
  return {
    id: 'H1',
    problem: 'onboarding',
    statement:
      "We believe a guided onboarding checklist for new trial admins will raise the share who invite a teammate within 7 days, because admins don't see that the product is built for teams.",
    metric: 'invite_rate',
    target: 0.3,
    baseline: 0.18,
    risk: 'value',
    status: 'draft',
    warnings: [],
    created_at: '2026-03-01T10:01:00Z',
    updated_at: '2026-03-01T10:01:00Z',
    ...overrides
  };
}

export function resultBundle(overrides: Record<string, unknown> = {}) {
  return {
    hypothesis: 'H1',
    metric: 'invite_rate',
    metric_kind: 'proportion',
    control: { name: 'control', n: 2400, sum: 432, sum_squares: 432, mean: 0.18 },
    treatment: { name: 'checklist', n: 2400, sum: 648, sum_squares: 648, mean: 0.27 },
    target: 0.3,
    baseline: 0.18,
    lift: 0.09,
    relative_lift: 0.5,
    ci_low: 0.066,
    ci_high: 0.114,
    p_value: 0.0000001,
    chance_to_beat: 0.9999,
    observed: 0.27,
    verdict: 'inconclusive',
    reason: 'The lift is significant but 0.27 is below the target 0.30.',
    guards: [],
    required_n_per_arm: null,
    look: 1,
    recorded_at: '2026-03-02T09:00:00Z',
    ...overrides
  };
}

export const RESULT = MIME.result;
