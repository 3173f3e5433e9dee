/**
 * The experiment table in a notebook: the live widget while its model exists, the
 * saved copy otherwise.
 *
 * A `%experiments` output carries ipywidgets' view (`application/vnd.jupyter.widget-view+json`)
 * next to the table's JSON and its static HTML. ipywidgets' renderer outranks both and, when
 * the model is gone (a notebook reopened in a new kernel: JupyterLab does not save widget
 * state by default), it shows "Error displaying widget: model not found", or "Loading
 * widget..." for ever without a kernel. This renderer is installed in each notebook for the
 * table's own mime type, at a rank ahead of the widget view. It shows the saved copy, with a
 * hint saying so, and hands over to ipywidgets' own view when, and while, the model exists.
 * Untrusted outputs are never made live (ipywidgets does not render them either).
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Message, MessageLoop } from '@lumino/messaging';
import type { ISignal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

import { h } from './dom';
import { renderBundle } from './render';
import { MIME, WIDGET_VIEW_MIME } from './tokens';

/** Ahead of ipywidgets' widget view (-10). */
export const LIVE_TABLE_RANK = -20;

/** How long a fresh output waits for its live view before the saved copy shows. */
const GRACE_MS = 400;

/** The factory of ipywidgets' renderer bound to this notebook's widget manager, or null. */
export type WidgetFactoryLookup = () => Promise<IRenderMime.IRendererFactory | null>;

export const SAVED_COPY_HINT =
  'Saved copy, not live. To make it live: run %load_ext disco_magics, then this %experiments cell.';

/** The `model_id` of the widget view in an output's bundle, or null. */
export function widgetModelId(data: IRenderMime.IMimeModel['data']): string | null {
  const view = data[WIDGET_VIEW_MIME] as { model_id?: unknown } | undefined;
  return view && typeof view.model_id === 'string' && view.model_id ? view.model_id : null;
}

/** The saved table, with the hint when the output was a widget. */
export function savedCopy(data: IRenderMime.IMimeModel['data']): HTMLElement {
  const table = renderBundle(MIME.experiments, data[MIME.experiments], data['text/html']);
  if (!widgetModelId(data)) {
    return table;
  }
  return h(
    'div',
    { class: 'jp-DiscoSavedCopy', 'data-testid': 'disco-saved-copy' },
    table,
    h('div', { class: 'jp-DiscoSavedCopy-hint', role: 'note' }, SAVED_COPY_HINT)
  );
}

export class ExperimentTableOutput extends Panel implements IRenderMime.IRenderer {
  constructor(
    private readonly _options: IRenderMime.IRendererOptions,
    private readonly _widgetFactory: WidgetFactoryLookup
  ) {
    super();
    this.addClass('jp-DiscoOutput');
    this.addClass('jp-DiscoLiveTable');
  }

