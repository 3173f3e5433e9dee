/**
 * Shared interfaces of the disco-magics JupyterLab extension.
 *
 * Three groups: the `application/vnd.disco.*+json` bundles the kernel side emits
 * (read tolerantly: any field may be missing), the subset of nbformat JSON the
 * panel reads, and the panel state derived from a notebook.
 */

/** The mime types of the static bundles that disco_magics outputs carry. */
export const MIME = {
  problem: 'application/vnd.disco.problem+json',
  hypothesis: 'application/vnd.disco.hypothesis+json',
  result: 'application/vnd.disco.result+json',
  experiments: 'application/vnd.disco.experiments+json',
  report: 'application/vnd.disco.report+json'
} as const;

/** The widget view ipywidgets renders; the experiment table's output carries it next to its bundle. */
export const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';

export type DiscoMime = (typeof MIME)[keyof typeof MIME];

/** The four big risks a hypothesis can test. */
export const RISKS = ['value', 'usability', 'feasibility', 'viability'] as const;
export type Risk = (typeof RISKS)[number];

export const STATUSES = [
  'draft',
  'running',
  'validated',
  'invalidated',
  'inconclusive'
] as const;
export type Status = (typeof STATUSES)[number];

export const VERDICTS = ['validated', 'invalidated', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

// ---------------------------------------------------------------- bundles

export interface IMetricBundle {
  name: string;
  description?: string | null;
  baseline?: number | null;
}

export interface IProblemBundle {
  name: string;
  statement?: string | null;
  segment?: string | null;
  metrics?: IMetricBundle[];
  constraints?: string[];
  outcome?: string | null;
  created_at?: string | null;
}

export interface IHypothesisBundle {
  id: string;
  problem?: string | null;
  statement?: string | null;
  metric?: string | null;
  target?: number | null;
  baseline?: number | null;
  risk?: string | null;
  status?: string | null;
  warnings?: string[];
  /** Metric, target, baseline or direction changed after the first result. */
  post_hoc?: boolean | null;
  changes?: { field?: string; old?: string | null; new?: string | null; at?: string | null }[];
  /** The planned horizon from %plan: (control, treatment) users for the fixed and the sequential test. */
  plan?: {
    fixed_n?: number[];
    sequential_n?: number[];
    traffic?: number | null;
    fixed_days?: number | null;
    sequential_days?: number | null;
  } | null;
  created_at?: string | null;
  updated_at?: string | null;
}

export interface IArmBundle {
  name?: string | null;
  n?: number | null;
  sum?: number | null;
  sum_squares?: number | null;
  mean?: number | null;
  [key: string]: unknown;
}

export interface IResultBundle {
  hypothesis: string;
  metric?: string | null;
  metric_kind?: string | null;
  control?: IArmBundle | null;
  treatment?: IArmBundle | null;
  target?: number | null;
  baseline?: number | null;
  /** The target as a lift from the reference, computed once by Python (Result.target_lift). */
  target_lift?: number | null;
  lift?: number | null;
  relative_lift?: number | null;
  ci_low?: number | null;
  ci_high?: number | null;
  p_value?: number | null;
  chance_to_beat?: number | null;
  observed?: number | null;
  verdict?: string | null;
  reason?: string | null;
  guards?: string[];
  required_n_per_arm?: number | null;
  look?: number | null;
  recorded_at?: string | null;
  /** A measurement of synthetic data: shown, never evidence. */
  rehearsal?: boolean | null;
  /** "frequentist" or "bayesian"; sequential says which frequentist interval was computed. */
  engine?: string | null;
  sequential?: boolean | null;
  sequential_tuning?: number | null;
  covariate?: string | null;
  risk?: number | null;
  [key: string]: unknown;
}

export interface IExperimentRow {
  id: string;
  problem?: string | null;
  statement?: string | null;
  risk?: string | null;
  metric?: string | null;
  baseline?: number | null;
  target?: number | null;
  observed?: number | null;
  lift?: number | null;
  ci_low?: number | null;
  ci_high?: number | null;
  /** Where lift charts mark the target: computed once by Python (ExperimentRow.target_lift). */
  target_lift?: number | null;
  n?: number | null;
  p_value?: number | null;
  verdict?: string | null;
  status?: string | null;
  decision?: string | null;
  learning?: string | null;
  without_evidence?: boolean | null;
  post_hoc?: boolean | null;
  [key: string]: unknown;
}

export interface IExperimentsBundle {
  rows: IExperimentRow[];
  problem?: string | null;
  generated_at?: string | null;
}

/** One hypothesis of the learning report: believed, observed, learned, therefore. */
export interface ILearningCardBundle {
  hypothesis: IHypothesisBundle;
  result?: IResultBundle | null;
  looks?: number | null;
  decision?: {
    decision?: string | null;
    learning?: string | null;
    without_evidence?: boolean | null;
  } | null;
}

export interface IReportBundle {
  problems: { problem: IProblemBundle; cards?: ILearningCardBundle[] }[];
  generated_at?: string | null;
}

// ------------------------------------------------------- notebook JSON subset

export interface IOutputLike {
  output_type: string;
  data?: { [mime: string]: unknown };
  ename?: string;
  evalue?: string;
  /** Stream outputs: IPython prints a UsageError to stderr, not as an error output. */
  name?: string;
  text?: string | string[];
}

export interface ICellLike {
  id?: string;
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: IOutputLike[];
}

export interface INotebookLike {
  cells: ICellLike[];
}

// ------------------------------------------------------------- panel state

/** Where an entry lives in the notebook: the id is authoritative, the index a fallback. */
export interface ICellRef {
  index: number;
  id?: string;
}

export interface IMetricState {
  name: string;
  description: string;
  baseline: number | null;
}

/** The latest evidence for a hypothesis: a result bundle, or an experiment-table row. */
export interface IEvidenceState {
  verdict: Verdict;
  reason: string;
  metric: string | null;
  observed: number | null;
  target: number | null;
  baseline: number | null;
  lift: number | null;
  relativeLift: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  pValue: number | null;
  /** Which interval ciLow/ciHigh are: fixed, sequential (always valid) or credible (Bayesian). */
  interval?: 'fixed' | 'sequential' | 'credible';
  /** Bayesian results: the posterior chance to beat, which their verdict reads instead of p. */
  chanceToBeat?: number | null;
  n: number | null;
  guards: string[];
  recordedAt: string | null;
  source: 'result' | 'experiments';
  cell: ICellRef;
}

export interface IHypothesisState {
  id: string;
  problem: string | null;
  statement: string;
  metric: string | null;
  target: number | null;
  baseline: number | null;
  risk: Risk | null;
  /** draft, running, or the latest verdict once evidence exists. */
  status: Status;
  warnings: string[];
  /** The goalposts (metric, target, baseline, direction) moved after data. */
  postHoc: boolean;
  evidence: IEvidenceState | null;
  /** The latest rehearsal (a measurement of synthetic data): shown apart, never evidence. */
  rehearsal: IEvidenceState | null;
  decision: string | null;
  learning: string | null;
  /** Cells with `%measure ID` lines, in document order. */
  measures: ICellRef[];
  /** Names of `%%synth ... --for ID` datasets. */
  datasets: string[];
  /** The defining cell (magic, else a cell showing its bundle, else the experiment table). */
  cell: ICellRef | null;
  /** The defining cell has a saved hypothesis bundle. */
  ran: boolean;
  /** The source's options disagree with the saved bundle: re-run to update. */
  edited: boolean;
  /** The one-line error of the defining cell's last run, if it failed. */
  error: string | null;
}

export interface IProblemState {
  name: string;
  statement: string;
  segment: string | null;
  metrics: IMetricState[];
  constraints: string[];
  outcome: string | null;
  cell: ICellRef | null;
  ran: boolean;
  error: string | null;
  hypotheses: IHypothesisState[];
}

/** The effect a synth spec plants: `metric[group=treatment]: ...` against the control. */
export interface ISynthEffect {
  metric: string;
  group: string;
  treatment: string;
  control: string | null;
}

export interface IDatasetState {
  name: string;
  rows: number | null;
  seed: number | null;
  forId: string | null;
  effect: ISynthEffect | null;
  cell: ICellRef;
}

export interface IDiscoveryState {
  problems: IProblemState[];
  /** Hypotheses that belong to no problem known in this notebook. */
  unassigned: IHypothesisState[];
  datasets: IDatasetState[];
  /** The problem a new hypothesis would attach to: the last one in the document. */
  currentProblem: string | null;
}

/** A cell to insert: its source and the selection where the user types next. */
export interface ICellTemplate {
  source: string;
  selection: {
    start: { line: number; column: number };
    end: { line: number; column: number };
  };
}
