/**
 * DOM for the `application/vnd.disco.*+json` bundles: problem and hypothesis
 * cards, result cards and the experiment table. Pure functions of the bundle
 * (tolerant of missing and extra fields); all text goes through `h`, so it is
 * escaped.
 */
import { h, svg } from './dom';
import {
  fmtCI,
  fmtMove,
  fmtNum,
  fmtP,
  fmtPercent,
  fmtRelative,
  fmtSigned,
  fmtTime,
  MISSING,
  token
} from './format';
import { paragraphs } from './parse';
import {
  asExperimentsBundle,
  asHypothesisBundle,
  asProblemBundle,
  asReportBundle,
  asResultBundle
} from './state';
import {
  IArmBundle,
  IExperimentRow,
  IExperimentsBundle,
  IHypothesisBundle,
  ILearningCardBundle,
  IProblemBundle,
  IReportBundle,
  IResultBundle,
  MIME
} from './tokens';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A statement as prose: the cell's line wrapping goes, its paragraphs stay. */
function prose(value: unknown): string {
  return paragraphs(text(value).split(/\r?\n/));
}

function num(value: unknown): number | null {
  return typeof value === 'number' && isFinite(value) ? value : null;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A status or verdict badge. */
export function badge(value: string | null | undefined, label?: string): HTMLElement {
  const v = value || 'draft';
  return h(
    'span',
    {
      class: `jp-DiscoBadge jp-DiscoBadge-${token(v)}`,
      'data-status': token(v),
      title: label ? `${label}: ${v}` : v
    },
    v
  );
}

/** The risk a hypothesis tests, as a small tag. */
export function riskTag(risk: string | null | undefined): HTMLElement | null {
  if (!risk) {
    return null;
  }
  return h(
    'span',
    { class: `jp-DiscoRisk jp-DiscoRisk-${token(risk)}`, title: `tests the ${risk} risk` },
    `${risk} risk`
  );
}

function header(kind: string, title: string, ...extra: (HTMLElement | null)[]): HTMLElement {
  return h(
    'div',
    { class: 'jp-DiscoCard-header' },
    h('span', { class: 'jp-DiscoCard-kind' }, kind),
    h('span', { class: 'jp-DiscoCard-title' }, title),
    ...extra
  );
}

function notes(label: string, items: string[], cls: string): HTMLElement | null {
  if (!items.length) {
    return null;
  }
  return h(
    'ul',
    { class: `jp-DiscoCard-notes ${cls}`, 'aria-label': label },
    ...items.map(item => h('li', null, item))
  );
}

function card(kind: string, name: string, testid: string, ...children: (Element | null)[]) {
  return h(
    'div',
    {
      class: `jp-DiscoCard jp-DiscoCard-${kind}`,
      role: 'article',
      'aria-label': `${kind[0].toUpperCase()}${kind.slice(1)} ${name}`,
      'data-testid': testid
    },
    ...children
  );
}

export function renderProblem(data: IProblemBundle): HTMLElement {
  const metrics = Array.isArray(data.metrics)
    ? data.metrics.filter(m => m && typeof m.name === 'string')
    : [];
  const facts: HTMLElement[] = [];
  if (text(data.segment)) {
    facts.push(h('dt', null, 'Segment'), h('dd', null, text(data.segment)));
  }
  if (text(data.outcome)) {
    facts.push(h('dt', null, 'Outcome'), h('dd', null, text(data.outcome)));
  }
  return card(
    'problem',
    text(data.name),
    'disco-problem-card',
    header('Problem', text(data.name)),
    text(data.statement) ? h('p', { class: 'jp-DiscoCard-statement' }, prose(data.statement)) : null,
    facts.length ? h('dl', { class: 'jp-DiscoCard-facts' }, ...facts) : null,
    metrics.length
      ? h(
          'table',
          { class: 'jp-DiscoTable jp-DiscoCard-metrics', 'aria-label': 'Metrics' },
          h(
            'thead',
            null,
            h('tr', null, h('th', null, 'Metric'), h('th', null, 'Description'), h('th', { class: 'jp-mod-num' }, 'Baseline'))
          ),
          h(
            'tbody',
            null,
            ...metrics.map(m =>
              h(
                'tr',
                null,
                h('td', null, h('code', null, m.name)),
                h('td', null, text(m.description)),
                h('td', { class: 'jp-mod-num' }, fmtNum(m.baseline))
              )
            )
          )
        )
      : null,
    notes('Constraints', list(data.constraints), 'jp-DiscoCard-constraints')
  );
}

export function renderHypothesis(data: IHypothesisBundle): HTMLElement {
  const facts: HTMLElement[] = [
    h('dt', null, 'Metric'),
    h('dd', null, h('code', null, text(data.metric) || MISSING), ' ', fmtMove(data.baseline, data.target))
  ];
  if (text(data.problem)) {
    facts.push(h('dt', null, 'Problem'), h('dd', null, text(data.problem)));
  }
  const plan = planText(data.plan);
  if (plan) {
    facts.push(h('dt', null, 'Plan'), h('dd', { 'data-testid': 'disco-plan' }, plan));
  }
  return card(
    'hypothesis',
    text(data.id),
    'disco-hypothesis-card',
    header('Hypothesis', text(data.id), riskTag(text(data.risk)), badge(text(data.status), 'status')),
    text(data.statement) ? h('p', { class: 'jp-DiscoCard-statement' }, prose(data.statement)) : null,
    h('dl', { class: 'jp-DiscoCard-facts' }, ...facts),
    data.post_hoc === true
      ? notes(
          'Post hoc',
          [
            '⚑ Post hoc: goalposts moved after data',
            ...(Array.isArray(data.changes) ? data.changes : []).map(
              c => `${text(c.field)} ${text(c.old) || '—'} → ${text(c.new) || '—'}${text(c.at) ? ` (${fmtTime(c.at)})` : ''}`
            )
          ],
          'jp-DiscoCard-warnings'
        )
      : null,
    notes('Warnings', list(data.warnings), 'jp-DiscoCard-warnings')
  );
}

/** A plan in one line: users per arm for the fixed and the sequential test, and the days at the traffic. */
export function planText(plan: IHypothesisBundle['plan']): string | null {
  if (!plan || typeof plan !== 'object') {
    return null;
  }
  const arms = (n: unknown) => {
    const pair = Array.isArray(n) ? n.map(num) : [];
    if (pair.length !== 2 || pair[0] === null || pair[1] === null) {
      return null;
    }
    return pair[0] === pair[1] ? `${fmtNum(pair[0])} per arm` : `${fmtNum(pair[0])} + ${fmtNum(pair[1])}`;
  };
  const fixed = arms(plan.fixed_n);
  const sequential = arms(plan.sequential_n);
  if (!fixed) {
    return null;
  }
  let line = `${fixed} (fixed horizon)` + (sequential ? `, ${sequential} (sequential)` : '');
  const days = num(plan.fixed_days);
  if (days !== null && num(plan.traffic) !== null) {
    line += ` · ${fmtNum(days)} days at ${fmtNum(plan.traffic)} users a day`;
  }
  return line;
}

/** Which interval a result's ci_low/ci_high are, as the card and the reason name it. */
export function intervalLabel(data: IResultBundle): string {
  if (text(data.engine) === 'bayesian') {
    return '95% credible interval';
  }
  return data.sequential === true ? '95% always-valid CI' : '95% CI';
}

/** The test behind a result in words, or null for the default fixed-horizon test. */
export function testLabel(data: IResultBundle): string | null {
  const parts: string[] = [];
  if (text(data.engine) === 'bayesian') {
    parts.push('Bayesian');
  } else if (data.sequential === true) {
    const tuning = num(data.sequential_tuning);
    parts.push(`sequential${tuning !== null ? ` (N* = ${fmtNum(tuning)} users)` : ''}`);
  }
  if (text(data.covariate)) {
    parts.push(`CUPED on ${text(data.covariate)}`);
  }
  return parts.length ? parts.join(' + ') : null;
}

/**
 * The 95% CI of the lift as a bar on an axis, with zero and the lift the target
 * needs marked. Returns null when the interval is unknown.
 */
export function liftChart(
  lift: number | null,
  low: number | null,
  high: number | null,
  targetLift: number | null,
  interval = '95% CI'
): SVGElement | null {
  if (low === null || high === null) {
    return null;
  }
  const points = [low, high, 0, ...(lift !== null ? [lift] : []), ...(targetLift !== null ? [targetLift] : [])];
  let min = Math.min(...points);
  let max = Math.max(...points);
  const pad = (max - min || 1) * 0.1;
  min -= pad;
  max += pad;
  const W = 280;
  const x = (v: number) => ((v - min) / (max - min)) * W;
  const label =
    `${interval} of the lift from ${fmtSigned(low)} to ${fmtSigned(high)}` +
    (targetLift !== null ? `; the target needs ${fmtSigned(targetLift)}` : '');
  const tick = (v: number, cls: string, caption: string) => [
    svg('line', { class: cls, x1: x(v), x2: x(v), y1: 4, y2: 24 }),
    svg('text', { class: 'jp-DiscoChart-label', x: x(v), y: 36, 'text-anchor': 'middle' }, caption)
  ];
  return svg(
    'svg',
    {
      class: 'jp-DiscoChart',
      viewBox: `0 0 ${W} 40`,
      width: W,
      height: 40,
      role: 'img',
      'aria-label': label
    },
    svg('title', null, label),
    svg('line', { class: 'jp-DiscoChart-axis', x1: 0, x2: W, y1: 14, y2: 14 }),
    svg('rect', { class: 'jp-DiscoChart-ci', x: x(low), y: 10, width: Math.max(2, x(high) - x(low)), height: 8, rx: 4 }),
    ...tick(0, 'jp-DiscoChart-zero', '0'),
    ...(targetLift !== null ? tick(targetLift, 'jp-DiscoChart-target', `target ${fmtSigned(targetLift)}`) : []),
    lift !== null ? svg('circle', { class: 'jp-DiscoChart-lift', cx: x(lift), cy: 14, r: 4 }) : null
  );
}

function armRow(label: string, arm: IArmBundle | null | undefined): HTMLElement | null {
  if (!arm || typeof arm !== 'object') {
    return null;
  }
  return h(
    'tr',
    null,
    h('td', null, text(arm.name) || label),
    h('td', { class: 'jp-mod-num' }, fmtNum(arm.n)),
    h('td', { class: 'jp-mod-num' }, fmtNum(arm.mean))
  );
}

export function renderResult(data: IResultBundle): HTMLElement {
  const verdict = text(data.verdict) || 'inconclusive';
  const control = data.control && typeof data.control === 'object' ? data.control : null;
  const treatment = data.treatment && typeof data.treatment === 'object' ? data.treatment : null;
  // The lift is measured from the reference (the control arm, or a fixed baseline);
  // the target line shows how far from that reference the target lies.
  const reference = num(data.reference) ?? num(control?.mean) ?? num(data.baseline);
  const referenceLabel = text(control?.name) === 'baseline' || !control ? 'Baseline' : 'Control';
  const target = num(data.target);
  // Python computes target_lift once (Result.target_lift); results saved before it existed lack it.
  const targetLift = num(data.target_lift) ?? (target !== null && reference !== null ? target - reference : null);
  const figure = (label: string, value: string, testid?: string) =>
    h('div', { class: 'jp-DiscoFigure', 'data-testid': testid },
      h('div', { class: 'jp-DiscoFigure-label' }, label),
      h('div', { class: 'jp-DiscoFigure-value' }, value));
  const requiredN = num(data.required_n_per_arm);
  const bayesian = text(data.engine) === 'bayesian';
  const footer = [
    testLabel(data) ?? '',
    num(data.look) !== null ? `look ${fmtNum(data.look)}` : '',
    text(data.recorded_at) ? `recorded ${fmtTime(data.recorded_at)}` : '',
    text(data.metric_kind)
  ].filter(Boolean);
  const rehearsal = data.rehearsal === true;
  return card(
    'result',
    text(data.hypothesis),
    'disco-result-card',
    header(
      rehearsal ? 'Rehearsal' : 'Result',
      `${text(data.hypothesis)}${text(data.metric) ? ` · ${text(data.metric)}` : ''}`,
      badge(verdict, 'verdict')
    ),
    rehearsal
      ? h(
          'p',
          { class: 'jp-DiscoCard-warnings', 'data-testid': 'disco-rehearsal' },
          'Rehearsal: what the analysis would say on synthetic data with the effect you planted. Not evidence: ' +
            'the hypothesis is unchanged.'
        )
      : null,
    text(data.reason) ? h('p', { class: 'jp-DiscoCard-reason' }, text(data.reason)) : null,
    h(
      'div',
      { class: 'jp-DiscoFigures' },
      figure('Observed', fmtNum(data.observed), 'disco-observed'),
      figure('Target', fmtNum(target)),
      figure(referenceLabel, fmtNum(reference)),
      figure('Lift', `${fmtSigned(data.lift)} (${fmtRelative(data.relative_lift)})`),
      figure(intervalLabel(data), fmtCI(data.ci_low, data.ci_high)),
      bayesian
        ? figure('Risk', fmtNum(data.risk))
        : figure(data.sequential === true ? 'Sequential p-value' : 'p-value', fmtP(data.p_value)),
      figure('Chance to beat', fmtPercent(data.chance_to_beat))
    ),
    liftChart(num(data.lift), num(data.ci_low), num(data.ci_high), targetLift, intervalLabel(data)),
    control || treatment
      ? h(
          'table',
          { class: 'jp-DiscoTable jp-DiscoCard-arms', 'aria-label': 'Arms' },
          h('thead', null, h('tr', null, h('th', null, 'Arm'), h('th', { class: 'jp-mod-num' }, 'n'), h('th', { class: 'jp-mod-num' }, 'Mean'))),
          h('tbody', null, armRow('control', control), armRow('treatment', treatment))
        )
      : null,
    notes('Guards', list(data.guards), 'jp-DiscoCard-warnings'),
    notes('Notes', list(data.notes), 'jp-DiscoCard-meta'),
    requiredN !== null
      ? h('p', { class: 'jp-DiscoCard-meta' }, `About ${fmtNum(Math.ceil(requiredN))} users per arm are needed to detect the target lift.`)
      : null,
    footer.length ? h('p', { class: 'jp-DiscoCard-meta' }, footer.join(' · ')) : null
  );
}

const COLUMNS: [string, string][] = [
  ['Hypothesis', ''],
  ['Metric: baseline → target', ''],
  ['Observed (n)', 'jp-mod-num'],
  ['Lift [95% CI] (p)', 'jp-mod-num'],
  ['Verdict', ''],
  ['Decision', '']
];

/**
 * One hypothesis: a row of figures, then its learning (often a sentence or two)
 * on a full-width row of its own, so the table stays narrow enough for a notebook.
 */
function experimentRows(row: IExperimentRow): HTMLElement[] {
  const td = (cls: string, ...children: (Node | string | null)[]) =>
    h('td', cls ? { class: cls } : null, ...children);
  const sub = (value: string | null) => (value ? h('div', { class: 'jp-DiscoTable-sub' }, value) : null);
  const decision = text(row.decision);
  const learning = text(row.learning);
  const statement = prose(row.statement);
  // A row has a verdict once there is evidence; before that its status says where it stands.
  const verdict = text(row.verdict);
  const status = text(row.status);
  const main = h(
    'tr',
    {
      class: learning ? 'jp-DiscoTable-hasLearning' : null,
      'data-hypothesis': row.id,
      'data-testid': 'disco-experiment-row'
    },
    td(
      '',
      h(
        'div',
        { class: 'jp-DiscoTable-id' },
        row.id,
        ' ',
        riskTag(text(row.risk)),
        row.post_hoc === true
          ? h('span', { class: 'jp-DiscoWarn', title: 'goalposts moved after data', 'data-testid': 'disco-post-hoc' }, ' ⚑ post hoc')
          : null
      ),
      statement ? h('div', { class: 'jp-DiscoTable-statement', title: statement }, statement) : null
    ),
    td('', text(row.metric) ? h('code', null, text(row.metric)) : MISSING, sub(fmtMove(row.baseline, row.target))),
    td('jp-mod-num', fmtNum(row.observed), sub(num(row.n) !== null ? `n ${fmtNum(row.n)}` : null)),
    td(
      'jp-mod-num',
      fmtSigned(row.lift),
      sub(num(row.ci_low) !== null ? fmtCI(row.ci_low, row.ci_high) : null),
      sub(num(row.p_value) !== null ? `p ${fmtP(row.p_value)}` : null)
    ),
    td(
      '',
      badge(verdict || status, verdict ? 'verdict' : 'status'),
      sub(verdict && status && status !== verdict ? `status ${status}` : null)
    ),
    td(
      '',
      decision ? h('span', { class: 'jp-DiscoDecision' }, decision) : MISSING,
      row.without_evidence
        ? h('div', { class: 'jp-DiscoWarn', title: 'This decision was recorded without evidence for the hypothesis.' }, 'without evidence')
        : null
    )
  );
  if (!learning) {
    return [main];
  }
  return [
    main,
    h(
      'tr',
      { class: 'jp-DiscoTable-learning', 'data-hypothesis': row.id, 'data-testid': 'disco-experiment-learning' },
      h('td', { colspan: COLUMNS.length }, h('span', { class: 'jp-DiscoTable-learningLabel' }, 'Learning '), learning)
    )
  ];
}

export function renderExperiments(data: IExperimentsBundle): HTMLElement {
  const rows = data.rows ?? [];
  const caption = [
    'Experiments',
    text(data.problem) ? `problem ${text(data.problem)}` : 'all problems',
    text(data.generated_at) ? `as of ${fmtTime(data.generated_at)}` : ''
  ].filter(Boolean);
  return h(
    'div',
    { class: 'jp-DiscoExperiments', 'data-testid': 'disco-experiments' },
    h(
      'table',
      { class: 'jp-DiscoTable', 'aria-label': 'Experiment table' },
      h('caption', null, caption.join(' · ')),
      h('thead', null, h('tr', null, ...COLUMNS.map(([label, cls]) => h('th', { scope: 'col', class: cls || null }, label)))),
      h(
        'tbody',
        null,
        ...(rows.length
          ? rows.flatMap(experimentRows)
          : [h('tr', null, h('td', { colspan: COLUMNS.length, class: 'jp-DiscoEmpty' }, 'No hypotheses yet.'))])
      )
    )
  );
}

/** The evidence behind a learning card, in one line (as the static report writes it). */
function evidenceLine(card: ILearningCardBundle): string {
  const r = card.result;
  if (!r || typeof r !== 'object') {
    return 'no result yet';
  }
  const n = [r.control, r.treatment].reduce((sum, arm) => sum + (num(arm?.n) ?? 0), 0);
  const looks = num(card.looks) ?? 0;
  return (
    `observed ${fmtNum(r.observed)} vs target ${fmtNum(r.target)}; lift ${fmtSigned(r.lift)} ` +
    `${fmtCI(r.ci_low, r.ci_high)}, p ${fmtP(r.p_value)}, n ${fmtNum(n)}, ${looks} look${looks === 1 ? '' : 's'}`
  );
}

function learningCard(entry: ILearningCardBundle): HTMLElement {
  const hyp = entry.hypothesis;
  const result = entry.result && typeof entry.result === 'object' ? entry.result : null;
  const decision = entry.decision && typeof entry.decision === 'object' ? entry.decision : null;
  const verdict = text(result?.verdict) || text(hyp.status) || 'draft';
  const reference = num(result?.reference) ?? num(result?.control?.mean) ?? num(hyp.baseline);
  const target = num(result?.target) ?? num(hyp.target);
  const observed = result ? text(result.reason) || text(result.verdict) : '';
  const therefore = text(decision?.decision)
    ? `${text(decision?.decision)}${decision?.without_evidence ? ' (decided without evidence)' : ''}`
    : 'decide: persevere, pivot, kill or iterate';
  const lines: [string, string][] = [
    ['We believed', prose(hyp.statement)],
    ['We observed', observed || 'nothing yet: no result recorded'],
    ['We learned', text(decision?.learning) || 'not written down yet'],
    ['Therefore we will', therefore]
  ];
  return card(
    'learning',
    text(hyp.id),
    'disco-learning-card',
    header('Learning card', text(hyp.id), riskTag(text(hyp.risk)), badge(verdict, 'verdict')),
    h(
      'p',
      { class: 'jp-DiscoCard-meta' },
      h('code', null, text(hyp.metric) || MISSING),
      ` ${fmtMove(hyp.baseline, hyp.target)} · ${evidenceLine(entry)}`
    ),
    result
      ? liftChart(
          num(result.lift),
          num(result.ci_low),
          num(result.ci_high),
          // computed once by Python (Result.target_lift); results saved before it existed lack it
          num(result.target_lift) ?? (target !== null && reference !== null ? target - reference : null)
        )
      : null,
    h('dl', { class: 'jp-DiscoCard-facts jp-DiscoLearning' }, ...lines.flatMap(([label, value]) => [h('dt', null, label), h('dd', null, value)]))
  );
}

/** The learning report: each problem, then a learning card per hypothesis. */
export function renderReport(data: IReportBundle): HTMLElement {
  const sections = data.problems ?? [];
  return h(
    'div',
    { class: 'jp-DiscoReport', role: 'region', 'aria-label': 'Learning report', 'data-testid': 'disco-report' },
    h(
      'div',
      { class: 'jp-DiscoReport-title' },
      'Learning report',
      text(data.generated_at) ? h('span', { class: 'jp-DiscoCard-meta' }, ` · as of ${fmtTime(data.generated_at)}`) : null
    ),
    ...(sections.length
      ? sections.flatMap(section => [renderProblem(section.problem), ...(section.cards ?? []).map(learningCard)])
      : [h('p', { class: 'jp-DiscoEmpty' }, 'No problems recorded yet.')])
  );
}

/** What a saved output shows when it cannot be read: one line, never an exception. */
export function unreadable(mime: string): HTMLElement {
  const kind = mime.replace(/^application\/vnd\.disco\.|\+json$/g, '');
  return h(
    'div',
    { class: 'jp-DiscoUnreadable', role: 'note', title: mime },
    `This saved disco ${kind || 'output'} could not be read.`
  );
}

/**
 * Render a bundle of one of the disco mime types; a bundle that doesn't fit says so in one line.
 * `html` is the same output's `text/html`, where a big experiment table keeps its rows.
 */
export function renderBundle(mime: string, data: unknown, html?: unknown): HTMLElement {
  try {
    return renderKnown(mime, data, html) ?? unreadable(mime);
  } catch (err) {
    // A corrupted or foreign bundle (an older or newer disco_magics, a hand-edited notebook).
    console.warn(`disco-magics: could not render ${mime}`, err);
    return unreadable(mime);
  }
}

function renderKnown(mime: string, data: unknown, html?: unknown): HTMLElement | null {
  if (mime === MIME.problem) {
    const bundle = asProblemBundle(data);
    return bundle && renderProblem(bundle);
  } else if (mime === MIME.hypothesis) {
    const bundle = asHypothesisBundle(data);
    return bundle && renderHypothesis(bundle);
  } else if (mime === MIME.result) {
    const bundle = asResultBundle(data);
    return bundle && renderResult(bundle);
  } else if (mime === MIME.experiments) {
    const bundle = asExperimentsBundle(data, html);
    return bundle && renderExperiments(bundle);
  } else if (mime === MIME.report) {
    const bundle = asReportBundle(data);
    return bundle && renderReport(bundle);
  }
  return null;
}
