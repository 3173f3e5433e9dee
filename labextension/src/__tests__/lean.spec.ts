/**
 * A big experiment table keeps its rows in the output's text/html only (`"rows_in": "text/html"`):
 * the lab extension reads them back. The fixture is written by Python (tests/test_table_lean.py
 * holds it current), so this reads exactly the HTML disco_magics publishes.
 */
import { renderBundle } from '../render';
import { asExperimentsBundle, notebookToState, rowsFromHtml } from '../state';
import { IExperimentRow, MIME } from '../tokens';
import { code, notebook } from './fixtures';
import fixture from './lean-table.json';

const EXPECTED = fixture.rows as IExperimentRow[];
const SHOWN = [
  'id', 'statement', 'risk', 'metric', 'baseline', 'target', 'observed', 'lift', 'ci_low', 'ci_high',
  'n', 'p_value', 'verdict', 'rehearsal', 'status', 'decision', 'learning', 'without_evidence', 'post_hoc'
] as const;

function close(actual: unknown, expected: unknown, key: string): void {
  if (typeof expected === 'number' && key !== 'n') {
    // the HTML rounds to 3 decimals; a p below 0.001 reads back as below 0.001
    expect(typeof actual).toBe('number');
    expect(Math.abs((actual as number) - expected)).toBeLessThan(key === 'p_value' ? 0.001 : 0.0006);
  } else {
    expect(actual).toEqual(expected ?? (key === 'learning' ? '' : null));
  }
}

describe('rows read back from the static HTML', () => {
  it.each([['lean', fixture.lean], ['full', fixture.full]])('%s HTML: every column the table shows', (_, html) => {
    const rows = rowsFromHtml(html);
    expect(rows.map(r => r.id)).toEqual(['H1', 'H2', 'H3', 'H4']);
    rows.forEach((row, i) => {
      for (const key of SHOWN) {
        close(row[key], EXPECTED[i][key], key);
      }
    });
    // the escaped markup stays text
    expect(rows[2].statement).toBe('A "quoted" <i>banner</i> helps');
    expect(rows[0].learning).toBe('Admins <b>love</b> it & ask for more');
  });

  it('a bundle with rows_in takes its rows and their problems from the HTML', () => {
    const bundle = asExperimentsBundle(
      { rows_in: 'text/html', count: 4, problems: EXPECTED.map(r => r.problem), problem: null },
      fixture.lean.match(/.{1,80}/gs) // nbformat may save the HTML as a list of lines
    );
    expect(bundle?.rows.map(r => [r.id, r.problem])).toEqual([
      ['H1', 'onboarding'], ['H2', 'onboarding'], ['H3', 'onboarding'], ['H4', 'pricing']
    ]);
    expect(asExperimentsBundle({ rows_in: 'text/html' })).toBeNull();
  });

  it('renders the saved table of a big live table', () => {
    const host = document.createElement('div');
    host.appendChild(renderBundle(MIME.experiments, { rows_in: 'text/html', count: 4, problem: 'onboarding' }, fixture.lean));
    const rows = [...host.querySelectorAll<HTMLElement>('[data-testid="disco-experiment-row"]')];
    expect(rows.map(r => r.getAttribute('data-hypothesis'))).toEqual(['H1', 'H2', 'H3', 'H4']);
    expect(rows[0].textContent).toContain('validated');
    expect(rows[2].textContent).toContain('without evidence');
    expect(host.querySelector('img, script')).toBeNull();
    expect(host.textContent).toContain('A "quoted" <i>banner</i> helps');
  });

  it('still reads an old bundle that carries its rows (notebooks saved before)', () => {
    const old = { rows: EXPECTED, problem: null, generated_at: '2026-01-02T03:04:05Z' };
    expect(asExperimentsBundle(old, '<table><tbody><tr><td>ignored</td></tr></tbody></table>')?.rows).toEqual(EXPECTED);
    const state = notebookToState(
      notebook(
        code('%experiments --all', [
          {
            output_type: 'display_data',
            data: { [MIME.experiments]: { rows_in: 'text/html', problems: EXPECTED.map(r => r.problem) }, 'text/html': fixture.lean }
          }
        ], 1)
      )
    );
    expect(state.problems.map(p => p.name).sort()).toEqual(['onboarding', 'pricing']);
    expect(state.problems.flatMap(p => p.hypotheses.map(h => h.id)).sort()).toEqual(['H1', 'H2', 'H3', 'H4']);
  });
});
