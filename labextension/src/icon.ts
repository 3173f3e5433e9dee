import { LabIcon } from '@jupyterlab/ui-components';

/** A compass: where the panel points you next. Uses jp-icon3 so themes recolour it. */
export const discoIcon = new LabIcon({
  name: 'disco-magics:discovery',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<path fill-rule="evenodd" d="M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20zm0 2a8 8 0 1 1 0 16a8 8 0 1 1 0-16z"/>' +
    '<path d="M16.2 7.8l-2.6 5.8-5.8 2.6 2.6-5.8z"/>' +
    '</g></svg>'
});
