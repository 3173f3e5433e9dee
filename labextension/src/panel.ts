/**
 * The Discovery side panel: the active notebook's problems with their metrics,
 * then each hypothesis with its risk, target, status and latest evidence.
 * It only draws an `IDiscoveryState`; the plugin computes the state and moves
 * the notebook when an entry asks to go to its cell.
 */
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { fmtCI, fmtMove, fmtNum, fmtP, fmtPercent, fmtSigned } from './format';
import { badge, riskTag } from './render';
import { summary } from './state';
import { TemplateKind } from './templates';
import {
  ICellRef,
  IDatasetState,
  IDiscoveryState,
  IHypothesisState,
  IProblemState
} from './tokens';

export const PANEL_ID = 'disco-magics-panel';

/** What the panel shows: a notebook's state, or nothing when no notebook is active. */
export interface IPanelView {
  title: string | null;
  state: IDiscoveryState | null;
  activeIndex: number;
}

const INSERT_LABELS: [TemplateKind, string][] = [
  ['problem', 'Problem'],
  ['hypothesis', 'Hypothesis'],
  ['synth', 'Synth'],
  ['measure', 'Measure']
];

export class DiscoveryPanel extends Widget {
  constructor() {
    super();
    this.id = PANEL_ID;
    this.addClass('jp-DiscoPanel');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Discovery');
    this.title.caption = 'Discovery';
    this._title = h('span', { class: 'jp-DiscoPanel-notebook', 'data-testid': 'disco-notebook-name' });
    this._summary = h('div', { class: 'jp-DiscoPanel-summary', 'data-testid': 'disco-summary', 'aria-live': 'polite' });
    this._buttons = INSERT_LABELS.map(([kind, label]) =>
      h(
        'button',
        {
          type: 'button',
          class: 'jp-DiscoPanel-insert',
          'aria-label': `Insert ${label.toLowerCase()} cell`,
          title: `Insert a ${label.toLowerCase()} cell below the active cell`,
          'data-testid': `disco-insert-${kind}`,
          onClick: () => this._insertRequested.emit(kind)
        },
        `+ ${label}`
      ) as HTMLButtonElement
    );
    this._content = h('div', { class: 'jp-DiscoPanel-content' });
    this.node.append(
      h(
        'div',
        { class: 'jp-DiscoPanel-header' },
        h('h2', { class: 'jp-DiscoPanel-heading' }, 'Discovery'),
        this._title
      ),
      h(
        'div',
        { class: 'jp-DiscoPanel-actions', role: 'toolbar', 'aria-label': 'Insert discovery cells' },
        ...this._buttons
      ),
      this._summary,
      this._content
    );
    this.render({ title: null, state: null, activeIndex: -1 });
  }

  /** Emitted with the cell an entry points at when the user clicks it. */
  get jumpRequested(): ISignal<this, ICellRef> {
    return this._jumpRequested;
  }

  /** Emitted when the panel becomes visible (it skips redraws while hidden). */
  get shown(): ISignal<this, void> {
    return this._shown;
  }

  /** Emitted when one of the panel's insert buttons is clicked. */
  get insertRequested(): ISignal<this, TemplateKind> {
    return this._insertRequested;
  }

