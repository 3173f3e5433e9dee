/**
 * Reading disco cells from their text: the `%%problem`, `%%hypothesis` and
 * `%%synth` cell magics and `%measure` lines, as the kernel side reads them
 * (disco_magics/parse/cells.py, parse/spec.py and the magics' arguments in
 * disco_magics/magics.py). Pure functions, no JupyterLab imports.
 *
 * The panel must work before any kernel runs, so this is a forgiving reader, not
 * a validator: whatever it cannot make sense of it leaves out, and the kernel's
 * saved bundle fills the gaps once the cell has run.
 */
import { ISynthEffect, RISKS, Risk, Signal, SIGNALS } from './tokens';

export interface IMetricSource {
  name: string;
  description: string;
  baseline: number | null;
}

export interface IProblemSource {
  name: string;
  statement: string;
  segment: string | null;
  metrics: IMetricSource[];
  constraints: string[];
  outcome: string | null;
}

export interface IHypothesisSource {
  id: string;
  statement: string;
  /** Values given as options (`--metric` ...): these are the user's explicit choices. */
  metric: string | null;
  target: number | null;
  baseline: number | null;
  risk: Risk | null;
  problem: string | null;
  /** Baseline and target read from prose such as "from 18% to 30%". */
  textBaseline: number | null;
  textTarget: number | null;
}

export interface ISynthSource {
  name: string;
  rows: number | null;
  seed: number | null;
  forId: string | null;
  effect: ISynthEffect | null;
}

export interface IMeasureSource {
  id: string;
  options: Map<string, string | true>;
}

export interface IEvidenceSource {
  id: string;
  kind: string | null;
  source: string | null;
  signal: Signal | null;
  problem: string | null;
  text: string;
}

export interface IParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

const NUMBER_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?%?$/i;
const PROBLEM_KEY_RE = /^\s*(segment|metric|constraint|outcome)\s*:\s*(.*)$/i;
const BASELINE_RE = /\(\s*baseline\s*[:=]?\s*([^()]*?)\s*\)\s*$/i;
const FROM_TO_RE =
  /\bfrom\s+([-+]?(?:\d+(?:\.\d*)?|\.\d+)%?)\s+to\s+([-+]?(?:\d+(?:\.\d*)?|\.\d+)%?)/i;
const MEASURE_RE = /^\s*%measure\s+(.*)$/;

/** Parse "0.3", "30%" (→ 0.3), "1e-3"; anything else is null. */
export function parseNumber(text: string | null | undefined): number | null {
  if (text === null || text === undefined) {
    return null;
  }
  const t = text.trim().replace(/,/g, '');
  if (!NUMBER_RE.test(t)) {
    return null;
  }
  const percent = t.endsWith('%');
  const value = parseFloat(percent ? t.slice(0, -1) : t);
  if (!isFinite(value)) {
    return null;
  }
  return percent ? value / 100 : value;
}

/** Split a magic's argument line like a shell: whitespace separates, quotes group. */
export function splitArgs(line: string): string[] {
  const tokens: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    if (m[1] !== undefined) {
      tokens.push(m[1].replace(/\\(.)/g, '$1'));
    } else if (m[2] !== undefined) {
      tokens.push(m[2]);
    } else {
      tokens.push(m[3]);
    }
  }
  return tokens;
}

/** `--key value`, `--key=value` and bare `--flag` options, plus positional words. */
export function parseArgs(line: string): IParsedArgs {
  const tokens = splitArgs(line);
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token.startsWith('--') || token.length < 3) {
      positional.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    if (eq > 0) {
      options.set(token.slice(2, eq), token.slice(eq + 1));
    } else if (i + 1 < tokens.length && !tokens[i + 1].startsWith('--')) {
      options.set(token.slice(2), tokens[i + 1]);
      i++;
    } else {
      options.set(token.slice(2), true);
    }
  }
  return { positional, options };
}

/** The joined text of a cell's source (nbformat allows a list of lines). */
export function sourceText(source: string | string[] | undefined | null): string {
  if (Array.isArray(source)) {
    return source.join('');
  }
  return source ?? '';
}

/**
 * The cell magic a source starts with, if any: its name, argument line and body.
 * Leading blank lines are skipped.
 */
