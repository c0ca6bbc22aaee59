// Building DOM safely: every piece of text becomes a text node, never markup.
//
// h('p', {class: 'note'}, 'Hello ', h('strong', {}, name)) creates the element,
// sets the attributes and appends the children. Strings and numbers are appended
// as text nodes, so data from the server can never turn into HTML. null, undefined
// and false children are skipped, which keeps conditional parts short.

// Attributes that are set as properties rather than with setAttribute.
const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'selected']);

/** Creates an element; see the file comment. `on<Event>` attributes take a function. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (PROPERTIES.has(name)) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, numbers, nested arrays) to parent as in h(). */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Removes every child of el and appends the new ones. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let idCounter = 0;
/** A document-unique id for label/aria wiring, e.g. uid('signin-user'). */
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
