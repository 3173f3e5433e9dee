// jsdom has no DragEvent, which @lumino/dragdrop (under @lumino/widgets) extends at import.
if (typeof globalThis.DragEvent === 'undefined') {
  globalThis.DragEvent = class DragEvent extends MouseEvent {};
}
