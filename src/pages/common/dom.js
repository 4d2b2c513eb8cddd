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

  window.switchboard = window.switchboard || {};
  window.switchboard.dom = { el: el, clear: clear };
})();
