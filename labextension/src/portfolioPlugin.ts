/**
 * `disco-magics:portfolio`: the Portfolio view in the left sidebar. It reads the
 * read-only server extension (no kernel), refreshes when shown, when the window
 * regains focus and every few seconds while visible (an unchanged store answers
 * 304), and opens a hypothesis' notebook at its cell.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';

import { discoIcon } from './icon';
import { selectCell } from './notebook';
import { IPortfolio, PORTFOLIO_ROUTE } from './portfolio';
import { INotebookRef, PORTFOLIO_PANEL_ID, PortfolioPanel } from './portfolioPanel';

export const SHOW_PORTFOLIO = 'disco-magics:show-portfolio';

/** Seconds between refreshes while the view is visible. */
const POLL_MS = 5000;

export const portfolioPlugin: JupyterFrontEndPlugin<void> = {
  id: 'disco-magics:portfolio',
  description: "The team's discovery portfolio: every problem and hypothesis in the store, across notebooks.",
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (app: JupyterFrontEnd, restorer: ILayoutRestorer | null, palette: ICommandPalette | null) => {
    const panel = new PortfolioPanel();
    panel.title.icon = discoIcon;
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, PORTFOLIO_PANEL_ID);

    const settings = app.serviceManager.serverSettings;
    const url = `${settings.baseUrl.replace(/\/?$/, '/')}${PORTFOLIO_ROUTE}`;
    let etag: string | null = null;
    let loading = false;

    const refresh = async () => {
      if (loading || !panel.isVisible) {
        return;
      }
      loading = true;
      try {
        const headers: Record<string, string> = etag ? { 'If-None-Match': etag } : {};
        const response = await ServerConnection.makeRequest(url, { method: 'GET', headers, cache: 'no-store' }, settings);
        if (response.status === 304) {
          return;
        }
        if (!response.ok) {
          panel.render(null, `Could not load the portfolio (${response.status} ${response.statusText}).`);
          return;
        }
        etag = response.headers.get('ETag');
        panel.render((await response.json()) as IPortfolio);
      } catch (err) {
        panel.render(null, `Could not load the portfolio: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        loading = false;
      }
    };
    panel.refreshRequested.connect(() => void refresh());
    window.addEventListener('focus', () => void refresh());
    window.setInterval(() => void refresh(), POLL_MS);

    panel.openRequested.connect((_, ref) => void openAt(app, ref));

    app.commands.addCommand(SHOW_PORTFOLIO, {
      label: 'Show Discovery Portfolio',
      caption: 'Every problem and hypothesis in the store, across notebooks',
      execute: () => app.shell.activateById(PORTFOLIO_PANEL_ID)
    });
    palette?.addItem({ command: SHOW_PORTFOLIO, category: 'Discovery' });
  }
};

/** Open the notebook (or bring its tab forward) and select the cell, when it still exists. */
async function openAt(app: JupyterFrontEnd, ref: INotebookRef): Promise<void> {
  const widget = await app.commands.execute('docmanager:open', { path: ref.path });
  if (!(widget instanceof NotebookPanel)) {
    return;
  }
  await widget.context.ready;
  app.shell.activateById(widget.id);
  if (ref.cell) {
    await selectCell(widget, { index: -1, id: ref.cell });
  }
}
