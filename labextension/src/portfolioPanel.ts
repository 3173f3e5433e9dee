/**
 * The Portfolio view: every problem and hypothesis of the store the notebooks use,
 * across notebooks and without a kernel, with filters by problem, status and risk.
 * It draws an `IPortfolio`; the plugin fetches it and opens notebooks on request.
 */
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { fmtMove } from './format';
import {
  filterPortfolio,
  IPortfolio,
  IPortfolioFilter,
  IPortfolioHypothesis,
  IPortfolioProblem,
  isOpenable,
  NO_FILTER,
  portfolioSummary,
  RISK_CHOICES,
  STATUS_CHOICES
} from './portfolio';
import { badge, riskTag } from './render';

export const PORTFOLIO_PANEL_ID = 'disco-magics-portfolio';

/** Where a hypothesis (or problem) was declared: a notebook path and, when known, a cell id. */
export interface INotebookRef {
  path: string;
  cell: string | null;
}

export class PortfolioPanel extends Widget {
  constructor() {
    super();
    this.id = PORTFOLIO_PANEL_ID;
    this.addClass('jp-DiscoPanel');
    this.addClass('jp-DiscoPortfolio');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Discovery portfolio');
    this.title.caption = 'Discovery portfolio: every problem and hypothesis in the store';
    this._problem = this._select('Problem', []);
    this._status = this._select('Status', [...STATUS_CHOICES]);
    this._risk = this._select('Risk', [...RISK_CHOICES]);
    this._summary = h('div', { class: 'jp-DiscoPanel-summary', 'data-testid': 'disco-portfolio-summary', 'aria-live': 'polite' });
    this._store = h('div', { class: 'jp-DiscoPanel-meta jp-DiscoPortfolio-store', 'data-testid': 'disco-portfolio-store' });
    this._content = h('div', { class: 'jp-DiscoPanel-content' });
    const refresh = h(
      'button',
      { type: 'button', class: 'jp-DiscoPanel-insert', 'aria-label': 'Refresh the portfolio', onClick: () => this._refreshRequested.emit() },
      'Refresh'
    );
    this.node.append(
      h('div', { class: 'jp-DiscoPanel-header' }, h('h2', { class: 'jp-DiscoPanel-heading' }, 'Portfolio'), refresh),
      h(
        'div',
        { class: 'jp-DiscoPortfolio-filters', role: 'group', 'aria-label': 'Filter the portfolio' },
        this._problem.label,
        this._status.label,
        this._risk.label
      ),
      this._summary,
      this._store,
      this._content
    );
    this.render(null);
  }

  /** Emitted with a notebook (and cell) to open when the user clicks an entry. */
  get openRequested(): ISignal<this, INotebookRef> {
    return this._openRequested;
  }

  /** Emitted when the view wants fresh data: shown, or the Refresh button. */
  get refreshRequested(): ISignal<this, void> {
    return this._refreshRequested;
  }

  get filter(): IPortfolioFilter {
    return { ...this._filter };
  }

  /** Draw a portfolio (null: not loaded yet), or keep the last one and say why it could not load. */
  render(portfolio: IPortfolio | null, error: string | null = null): void {
    if (portfolio !== null) {
      this._portfolio = portfolio;
    }
    const current = this._portfolio;
    this._setOptions(this._problem.select, current ? current.problems.map(p => p.name) : []);
    this._store.textContent = current ? `Store: ${current.store}` : '';
    this._summary.textContent = error ?? (current ? portfolioSummary(current) : 'Loading the portfolio…');
    if (!current) {
      this._content.replaceChildren();
      return;
    }
    const shown = filterPortfolio(current, this._filter);
    if (!shown.length) {
      this._content.replaceChildren(
        h('p', { class: 'jp-DiscoEmpty', 'data-testid': 'disco-empty' }, current.problems.length ? 'Nothing matches these filters.' : current.reason || 'No problems in the store yet.')
      );
      return;
    }
    this._content.replaceChildren(...shown.map(p => this._problemSection(p)));
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._refreshRequested.emit();
  }

  private _select(label: string, choices: string[]): { label: HTMLElement; select: HTMLSelectElement } {
    const select = h('select', {
      class: 'jp-DiscoPortfolio-filter',
      'aria-label': `Filter by ${label.toLowerCase()}`,
      'data-testid': `disco-portfolio-filter-${label.toLowerCase()}`,
      onChange: () => {
        this._filter = { problem: this._problem.select.value, status: this._status.select.value, risk: this._risk.select.value };
        this.render(null);
      }
    }) as HTMLSelectElement;
    this._setOptions(select, choices);
    return { label: h('label', { class: 'jp-DiscoPortfolio-label' }, label, select), select };
  }

