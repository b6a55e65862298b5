// Tables marked "cards" become one card per row on a phone (static/css/porchlight.css), so that
// no cell is cut at the edge of a box scrolled sideways. Each cell is labelled there with its
// column's title, read here from the table's own header: a translated page labels its cells in
// its language, and the templates do not repeat every title in every cell. Without script the
// table stays a table that scrolls sideways inside its box.
(function () {
  "use strict";

  function label(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    var titles = Array.prototype.map.call(head.cells, function (th) { return th.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        if (row.cells.length !== titles.length) return;  // a row spanning the table ("none")
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (titles[i] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", titles[i]);
        });
      });
    });
  }

  function labelAll() { document.querySelectorAll("table.cards").forEach(label); }

  document.addEventListener("DOMContentLoaded", labelAll);
  document.addEventListener("htmx:afterSettle", labelAll);
})();
