import { notebookToState } from '../state';
import { cellTemplate, nextHypothesisId } from '../templates';
import { ICellTemplate, MIME } from '../tokens';
import { parseHypothesisCell, parseMeasureLines, parseProblemCell, parseSynthCell } from '../parse';
import { code, display, H1_SOURCE, notebook, PROBLEM_SOURCE, resultBundle } from './fixtures';

/** The text the template selects, so tests read like what the user sees. */
function selected(t: ICellTemplate): string {
  const lines = t.source.split('\n');
  const { start, end } = t.selection;
  expect(start.line).toBe(end.line);
  return lines[start.line].slice(start.column, end.column);
}

const empty = notebookToState(notebook());
const withProblem = notebookToState(notebook(code(PROBLEM_SOURCE), code(H1_SOURCE)));

describe('problem template', () => {
  it('parses as a problem and selects its name', () => {
    const t = cellTemplate('problem', empty, -1);
    const p = parseProblemCell(t.source)!;
    expect(p.name).toBe('new_problem');
    expect(p.metrics).toHaveLength(1);
    expect(selected(t)).toBe('new_problem');
  });

  it('picks a free name', () => {
    const state = notebookToState(notebook(code('%%problem new_problem\nx')));
    expect(parseProblemCell(cellTemplate('problem', state, 0).source)!.name).toBe('new_problem_2');
  });
});

describe('hypothesis template', () => {
  it('uses the next id and the problem metric, baseline and segment', () => {
    const t = cellTemplate('hypothesis', withProblem, 1);
    const h = parseHypothesisCell(t.source)!;
    expect(h).toMatchObject({ id: 'H2', metric: 'invite_rate', target: 0.27, risk: 'value', problem: null });
    expect(h.textBaseline).toBe(0.18);
    expect(t.source).toContain('for trial admins at companies with 10-200 employees');
    expect(selected(t)).toBe('[what we change]');
  });

  it('names the problem when it is not the current one', () => {
    const state = notebookToState(
      notebook(code('%%problem alpha\nA.\nmetric: m = x (baseline 4)'), code('%%problem beta\nB.\nmetric: n = y'))
    );
    const h = parseHypothesisCell(cellTemplate('hypothesis', state, 0).source)!;
    expect(h).toMatchObject({ id: 'H1', metric: 'm', target: 6, problem: 'alpha' });
  });

  it('numbers past the highest H id', () => {
    const state = notebookToState(notebook(code('%%hypothesis H9\nx'), code('%%hypothesis Hx\ny')));
    expect(nextHypothesisId(state)).toBe('H10');
  });
});

describe('synth template', () => {
  it('plants the hypothesis effect in a seeded spec', () => {
    const t = cellTemplate('synth', withProblem, 1);
    expect(parseSynthCell(t.source)).toEqual({
      name: 'trials',
      rows: 2000,
      seed: 7,
      forId: 'H1',
      effect: { metric: 'invite_rate', group: 'variant', treatment: 'treatment', control: 'control' }
    });
    expect(t.source.split('\n').slice(1)).toEqual([
      'variant: choice(control=0.5, treatment=0.5)',
      'invite_rate: bernoulli(0.18)',
      'invite_rate[variant=treatment]: bernoulli(0.3)'
    ]);
    expect(selected(t)).toBe('trials');
  });

  it('uses a normal distribution for a mean metric', () => {
    const state = notebookToState(notebook(code('%%problem p\nx\nmetric: seats = seats per trial (baseline 3)'), code('%%hypothesis H1 --metric seats --target 4\nMore seats.')));
    expect(cellTemplate('synth', state, 1).source).toContain('seats[variant=treatment]: normal(4, 2)');
  });
});

describe('measure template', () => {
  it('measures the dataset made for the hypothesis', () => {
    const state = notebookToState(
      notebook(
        code(PROBLEM_SOURCE),
        code(H1_SOURCE),
        code('%%synth trials --rows 10 --for H1\narm: choice(old=0.5, checklist=0.5)\ninvited: bernoulli(0.18)\ninvited[arm=checklist]: bernoulli(0.27)')
      )
    );
    const t = cellTemplate('measure', state, 2);
    expect(t.source).toBe('%measure H1 --data trials --metric invited --group arm --control old');
    expect(t.selection.start).toEqual({ line: 0, column: t.source.length });
  });

  it('falls back to aggregates and selects the observed value', () => {
    const t = cellTemplate('measure', withProblem, 1);
    const [m] = parseMeasureLines(t.source);
    expect(m.id).toBe('H1');
    expect(m.options.get('baseline')).toBe('0.18');
    expect(selected(t)).toBe('0.3');
  });

  it('follows the hypothesis nearest above the insertion point', () => {
    const state = notebookToState(
      notebook(
        code(H1_SOURCE),
        code('%%hypothesis H2 --metric paid_rate --target 0.1\nx'),
        code('%measure H1 --observed 1 --n 1', [display(MIME.result, resultBundle())])
      )
    );
    expect(cellTemplate('measure', state, 1).source).toMatch(/^%measure H2 /);
    // Without a planted effect, the hypothesis metric and the template's own names.
    const plain = notebookToState(notebook(code(H1_SOURCE), code('%%synth d --for H1\nx: normal(0, 1)')));
    expect(cellTemplate('measure', plain, 1).source).toBe('%measure H1 --data d --metric invite_rate --group variant --control control');
    expect(cellTemplate('measure', state, 2).source).toMatch(/^%measure H1 /);
  });
});