export function cellMagic(
  source: string
): { magic: string; args: string; body: string[] } | null {
  const lines = source.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') {
    first++;
  }
  if (first >= lines.length) {
    return null;
  }
  const m = /^%%([A-Za-z_][\w-]*)(?:\s+(.*))?$/.exec(lines[first].trim());
  if (!m) {
    return null;
  }
  return { magic: m[1], args: m[2] ?? '', body: lines.slice(first + 1) };
}

/** Lines joined into paragraphs: a blank line separates, single breaks become spaces. */
export function paragraphs(lines: string[]): string {
  const result: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') {
      if (current.length) {
        result.push(current.join(' '));
        current = [];
      }
    } else {
      current.push(line.trim());
    }
  }
  if (current.length) {
    result.push(current.join(' '));
  }
  return result.join('\n\n');
}

/** `NAME = DESCRIPTION (baseline X)`; the description and baseline are optional. */
export function parseMetricSpec(spec: string): IMetricSource | null {
  let text = spec.trim();
  let baseline: number | null = null;
  const b = BASELINE_RE.exec(text);
  if (b) {
    baseline = parseNumber(b[1]);
    text = text.slice(0, b.index).trim();
  }
  const eq = text.indexOf('=');
  const name = (eq >= 0 ? text.slice(0, eq) : text).trim().split(/\s+/)[0] ?? '';
  if (!name) {
    return null;
  }
  const description = eq >= 0 ? text.slice(eq + 1).trim() : text.slice(name.length).trim();
  return { name, description, baseline };
}

export function parseProblemCell(source: string): IProblemSource | null {
  const magic = cellMagic(source);
  if (!magic || magic.magic !== 'problem') {
    return null;
  }
  const name = splitArgs(magic.args)[0];
  if (!name) {
    return null;
  }
  const statementLines: string[] = [];
  const pairs: [string, string][] = [];
  for (const line of magic.body) {
    const m = PROBLEM_KEY_RE.exec(line);
    if (m) {
      pairs.push([m[1].toLowerCase(), m[2].trim()]);
    } else if (pairs.length === 0) {
      statementLines.push(line);
    } else if (line.trim() !== '') {
      // A wrapped value continues the key above it.
      const last = pairs[pairs.length - 1];
      last[1] = `${last[1]} ${line.trim()}`.trim();
    }
  }
  const problem: IProblemSource = {
    name,
    statement: paragraphs(statementLines),
    segment: null,
    metrics: [],
    constraints: [],
    outcome: null
  };
  for (const [key, value] of pairs) {
    if (key === 'segment') {
      problem.segment = value || null;
    } else if (key === 'outcome') {
      problem.outcome = value || null;
    } else if (key === 'constraint') {
      if (value) {
        problem.constraints.push(value);
      }
    } else if (key === 'metric') {
      const metric = parseMetricSpec(value);
      if (metric && !problem.metrics.some(m => m.name === metric.name)) {
        problem.metrics.push(metric);
      }
    }
  }
  return problem;
}

export function asRisk(value: unknown): Risk | null {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return (RISKS as readonly string[]).includes(v) ? (v as Risk) : null;
}

function stringOption(options: Map<string, string | true>, key: string): string | null {
  const value = options.get(key);
  return typeof value === 'string' && value !== '' ? value : null;
}

export function parseHypothesisCell(source: string): IHypothesisSource | null {
  const magic = cellMagic(source);
  if (!magic || magic.magic !== 'hypothesis') {
    return null;
  }
  const { positional, options } = parseArgs(magic.args);
  const id = positional[0];
  if (!id) {
    return null;
  }
  const statement = paragraphs(magic.body);
  const fromTo = FROM_TO_RE.exec(statement);
  return {
    id,
    statement,
    metric: stringOption(options, 'metric'),
    target: parseNumber(stringOption(options, 'target')),
    baseline: parseNumber(stringOption(options, 'baseline')),
    risk: asRisk(stringOption(options, 'risk')),
    problem: stringOption(options, 'problem'),
    textBaseline: fromTo ? parseNumber(fromTo[1]) : null,
    textTarget: fromTo ? parseNumber(fromTo[2]) : null
  };
}

