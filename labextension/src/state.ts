/**
 * Notebook JSON → Discovery panel state. Pure: it reads the cells' text and their
 * saved `application/vnd.disco.*+json` outputs and needs no kernel and no server.
 *
 * Rules, as the kernel resolves names (disco_magics/session.py) and saves its
 * bundles (disco_magics/display, from the models in disco_magics/model):
 * - an entity (problem NAME, hypothesis ID) may be written in several cells; the
 *   one run last (highest execution count, else lowest in the document) defines it;
 * - the cell's text says what the user wants now, the saved bundle what the kernel
 *   resolved when the cell last ran; text wins, the bundle fills what text leaves out;
 * - a hypothesis belongs to its `--problem`, else its bundle's problem, else the
 *   nearest problem cell above it;
 * - a hypothesis's status is the verdict of its latest result, else the status of
 *   its newest hypothesis bundle or experiment-table row, else "draft";
 * - a rehearsal result (measured on synthetic data) is kept apart: it is shown as the
 *   hypothesis's latest rehearsal and never moves its status or counts as evidence.
 */
import {
  asRisk,
  excerpt,
  IHypothesisSource,
  IProblemSource,
  parseEvidenceCell,
  parseHypothesisCell,
  parseMeasureLines,
  parseProblemCell,
  parseSynthCell,
  sourceText
} from './parse';
import {
  ICellLike,
  ICellRef,
  IDatasetState,
  IDiscoveryState,
  IEvidenceState,
  IExperimentRow,
  IExperimentsBundle,
  IHypothesisBundle,
  IHypothesisState,
  ILearningCardBundle,
  IMetricState,
  INotebookLike,
  IOutputLike,
  IProblemBundle,
  IProblemState,
  IReportBundle,
  IResultBundle,
  IUserEvidence,
  MIME,
  Status,
  STATUSES,
  Verdict,
  VERDICTS
} from './tokens';

/** A value found at a place in the document; `order` sorts by document position. */
interface IFound<T> {
  value: T;
  cell: ICellRef;
  order: number;
  time: number | null;
}

interface ICellFacts {
  ref: ICellRef;
  executionCount: number | null;
  problemSource: IProblemSource | null;
  hypothesisSource: IHypothesisSource | null;
  problems: IProblemBundle[];
  hypotheses: IHypothesisBundle[];
  error: string | null;
}

// ------------------------------------------------------------ reading outputs

