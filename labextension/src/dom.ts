/**
 * A tiny DOM builder. Text always goes in through `textContent`, never as HTML,
 * so whatever a notebook holds (statements, reasons, names) is escaped by
 * construction.
 */

export type Child = Node | string | number | null | undefined | false;

export interface IAttrs {
  [name: string]: string | number | boolean | null | undefined | ((event: Event) => void);
}

/** Create an element; `on*` function attributes become listeners, `false`/null attributes are skipped. */
export function h(tag: string, attrs: IAttrs | null = null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Create an SVG element (same attribute rules as `h`). */
export function svg(tag: string, attrs: IAttrs | null = null, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs: IAttrs | null): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(name, String(value));
    }
  }
}

function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}