export function parseSynthCell(source: string): ISynthSource | null {
  const magic = cellMagic(source);
  if (!magic || magic.magic !== 'synth') {
    return null;
  }
  const { positional, options } = parseArgs(magic.args);
  if (!positional[0]) {
    return null;
  }
  const rows = parseNumber(stringOption(options, 'rows'));
  const seed = parseNumber(stringOption(options, 'seed'));
  return {
    name: positional[0],
    rows: rows === null ? null : Math.round(rows),
    seed: seed === null ? null : Math.round(seed),
    forId: stringOption(options, 'for'),
    effect: plantedEffect(magic.body)
  };
}

const SPEC_LINE_RE = /^\s*([A-Za-z_]\w*)(?:\[\s*([A-Za-z_]\w*)\s*=\s*([^\]]*?)\s*\])?\s*:\s*(.+)$/;

/**
 * The first override in a column spec (`invited[variant=checklist]: ...`) is the
 * planted effect; the control is another option of the group's `choice(...)`.
 */
export function plantedEffect(lines: string[]): ISynthEffect | null {
  const columns = new Map<string, string>();
  let effect: ISynthEffect | null = null;
  for (const line of lines) {
    const m = SPEC_LINE_RE.exec(line);
    if (!m) {
      continue;
    }
    const [, column, group, value, dist] = m;
    if (!group) {
      columns.set(column, dist);
    } else if (!effect) {
      effect = { metric: column, group, treatment: value, control: null };
    }
  }
  if (effect) {
    const choice = /^choice\((.*)\)\s*$/.exec(columns.get(effect.group) ?? '');
    const options = (choice?.[1] ?? '')
      .split(',')
      .map(o => o.split('=')[0].trim())
      .filter(o => o && o !== effect!.treatment);
    effect.control = options.includes('control') ? 'control' : options[0] ?? null;
  }
  return effect;
}

/** Every `%measure ID ...` line of a code cell that is not a cell magic. */
export function parseMeasureLines(source: string): IMeasureSource[] {
  if (cellMagic(source)) {
    return [];
  }
  const found: IMeasureSource[] = [];
  for (const line of source.split(/\r?\n/)) {
    const m = MEASURE_RE.exec(line);
    if (!m) {
      continue;
    }
    const { positional, options } = parseArgs(m[1]);
    if (positional[0]) {
      found.push({ id: positional[0], options });
    }
  }
  return found;
}

/** A `%%evidence ID --kind K --source S --signal X` cell; the notes are its body. */
export function parseEvidenceCell(source: string): IEvidenceSource | null {
  const magic = cellMagic(source);
  if (!magic || magic.magic !== 'evidence') {
    return null;
  }
  const { positional, options } = parseArgs(magic.args);
  if (!positional[0]) {
    return null;
  }
  const signal = stringOption(options, 'signal');
  return {
    id: positional[0],
    kind: stringOption(options, 'kind'),
    source: stringOption(options, 'source'),
    signal: signal && (SIGNALS as readonly string[]).includes(signal) ? (signal as Signal) : null,
    problem: stringOption(options, 'problem'),
    text: paragraphs(magic.body)
  };
}

/** Text on one line, cut to `limit` characters with an ellipsis. */
export function excerpt(text: string, limit = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1).trimEnd()}…`;
}

/** The `cells` of a saved `application/vnd.disco.hypothesis-drafts+json` payload (strings only). */
export function draftCells(payload: unknown): string[] {
  const cells = (payload as { cells?: unknown } | null)?.cells;
  return Array.isArray(cells) ? cells.filter((c): c is string => typeof c === 'string' && c.trim() !== '') : [];
}

/**
 * Which drafts to insert below the cell that drafted them. The kernel also sent each
 * draft through `set_next_input`, and ipykernel keeps only the last one, which
 * JupyterLab has already inserted right below the cell: then the others go before it.
 */
export function draftsToInsert(cells: string[], nextSource: string | null): string[] {
  if (cells.length && nextSource !== null && nextSource.trim() === cells[cells.length - 1].trim()) {
    return cells.slice(0, -1);
  }
  return cells;
}
