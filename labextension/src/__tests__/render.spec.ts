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

  // A hand-edited notebook, an older or newer disco_magics, another tool's JSON under our type.
  const FOREIGN: unknown[] = [
    null,
    'junk',
    42,
    [],
    { rows: 'x' },
    { rows: [{ id: 1 }, null, 'x'], problem: { evil: true } },
    { rows: [{ id: 'H1', statement: 5, n: 'many', lift: {}, ci_low: [], risk: 7, verdict: ['x'] }] },
    { problems: 'x' },
    { problems: [{ problem: { name: 'p', metrics: 'x' }, cards: [{ hypothesis: { id: 'H1' }, result: 'x', decision: 7 }] }] },
    { name: 'p', metrics: [null, { name: 'm' }], constraints: 'x' },
    { hypothesis: 'H1', control: 'x', treatment: { n: 'x' }, guards: 'x' }
  ];
  it.each(Object.values(MIME).flatMap(mime => FOREIGN.map(data => [mime, data] as [string, unknown])))(
    '%s with foreign data %j renders as one line or tolerantly, never throws',
    (mime, data) => {
      const host = render(mime, data);
      const unreadable = host.querySelector('.jp-DiscoUnreadable');
      if (unreadable) {
        expect(host.children.length).toBe(1);
        expect(unreadable.textContent).toMatch(/^This saved disco [a-z]+ could not be read\.$/);
      }
      expect(host.textContent).not.toMatch(/undefined|NaN|\[object Object\]/);
    }
  );

  it('catches a renderer that throws and shows one line', () => {
    const rows = new Proxy([], { get: () => { throw new Error('boom'); } });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const host = render(MIME.experiments, { rows });
    expect(host.textContent).toBe('This saved disco experiments could not be read.');
    warn.mockRestore();
  });
});

describe('learning report', () => {
  const report = {
    problems: [
      {
        problem: problemBundle,
        cards: [
          {
            hypothesis: hypothesisBundle({ status: 'validated' }),
            result: resultBundle({ verdict: 'validated', reason: 'Observed 0.27 reaches the target 0.25.' }),
            looks: 2,
            decision: { hypothesis: 'H1', decision: 'persevere', learning: 'Admins invite once they see teammates', without_evidence: false }
          },
          { hypothesis: hypothesisBundle({ id: 'H2', statement: 'A <b>discount</b> will help', status: 'draft' }), result: null, looks: 0, decision: null }
        ]
      }
    ],
    generated_at: '2026-03-05T12:34:56Z'
  };

  it('shows each problem, then a learning card per hypothesis', () => {
    const host = render(MIME.report, report);
    const region = host.querySelector('[role="region"][aria-label="Learning report"]')!;
    expect(region.querySelector('.jp-DiscoReport-title')!.textContent).toBe('Learning report · as of 2026-03-05 12:34');
    expect(region.querySelector('[aria-label="Problem onboarding"]')).not.toBeNull();
    const cards = [...region.querySelectorAll('[data-testid="disco-learning-card"]')];
    expect(cards.map(c => c.getAttribute('aria-label'))).toEqual(['Learning H1', 'Learning H2']);
    const facts = (card: Element) =>
      [...card.querySelectorAll('dt')].map(dt => `${dt.textContent}: ${dt.nextElementSibling!.textContent}`);
    expect(facts(cards[0])).toEqual([
      expect.stringMatching(/^We believed: /),
      'We observed: Observed 0.27 reaches the target 0.25.',
      'We learned: Admins invite once they see teammates',
      'Therefore we will: persevere'
    ]);
    expect(cards[0].querySelector('.jp-DiscoBadge')!.textContent).toBe('validated');
    expect(cards[0].querySelector('svg[role="img"]')).not.toBeNull();
    expect(cards[0].textContent).toContain('2 looks');
    expect(facts(cards[1])).toEqual([
      'We believed: A <b>discount</b> will help',
      'We observed: nothing yet: no result recorded',
      'We learned: not written down yet',
      'Therefore we will: decide: persevere, pivot, kill or iterate'
    ]);
    expect(cards[1].querySelector('b')).toBeNull();
    expect(host.textContent).not.toMatch(/null|NaN|undefined/);
  });

  it('says when there is nothing yet', () => {
    expect(render(MIME.report, { problems: [] }).textContent).toContain('No problems recorded yet.');
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
