/**
 * disco-magics JupyterLab plugins:
 * - `disco-magics:panel`: the Discovery side panel of the active notebook;
 * - `disco-magics:commands`: insert problem / hypothesis / synth / measure cells
 *   (palette, and the notebook toolbar through schema/commands.json).
 * - `disco-magics:live-table`: in notebooks, the experiment table is the live widget while
 *   its model exists and the saved copy otherwise (live.ts).
 * The output renderer is the mime extension `disco-magics:renderer` in mime.ts.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { discoIcon } from './icon';
import { LIVE_TABLE_RANK, liveTableFactory, notebookWidgetFactory } from './live';
import { insertTemplate, modelToNotebookLike, selectCell } from './notebook';
import { DiscoveryPanel, PANEL_ID } from './panel';
import { portfolioPlugin } from './portfolioPlugin';
import { notebookToState } from './state';
import { cellTemplate, TemplateKind } from './templates';

export const CommandIDs = {
  insertProblem: 'disco-magics:insert-problem',
  insertHypothesis: 'disco-magics:insert-hypothesis',
  insertSynth: 'disco-magics:insert-synth',
  insertMeasure: 'disco-magics:insert-measure',
  showPanel: 'disco-magics:show-panel'
} as const;

const INSERTS: { kind: TemplateKind; id: string; label: string; caption: string }[] = [
  { kind: 'problem', id: CommandIDs.insertProblem, label: 'Insert Problem Cell', caption: 'Insert a %%problem cell: the customer problem and its metrics' },
  { kind: 'hypothesis', id: CommandIDs.insertHypothesis, label: 'Insert Hypothesis Cell', caption: 'Insert a %%hypothesis cell for the problem above' },
  { kind: 'synth', id: CommandIDs.insertSynth, label: 'Insert Synthetic Data Cell', caption: 'Insert a %%synth cell with a planted effect for the hypothesis above' },
  { kind: 'measure', id: CommandIDs.insertMeasure, label: 'Insert Measure Cell', caption: 'Insert a %measure line for the hypothesis above' }
];

const PALETTE_CATEGORY = 'Discovery';

const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'disco-magics:commands',
  description: 'Commands that insert disco_magics cells from templates.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, palette: ICommandPalette | null) => {
    for (const { kind, id, label, caption } of INSERTS) {
      app.commands.addCommand(id, {
        label,
        caption,
        isEnabled: () => tracker.currentWidget !== null,
        execute: async () => {
          const panel = tracker.currentWidget;
          if (!panel) {
            return;
          }
          await panel.context.ready;
          const state = notebookToState(modelToNotebookLike(panel.content.model));
          await insertTemplate(panel, cellTemplate(kind, state, panel.content.activeCellIndex));
        }
      });
      palette?.addItem({ command: id, category: PALETTE_CATEGORY });
    }
  }
};

const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'disco-magics:panel',
  description: 'The Discovery side panel: problem, hypotheses and evidence of the active notebook.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    const panel = new DiscoveryPanel();
    panel.title.icon = discoIcon;
    app.shell.add(panel, 'right', { rank: 650 });
    restorer?.add(panel, PANEL_ID);

    let current: NotebookPanel | null = null;
    let timer: number | undefined;

    const refresh = () => {
      timer = undefined;
      if (!current || current.isDisposed || !current.content.model) {
        panel.render({ title: null, state: null, activeIndex: -1 });
        return;
      }
      panel.render({
        title: current.title.label || current.context.path,
        state: notebookToState(modelToNotebookLike(current.content.model)),
        activeIndex: current.content.activeCellIndex
      });
    };
    // Edits and outputs arrive in bursts (typing, streaming): redraw once they settle,
    // and only while the panel is visible.
    const schedule = () => {
      if (!panel.isVisible) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 200);
    };
    panel.shown.connect(refresh);

    const follow = (notebook: NotebookPanel | null) => {
      current?.context.model.contentChanged.disconnect(schedule);
      current?.context.pathChanged.disconnect(schedule);
      current = notebook;
      if (!notebook) {
        schedule();
        return;
      }
      notebook.context.model.contentChanged.connect(schedule);
      notebook.context.pathChanged.connect(schedule);
      notebook.disposed.connect(() => {
        if (current === notebook) {
          follow(null);
        }
      });
      void notebook.context.ready.then(schedule);
      schedule();
    };
    tracker.currentChanged.connect((_, notebook) => follow(notebook));
    follow(tracker.currentWidget);
    tracker.activeCellChanged.connect(() => {
      if (current && panel.isVisible) {
        panel.setActiveIndex(current.content.activeCellIndex);
      }
    });

    panel.jumpRequested.connect((_, ref) => {
      if (current) {
        app.shell.activateById(current.id);
        void selectCell(current, ref);
      }
    });
    panel.insertRequested.connect((_, kind) => {
      if (current) {
        app.shell.activateById(current.id);
        void app.commands.execute(INSERTS.find(i => i.kind === kind)!.id);
      }
    });

    app.commands.addCommand(CommandIDs.showPanel, {
      label: 'Show Discovery Panel',
      caption: 'Problem, hypotheses and evidence of the active notebook',
      execute: () => app.shell.activateById(PANEL_ID)
    });
    palette?.addItem({ command: CommandIDs.showPanel, category: PALETTE_CATEGORY });
  }
};

const liveTablePlugin: JupyterFrontEndPlugin<void> = {
  id: 'disco-magics:live-table',
  description: 'The experiment table in notebooks: live while its widget model exists, its saved copy otherwise.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker) => {
    // Each notebook has its own rendermime (and ipywidgets its own manager per notebook).
    const install = (panel: NotebookPanel) =>
      panel.content.rendermime.addFactory(liveTableFactory(notebookWidgetFactory(panel)), LIVE_TABLE_RANK);
    tracker.forEach(install);
    tracker.widgetAdded.connect((_, panel) => install(panel));
  }
};

export default [panelPlugin, commandsPlugin, liveTablePlugin, portfolioPlugin];
