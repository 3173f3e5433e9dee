import { errorLine, notebookToState, problemAt } from '../state';
import { MIME } from '../tokens';
import {
  code,
  display,
  H1_SOURCE,
  hypothesisBundle,
  markdown,
  notebook,
  PROBLEM_SOURCE,
  problemBundle,
  resultBundle
} from './fixtures';

const usageError = (text: string) => ({ output_type: 'stream', name: 'stderr', text: `UsageError: ${text}\n` });

describe('notebookToState from sources alone (no kernel has run)', () => {
  const nb = notebook(
    markdown('# Onboarding discovery'),
    code(PROBLEM_SOURCE),
    code(H1_SOURCE),
    code('%%hypothesis H2 --target 0.10 --risk viability\nAn annual plan discount will raise paid_rate.'),
    code('%%synth trials --rows 20000 --seed 7 --for H1\nvariant: choice(control=0.5, checklist=0.5)'),
    code('%measure H1 --data trials --metric invited --group variant --control control')
  );
  const state = notebookToState(nb);

  it('reads the problem and its metrics', () => {
    expect(state.problems).toHaveLength(1);
    const [p] = state.problems;
    expect(p).toMatchObject({
      name: 'onboarding',
      segment: 'trial admins at companies with 10-200 employees',
      constraints: ['no pricing changes this quarter'],
      ran: false,
      error: null,
      cell: { index: 1, id: nb.cells[1].id }
    });
    expect(p.metrics).toEqual([
      { name: 'invite_rate', description: 'share of trials inviting a teammate within 7 days', baseline: 0.18 },
      { name: 'paid_rate', description: 'share of trials converting to paid within 30 days', baseline: 0.06 }
    ]);
    expect(state.currentProblem).toBe('onboarding');
  });

  it('attaches hypotheses to the problem above, with the metric baseline as default', () => {
    const [h1, h2] = state.problems[0].hypotheses;
    expect(h1).toMatchObject({
      id: 'H1',
      problem: 'onboarding',
      metric: 'invite_rate',
      target: 0.3,
      baseline: 0.18,
      risk: 'value',
      status: 'draft',
      evidence: null,
      ran: false,
      edited: false,
      datasets: ['trials'],
      measures: [{ index: 5, id: nb.cells[5].id }]
    });
    // No --metric: the one declared metric named in the statement is the metric.
    expect(h2).toMatchObject({ id: 'H2', metric: 'paid_rate', baseline: 0.06, target: 0.1, risk: 'viability' });
    expect(state.unassigned).toEqual([]);
  });

  it('lists synth datasets', () => {
    expect(state.datasets).toEqual([
      { name: 'trials', rows: 20000, seed: 7, forId: 'H1', effect: null, cell: { index: 4, id: nb.cells[4].id } }
    ]);
  });
});

