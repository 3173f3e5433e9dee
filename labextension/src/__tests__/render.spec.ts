import { renderBundle } from '../render';
import { notebookToState, summary } from '../state';
import { MIME } from '../tokens';
import { code, display, H1_SOURCE, hypothesisBundle, notebook, PROBLEM_SOURCE, problemBundle, resultBundle } from './fixtures';

const EVIL = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>';

function render(mime: string, data: unknown): HTMLElement {
  const host = document.createElement('div');
  host.appendChild(renderBundle(mime, data));
  document.body.replaceChildren(host);
  return host;
}

describe('renderers escape everything from the document', () => {
  it.each([
    [MIME.problem, { ...problemBundle, name: EVIL, statement: EVIL, metrics: [{ name: EVIL, description: EVIL, baseline: 1 }], constraints: [EVIL] }],
    [MIME.hypothesis, hypothesisBundle({ id: EVIL, statement: EVIL, risk: EVIL, status: EVIL, warnings: [EVIL] })],
    [MIME.result, resultBundle({ hypothesis: EVIL, reason: EVIL, guards: [EVIL], verdict: EVIL })],
    [MIME.experiments, { rows: [{ id: EVIL, statement: EVIL, learning: EVIL, decision: EVIL, verdict: EVIL, status: EVIL, risk: EVIL }], problem: EVIL }]
  ])('%s', (mime, data) => {
    const host = render(mime, data);
    expect(host.querySelector('img, script')).toBeNull();
    expect(host.textContent).toContain(EVIL);
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
  });
});