  /** Whether ipywidgets' view is shown rather than the saved copy. */
  get isLive(): boolean {
    return this._live !== null;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const modelId = widgetModelId(model.data);
    // Kept current while live too: it shows again if the widget is closed.
    this._saved = new Widget({ node: savedCopy(model.data) });
    if (this._live && this._live.modelId === modelId) {
      // A display update republished the static copy; the live view follows its model already.
      return;
    }
    this._stopLive();
    if (!modelId || !model.trusted) {
      this._showSaved();
      return;
    }
    await Promise.race([this._goLive(model, modelId), sleep(GRACE_MS)]);
    if (!this._live) {
      this._showSaved();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopLive();
    super.dispose();
  }

  private _showSaved(): void {
    const saved = this._saved;
    if (this.isDisposed || !saved || this.widgets.includes(saved)) {
      return;
    }
    for (const child of [...this.widgets]) {
      child.dispose();
    }
    this.addWidget(saved);
  }

  /**
   * Render the widget view off screen with ipywidgets' own renderer, and show it once it holds
   * a view. ipywidgets waits for its manager to load the kernel's models and retries then, so
   * a notebook reopened while its kernel still runs turns live when the models arrive.
   */
  private async _goLive(model: IRenderMime.IMimeModel, modelId: string): Promise<void> {
    const attempt = ++this._attempt;
    const factory = await this._widgetFactory();
    if (!factory || this.isDisposed || attempt !== this._attempt) {
      return;
    }
    const inner = factory.createRenderer({ ...this._options, mimeType: WIDGET_VIEW_MIME });
    this._inner = inner;
    const manager = await managerOf(inner);
    if (this._inner !== inner || this.isDisposed) {
      return; // a newer output replaced this one meanwhile
    }
    if (manager && !manager.has_model(modelId)) {
      // Asked first, so a missing model logs no error; ask again whenever the manager has loaded the
      // kernel's models (a reconnect, a restart).
      await new Promise<void>(resolve => {
        const retry = () => {
          if (this._inner !== inner || manager.has_model(modelId)) {
            manager.restored.disconnect(retry);
            resolve();
          }
        };
        manager.restored.connect(retry);
        this._waiting = () => {
          manager.restored.disconnect(retry);
          resolve();
        };
      });
      this._waiting = null;
      if (this._inner !== inner || this.isDisposed) {
        return;
      }
    }
    const shown = new Promise<void>(resolve => {
      this._hook = (handler: unknown, msg: Message): boolean => {
        if (handler === inner && msg.type === 'child-added' && this._inner === inner && !this._live) {
          this._showLive(inner, modelId);
          resolve();
        } else if (handler === inner && msg.type === 'child-removed' && this._live?.widget === inner) {
          // The widget was closed in the kernel: back to the saved copy, once this message is through.
          void Promise.resolve().then(() => {
            if (this._live?.widget === inner) {
              this._stopLive();
              this._showSaved();
            }
          });
        }
        return true;
      };
      MessageLoop.installMessageHook(inner, this._hook);
    });
    // A copy: ipywidgets writes to the view's bundle (model_id "" once the widget closes).
    const view = { ...(model.data[WIDGET_VIEW_MIME] as object) };
    const mimeModel: IRenderMime.IMimeModel = {
      trusted: true,
      data: { ...model.data, [WIDGET_VIEW_MIME]: view },
      metadata: model.metadata,
      setData: () => undefined
    };
    const rendered = inner.renderModel(mimeModel).catch(err => {
      console.warn('disco-magics: the live experiment table could not be shown', err);
    });
    await Promise.race([shown, rendered]);
  }

  private _showLive(inner: Widget, modelId: string): void {
    if (this.isDisposed) {
      return;
    }
    for (const child of [...this.widgets]) {
      child.parent = null; // the saved copy: kept by renderModel, shown again if the widget closes
    }
    this._live = { widget: inner, modelId };
    this.addWidget(inner);
  }

  private _stopLive(): void {
    const inner = this._inner;
    this._inner = null;
    this._live = null;
    this._waiting?.();
    if (inner) {
      if (this._hook) {
        MessageLoop.removeMessageHook(inner, this._hook);
        this._hook = null;
      }
      inner.dispose();
    }
  }

  private _waiting: (() => void) | null = null;
  private _attempt = 0;
  private _saved: Widget | null = null;
  private _inner: IRenderMime.IRenderer | null = null;
  private _live: { widget: Widget; modelId: string } | null = null;
  private _hook: ((handler: unknown, msg: Message) => boolean) | null = null;
}

/** What this module needs of ipywidgets' widget manager. */
export interface IWidgetManagerLike {
  has_model(modelId: string): boolean;
  readonly restored: ISignal<unknown, void>;
}

/**
 * The widget manager behind an ipywidgets renderer (jupyterlab_widgets 3: a promise in its
 * `_manager` field), or null where that is not there: then the renderer is simply asked to
 * render, and logs an error when the model is missing.
 */
export async function managerOf(renderer: unknown): Promise<IWidgetManagerLike | null> {
  const delegate = (renderer as { _manager?: { promise?: unknown } } | null)?._manager;
  const pending = delegate?.promise;
  if (!(pending instanceof Promise)) {
    return null;
  }
  // A renderer made before the kernel was ready waits for its manager: don't wait with it.
  const manager = (await Promise.race([pending, sleep(50).then(() => null)])) as Partial<IWidgetManagerLike> | null;
  return manager && typeof manager.has_model === 'function' && manager.restored ? (manager as IWidgetManagerLike) : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** How long to wait for ipywidgets to bind its renderer to a notebook's kernel. */
const FACTORY_WAIT_MS = 15_000;

/**
 * ipywidgets' widget-view factory of one notebook, once bound to the notebook's widget
 * manager. ipywidgets replaces the factory the notebook started with when its kernel is
 * ready; call this when the notebook is created, before that happens.
 */
export function notebookWidgetFactory(panel: NotebookPanel): WidgetFactoryLookup {
  const unbound = panel.content.rendermime.getFactory(WIDGET_VIEW_MIME);
  return async () => {
    await panel.sessionContext.ready;
    const deadline = Date.now() + FACTORY_WAIT_MS;
    while (!panel.isDisposed) {
      const factory = panel.content.rendermime.getFactory(WIDGET_VIEW_MIME) ?? null;
      if (!factory || factory !== unbound || Date.now() > deadline) {
        return factory; // none: ipywidgets is not installed
      }
      if (!panel.sessionContext.session?.kernel) {
        return null; // no kernel, no widget models
      }
      await sleep(100);
    }
    return null;
  };
}

/** The experiment table's renderer factory for one notebook. */
export function liveTableFactory(widgetFactory: WidgetFactoryLookup): IRenderMime.IRendererFactory {
  return {
    // The saved copy is built from text nodes; the live view is used for trusted outputs only.
    safe: true,
    mimeTypes: [MIME.experiments],
    defaultRank: LIVE_TABLE_RANK,
    createRenderer: options => new ExperimentTableOutput(options, widgetFactory)
  };
}
