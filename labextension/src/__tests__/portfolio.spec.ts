import { filterPortfolio, hasStatus, IPortfolio, isOpenable, NO_FILTER, portfolioSummary } from '../portfolio';
import { PortfolioPanel } from '../portfolioPanel';

const portfolio: IPortfolio = {
  store: '/srv/team/.disco/discovery.db',
  problems: [
    {
      name: 'onboarding',
      statement: 'Admins do not invite.',
      notebook: 'onboarding.ipynb',
      cell: 'c1',
      hypotheses: [
        { id: 'H1', problem: 'onboarding', status: 'validated', verdict: 'validated', risk: 'value', notebook: 'onboarding.ipynb', cell: 'c2' },
        { id: 'H2', problem: 'onboarding', status: 'draft', risk: 'usability', notebook: 'onboarding.ipynb', cell: 'c3', post_hoc: true },
        { id: 'H3', problem: 'onboarding', status: 'invalidated', verdict: 'invalidated', decision: 'kill', killed: true, learning: '<b>no</b>', risk: 'value', notebook: '/elsewhere/x.ipynb' }
      ]
    },
    {
      name: 'pricing',
      notebook: 'team/pricing.ipynb',
      hypotheses: [{ id: 'H1', problem: 'pricing', status: 'running', risk: 'viability', notebook: 'team/pricing.ipynb', cell: 'p2' }]
    }
  ]
};

describe('portfolio filters', () => {
  it('lets everything through without a filter', () => {
    expect(filterPortfolio(portfolio, NO_FILTER).map(p => p.hypotheses.length)).toEqual([3, 1]);
  });

  it('filters by problem, status and risk together', () => {
    expect(filterPortfolio(portfolio, { problem: 'pricing', status: '', risk: '' }).map(p => p.name)).toEqual(['pricing']);
    const value = filterPortfolio(portfolio, { problem: '', status: '', risk: 'value' });
    expect(value.map(p => p.hypotheses.map(h => h.id))).toEqual([['H1', 'H3']]);
    const killed = filterPortfolio(portfolio, { problem: '', status: 'killed', risk: '' });
    expect(killed.flatMap(p => p.hypotheses.map(h => `${h.problem}/${h.id}`))).toEqual(['onboarding/H3']);
  });

  it('knows the portfolio buckets: killed, post hoc, waiting', () => {
    const [h1, h2, h3] = portfolio.problems[0].hypotheses;
    expect(hasStatus(h3, 'killed')).toBe(true);
    expect(hasStatus(h1, 'killed')).toBe(false);
    expect(hasStatus(h2, 'post hoc')).toBe(true);
    expect(hasStatus(h2, 'waiting')).toBe(true);
    expect(hasStatus(h1, 'waiting')).toBe(false);
    expect(hasStatus(portfolio.problems[1].hypotheses[0], 'waiting')).toBe(true);
  });

  it('summarises, or says why it is empty', () => {
    expect(portfolioSummary(portfolio)).toBe(
      '2 problems · 4 hypotheses: 1 validated, 1 invalidated, 1 killed, 1 post hoc, 2 waiting'
    );
    expect(portfolioSummary({ store: 'x', problems: [], reason: 'no store at x yet' })).toBe('no store at x yet');
  });

  it('opens only paths inside the server root', () => {
    expect(isOpenable('team/pricing.ipynb')).toBe(true);
    expect(isOpenable('/elsewhere/x.ipynb')).toBe(false);
    expect(isOpenable('../up.ipynb')).toBe(false);
    expect(isOpenable('C:\\x.ipynb')).toBe(false);
    expect(isOpenable(null)).toBe(false);
  });
});

describe('PortfolioPanel', () => {
  it('draws both problems, escapes text, and asks to open a hypothesis at its cell', () => {
    const panel = new PortfolioPanel();
    panel.render(portfolio);
    const problems = [...panel.node.querySelectorAll('[data-testid="disco-portfolio-problem"]')].map(p => p.getAttribute('data-problem'));
    expect(problems).toEqual(['onboarding', 'pricing']);
    expect(panel.node.querySelector('b')).toBeNull(); // the learning '<b>no</b>' is text
    const opened: { path: string; cell: string | null }[] = [];
    panel.openRequested.connect((_, ref) => opened.push(ref));
    panel.node.querySelector<HTMLButtonElement>('[aria-label="Open hypothesis H1 of pricing"]')!.click();
    expect(opened).toEqual([{ path: 'team/pricing.ipynb', cell: 'p2' }]);
    expect(panel.node.querySelector<HTMLButtonElement>('[aria-label="Open hypothesis H3 of onboarding"]')!.disabled).toBe(true);
  });

  it('applies the status filter from its select', () => {
    const panel = new PortfolioPanel();
    panel.render(portfolio);
    const select = panel.node.querySelector<HTMLSelectElement>('[data-testid="disco-portfolio-filter-status"]')!;
    select.value = 'validated';
    select.dispatchEvent(new Event('change'));
    const shown = [...panel.node.querySelectorAll('[data-testid="disco-portfolio-hypothesis"]')].map(
      h => `${h.getAttribute('data-problem')}/${h.getAttribute('data-hypothesis')}`
    );
    expect(shown).toEqual(['onboarding/H1']);
    expect(panel.filter.status).toBe('validated');
  });

  it('keeps the last portfolio and says why a refresh failed', () => {
    const panel = new PortfolioPanel();
    panel.render(portfolio);
    panel.render(null, 'Could not load the portfolio (500).');
    expect(panel.node.querySelector('[data-testid="disco-portfolio-summary"]')!.textContent).toBe('Could not load the portfolio (500).');
    expect(panel.node.querySelectorAll('[data-testid="disco-portfolio-hypothesis"]').length).toBe(4);
  });
});
