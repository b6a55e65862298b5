// Pages of a long list shown one at a time (the console's canvass list): the server sends
// every row (the search's one audit event lists them all) with data-page on each; the
// Previous / Next buttons show one page and say which in the status. Delegated from the
// document, so it works on lists htmx swaps in later.
(function () {
  "use strict";
  function show(pager, page) {
    var pages = Number(pager.dataset.pages), size = Number(pager.dataset.pageSize), count = Number(pager.dataset.count);
    page = Math.max(0, Math.min(pages - 1, page));
    pager.dataset.current = String(page);
    var table = document.getElementById("results-table");
    table.querySelectorAll("tr[data-page]").forEach(function (row) { row.hidden = Number(row.dataset.page) !== page; });
    pager.querySelector(".pager-previous").disabled = page === 0;
    pager.querySelector(".pager-next").disabled = page === pages - 1;
    pager.querySelector(".pager-status").textContent = pager.dataset.status
      .replace("{first}", String(page * size + 1))
      .replace("{last}", String(Math.min(count, (page + 1) * size)))
      .replace("{count}", String(count));
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".pager button[data-step]");
    if (!button) return;
    var pager = button.closest(".pager");
    show(pager, Number(pager.dataset.current || "0") + Number(button.dataset.step));
    // A disabled button loses the focus: keep it on the pager for the next key press.
    if (button.disabled) pager.querySelector("button:not([disabled])").focus();
  });
})();
