import { DiscoveryPanel, PANEL_ID } from '../panel';
import { notebookToState } from '../state';
import { ICellRef, MIME } from '../tokens';
import { code, display, H1_SOURCE, hypothesisBundle, notebook, PROBLEM_SOURCE, resultBundle } from './fixtures';

function byLabel(panel: DiscoveryPanel, label: string): HTMLElement {
  const el = panel.node.querySelector<HTMLElement>(`[aria-label="${label}"]`);
  if (!el) {
    throw new Error(`no element labelled ${label}`);
  }
  return el;
}

describe('DiscoveryPanel', () => {
  const nb = notebook(
    code(PROBLEM_SOURCE),
    code(H1_SOURCE, [display(MIME.hypothesis, hypothesisBundle())], 1),
    code('%measure H1 --observed 0.27 --n 2400', [display(MIME.result, resultBundle({ verdict: 'validated' }))], 2),
    code('%%hypothesis H2 --metric paid_rate --target 0.1 --risk viability\n<b>bold</b> claim')
  );
  const state = notebookToState(nb);

  it('has a stable id and region role', () => {
    const panel = new DiscoveryPanel();
    expect(panel.id).toBe(PANEL_ID);
    expect(panel.node.getAttribute('role')).toBe('region');
    expect(panel.node.querySelector('[data-testid="disco-empty"]')!.textContent).toContain('Open a notebook');
    expect(byLabel(panel, 'Insert problem cell').hasAttribute('disabled')).toBe(true);
  });

  it('shows the problem, metrics and each hypothesis with status and verdict', () => {
    const panel = new DiscoveryPanel();
    panel.render({ title: 'onboarding.ipynb', state, activeIndex: 1 });
    expect(panel.node.querySelector('[data-testid="disco-notebook-name"]')!.textContent).toBe('onboarding.ipynb');
    expect(panel.node.querySelector('[data-testid="disco-summary"]')!.textContent).toBe('2 hypotheses: 1 validated, 1 open');
    const problem = byLabel(panel, 'Problem onboarding');
    expect([...problem.querySelectorAll('[data-testid="disco-metric"]')].map(m => m.getAttribute('data-metric'))).toEqual(['invite_rate', 'paid_rate']);
    const items = [...panel.node.querySelectorAll<HTMLElement>('[data-testid="disco-hypothesis"]')];
    expect(items.map(i => [i.dataset.hypothesis, i.dataset.status])).toEqual([
      ['H1', 'validated'],
      ['H2', 'draft']
    ]);
    expect(items[0].querySelector('[data-testid="disco-target"]')!.textContent).toBe('invite_rate 0.18 → 0.3');
    expect(items[0].querySelector('[data-testid="disco-verdict"]')!.getAttribute('data-verdict')).toBe('validated');
    expect(items[0].textContent).toContain('value risk');
    expect(items[1].querySelector('[data-testid="disco-verdict"]')!.textContent).toBe('No evidence yet.');
    expect(items[1].textContent).toContain('Not run yet.');
    // Text from the document stays text.
    expect(items[1].querySelector('b')).toBeNull();
    expect(items[1].textContent).toContain('<b>bold</b> claim');
    // The active cell's entry is marked current.
    expect(byLabel(panel, 'Go to hypothesis H1').getAttribute('aria-current')).toBe('true');
    panel.setActiveIndex(0);
    expect(byLabel(panel, 'Go to hypothesis H1').hasAttribute('aria-current')).toBe(false);
    expect(byLabel(panel, 'Go to problem onboarding').getAttribute('aria-current')).toBe('true');
  });

  it('asks to jump to an entry cell or its evidence, and to insert cells', () => {
    const panel = new DiscoveryPanel();
    panel.render({ title: 'x', state, activeIndex: -1 });
    const jumps: ICellRef[] = [];
    const inserts: string[] = [];
    panel.jumpRequested.connect((_, ref) => jumps.push(ref));
    panel.insertRequested.connect((_, kind) => inserts.push(kind));
    byLabel(panel, 'Go to hypothesis H2').click();
    byLabel(panel, 'Go to evidence for H1').click();
    byLabel(panel, 'Go to problem onboarding').click();
    byLabel(panel, 'Insert measure cell').click();
    expect(jumps).toEqual([nb.cells[3], nb.cells[2], nb.cells[0]].map((c, i) => ({ index: [3, 2, 0][i], id: c.id })));
    expect(inserts).toEqual(['measure']);
  });

  it('shows the last rehearsal apart from the evidence, without changing the status', () => {
    const rehearsed = notebook(
      code(PROBLEM_SOURCE),
      code(H1_SOURCE, [display(MIME.hypothesis, hypothesisBundle())], 1),
      code('%measure H1 --data rehearsal', [display(MIME.result, resultBundle({ verdict: 'validated', rehearsal: true }))], 2)
    );
    const panel = new DiscoveryPanel();
    panel.render({ title: 'x.ipynb', state: notebookToState(rehearsed), activeIndex: 1 });
    const item = panel.node.querySelector<HTMLElement>('[data-hypothesis="H1"]')!;
    expect(item.dataset.status).toBe('draft');
    expect(item.querySelector('[data-testid="disco-verdict"]')!.getAttribute('data-verdict')).toBe('none');
    const rehearsal = item.querySelector<HTMLElement>('[data-testid="disco-rehearsal"]')!;
    expect(rehearsal.textContent).toContain('Rehearsal on synthetic data: validated');
    expect(rehearsal.textContent).toContain('not evidence');
    const jumps: ICellRef[] = [];
    panel.jumpRequested.connect((_, ref) => jumps.push(ref));
    byLabel(panel, 'Go to rehearsal for H1').click();
    expect(jumps.map(j => j.index)).toEqual([2]);
  });

  it('invites a first problem in a notebook without discovery cells', () => {
    const panel = new DiscoveryPanel();
    panel.render({ title: 'empty.ipynb', state: notebookToState(notebook(code('x = 1'))), activeIndex: 0 });
    expect(panel.node.querySelector('[data-testid="disco-empty"]')!.textContent).toContain('No discovery cells');
    expect(byLabel(panel, 'Insert problem cell').hasAttribute('disabled')).toBe(false);
  });
});