describe('notebookToState with saved outputs', () => {
  it('takes the status and evidence from the latest result in any cell', () => {
    const nb = notebook(
      code(PROBLEM_SOURCE, [display(MIME.problem, problemBundle)], 1),
      code(H1_SOURCE, [display(MIME.hypothesis, hypothesisBundle())], 2),
      code('%measure H1 --observed 0.2 --n 100', [display(MIME.result, resultBundle({ verdict: 'validated', recorded_at: '2026-03-03T00:00:00Z', observed: 0.31 }))], 4),
      code('%measure H1 --observed 0.27 --n 2400', [display(MIME.result, resultBundle())], 3)
    );
    const [p] = notebookToState(nb).problems;
    expect(p.ran).toBe(true);
    const [h1] = p.hypotheses;
    expect(h1.ran).toBe(true);
    // The earlier cell holds the later recording: timestamps beat document order.
    expect(h1.status).toBe('validated');
    expect(h1.evidence).toMatchObject({ verdict: 'validated', observed: 0.31, n: 4800, source: 'result', cell: { index: 2 } });
    expect(h1.measures.map(m => m.index)).toEqual([2, 3]);
  });

  it('keeps a rehearsal apart: it never moves the status or counts as evidence', () => {
    const nb = notebook(
      code(PROBLEM_SOURCE, [display(MIME.problem, problemBundle)], 1),
      code(H1_SOURCE, [display(MIME.hypothesis, hypothesisBundle())], 2),
      code('%measure H1 --data rehearsal', [display(MIME.result, resultBundle({ verdict: 'validated', rehearsal: true, lift: 0.1 }))], 3)
    );
    const [h1] = notebookToState(nb).problems[0].hypotheses;
    expect(h1.status).toBe('draft');
    expect(h1.evidence).toBeNull();
    expect(h1.rehearsal).toMatchObject({ verdict: 'validated', lift: 0.1, cell: { index: 2 } });

    const measured = notebook(
      ...nb.cells,
      code('%measure H1 --data export', [display(MIME.result, resultBundle({ verdict: 'inconclusive', recorded_at: '2026-01-01T00:00:00Z' }))], 4)
    );
    const [again] = notebookToState(measured).problems[0].hypotheses;
    expect(again.status).toBe('inconclusive');
    expect(again.evidence).toMatchObject({ verdict: 'inconclusive', cell: { index: 3 } });
    expect(again.rehearsal?.verdict).toBe('validated');
  });

  it('falls back to document order when results have no timestamps', () => {
    const nb = notebook(
      code(H1_SOURCE),
      code('%measure H1', [display(MIME.result, resultBundle({ verdict: 'validated', recorded_at: undefined }))]),
      code('%measure H1', [display(MIME.result, resultBundle({ verdict: 'invalidated', recorded_at: undefined, reason: 'wrong way' }))])
    );
    const h1 = notebookToState(nb).unassigned[0];
    expect(h1.status).toBe('invalidated');
    expect(h1.evidence?.reason).toBe('wrong way');
  });

  it('uses the hypothesis bundle status, or a newer experiment-table row, before any result', () => {
    const bundleOnly = notebook(code(H1_SOURCE, [display(MIME.hypothesis, hypothesisBundle({ status: 'running' }))], 1));
    expect(notebookToState(bundleOnly).problems[0].hypotheses[0].status).toBe('running');

    const table = {
      rows: [{ id: 'H1', problem: 'onboarding', status: 'inconclusive', verdict: 'inconclusive', observed: 0.2, lift: 0.02, decision: 'iterate', learning: 'Admins skip the checklist.', n: 300 }],
      problem: 'onboarding',
      generated_at: '2026-03-05T00:00:00Z'
    };
    const withTable = notebook(
      code(H1_SOURCE, [display(MIME.hypothesis, hypothesisBundle({ status: 'running' }))], 1),
      code('%experiments', [display(MIME.experiments, table)], 2)
    );
    const h1 = notebookToState(withTable).problems[0].hypotheses[0];
    expect(h1).toMatchObject({ status: 'inconclusive', decision: 'iterate', learning: 'Admins skip the checklist.' });
    expect(h1.evidence).toMatchObject({ verdict: 'inconclusive', source: 'experiments', n: 300, cell: { index: 1 } });
  });

  it('shows hypotheses known only from the experiment table, and stubs their problem', () => {
    const table = {
      rows: [
        { id: 'H1', status: 'draft' },
        { id: 'H7', statement: 'Stored elsewhere', risk: 'usability', metric: 'invite_rate', target: 0.25, status: 'draft' }
      ],
      problem: 'activation',
      generated_at: '2026-03-05T00:00:00Z'
    };
    const state = notebookToState(notebook(code(PROBLEM_SOURCE), code(H1_SOURCE), code('%experiments --problem activation', [display(MIME.experiments, table)])));
    expect(state.problems.map(p => p.name)).toEqual(['onboarding', 'activation']);
    const activation = state.problems[1];
    expect(activation.cell).toBeNull();
    // H1 has its own cell under onboarding; the row's problem doesn't move it.
    expect(state.problems[0].hypotheses.map(h => h.id)).toEqual(['H1']);
    expect(activation.hypotheses.map(h => h.id)).toEqual(['H7']);
    expect(activation.hypotheses[0]).toMatchObject({ statement: 'Stored elsewhere', risk: 'usability', ran: false, cell: { index: 2 } });
  });

  it('reads a problem shown by the Python API, with no magic cell', () => {
    const state = notebookToState(notebook(code('disco.problem("onboarding", text)', [display(MIME.problem, problemBundle)], 1)));
    expect(state.problems[0]).toMatchObject({ name: 'onboarding', ran: true, cell: { index: 0 } });
    expect(state.problems[0].metrics).toHaveLength(2);
  });

  it('accepts bundles saved as JSON strings and ignores junk', () => {
    const nb = notebook(
      code('x', [
        { output_type: 'display_data', data: { [MIME.problem]: JSON.stringify(problemBundle) } },
        { output_type: 'display_data', data: { [MIME.hypothesis]: '{not json' } },
        { output_type: 'display_data', data: { [MIME.result]: { no_hypothesis: true } } },
        { output_type: 'display_data', data: { [MIME.experiments]: { rows: [null, 3, { id: 'H9' }] } } },
        { output_type: 'stream', name: 'stdout', text: 'hello' }
      ])
    );
    const state = notebookToState(nb);
    expect(state.problems.map(p => p.name)).toEqual(['onboarding']);
    expect(state.problems[0].hypotheses.map(h => h.id)).toEqual(['H9']);
  });
});