describe('cards', () => {
  it('shows a problem with its metrics table', () => {
    const host = render(MIME.problem, problemBundle);
    const card = host.querySelector('[role="article"]')!;
    expect(card.getAttribute('aria-label')).toBe('Problem onboarding');
    const rows = [...host.querySelectorAll('table[aria-label="Metrics"] tbody tr')].map(r => r.textContent);
    expect(rows).toEqual([
      'invite_rateshare of trials inviting a teammate within 7 days0.18',
      'paid_rateshare of trials converting to paid within 30 days0.06'
    ]);
    expect(host.querySelector('[aria-label="Constraints"]')!.textContent).toBe('no pricing changes this quarter');
  });

  it('shows a hypothesis with risk, move and status', () => {
    const host = render(MIME.hypothesis, hypothesisBundle({ warnings: ['target is far above baseline'] }));
    expect(host.querySelector('.jp-DiscoBadge')!.getAttribute('data-status')).toBe('draft');
    expect(host.textContent).toContain('value risk');
    expect(host.textContent).toContain('invite_rate 0.18 → 0.3');
    expect(host.querySelector('[aria-label="Warnings"]')!.textContent).toBe('target is far above baseline');
  });

  it('shows a result with its figures, chart and arms', () => {
    const host = render(MIME.result, resultBundle({ guards: ['peeking: look 3'], required_n_per_arm: 1234.2 }));
    expect(host.querySelector('.jp-DiscoBadge')!.textContent).toBe('inconclusive');
    expect(host.querySelector('[data-testid="disco-observed"]')!.textContent).toBe('Observed0.27');
    expect(host.textContent).toContain('+0.09 (+50%)');
    expect(host.textContent).toContain('[+0.066, +0.114]');
    expect(host.textContent).toContain('< 0.001');
    expect(host.querySelector('svg[role="img"]')!.getAttribute('aria-label')).toBe(
      '95% CI of the lift from +0.066 to +0.114; the target needs +0.12'
    );
    const arms = [...host.querySelectorAll('table[aria-label="Arms"] tbody tr')].map(r => r.textContent);
    expect(arms).toEqual(['control2,4000.18', 'checklist2,4000.27']);
    expect(host.textContent).toContain('About 1,235 users per arm');
  });

  it('labels a rehearsal result as a rehearsal, not evidence', () => {
    const host = render(MIME.result, resultBundle({ verdict: 'validated', rehearsal: true }));
    expect(host.querySelector('[data-testid="disco-rehearsal"]')!.textContent).toContain('synthetic data with the effect you planted');
    expect(host.textContent).toContain('Rehearsal');
    const real = render(MIME.result, resultBundle({ verdict: 'validated' }));
    expect(real.querySelector('[data-testid="disco-rehearsal"]')).toBeNull();
  });

  it('marks the target where Python put it (target_lift), not where it would compute it', () => {
    // the fixture's control mean (0.18) would put it at +0.12; the number Python sends is the one drawn
    const host = render(MIME.result, resultBundle({ target_lift: 0.1 }));
    expect(host.querySelector('svg[role="img"]')!.getAttribute('aria-label')).toBe(
      '95% CI of the lift from +0.066 to +0.114; the target needs +0.1'
    );
  });

  it('tolerates a result with almost nothing', () => {
    const host = render(MIME.result, { hypothesis: 'H1' });
    expect(host.querySelector('.jp-DiscoBadge')!.textContent).toBe('inconclusive');
    expect(host.querySelector('svg')).toBeNull();
    expect(host.textContent).not.toMatch(/null|NaN|undefined/);
  });

  it('renders the experiment table, one row per hypothesis', () => {
    const host = render(MIME.experiments, {
      rows: [
        { id: 'H1', statement: 'Checklist', risk: 'value', metric: 'invite_rate', baseline: 0.18, target: 0.3, observed: 0.27, lift: 0.09, ci_low: 0.07, ci_high: 0.11, n: 4800, p_value: 0.0001, verdict: 'inconclusive', status: 'inconclusive', decision: 'iterate', learning: 'Works, not enough', without_evidence: false },
        { id: 'H2', statement: 'Discount', status: 'draft', decision: 'kill', without_evidence: true }
      ],
      problem: 'onboarding',
      generated_at: '2026-03-05T12:34:56Z'
    });
    const table = host.querySelector('table[aria-label="Experiment table"]')!;
    expect(table.querySelector('caption')!.textContent).toBe('Experiments · problem onboarding · as of 2026-03-05 12:34');
    const rows = [...table.querySelectorAll<HTMLElement>('[data-testid="disco-experiment-row"]')];
    expect(rows.map(r => r.getAttribute('data-hypothesis'))).toEqual(['H1', 'H2']);
    const cells = [...rows[0].querySelectorAll('td')].map(td => td.textContent);
    expect(cells).toEqual(['H1 value riskChecklist', 'invite_rate0.18 → 0.3', '0.27n 4,800', '+0.09[+0.07, +0.11]p < 0.001', 'inconclusive', 'iterate']);
    // The learning gets a full-width row under its hypothesis.
    const learning = table.querySelector('[data-testid="disco-experiment-learning"]')!;
    expect(learning.previousElementSibling).toBe(rows[0]);
    expect(learning.textContent).toBe('Learning Works, not enough');
    // Without a verdict the row shows its status.
    expect(rows[1].querySelector('.jp-DiscoBadge')!.getAttribute('data-status')).toBe('draft');
    expect(rows[1].textContent).toContain('without evidence');
    expect(rows[1].textContent).not.toMatch(/null|NaN|undefined/);
  });

  it('says so when a bundle cannot be read', () => {
    expect(render(MIME.experiments, { nope: 1 }).textContent).toContain('could not be read');
    expect(render(MIME.problem, 'junk').querySelector('[role="note"]')).not.toBeNull();
  });
});

describe('panel summary', () => {
  it('counts hypotheses by outcome', () => {
    const state = notebookToState(
      notebook(
        code(PROBLEM_SOURCE),
        code(H1_SOURCE),
        code('%%hypothesis H2 --metric paid_rate --target 0.1\nx'),
        code('%measure H1', [display(MIME.result, resultBundle({ verdict: 'validated' }))])
      )
    );
    expect(summary(state)).toBe('2 hypotheses: 1 validated, 1 open');
  });
});