/** The JSON of one mime type in an output, or null; strings are parsed, junk is ignored. */
export function outputJSON(output: IOutputLike, mime: string): unknown {
  const raw = output.data?.[mime];
  if (raw === undefined || raw === null) {
    return null;
  }
  let value: unknown = raw;
  if (typeof raw === 'string' || Array.isArray(raw)) {
    try {
      value = JSON.parse(Array.isArray(raw) ? raw.join('') : raw);
    } catch {
      return null;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? value
    : null;
}

function hasString(value: unknown, key: string): boolean {
  return typeof (value as Record<string, unknown>)[key] === 'string';
}

export function asProblemBundle(value: unknown): IProblemBundle | null {
  return value && hasString(value, 'name') ? (value as IProblemBundle) : null;
}

export function asHypothesisBundle(value: unknown): IHypothesisBundle | null {
  return value && hasString(value, 'id') ? (value as IHypothesisBundle) : null;
}

export function asResultBundle(value: unknown): IResultBundle | null {
  return value && hasString(value, 'hypothesis') ? (value as IResultBundle) : null;
}

/**
 * The experiment table's bundle. A table of many rows (200+) keeps its rows only in the output's
 * `text/html` (`"rows_in": "text/html"`; a live table republishes its bundle on every change), so
 * `html` is that output's HTML; bundles with `rows` (every table saved before, and small ones) are
 * read as they are.
 */
export function asExperimentsBundle(value: unknown, html?: unknown): IExperimentsBundle | null {
  const record = value as Record<string, unknown> | null;
  let rows = record?.rows;
  if (!Array.isArray(rows) && record && record.rows_in === 'text/html') {
    const text = Array.isArray(html) ? html.join('') : html;
    if (typeof text !== 'string') {
      return null;
    }
    const problems = Array.isArray(record.problems) ? record.problems : [];
    rows = rowsFromHtml(text).map((row, i) =>
      typeof problems[i] === 'string' ? { ...row, problem: problems[i] as string } : row
    );
  }
  if (!Array.isArray(rows)) {
    return null;
  }
  return {
    ...(value as IExperimentsBundle),
    rows: rows.filter(
      (row): row is IExperimentRow =>
        typeof row === 'object' && row !== null && typeof row.id === 'string'
    )
  };
}

// The static table's columns, in order (disco_magics/display/table.py COLUMNS).
const HTML_COLUMNS = [
  'id', 'statement', 'risk', 'metric', 'baseline', 'target', 'observed', 'lift',
  'n', 'p_value', 'verdict', 'status', 'evidence', 'decision', 'learning'
] as const;
// Tables saved before the evidence column existed.
const OLD_HTML_COLUMNS = HTML_COLUMNS.filter(c => c !== 'evidence');

/** "2 (1+ 1−) qualitative" or "none": the evidence cell of the static table. */
function evidenceFromText(text: string | null): Partial<IExperimentRow> {
  if (text === null) {
    return {};
  }
  const found = /^(?:(\d+) \((\d+)\+ (\d+)−\) )?(none|qualitative|prototype|experiment)$/.exec(text);
  if (!found) {
    return {};
  }
  return {
    evidence: found[1] ? Number(found[1]) : 0,
    supports: found[2] ? Number(found[2]) : 0,
    contradicts: found[3] ? Number(found[3]) : 0,
    evidence_level: found[4]
  };
}

const DASH = '—';

function cellText(cell: Element | undefined): string | null {
  const value = (cell?.textContent ?? '').trim();
  return value && value !== DASH ? value : null;
}

function cellNumber(value: string | null): number | null {
  if (value === null) {
    return null;
  }
  if (value === '<0.001') {
    return 0.0005; // shown as <0.001 again
  }
  const parsed = Number(value.replace(/,/g, ''));
  return Number.isFinite(parsed) ? parsed : null;
}

/**
 * The rows of the static experiment table (`disco_magics/display/table.py`), read back from its HTML:
 * every column the table shows. Numbers come back as the HTML rounds them (3 decimals). The document
 * is parsed inert (no script runs, nothing loads); only text and `title` attributes are read.
 */
export function rowsFromHtml(html: string): IExperimentRow[] {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const rows: IExperimentRow[] = [];
  for (const tr of Array.from(doc.querySelectorAll('.disco-experiments tbody > tr'))) {
    const cells = Array.from(tr.children).filter(c => c.tagName === 'TD');
    const columns: readonly string[] =
      cells.length === HTML_COLUMNS.length ? HTML_COLUMNS : cells.length === OLD_HTML_COLUMNS.length ? OLD_HTML_COLUMNS : [];
    if (!columns.length) {
      continue; // "No hypotheses yet."
    }
    const at = (key: (typeof HTML_COLUMNS)[number]) => cells[columns.indexOf(key)];
    const idCell = at('id');
    const id = (idCell.firstChild?.textContent ?? '').trim();
    if (!id) {
      continue;
    }
    const statement = at('statement').querySelector('[title]')?.getAttribute('title') ?? cellText(at('statement'));
    const lift = /^(\S+) \[(\S+), (\S+)\]$/.exec(cellText(at('lift')) ?? '');
    const decisionCell = at('decision');
    rows.push({
      id,
      statement,
      risk: cellText(at('risk')),
      metric: cellText(at('metric')),
      baseline: cellNumber(cellText(at('baseline'))),
      target: cellNumber(cellText(at('target'))),
      observed: cellNumber(cellText(at('observed'))),
      lift: lift ? cellNumber(lift[1]) : null,
      ci_low: lift ? cellNumber(lift[2]) : null,
      ci_high: lift ? cellNumber(lift[3]) : null,
      n: cellNumber(cellText(at('n'))),
      p_value: cellNumber(cellText(at('p_value'))),
      verdict: at('verdict').querySelector('b')?.textContent?.trim() || null,
      // the latest rehearsal (synthetic data), written apart under the verdict: never evidence
      rehearsal: (at('verdict').querySelector('.disco-rehearsal')?.textContent ?? '').replace(/^rehearsal: /, '').trim() || null,
      status: cellText(at('status')),
      decision: decisionCell.querySelector('b')?.textContent?.trim() || null,
      learning: cellText(at('learning')) ?? '',
      without_evidence: decisionCell.querySelector('[title="decided without evidence"]') !== null,
      post_hoc: idCell.querySelector('.dx-post-hoc') !== null,
      ...(columns.includes('evidence') ? evidenceFromText(cellText(at('evidence'))) : {})
    });
  }
  return rows;
}

/** A learning report: problems, each with a problem bundle; cards without a hypothesis are dropped. */
export function asReportBundle(value: unknown): IReportBundle | null {
  const problems = (value as Record<string, unknown> | null)?.problems;
  if (!Array.isArray(problems)) {
    return null;
  }
  const sections = problems
    .filter(
      (section): section is IReportBundle['problems'][number] =>
        typeof section === 'object' && section !== null && asProblemBundle(section.problem) !== null
    )
    .map(section => ({
      ...section,
      cards: (Array.isArray(section.cards) ? section.cards : []).filter(
        (card): card is ILearningCardBundle =>
          typeof card === 'object' && card !== null && asHypothesisBundle(card.hypothesis) !== null
      )
    }));
  return { ...(value as IReportBundle), problems: sections };
}

const ANSI_RE = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');
const STDERR_ERROR_RE = /^((?:UsageError|[A-Z]\w*Error)\b.*)$/m;

/**
 * The one-line message of a failed run, without terminal colour codes: an error
 * output, or the `UsageError: ...` line IPython prints to stderr for a magic.
 */
export function errorLine(output: IOutputLike): string | null {
  const strip = (s: string | undefined) => (s ?? '').replace(ANSI_RE, '');
  if (output.output_type === 'error') {
    const message = strip(output.evalue).split('\n')[0];
    const name = strip(output.ename);
    return name ? (message ? `${name}: ${message}` : name) : message || null;
  }
  if (output.output_type === 'stream' && output.name === 'stderr') {
    const m = STDERR_ERROR_RE.exec(strip(sourceText(output.text)));
    return m ? m[1].trim() : null;
  }
  return null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function time(value: unknown): number | null {
  if (typeof value !== 'string') {
    return null;
  }
  const t = Date.parse(value);
  return isNaN(t) ? null : t;
}

function asStatus(value: unknown): Status | null {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value)
    ? (value as Status)
    : null;
}

function asVerdict(value: unknown): Verdict | null {
  return typeof value === 'string' && (VERDICTS as readonly string[]).includes(value)
    ? (value as Verdict)
    : null;
}

/** True when a was found after b: by timestamps when both have one, else by position. */
function isLater<T>(a: IFound<T>, b: IFound<T>): boolean {
  if (a.time !== null && b.time !== null && a.time !== b.time) {
    return a.time > b.time;
  }
  return a.order > b.order;
}

function latest<T>(items: IFound<T>[]): IFound<T> | null {
  let best: IFound<T> | null = null;
  for (const item of items) {
    if (!best || isLater(item, best)) {
      best = item;
    }
  }
  return best;
}

/** The cell that defines an entity: run last, else written last. */
function definingCell(cells: ICellFacts[]): ICellFacts | null {
  let best: ICellFacts | null = null;
  for (const cell of cells) {
    if (!best) {
      best = cell;
      continue;
    }
    const a = cell.executionCount ?? -1;
    const b = best.executionCount ?? -1;
    if (a > b || (a === b && cell.ref.index > best.ref.index)) {
      best = cell;
    }
  }
  return best;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

function sameNumber(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) {
    return a === b || (a ?? null) === (b ?? null);
  }
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function collapse(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

// ------------------------------------------------------------------ building

function cellRef(cell: ICellLike, index: number): ICellRef {
  return typeof cell.id === 'string' && cell.id ? { index, id: cell.id } : { index };
}

/** Build the Discovery panel state of a notebook from its JSON (or a live model's). */
export function notebookToState(notebook: INotebookLike): IDiscoveryState {
  const cells = Array.isArray(notebook?.cells) ? notebook.cells : [];

  const facts: ICellFacts[] = [];
  const problemCells = new Map<string, ICellFacts[]>();
  const hypothesisCells = new Map<string, ICellFacts[]>();
  const problemBundles = new Map<string, IFound<IProblemBundle>[]>();
  const hypothesisBundles = new Map<string, IFound<IHypothesisBundle>[]>();
  const results = new Map<string, IFound<IResultBundle>[]>();
  const rehearsals = new Map<string, IFound<IResultBundle>[]>();
  const rows = new Map<string, IFound<IExperimentRow>[]>();
  const measures = new Map<string, ICellRef[]>();
  const heard = new Map<string, IUserEvidence[]>();
  const datasets: IDatasetState[] = [];
  const referencedProblems: string[] = [];

  cells.forEach((cell, index) => {
    if (!cell || cell.cell_type !== 'code') {
      return;
    }
    const ref = cellRef(cell, index);
    const source = sourceText(cell.source);
    const fact: ICellFacts = {
      ref,
      executionCount: num(cell.execution_count),
      problemSource: parseProblemCell(source),
      hypothesisSource: parseHypothesisCell(source),
      problems: [],
      hypotheses: [],
      error: null
    };
    facts.push(fact);
    if (fact.problemSource) {
      pushTo(problemCells, fact.problemSource.name, fact);
    }
    if (fact.hypothesisSource) {
      pushTo(hypothesisCells, fact.hypothesisSource.id, fact);
    }
    const evidence = parseEvidenceCell(source);
    if (evidence) {
      pushTo(heard, evidence.id, {
        kind: evidence.kind,
        source: evidence.source,
        signal: evidence.signal,
        excerpt: excerpt(evidence.text),
        cell: ref
      });
    }
    const synth = parseSynthCell(source);
    if (synth) {
      datasets.push({ ...synth, cell: ref });
    }
    for (const measure of parseMeasureLines(source)) {
      const refs = measures.get(measure.id) ?? [];
      if (!refs.some(r => r.index === index)) {
        refs.push(ref);
      }
      measures.set(measure.id, refs);
    }

    const outputs = Array.isArray(cell.outputs) ? cell.outputs : [];
    outputs.forEach((output, k) => {
      if (!output || typeof output !== 'object') {
        return;
      }
      const order = index * 10000 + k;
      fact.error = errorLine(output) ?? fact.error;
      const problem = asProblemBundle(outputJSON(output, MIME.problem));
      if (problem) {
        fact.problems.push(problem);
        pushTo(problemBundles, problem.name, {
          value: problem,
          cell: ref,
          order,
          time: time(problem.created_at)
        });
      }
      const hypothesis = asHypothesisBundle(outputJSON(output, MIME.hypothesis));
      if (hypothesis) {
        fact.hypotheses.push(hypothesis);
        pushTo(hypothesisBundles, hypothesis.id, {
          value: hypothesis,
          cell: ref,
          order,
          time: time(hypothesis.updated_at ?? hypothesis.created_at)
        });
      }
      const result = asResultBundle(outputJSON(output, MIME.result));
      if (result) {
        // A rehearsal (synthetic data) never moves a status or counts as evidence.
        pushTo(result.rehearsal === true ? rehearsals : results, result.hypothesis, {
          value: result,
          cell: ref,
          order,
          time: time(result.recorded_at)
        });
      }
      const table = asExperimentsBundle(outputJSON(output, MIME.experiments), output.data?.['text/html']);
      if (table) {
        const generated = time(table.generated_at);
        if (str(table.problem)) {
          referencedProblems.push(table.problem as string);
        }
        for (const row of table.rows) {
          const withProblem = row.problem ?? table.problem ?? null;
          pushTo(rows, row.id, {
            value: { ...row, problem: withProblem },
            cell: ref,
            order,
            time: generated
          });
        }
      }
    });
  });

  // ---- problems
  const problems = new Map<string, IProblemState>();
  const problemNames = new Set<string>([...problemCells.keys(), ...problemBundles.keys()]);
  for (const name of problemNames) {
    problems.set(
      name,
      buildProblem(name, definingCell(problemCells.get(name) ?? []), problemBundles.get(name) ?? [])
    );
  }

  // ---- hypotheses
  const ids = new Set<string>([
    ...hypothesisCells.keys(),
    ...hypothesisBundles.keys(),
    ...rows.keys(),
    ...results.keys(),
    ...rehearsals.keys()
  ]);
  const problemCellOrder = facts
    .filter(f => f.problemSource)
    .map(f => ({ index: f.ref.index, name: (f.problemSource as IProblemSource).name }));
  const firstProblem = problemCellOrder[0]?.name ?? [...problems.keys()][0] ?? null;

  const hypotheses: { hypothesis: IHypothesisState; defined: boolean }[] = [];
  for (const id of ids) {
    const defining = definingCell(hypothesisCells.get(id) ?? []);
    const hypothesis = buildHypothesis(
      id,
      defining,
      hypothesisBundles.get(id) ?? [],
      results.get(id) ?? [],
      rows.get(id) ?? []
    );
    const rehearsal = latest(rehearsals.get(id) ?? []);
    hypothesis.rehearsal = rehearsal ? resultEvidence(rehearsal) : null;
    hypothesis.measures = measures.get(id) ?? [];
    hypothesis.heard = heard.get(id) ?? [];
    hypothesis.datasets = datasets.filter(d => d.forId === id).map(d => d.name);
    if (!hypothesis.problem && defining) {
      const above = problemCellOrder.filter(p => p.index < defining.ref.index).pop();
      hypothesis.problem = above?.name ?? firstProblem;
    }
    if (!hypothesis.problem) {
      hypothesis.problem = firstProblem;
    }
    // The metric's baseline is the default baseline (DESIGN: %%hypothesis).
    const problem = hypothesis.problem ? problems.get(hypothesis.problem) : undefined;
    if (problem && hypothesis.metric === null && defining?.hypothesisSource) {
      const named = problem.metrics.filter(m =>
        new RegExp(`\\b${escapeRegExp(m.name)}\\b`).test(hypothesis.statement)
      );
      const only = problem.metrics.length === 1 ? problem.metrics : named;
      hypothesis.metric = only.length === 1 ? only[0].name : null;
    }
    if (problem && hypothesis.baseline === null && hypothesis.metric) {
      hypothesis.baseline = problem.metrics.find(m => m.name === hypothesis.metric)?.baseline ?? null;
    }
    hypotheses.push({
      hypothesis,
      defined: defining !== null || hypothesisBundles.has(id)
    });
  }

  // Problems named by hypotheses or tables but not defined in this notebook get a stub.
  for (const name of [...hypotheses.map(h => h.hypothesis.problem), ...referencedProblems]) {
    if (name && !problems.has(name)) {
      problems.set(name, buildProblem(name, null, []));
    }
  }

  hypotheses.sort(compareHypotheses);
  const unassigned: IHypothesisState[] = [];
  for (const { hypothesis } of hypotheses) {
    const problem = hypothesis.problem ? problems.get(hypothesis.problem) : undefined;
    if (problem) {
      problem.hypotheses.push(hypothesis);
    } else {
      unassigned.push(hypothesis);
    }
  }

  const ordered = [...problems.values()].sort(
    (a, b) => (a.cell?.index ?? Infinity) - (b.cell?.index ?? Infinity)
  );
  return {
    problems: ordered,
    unassigned,
    datasets,
    currentProblem: currentProblem(facts)
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The last problem run (highest execution count), else the last one written. */
function currentProblem(facts: ICellFacts[]): string | null {
  const cell = definingCell(facts.filter(f => f.problemSource));
  return cell?.problemSource?.name ?? null;
}

/** Defined hypotheses first, in document order; then those known only from evidence, by id. */
function compareHypotheses(
  a: { hypothesis: IHypothesisState; defined: boolean },
  b: { hypothesis: IHypothesisState; defined: boolean }
): number {
  if (a.defined !== b.defined) {
    return a.defined ? -1 : 1;
  }
  const ia = a.defined ? a.hypothesis.cell?.index ?? Infinity : Infinity;
  const ib = b.defined ? b.hypothesis.cell?.index ?? Infinity : Infinity;
  if (ia !== ib) {
    return ia - ib;
  }
  return a.hypothesis.id.localeCompare(b.hypothesis.id, undefined, { numeric: true });
}

function buildProblem(
  name: string,
  defining: ICellFacts | null,
  bundles: IFound<IProblemBundle>[]
): IProblemState {
  const source = defining?.problemSource ?? null;
  // The bundle of the defining cell describes that cell's last run; without a
  // defining cell, the newest bundle anywhere (e.g. from disco.problem(...)).
  const own = defining?.problems.find(p => p.name === name) ?? null;
  const fallback = own ?? latest(bundles)?.value ?? null;

  const bundleMetrics: IMetricState[] = (Array.isArray(fallback?.metrics) ? fallback!.metrics : [])
    .filter(m => m && typeof m.name === 'string')
    .map(m => ({
      name: m.name,
      description: str(m.description) ?? '',
      baseline: num(m.baseline)
    }));
  let metrics: IMetricState[];
  if (source) {
    metrics = source.metrics.map(m => {
      const saved = bundleMetrics.find(b => b.name === m.name);
      return {
        name: m.name,
        description: m.description || saved?.description || '',
        baseline: m.baseline ?? saved?.baseline ?? null
      };
    });
  } else {
    metrics = bundleMetrics;
  }

  const ran = source ? own !== null : bundles.length > 0;
  const ref = defining?.ref ?? latest(bundles)?.cell ?? null;
  return {
    name,
    statement: source?.statement || str(fallback?.statement) || '',
    segment: source ? source.segment : str(fallback?.segment),
    metrics,
    constraints: source ? source.constraints : strings(fallback?.constraints),
    outcome: source ? source.outcome : str(fallback?.outcome),
    cell: ref,
    ran,
    error: defining && !ran ? defining.error : null,
    hypotheses: []
  };
}

function buildHypothesis(
  id: string,
  defining: ICellFacts | null,
  bundles: IFound<IHypothesisBundle>[],
  results: IFound<IResultBundle>[],
  rows: IFound<IExperimentRow>[]
): IHypothesisState {
  const source = defining?.hypothesisSource ?? null;
  const own = defining?.hypotheses.find(h => h.id === id) ?? null;
  const newestBundle = latest(bundles);
  const saved = own ?? newestBundle?.value ?? null;
  const row = latest(rows);
  const result = latest(results);

  const pick = <T>(...values: (T | null | undefined)[]): T | null => {
    for (const v of values) {
      if (v !== null && v !== undefined) {
        return v;
      }
    }
    return null;
  };

  const metric = pick(
    source?.metric,
    str(saved?.metric),
    str(row?.value.metric),
    str(result?.value.metric)
  );
  const target = pick(
    source?.target,
    num(saved?.target),
    source?.textTarget,
    num(row?.value.target),
    num(result?.value.target)
  );
  const baseline = pick(
    source?.baseline,
    num(saved?.baseline),
    source?.textBaseline,
    num(row?.value.baseline),
    num(result?.value.baseline)
  );

  // Status: the latest verdict, else the newest of hypothesis bundle and table row.
  let status: Status = 'draft';
  const verdict = result ? asVerdict(result.value.verdict) ?? 'inconclusive' : null;
  if (verdict) {
    status = verdict;
  } else {
    const candidates: IFound<Status>[] = [];
    const bundleStatus = asStatus(saved?.status);
    if (bundleStatus) {
      candidates.push({
        value: bundleStatus,
        cell: defining?.ref ?? newestBundle!.cell,
        order: own ? defining!.ref.index * 10000 : newestBundle!.order,
        time: time(saved?.updated_at ?? saved?.created_at)
      });
    }
    const rowStatus = asStatus(row?.value.status);
    if (row && rowStatus) {
      candidates.push({ ...row, value: rowStatus });
    }
    status = latest(candidates)?.value ?? 'draft';
  }

  const edited =
    !!source &&
    own !== null &&
    ((source.metric !== null && source.metric !== own.metric) ||
      (source.target !== null && !sameNumber(source.target, own.target)) ||
      (source.baseline !== null && !sameNumber(source.baseline, own.baseline)) ||
      (source.risk !== null && source.risk !== own.risk) ||
      (source.problem !== null && source.problem !== own.problem) ||
      (!!source.statement && !!own.statement && collapse(source.statement) !== collapse(own.statement)));

  const ran = source ? own !== null : saved !== null;
  return {
    id,
    // A table row's problem (often just the table's filter) only places hypotheses
    // that have no cell of their own; a cell is placed by position instead.
    problem: pick(source?.problem, str(saved?.problem), defining ? null : str(row?.value.problem)),
    statement: source?.statement || str(saved?.statement) || str(row?.value.statement) || '',
    metric,
    target,
    baseline,
    risk: source?.risk ?? asRisk(saved?.risk) ?? asRisk(row?.value.risk),
    status,
    warnings: own ? strings(own.warnings) : source ? [] : strings(saved?.warnings),
    postHoc: own?.post_hoc === true || saved?.post_hoc === true || row?.value.post_hoc === true,
    evidence: result ? resultEvidence(result) : row ? rowEvidence(row) : null,
    rehearsal: null,
    decision: str(row?.value.decision),
    learning: str(row?.value.learning),
    measures: [],
    datasets: [],
    heard: [],
    cell: defining?.ref ?? newestBundle?.cell ?? row?.cell ?? result?.cell ?? null,
    ran,
    edited,
    error: defining && !ran ? defining.error : null
  };
}

function armN(arm: unknown): number | null {
  return arm && typeof arm === 'object' ? num((arm as Record<string, unknown>).n) : null;
}

function resultEvidence(found: IFound<IResultBundle>): IEvidenceState {
  const r = found.value;
  const nc = armN(r.control);
  const nt = armN(r.treatment);
  return {
    verdict: asVerdict(r.verdict) ?? 'inconclusive',
    reason: str(r.reason) ?? '',
    metric: str(r.metric),
    observed: num(r.observed),
    target: num(r.target),
    baseline: num(r.baseline),
    lift: num(r.lift),
    relativeLift: num(r.relative_lift),
    ciLow: num(r.ci_low),
    ciHigh: num(r.ci_high),
    pValue: num(r.p_value),
    interval: str(r.engine) === 'bayesian' ? 'credible' : r.sequential === true ? 'sequential' : 'fixed',
    chanceToBeat: num(r.chance_to_beat),
    n: nc === null && nt === null ? null : (nc ?? 0) + (nt ?? 0),
    guards: strings(r.guards),
    recordedAt: str(r.recorded_at),
    source: 'result',
    cell: found.cell
  };
}

/** A table row is evidence only when it carries a verdict and a measured value. */
function rowEvidence(found: IFound<IExperimentRow>): IEvidenceState | null {
  const r = found.value;
  const verdict = asVerdict(r.verdict);
  if (!verdict || (num(r.observed) === null && num(r.lift) === null)) {
    return null;
  }
  return {
    verdict,
    reason: str(r.reason) ?? '',
    metric: str(r.metric),
    observed: num(r.observed),
    target: num(r.target),
    baseline: num(r.baseline),
    lift: num(r.lift),
    relativeLift: null,
    ciLow: num(r.ci_low),
    ciHigh: num(r.ci_high),
    pValue: num(r.p_value),
    n: num(r.n),
    guards: [],
    recordedAt: null,
    source: 'experiments',
    cell: found.cell
  };
}

/** The problem a cell inserted at `index` would work on: the nearest above, else the current. */
export function problemAt(state: IDiscoveryState, index: number): IProblemState | null {
  const above = state.problems
    .filter(p => p.cell !== null && p.cell.index <= index)
    .sort((a, b) => (b.cell as ICellRef).index - (a.cell as ICellRef).index)[0];
  return (
    above ??
    state.problems.find(p => p.name === state.currentProblem) ??
    state.problems[0] ??
    null
  );
}

/** Every hypothesis in the state, grouped problems first. */
export function allHypotheses(state: IDiscoveryState): IHypothesisState[] {
  return [...state.problems.flatMap(p => p.hypotheses), ...state.unassigned];
}

/** "3 hypotheses: 1 validated, 1 invalidated, 1 open". */
export function summary(state: IDiscoveryState): string {
  const all = allHypotheses(state);
  if (!all.length) {
    return '';
  }
  const count = (s: string) => all.filter(x => x.status === s).length;
  const open = all.length - count('validated') - count('invalidated') - count('inconclusive');
  const parts = [
    count('validated') ? `${count('validated')} validated` : '',
    count('invalidated') ? `${count('invalidated')} invalidated` : '',
    count('inconclusive') ? `${count('inconclusive')} inconclusive` : '',
    open ? `${open} open` : ''
  ].filter(Boolean);
  return `${all.length} hypothes${all.length === 1 ? 'is' : 'es'}: ${parts.join(', ')}`;
}
