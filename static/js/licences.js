// Licence import page: refuse a file larger than the limit in the browser, before it is sent
// (the server refuses it too, by its declared length, before reading it).
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
  var limit = Number(input.dataset.maxBytes);
  var file = input.files && input.files[0];
  input.setCustomValidity(file && file.size > limit ? input.dataset.tooLarge || "File too large" : "");
  input.reportValidity();
});

// Not-registered list: a "select all" box in the table's head ticks every business of the page.
// Hidden in the HTML, so that without script nothing is shown that does nothing.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form;
    var boxes = function () {
      return form.querySelectorAll("input[type=checkbox][name='" + all.dataset.selectAll + "']");
    };
    var sync = function () {
      var list = Array.prototype.slice.call(boxes());
      var ticked = list.filter(function (box) { return box.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    };
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      all.indeterminate = false;
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all) sync();
    });
    sync();
  });
});