  private _setOptions(select: HTMLSelectElement, choices: string[]): void {
    const wanted = ['', ...choices];
    const have = [...select.options].map(o => o.value);
    if (have.length === wanted.length && have.every((v, i) => v === wanted[i])) {
      return;
    }
    const value = select.value;
    select.replaceChildren(...wanted.map(v => h('option', { value: v }, v || 'any')));
    select.value = wanted.includes(value) ? value : '';
  }

  private _open(notebook: string | null | undefined, cell: string | null | undefined, label: string, ...children: (HTMLElement | string | null)[]): HTMLElement {
    const openable = isOpenable(notebook);
    return h(
      'button',
      {
        type: 'button',
        class: 'jp-DiscoPanel-jump',
        'aria-label': label,
        disabled: !openable,
        title: openable ? `Open ${notebook}` : notebook ? `${notebook} is outside the server root` : 'The notebook is not known',
        onClick: () => openable && this._openRequested.emit({ path: notebook, cell: cell ?? null })
      },
      ...children
    );
  }

  private _problemSection(problem: IPortfolioProblem): HTMLElement {
    return h(
      'section',
      { class: 'jp-DiscoPanel-problem', 'aria-label': `Problem ${problem.name}`, 'data-testid': 'disco-portfolio-problem', 'data-problem': problem.name },
      this._open(
        problem.notebook,
        problem.cell,
        `Open problem ${problem.name}`,
        h('span', { class: 'jp-DiscoPanel-title' }, h('span', { class: 'jp-DiscoPanel-kind' }, 'Problem'), h('span', { class: 'jp-DiscoPanel-name' }, problem.name)),
        problem.statement ? h('span', { class: 'jp-DiscoPanel-statement' }, problem.statement) : null,
        problem.notebook ? h('span', { class: 'jp-DiscoPanel-meta' }, problem.notebook) : null
      ),
      problem.hypotheses.length
        ? h('ul', { class: 'jp-DiscoPanel-hypotheses', 'aria-label': `Hypotheses of ${problem.name}` }, ...problem.hypotheses.map(x => this._hypothesis(x)))
        : h('p', { class: 'jp-DiscoMuted' }, 'No hypotheses here.')
    );
  }

  private _hypothesis(hyp: IPortfolioHypothesis): HTMLElement {
    const status = hyp.status || 'draft';
    const marks: (HTMLElement | null)[] = [
      hyp.post_hoc ? h('span', { class: 'jp-DiscoRisk jp-DiscoWarn', title: 'Changed after its first result' }, 'post hoc') : null,
      hyp.evidence_level && hyp.evidence_level !== 'none' ? h('span', { class: 'jp-DiscoRisk', title: 'Strongest evidence so far' }, hyp.evidence_level) : null
    ];
    const decision = hyp.decision || hyp.learning
      ? h('p', { class: 'jp-DiscoPanel-decision', 'data-testid': 'disco-decision' }, hyp.decision ? h('strong', null, hyp.decision) : null, hyp.decision && hyp.learning ? ': ' : '', hyp.learning ?? '')
      : null;
    return h(
      'li',
      {
        class: `jp-DiscoPanel-hypothesis jp-mod-${status}`,
        'data-testid': 'disco-portfolio-hypothesis',
        'data-hypothesis': hyp.id,
        'data-problem': hyp.problem,
        'data-status': status,
        'aria-label': `Hypothesis ${hyp.id} of ${hyp.problem}, ${status}`
      },
      this._open(
        hyp.notebook,
        hyp.cell,
        `Open hypothesis ${hyp.id} of ${hyp.problem}`,
        h('span', { class: 'jp-DiscoPanel-title' }, h('span', { class: 'jp-DiscoPanel-name' }, hyp.id), riskTag(hyp.risk), badge(status, 'status'), ...marks),
        hyp.statement ? h('span', { class: 'jp-DiscoPanel-statement' }, hyp.statement) : null,
        h(
          'span',
          { class: 'jp-DiscoPanel-meta' },
          hyp.metric ? h('code', null, hyp.metric) : 'metric ?',
          ` ${fmtMove(hyp.baseline ?? null, hyp.target ?? null)}`,
          hyp.notebook ? ` · ${hyp.notebook}` : ' · notebook unknown'
        )
      ),
      hyp.verdict && hyp.verdict !== status ? h('p', { class: 'jp-DiscoPanel-meta' }, 'Latest verdict ', badge(hyp.verdict, 'verdict')) : null,
      decision
    );
  }

  private _portfolio: IPortfolio | null = null;
  private _filter: IPortfolioFilter = { ...NO_FILTER };
  private _problem: { label: HTMLElement; select: HTMLSelectElement };
  private _status: { label: HTMLElement; select: HTMLSelectElement };
  private _risk: { label: HTMLElement; select: HTMLSelectElement };
  private _summary: HTMLElement;
  private _store: HTMLElement;
  private _content: HTMLElement;
  private _openRequested = new Signal<this, INotebookRef>(this);
  private _refreshRequested = new Signal<this, void>(this);
}
