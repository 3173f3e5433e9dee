/**
 * The JupyterLab side of the panel and commands: reading a live notebook model
 * as notebook JSON, moving to a cell, and inserting a template cell.
 */
import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';

import { ICellLike, ICellRef, ICellTemplate, INotebookLike, IOutputLike, MIME } from './tokens';

const MIME_TYPES: string[] = Object.values(MIME);

/**
 * The live model in the shape of notebook JSON, keeping only what the panel reads:
 * sources, execution counts, disco bundles and error lines (not images or HTML).
 */
export function modelToNotebookLike(model: INotebookModel | null): INotebookLike {
  const cells: ICellLike[] = [];
  if (!model) {
    return { cells };
  }
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    const like: ICellLike = { id: cell.id, cell_type: cell.type, source: cell.sharedModel.getSource() };
    if (cell.type === 'code') {
      const code = cell as ICodeCellModel;
      const outputs: IOutputLike[] = [];
      for (let k = 0; k < code.outputs.length; k++) {
        const output = code.outputs.get(k);
        if (output.type === 'error' || output.type === 'stream') {
          outputs.push(output.toJSON() as unknown as IOutputLike);
          continue;
        }
        const data: { [mime: string]: unknown } = {};
        for (const mime of MIME_TYPES) {
          if (output.data[mime] !== undefined) {
            data[mime] = output.data[mime];
          }
        }
        if (Object.keys(data).length) {
          outputs.push({ output_type: output.type, data });
        }
      }
      like.execution_count = code.executionCount;
      like.outputs = outputs;
    }
    cells.push(like);
  }
  return { cells };
}

/** The current index of a referenced cell: by id when it has one, else by position. */
export function findCell(model: INotebookModel, ref: ICellRef): number {
  if (ref.id) {
    for (let i = 0; i < model.cells.length; i++) {
      if (model.cells.get(i).id === ref.id) {
        return i;
      }
    }
  }
  return ref.index < model.cells.length ? ref.index : -1;
}

/** Scroll to a cell and make it the active, selected one (command mode). */
export async function selectCell(panel: NotebookPanel, ref: ICellRef): Promise<void> {
  const notebook = panel.content;
  const index = notebook.model ? findCell(notebook.model, ref) : -1;
  if (index < 0) {
    return;
  }
  notebook.mode = 'command';
  notebook.deselectAll();
  notebook.activeCellIndex = index;
  await notebook.scrollToItem(index, 'smart');
  notebook.activate();
}

/**
 * Insert a template as a code cell below the active cell (or into it, when the
 * active cell is an empty code cell), then put the editor's selection where the
 * user types next.
 */
export async function insertTemplate(panel: NotebookPanel, template: ICellTemplate): Promise<void> {
  const notebook = panel.content;
  const model = notebook.model;
  if (!model) {
    return;
  }
  const active = notebook.activeCell;
  let index: number;
  if (active && active.model.type === 'code' && active.model.sharedModel.getSource().trim() === '') {
    index = notebook.activeCellIndex;
    active.model.sharedModel.setSource(template.source);
  } else {
    index = active ? notebook.activeCellIndex + 1 : model.cells.length;
    model.sharedModel.insertCell(index, { cell_type: 'code', source: template.source });
  }
  notebook.deselectAll();
  notebook.activeCellIndex = index;
  await notebook.scrollToItem(index, 'smart');
  const cell = notebook.activeCell;
  if (!cell) {
    return;
  }
  await cell.ready;
  notebook.mode = 'edit';
  cell.editor?.setSelection(template.selection);
  cell.editor?.focus();
}
