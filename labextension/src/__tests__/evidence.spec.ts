import { DiscoveryPanel } from '../panel';
import { draftCells, draftsToInsert, excerpt, parseEvidenceCell } from '../parse';
import { notebookToState, outputJSON } from '../state';
import { DRAFTS_MIME } from '../tokens';
import { code, display, H1_SOURCE, notebook, PROBLEM_SOURCE } from './fixtures';

const INTERVIEW = `%%evidence H1 --kind interview --source "call with a trial admin, 2026-11-30" --signal supports
She never invited anyone because she thought
the product was for analysts only.`;

describe('parseEvidenceCell', () => {
  it('reads the options and the notes', () => {
    expect(parseEvidenceCell(INTERVIEW)).toEqual({
      id: 'H1',
      kind: 'interview',
      source: 'call with a trial admin, 2026-11-30',
      signal: 'supports',
      problem: null,
      text: 'She never invited anyone because she thought the product was for analysts only.'
    });
  });

  it('leaves an unknown or missing signal out, and ignores other cells', () => {
    expect(parseEvidenceCell('%%evidence H2 --kind survey --signal maybe\nmeh')!.signal).toBeNull();
    expect(parseEvidenceCell('%%evidence H2 --kind survey\nmeh')!.signal).toBeNull();
    expect(parseEvidenceCell('%%evidence\nno id')).toBeNull();
    expect(parseEvidenceCell(H1_SOURCE)).toBeNull();
  });

  it('cuts long notes to an excerpt', () => {
    expect(excerpt('a '.repeat(200), 20)).toBe('a a a a a a a a a a…');
  });
});

describe('drafted hypothesis cells', () => {
  const cells = ['%%hypothesis H2 --target 0.2\nA', '%%hypothesis H3 --target 0.2\nB', '%%hypothesis H4 --target 0.2\nC'];

  it('reads the cells of a drafts payload, strings only', () => {
    const output = display(DRAFTS_MIME, { problem: 'onboarding', cells: [...cells, 3, ''] });
    expect(draftCells(outputJSON(output, DRAFTS_MIME))).toEqual(cells);
    expect(draftCells(null)).toEqual([]);
    expect(draftCells({ cells: 'nope' })).toEqual([]);
  });

  it('inserts only the drafts the kernel could not: set_next_input already put the last one below', () => {
    expect(draftsToInsert(cells, cells[2])).toEqual(cells.slice(0, 2));
    expect(draftsToInsert(cells, `${cells[2]}\n`)).toEqual(cells.slice(0, 2));
    expect(draftsToInsert(cells, '%measure H1 --observed 0.2 --n 10')).toEqual(cells);
    expect(draftsToInsert(cells, null)).toEqual(cells);
  });
});

describe('evidence from users in the state and the panel', () => {
  const nb = notebook(
    code(PROBLEM_SOURCE),
    code(H1_SOURCE),
    code(INTERVIEW),
    code('%%evidence H1 --kind support --signal contradicts\n<img src=x onerror=alert(1)> IT blocks invites'),
    code('%%evidence H9 --kind survey --signal neutral\nnot a known hypothesis')
  );
  const state = notebookToState(nb);

  it('attaches each %%evidence cell to its hypothesis, in document order', () => {
    const [h1] = state.problems[0].hypotheses;
    expect(h1.heard.map(e => [e.signal, e.kind, e.cell.index])).toEqual([
      ['supports', 'interview', 2],
      ['contradicts', 'support', 3]
    ]);
    expect(h1.heard[0].source).toBe('call with a trial admin, 2026-11-30');
  });

  it('lists them under the hypothesis, escaped, with a jump to the cell', () => {
    const panel = new DiscoveryPanel();
    panel.render({ title: 'n.ipynb', state, activeIndex: 0 });
    const heard = panel.node.querySelector<HTMLElement>('[data-testid="disco-heard"]')!;
    expect(heard.textContent).toContain('Heard from users: 2 (1 supporting, 1 contradicting)');
    const items = [...heard.querySelectorAll<HTMLElement>('[data-testid="disco-heard-item"]')];
    expect(items.map(i => i.dataset.signal)).toEqual(['supports', 'contradicts']);
    expect(items[0].textContent).toContain('“She never invited anyone because she thought the product was for analysts only.”');
    expect(heard.querySelector('img')).toBeNull();
    expect(items[1].textContent).toContain('<img src=x onerror=alert(1)> IT blocks invites');
    const jumps: number[] = [];
    panel.jumpRequested.connect((_, ref) => jumps.push(ref.index));
    items[1].querySelector<HTMLElement>('button')!.click();
    expect(jumps).toEqual([3]);
  });
});
