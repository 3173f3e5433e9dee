/**
 * The cells the insert commands write: a problem, hypothesis, synth or measure
 * cell, pre-filled from what the notebook already declares (the problem's first
 * metric and baseline, the next free hypothesis id, a dataset for the hypothesis),
 * with the selection on the placeholder the user replaces first.
 */
import { allHypotheses, problemAt } from './state';
import { ICellTemplate, IDiscoveryState, IHypothesisState } from './tokens';

export type TemplateKind = 'problem' | 'hypothesis' | 'synth' | 'measure';

/** The template with the selection on the first occurrence of `placeholder` (else the end). */
function selecting(lines: string[], placeholder: string | null): ICellTemplate {
  const source = lines.join('\n');
  for (let line = 0; placeholder && line < lines.length; line++) {
    const column = lines[line].indexOf(placeholder);
    if (column >= 0) {
      return {
        source,
        selection: {
          start: { line, column },
          end: { line, column: column + placeholder.length }
        }
      };
    }
  }
  const end = { line: lines.length - 1, column: lines[lines.length - 1].length };
  return { source, selection: { start: end, end } };
}

/** `base`, or `base_2`, `base_3`... whichever is not taken. */
function freeName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) {
    return base;
  }
  let i = 2;
  while (taken.has(`${base}_${i}`)) {
    i++;
  }
  return `${base}_${i}`;
}

/** H1, H2, ...: one past the highest numbered id in use. */
export function nextHypothesisId(state: IDiscoveryState): string {
  let max = 0;
  for (const h of allHypotheses(state)) {
    const m = /^H(\d+)$/i.exec(h.id);
    if (m) {
      max = Math.max(max, parseInt(m[1], 10));
    }
  }
  return `H${max + 1}`;
}

/** A number as a user would type it: at most 3 decimals, no float noise. */
function plain(x: number): string {
  return String(parseFloat(x.toFixed(3)));
}

/** A target worth testing: half as much again as the baseline, capped below 1 for a share. */
function suggestTarget(baseline: number | null): number | null {
  if (baseline === null) {
    return null;
  }
  const target = baseline * 1.5;
  if (baseline > 0 && baseline < 1) {
    return Math.min(parseFloat(target.toFixed(2)), 0.99);
  }
  return parseFloat(target.toPrecision(2));
}

/** The hypothesis a synth or measure cell at `index` is most likely about. */
function hypothesisAt(state: IDiscoveryState, index: number): IHypothesisState | null {
  const all = allHypotheses(state);
  let best: IHypothesisState | null = null;
  let bestIndex = -1;
  for (const h of all) {
    const refs = [h.cell, ...h.measures].filter(r => r !== null && r.index <= index);
    for (const r of refs) {
      if (r!.index > bestIndex) {
        best = h;
        bestIndex = r!.index;
      }
    }
  }
  for (const d of state.datasets) {
    const h = all.find(x => x.id === d.forId);
    if (h && d.cell.index <= index && d.cell.index > bestIndex) {
      best = h;
      bestIndex = d.cell.index;
    }
  }
  return best ?? all[all.length - 1] ?? null;
}

export function problemTemplate(state: IDiscoveryState): ICellTemplate {
  const name = freeName('new_problem', new Set(state.problems.map(p => p.name)));
  return selecting(
    [
      `%%problem ${name}`,
      'Who struggles with what today, and what it costs them.',
      'segment: who has this problem',
      'metric: metric_name = share of users who do the thing within 7 days (baseline 0.1)',
      'constraint: what we must not change'
    ],
    name
  );
}

export function hypothesisTemplate(state: IDiscoveryState, index: number): ICellTemplate {
  const problem = problemAt(state, index);
  const metric = problem?.metrics[0] ?? null;
  const id = nextHypothesisId(state);
  const baseline = metric?.baseline ?? null;
  const target = suggestTarget(baseline);
  const options = [
    `--metric ${metric?.name ?? 'metric_name'}`,
    `--target ${target !== null ? plain(target) : '0.3'}`,
    '--risk value'
  ];
  if (problem && state.currentProblem && problem.name !== state.currentProblem) {
    options.push(`--problem ${problem.name}`);
  }
  const segment = problem?.segment ?? 'whom';
  const move = baseline !== null && target !== null ? ` from ${plain(baseline)} to ${plain(target)}` : '';
  const placeholder = '[what we change]';
  return selecting(
    [
      `%%hypothesis ${id} ${options.join(' ')}`,
      `We believe ${placeholder} for ${segment} will move ${metric?.name ?? 'the metric'}${move},`,
      'because [why we think so].'
    ],
    placeholder
  );
}

export function synthTemplate(state: IDiscoveryState, index: number): ICellTemplate {
  const hypothesis = hypothesisAt(state, index);
  const name = freeName(hypothesis ? 'trials' : 'data', new Set(state.datasets.map(d => d.name)));
  const header = `%%synth ${name} --rows 2000 --seed 7${hypothesis ? ` --for ${hypothesis.id}` : ''}`;
  const column = hypothesis?.metric ?? 'converted';
  const baseline = hypothesis?.baseline ?? 0.1;
  const target = hypothesis?.target ?? suggestTarget(baseline) ?? 0.15;
  const isShare = baseline >= 0 && baseline <= 1 && target >= 0 && target <= 1;
  const dist = (x: number) =>
    isShare ? `bernoulli(${plain(x)})` : `normal(${plain(x)}, ${plain(Math.abs(x) / 2 || 1)})`;
  return selecting(
    [
      header,
      'variant: choice(control=0.5, treatment=0.5)',
      `${column}: ${dist(baseline)}`,
      `${column}[variant=treatment]: ${dist(target)}`
    ],
    name
  );
}

export function measureTemplate(state: IDiscoveryState, index: number): ICellTemplate {
  const hypothesis = hypothesisAt(state, index);
  const id = hypothesis?.id ?? 'H1';
  const dataset =
    state.datasets.filter(d => d.forId === id && d.cell.index <= index).pop() ??
    state.datasets.filter(d => d.forId === id).pop();
  if (dataset) {
    // Measure what the spec planted: its column, group and control.
    const effect = dataset.effect;
    const metric = effect?.metric ?? hypothesis?.metric ?? 'converted';
    const group = effect?.group ?? 'variant';
    const control = effect?.control ?? 'control';
    return selecting(
      [`%measure ${id} --data ${dataset.name} --metric ${metric} --group ${group} --control ${control}`],
      null
    );
  }
  const baseline = hypothesis?.baseline ?? 0.1;
  const observed = hypothesis?.target ?? suggestTarget(baseline) ?? 0.15;
  // Select the observed value: it is what the user has and the template cannot know.
  const head = `%measure ${id} --observed `;
  const value = plain(observed);
  const line = `${head}${value} --n 1000 --baseline ${plain(baseline)} --baseline-n 1000`;
  return {
    source: line,
    selection: {
      start: { line: 0, column: head.length },
      end: { line: 0, column: head.length + value.length }
    }
  };
}

export function cellTemplate(kind: TemplateKind, state: IDiscoveryState, index: number): ICellTemplate {
  switch (kind) {
    case 'problem':
      return problemTemplate(state);
    case 'hypothesis':
      return hypothesisTemplate(state, index);
    case 'synth':
      return synthTemplate(state, index);
    case 'measure':
      return measureTemplate(state, index);
  }
}
