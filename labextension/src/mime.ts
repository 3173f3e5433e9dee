/**
 * The `disco-magics:renderer` mime extension: rich rendering of the static
 * `application/vnd.disco.*+json` bundles, so saved outputs read well in a
 * notebook opened without a kernel.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { renderBundle } from './render';
import { MIME } from './tokens';

const MIME_TYPES = Object.values(MIME);

export class DiscoRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass('jp-DiscoOutput');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.node.replaceChildren(renderBundle(this._mimeType, model.data[this._mimeType], model.data['text/html']));
    return Promise.resolve();
  }

  private _mimeType: string;
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  // Safe: the renderer builds DOM from text nodes only, so untrusted output is fine.
  safe: true,
  mimeTypes: MIME_TYPES,
  createRenderer: options => new DiscoRenderer(options)
};

const extension: IRenderMime.IExtension = {
  id: 'disco-magics:renderer',
  description: 'Renders disco_magics problem, hypothesis, result and experiment-table outputs.',
  rendererFactory,
  // Ahead of text/html (rank 50) so the rich card wins over the kernel's HTML fallback.
  rank: 0,
  dataType: 'json'
};

export default extension;