  render(view: IPanelView): void {
    this._view = view;
    const { state, title } = view;
    this._title.textContent = title ?? '';
    this._buttons.forEach(b => (b.disabled = state === null));
    this._summary.textContent = state ? summary(state) : '';
    if (!state) {
      this._content.replaceChildren(
        h('p', { class: 'jp-DiscoEmpty', 'data-testid': 'disco-empty' }, 'Open a notebook to see its problem, hypotheses and evidence.')
      );
      return;
    }
    const sections: HTMLElement[] = state.problems.map(p => this._problem(p));
    if (state.unassigned.length) {
      sections.push(
        h(
          'section',
          { class: 'jp-DiscoPanel-problem', 'aria-label': 'Hypotheses without a problem' },
          h('h3', { class: 'jp-DiscoPanel-subheading' }, 'Without a problem'),
          this._hypotheses(state.unassigned, 'Hypotheses without a problem')
        )
      );
    }
    const loose = state.datasets.filter(d => !d.forId || !state.problems.some(p => p.hypotheses.some(x => x.id === d.forId)));
    if (loose.length) {
      sections.push(this._datasets(loose));
    }
    if (!sections.length) {
      sections.push(
        h(
          'div',
          { class: 'jp-DiscoEmpty', 'data-testid': 'disco-empty' },
          h('p', null, 'No discovery cells in this notebook yet.'),
          h('p', null, 'Start with the customer problem and the metrics that tell you it is solved: ', h('strong', null, '+ Problem'), '.')
        )
      );
    }
    this._content.replaceChildren(...sections);
  }

