import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Signal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

import { ExperimentTableOutput, liveTableFactory, SAVED_COPY_HINT, WidgetFactoryLookup } from '../live';
import { MIME, WIDGET_VIEW_MIME } from '../tokens';

/** Stands in for ipywidgets' renderer: a Panel that gets the view as a child when the model exists. */
class FakeWidgetRenderer extends Panel implements IRenderMime.IRenderer {
  static models = new Set<string>();
  static created: FakeWidgetRenderer[] = [];
  static rendered = 0;

  constructor(readonly mimeType: string) {
    super();
    FakeWidgetRenderer.created.push(this);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    FakeWidgetRenderer.rendered += 1;
    this.modelId = (model.data[this.mimeType] as { model_id: string }).model_id;
    this.node.textContent = 'Loading widget...';
    if (FakeWidgetRenderer.models.has(this.modelId)) {
      this.restore();
    }
  }

  /** What ipywidgets does when its manager has the model: the view becomes its child. */
  restore(): void {
    this.node.textContent = '';
    const view = new Widget();
    view.node.textContent = `live view of ${this.modelId}`;
    view.addClass('fake-live-view');
    this.addWidget(view);
  }

  modelId = '';
}

const factory: IRenderMime.IRendererFactory = {
  safe: false,
  mimeTypes: [WIDGET_VIEW_MIME],
  createRenderer: options => new FakeWidgetRenderer(options.mimeType)
};

function bundle(rows: string[], modelId: string | null = 'm1', trusted = true): IRenderMime.IMimeModel {
  const data: Record<string, unknown> = {
    [MIME.experiments]: { rows: rows.map(id => ({ id, status: 'draft', statement: `statement ${id}` })), problem: 'onboarding' },
    'text/html': '<table>static</table>'
  };
  if (modelId !== null) {
    data[WIDGET_VIEW_MIME] = { version_major: 2, version_minor: 0, model_id: modelId };
  }
  return { trusted, data: data as IRenderMime.IMimeModel['data'], metadata: {}, setData: () => undefined };
}

function output(lookup: WidgetFactoryLookup = async () => factory): ExperimentTableOutput {
  const renderer = liveTableFactory(lookup).createRenderer({ mimeType: MIME.experiments } as IRenderMime.IRendererOptions);
  Widget.attach(renderer, document.body);
  return renderer as ExperimentTableOutput;
}

const rowIds = (el: Element) =>
  [...el.querySelectorAll('[data-testid="disco-experiment-row"]')].map(r => r.getAttribute('data-hypothesis'));

beforeEach(() => {
  FakeWidgetRenderer.models = new Set();
  FakeWidgetRenderer.created = [];
  FakeWidgetRenderer.rendered = 0;
  document.body.replaceChildren();
});

describe('the experiment table output in a notebook', () => {
  it('is ahead of the widget view and safe for untrusted outputs', () => {
    const f = liveTableFactory(async () => null);
    expect(f.mimeTypes).toEqual([MIME.experiments]);
    expect(f.defaultRank).toBeLessThan(-10);
    expect(f.safe).toBe(true);
  });

  it('shows the saved copy with a hint when the widget model is gone', async () => {
    const out = output();
    await out.renderModel(bundle(['H1', 'H2']));
    expect(out.isLive).toBe(false);
    expect(rowIds(out.node)).toEqual(['H1', 'H2']);
    expect(out.node.querySelector('[role="note"]')!.textContent).toBe(SAVED_COPY_HINT);
    expect(out.node.textContent).not.toMatch(/Loading widget|model not found|Error/);
    out.dispose();
  });

  it('shows the live view when the model exists, and nothing of the saved copy', async () => {
    FakeWidgetRenderer.models.add('m1');
    const out = output();
    await out.renderModel(bundle(['H1']));
    expect(out.isLive).toBe(true);
    expect(out.node.querySelector('.fake-live-view')!.textContent).toBe('live view of m1');
    expect(out.node.querySelector('[data-testid="disco-saved-copy"]')).toBeNull();
    out.dispose();
  });

  it('keeps the live view through display updates and shows the latest copy once the widget closes', async () => {
    FakeWidgetRenderer.models.add('m1');
    const out = output();
    await out.renderModel(bundle(['H1']));
    await out.renderModel(bundle(['H1', 'H2', 'H3'])); // the kernel republished the static copy
    expect(FakeWidgetRenderer.created).toHaveLength(1); // the view was not re-created
    expect(out.isLive).toBe(true);
    // The widget is closed in the kernel: ipywidgets disposes the view.
    FakeWidgetRenderer.created[0].widgets[0].dispose();
    await Promise.resolve();
    expect(out.isLive).toBe(false);
    expect(rowIds(out.node)).toEqual(['H1', 'H2', 'H3']);
    out.dispose();
  });

  it('turns live when the models arrive after the saved copy shows (a reopened notebook, kernel running)', async () => {
    const out = output();
    await out.renderModel(bundle(['H1']));
    expect(out.isLive).toBe(false);
    FakeWidgetRenderer.created[0].restore(); // ipywidgets re-renders once its manager has restored
    expect(out.isLive).toBe(true);
    expect(out.node.querySelector('[data-testid="disco-saved-copy"]')).toBeNull();
    out.dispose();
  });

  it('never makes an untrusted output live', async () => {
    FakeWidgetRenderer.models.add('m1');
    const lookup = jest.fn(async () => factory);
    const out = output(lookup);
    await out.renderModel(bundle(['H1'], 'm1', false));
    expect(lookup).not.toHaveBeenCalled();
    expect(rowIds(out.node)).toEqual(['H1']);
    expect(out.node.textContent).toContain(SAVED_COPY_HINT);
    out.dispose();
  });

  it('shows the saved copy without ipywidgets, and a plain table without a hint when there was no widget', async () => {
    const none = output(async () => null);
    await none.renderModel(bundle(['H1']));
    expect(rowIds(none.node)).toEqual(['H1']);
    const plain = output();
    await plain.renderModel(bundle(['H2'], null));
    expect(rowIds(plain.node)).toEqual(['H2']);
    expect(plain.node.querySelector('[role="note"]')).toBeNull();
    none.dispose();
    plain.dispose();
  });

  it('renders a corrupted bundle as one line', async () => {
    const out = output(async () => null);
    const model = bundle([]);
    await out.renderModel({ ...model, data: { ...model.data, [MIME.experiments]: { rows: 'garbage' } } });
    expect(out.node.querySelector('.jp-DiscoUnreadable')!.textContent).toBe(
      'This saved disco experiments could not be read.'
    );
    out.dispose();
  });

  it('asks the widget manager first, and renders once its restored models include the table', async () => {
    const manager = { restored: new Signal<unknown, void>({}), has_model: (id: string) => FakeWidgetRenderer.models.has(id) };
    const withManager: IRenderMime.IRendererFactory = {
      ...factory,
      createRenderer: options => Object.assign(new FakeWidgetRenderer(options.mimeType), { _manager: { promise: Promise.resolve(manager) } })
    };
    const out = output(async () => withManager);
    await out.renderModel(bundle(['H1']));
    expect(FakeWidgetRenderer.rendered).toBe(0); // no attempt on a missing model: nothing logged
    expect(rowIds(out.node)).toEqual(['H1']);
    manager.restored.emit(); // restored, still without this model
    expect(out.isLive).toBe(false);
    FakeWidgetRenderer.models.add('m1');
    manager.restored.emit(); // e.g. the page reconnected to the kernel that made the table
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(FakeWidgetRenderer.rendered).toBe(1);
    expect(out.isLive).toBe(true);
    out.dispose();
  });
});
