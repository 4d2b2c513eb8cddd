/* Small DOM helpers shared by the pages: plain browser JS, no build, no CDN. Text goes in as
 * textContent, never as HTML. */
(function () {
  'use strict';

  /** An element with `text` as its text (none when null or undefined) and `cls` as its class. */
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  /** Removes every child of `node`. */
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /**
   * h('div', { class: 'x', onclick: fn, 'data-id': 1 }, 'text', childNode, [more…]): attributes
   * (null/undefined/false ones left out; on* are listeners) and children (strings become text nodes).
   */
  function h(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else if (key === 'class') node.className = value;
      else node.setAttribute(key, String(value));
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) return child.forEach(function (c) { append(node, c); });
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }

  window.switchboard = window.switchboard || {};
  window.switchboard.dom = { el: el, clear: clear, h: h };
})();