  /** Re-render with a new active cell (the entry for it is marked current). */
  setActiveIndex(index: number): void {
    if (this._view && index !== this._view.activeIndex) {
      this.render({ ...this._view, activeIndex: index });
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._shown.emit();
  }

  private _jumpButton(ref: ICellRef | null, label: string, ...children: (HTMLElement | string | null)[]): HTMLElement {
    const current = ref !== null && ref.index === this._view?.activeIndex;
    return h(
      'button',
      {
        type: 'button',
        class: 'jp-DiscoPanel-jump',
        'aria-label': label,
        'aria-current': current ? 'true' : null,
        disabled: ref === null,
        title: ref === null ? 'Not in this notebook' : label,
        onClick: () => ref && this._jumpRequested.emit(ref)
      },
      ...children
    );
  }

  private _problem(problem: IProblemState): HTMLElement {
    const status = problem.error
      ? h('span', { class: 'jp-DiscoWarn', title: problem.error }, 'error')
      : problem.cell === null
        ? h('span', { class: 'jp-DiscoMuted' }, 'not in this notebook')
        : !problem.ran
          ? h('span', { class: 'jp-DiscoMuted' }, 'not run')
          : null;
    return h(
      'section',
      {
        class: 'jp-DiscoPanel-problem',
        'aria-label': `Problem ${problem.name}`,
        'data-testid': 'disco-problem',
        'data-problem': problem.name
      },
      this._jumpButton(
        problem.cell,
        `Go to problem ${problem.name}`,
        h(
          'span',
          { class: 'jp-DiscoPanel-title' },
          h('span', { class: 'jp-DiscoPanel-kind' }, 'Problem'),
          h('span', { class: 'jp-DiscoPanel-name' }, problem.name),
          status
        ),
        problem.statement ? h('span', { class: 'jp-DiscoPanel-statement' }, problem.statement) : null,
        problem.segment ? h('span', { class: 'jp-DiscoPanel-meta' }, `Segment: ${problem.segment}`) : null
      ),
      problem.error ? h('p', { class: 'jp-DiscoPanel-error', role: 'alert' }, problem.error) : null,
      problem.metrics.length
        ? h(
            'ul',
            { class: 'jp-DiscoPanel-metrics', 'aria-label': `Metrics of ${problem.name}` },
            ...problem.metrics.map(m =>
              h(
                'li',
                { 'data-testid': 'disco-metric', 'data-metric': m.name, title: m.description || m.name },
                h('code', null, m.name),
                h('span', { class: 'jp-DiscoPanel-baseline' }, m.baseline !== null ? `baseline ${fmtNum(m.baseline)}` : 'no baseline'),
                m.description ? h('span', { class: 'jp-DiscoPanel-meta' }, m.description) : null
              )
            )
          )
        : h('p', { class: 'jp-DiscoMuted' }, 'No metrics declared.'),
      h('h3', { class: 'jp-DiscoPanel-subheading' }, `Hypotheses (${problem.hypotheses.length})`),
      problem.hypotheses.length
        ? this._hypotheses(problem.hypotheses, `Hypotheses of ${problem.name}`)
        : h('p', { class: 'jp-DiscoMuted' }, 'None yet: frame one with + Hypothesis.')
    );
  }

  private _hypotheses(hypotheses: IHypothesisState[], label: string): HTMLElement {
    return h('ul', { class: 'jp-DiscoPanel-hypotheses', 'aria-label': label }, ...hypotheses.map(x => this._hypothesis(x)));
  }

  private _hypothesis(hyp: IHypothesisState): HTMLElement {
    const ev = hyp.evidence;
    const flags: HTMLElement[] = [];
    if (hyp.error) {
      flags.push(h('p', { class: 'jp-DiscoPanel-error', role: 'alert' }, hyp.error));
    } else if (hyp.cell !== null && !hyp.ran) {
      flags.push(h('p', { class: 'jp-DiscoMuted' }, 'Not run yet.'));
    }
    if (hyp.edited) {
      flags.push(h('p', { class: 'jp-DiscoWarn' }, 'Edited since it last ran: re-run the cell.'));
    }
    if (hyp.postHoc) {
      flags.push(
        h('p', { class: 'jp-DiscoWarn', 'data-testid': 'disco-post-hoc' }, '⚑ Post hoc: goalposts moved after data')
      );
    }
    for (const w of hyp.warnings) {
      flags.push(h('p', { class: 'jp-DiscoWarn' }, w));
    }
    let evidence: HTMLElement;
    if (ev) {
      const parts = [
        ev.observed !== null ? `observed ${fmtNum(ev.observed)}` : '',
        ev.lift !== null ? `lift ${fmtSigned(ev.lift)} ${ev.ciLow !== null ? fmtCI(ev.ciLow, ev.ciHigh) : ''}`.trim() : '',
        ev.interval === 'credible'
          ? ev.chanceToBeat != null
            ? `chance to beat ${fmtPercent(ev.chanceToBeat)}`
            : ''
          : ev.pValue !== null
            ? `${ev.interval === 'sequential' ? 'sequential ' : ''}p ${fmtP(ev.pValue)}`
            : '',
        ev.n !== null ? `n ${fmtNum(ev.n)}` : ''
      ].filter(Boolean);
      // The status badge already shows the verdict when they agree (the usual case).
      evidence = h(
        'div',
        { class: 'jp-DiscoPanel-evidence', 'data-testid': 'disco-verdict', 'data-verdict': ev.verdict },
        ev.verdict !== hyp.status
          ? h('span', { class: 'jp-DiscoPanel-verdictLabel' }, 'Latest verdict ', badge(ev.verdict, 'verdict'))
          : null,
        h('span', { class: 'jp-DiscoPanel-figures' }, parts.join(' · ')),
        ev.reason ? h('span', { class: 'jp-DiscoPanel-reason', title: ev.reason }, ev.reason) : null,
        h(
          'button',
          {
            type: 'button',
            class: 'jp-DiscoPanel-link',
            'aria-label': `Go to evidence for ${hyp.id}`,
            onClick: () => this._jumpRequested.emit(ev.cell)
          },
          ev.source === 'result' ? 'Go to result' : 'Go to table'
        )
      );
    } else {
      evidence = h(
        'div',
        { class: 'jp-DiscoPanel-evidence jp-DiscoMuted', 'data-testid': 'disco-verdict', 'data-verdict': 'none' },
        hyp.measures.length ? 'Measured, no result saved yet.' : 'No evidence yet.'
      );
    }
    const extras: HTMLElement[] = [];
    const rh = hyp.rehearsal;
    if (rh) {
      // Apart from the evidence, and labelled: what the analysis said on synthetic data.
      extras.push(
        h(
          'div',
          { class: 'jp-DiscoPanel-rehearsal jp-DiscoMuted', 'data-testid': 'disco-rehearsal', 'data-verdict': rh.verdict },
          h('span', { class: 'jp-DiscoPanel-verdictLabel' }, 'Rehearsal on synthetic data: ', rh.verdict),
          rh.lift !== null ? ` · lift ${fmtSigned(rh.lift)}` : '',
          ' (not evidence) ',
          h(
            'button',
            {
              type: 'button',
              class: 'jp-DiscoPanel-link',
              'aria-label': `Go to rehearsal for ${hyp.id}`,
              onClick: () => this._jumpRequested.emit(rh.cell)
            },
            'Go to rehearsal'
          )
        )
      );
    }
    if (hyp.decision || hyp.learning) {
      extras.push(
        h(
          'p',
          { class: 'jp-DiscoPanel-decision', 'data-testid': 'disco-decision' },
          hyp.decision ? h('strong', null, hyp.decision) : null,
          hyp.decision && hyp.learning ? ': ' : '',
          hyp.learning ?? ''
        )
      );
    }
    if (hyp.datasets.length || hyp.measures.length) {
      extras.push(
        h(
          'p',
          { class: 'jp-DiscoPanel-meta' },
          [
            hyp.datasets.length ? `synth: ${hyp.datasets.join(', ')}` : '',
            hyp.measures.length ? `${hyp.measures.length} measure cell${hyp.measures.length > 1 ? 's' : ''}` : ''
          ]
            .filter(Boolean)
            .join(' · ')
        )
      );
    }
    return h(
      'li',
      {
        class: `jp-DiscoPanel-hypothesis jp-mod-${hyp.status}`,
        'data-testid': 'disco-hypothesis',
        'data-hypothesis': hyp.id,
        'data-status': hyp.status,
        'aria-label': `Hypothesis ${hyp.id}, ${hyp.status}`
      },
      this._jumpButton(
        hyp.cell,
        `Go to hypothesis ${hyp.id}`,
        h(
          'span',
          { class: 'jp-DiscoPanel-title' },
          h('span', { class: 'jp-DiscoPanel-name' }, hyp.id),
          riskTag(hyp.risk),
          badge(hyp.status, 'status')
        ),
        hyp.statement ? h('span', { class: 'jp-DiscoPanel-statement' }, hyp.statement) : null,
        h(
          'span',
          { class: 'jp-DiscoPanel-meta', 'data-testid': 'disco-target' },
          hyp.metric ? h('code', null, hyp.metric) : 'metric ?',
          ` ${fmtMove(hyp.baseline, hyp.target)}`
        )
      ),
      ...flags,
      evidence,
      ...extras
    );
  }

  private _datasets(datasets: IDatasetState[]): HTMLElement {
    return h(
      'section',
      { class: 'jp-DiscoPanel-problem', 'aria-label': 'Synthetic data' },
      h('h3', { class: 'jp-DiscoPanel-subheading' }, 'Synthetic data'),
      h(
        'ul',
        { class: 'jp-DiscoPanel-datasets', 'aria-label': 'Synthetic datasets' },
        ...datasets.map(d =>
          h(
            'li',
            { 'data-testid': 'disco-dataset', 'data-dataset': d.name },
            this._jumpButton(
              d.cell,
              `Go to dataset ${d.name}`,
              h('code', null, d.name),
              ' ',
              h('span', { class: 'jp-DiscoPanel-meta' }, [
                d.rows !== null ? `${fmtNum(d.rows)} rows` : '',
                d.seed !== null ? `seed ${d.seed}` : '',
                d.forId ? `for ${d.forId}` : ''
              ].filter(Boolean).join(' · '))
            )
          )
        )
      )
    );
  }

  private _view: IPanelView | null = null;
  private _title: HTMLElement;
  private _summary: HTMLElement;
  private _content: HTMLElement;
  private _buttons: HTMLButtonElement[];
  private _jumpRequested = new Signal<this, ICellRef>(this);
  private _insertRequested = new Signal<this, TemplateKind>(this);
  private _shown = new Signal<this, void>(this);
}