describe('which cell defines an entity', () => {
  it('prefers the cell run last, then the one written last', () => {
    const nb = notebook(
      code('%%problem onboarding\nOld statement.\nmetric: a = x', [], 5),
      code('%%problem onboarding\nNew statement.\nmetric: b = y', [], 2)
    );
    expect(notebookToState(nb).problems[0]).toMatchObject({ statement: 'Old statement.', cell: { index: 0 } });
    const unrun = notebook(code('%%problem onboarding\nOld.'), code('%%problem onboarding\nNew.'));
    expect(notebookToState(unrun).problems[0].statement).toBe('New.');
  });

  it('flags a hypothesis whose options were edited after it ran', () => {
    const edited = H1_SOURCE.replace('--target 0.30', '--target 0.35');
    const nb = notebook(code(PROBLEM_SOURCE), code(edited, [display(MIME.hypothesis, hypothesisBundle())], 1));
    const h1 = notebookToState(nb).problems[0].hypotheses[0];
    expect(h1).toMatchObject({ edited: true, target: 0.35 });
    const same = notebook(code(PROBLEM_SOURCE), code(H1_SOURCE, [display(MIME.hypothesis, hypothesisBundle())], 1));
    expect(notebookToState(same).problems[0].hypotheses[0].edited).toBe(false);
  });
});

describe('problem membership', () => {
  it('follows --problem, then the bundle, then the nearest problem above', () => {
    const nb = notebook(
      code('%%hypothesis H0 --metric m --target 1\nBefore any problem.'),
      code('%%problem alpha\nA.\nmetric: m = x (baseline 0.5)'),
      code('%%hypothesis H1 --metric m --target 0.6\nUnder alpha.'),
      code('%%problem beta\nB.\nmetric: m = y (baseline 0.2)'),
      code('%%hypothesis H2 --metric m --target 0.3\nUnder beta.'),
      code('%%hypothesis H3 --metric m --target 0.7 --problem alpha\nExplicit.'),
      code('%%hypothesis H4\nFrom bundle.', [display(MIME.hypothesis, hypothesisBundle({ id: 'H4', problem: 'alpha', metric: 'm', baseline: 0.5 }))], 1)
    );
    const state = notebookToState(nb);
    const ids = (name: string) => state.problems.find(p => p.name === name)!.hypotheses.map(h => h.id);
    expect(ids('alpha')).toEqual(['H0', 'H1', 'H3', 'H4']);
    expect(ids('beta')).toEqual(['H2']);
    expect(state.problems.find(p => p.name === 'beta')!.hypotheses[0].baseline).toBe(0.2);
    expect(state.currentProblem).toBe('beta');
    expect(problemAt(state, 2)?.name).toBe('alpha');
    expect(problemAt(state, 6)?.name).toBe('beta');
    expect(problemAt(state, 0)?.name).toBe('beta');
  });

  it('leaves hypotheses unassigned when the notebook has no problem', () => {
    const state = notebookToState(notebook(code(H1_SOURCE)));
    expect(state.problems).toEqual([]);
    expect(state.unassigned.map(h => h.id)).toEqual(['H1']);
    expect(state.unassigned[0].baseline).toBeNull();
  });
});

describe('failed runs', () => {
  it('reports the UsageError a magic printed, while nothing was stored', () => {
    const nb = notebook(
      code(PROBLEM_SOURCE, [display(MIME.problem, problemBundle)], 1),
      code('%%hypothesis H5 --metric nps\nNo target.', [usageError("metric 'nps' is not declared on problem onboarding; known: invite_rate, paid_rate")], 2)
    );
    const h5 = notebookToState(nb).problems[0].hypotheses[0];
    expect(h5).toMatchObject({ id: 'H5', ran: false });
    expect(h5.error).toBe("UsageError: metric 'nps' is not declared on problem onboarding; known: invite_rate, paid_rate");
  });

  it('strips colour codes from error outputs', () => {
    expect(errorLine({ output_type: 'error', ename: '\u001b[0;31mValueError', evalue: 'bad\nmore' })).toBe('ValueError: bad');
    expect(errorLine({ output_type: 'stream', name: 'stderr', text: ['Warning: x\n', 'UsageError: y'] })).toBe('UsageError: y');
    expect(errorLine({ output_type: 'stream', name: 'stdout', text: 'UsageError: y' })).toBeNull();
  });
});

describe('degenerate notebooks', () => {
  it('handles an empty notebook and missing fields', () => {
    expect(notebookToState({ cells: [] })).toEqual({ problems: [], unassigned: [], datasets: [], currentProblem: null });
    expect(notebookToState({} as never).problems).toEqual([]);
    const odd = notebookToState({ cells: [{ cell_type: 'code', source: '%%problem p' } as never, null as never] });
    expect(odd.problems[0]).toMatchObject({ name: 'p', cell: { index: 0 }, metrics: [] });
    expect(odd.problems[0].cell).not.toHaveProperty('id');
  });
});
