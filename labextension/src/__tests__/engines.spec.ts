/**
 * Issue 13 in the front end: a result says which interval it computed (fixed, always-valid,
 * credible), a Bayesian one shows its risk instead of a p-value, and a hypothesis whose goalposts
 * moved after data is marked post hoc on its card, in the table and in the side panel.
 */
import { DiscoveryPanel } from '../panel';
import { intervalLabel, renderBundle, testLabel } from '../render';
import { notebookToState } from '../state';
import { MIME } from '../tokens';
import { code, display, H1_SOURCE, hypothesisBundle, notebook, PROBLEM_SOURCE, resultBundle } from './fixtures';

function render(mime: string, data: unknown): HTMLElement {
  const host = document.createElement('div');
  host.appendChild(renderBundle(mime, data));
  document.body.replaceChildren(host);
  return host;
}

describe('result cards name the test they show', () => {
  it('keeps the fixed-horizon words for a first look', () => {
    const data = resultBundle({ engine: 'frequentist', sequential: false });
    expect(intervalLabel(data)).toBe('95% CI');
    expect(testLabel(data)).toBeNull();
    const host = render(MIME.result, data);
    expect(host.textContent).toContain('p-value');
    expect(host.textContent).not.toContain('always-valid');
  });

  it('labels an always-valid interval and its tuning', () => {
    const data = resultBundle({ engine: 'frequentist', sequential: true, sequential_tuning: 4800, look: 3 });
    const host = render(MIME.result, data);
    expect(host.textContent).toContain('95% always-valid CI');
    expect(host.textContent).toContain('Sequential p-value');
    expect(host.textContent).toContain('sequential (N* = 4,800 users)');
    expect(host.querySelector('svg[role="img"]')!.getAttribute('aria-label')).toMatch(/^95% always-valid CI of the lift/);
  });

  it('shows a Bayesian result with its credible interval and risk, not a p-value', () => {
    const data = resultBundle({ engine: 'bayesian', sequential: null, risk: 0.0004, covariate: 'invited_before' });
    const host = render(MIME.result, data);
    expect(host.textContent).toContain('95% credible interval');
    expect(host.textContent).toContain('Risk');
    expect(host.textContent).not.toContain('p-value');
    expect(testLabel(data)).toBe('Bayesian + CUPED on invited_before');
  });
});

describe('side panel evidence', () => {
  const panelFor = (result: Record<string, unknown>) => {
    const nb = notebook(
      code(PROBLEM_SOURCE),
      code(H1_SOURCE, [display(MIME.hypothesis, hypothesisBundle())], 1),
      code('%measure H1 --observed 0.27 --n 2400', [display(MIME.result, resultBundle(result))], 2)
    );
    const panel = new DiscoveryPanel();
    panel.render({ title: 'n.ipynb', state: notebookToState(nb), activeIndex: 1 });
    return panel.node.querySelector('[data-testid="disco-verdict"]')!.textContent!;
  };

  it('names the sequential p-value and the Bayesian chance to beat', () => {
    expect(panelFor({ sequential: false })).toMatch(/ · p /);
    expect(panelFor({ sequential: true })).toContain('sequential p');
    const bayes = panelFor({ engine: 'bayesian', chance_to_beat: 0.97, p_value: 0.06 });
    expect(bayes).toContain('chance to beat 97');
    expect(bayes).not.toMatch(/ p /);
  });
});

describe('plan', () => {
  it('shows the planned horizon on the hypothesis card', () => {
    const host = render(
      MIME.hypothesis,
      hypothesisBundle({ plan: { fixed_n: [537, 537], sequential_n: [1028, 1028], traffic: 400, fixed_days: 3 } })
    );
    expect(host.querySelector('[data-testid="disco-plan"]')!.textContent).toBe(
      '537 per arm (fixed horizon), 1,028 per arm (sequential) · 3 days at 400 users a day'
    );
    expect(render(MIME.hypothesis, hypothesisBundle()).querySelector('[data-testid="disco-plan"]')).toBeNull();
  });
});

describe('post hoc', () => {
  const moved = hypothesisBundle({
    post_hoc: true,
    target: 0.25,
    changes: [{ field: 'target', old: '0.3', new: '0.25', at: '2026-12-02T04:10:00Z' }]
  });

  it('marks the hypothesis card with what changed', () => {
    const host = render(MIME.hypothesis, moved);
    const list = host.querySelector('[aria-label="Post hoc"]')!;
    expect(list.textContent).toContain('goalposts moved after data');
    expect(list.textContent).toContain('target 0.3 → 0.25');
    expect(render(MIME.hypothesis, hypothesisBundle()).querySelector('[aria-label="Post hoc"]')).toBeNull();
  });

  it('marks the row in the experiment table', () => {
    const host = render(MIME.experiments, { rows: [{ id: 'H1', post_hoc: true }, { id: 'H2', post_hoc: false }] });
    const marks = [...host.querySelectorAll('[data-testid="disco-post-hoc"]')];
    expect(marks.length).toBe(1);
    expect(marks[0].closest('[data-hypothesis]')!.getAttribute('data-hypothesis')).toBe('H1');
  });

  it('flags the hypothesis in the side panel', () => {
    const nb = notebook(code(PROBLEM_SOURCE), code(H1_SOURCE.replace('0.30', '0.25'), [display(MIME.hypothesis, moved)], 1));
    const state = notebookToState(nb);
    const panel = new DiscoveryPanel();
    panel.render({ title: 'n.ipynb', state, activeIndex: 1 });
    const flag = panel.node.querySelector('[data-testid="disco-post-hoc"]')!;
    expect(flag.textContent).toBe('⚑ Post hoc: goalposts moved after data');
    expect(flag.closest('[data-hypothesis]')!.getAttribute('data-hypothesis')).toBe('H1');
  });
});
