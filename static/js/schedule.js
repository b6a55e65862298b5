// The consent page's schedule rows, without a round trip: "Add a row" appends an empty row and
// "Use this schedule" fills the rows with a ready-made schedule. Without JavaScript the same
// buttons post the form, and the page comes back with the rows changed and nothing saved
// (portal.views.ConsentEditView._redisplay). Presets come from portal.forms.SCHEDULE_PRESETS.
(function () {
  "use strict";
  const form = document.querySelector("form[data-schedule]");
  const presetsData = document.getElementById("schedule-presets");
  if (!form || !presetsData) return;
  const presets = JSON.parse(presetsData.textContent);
  const body = form.querySelector("table.windows tbody");
  const total = form.querySelector("[name=w-TOTAL_FORMS]");
  const max = Number(form.querySelector("[name=w-MAX_NUM_FORMS]").value);
  const template = document.getElementById("window-template");
  const field = (row, name) => row.querySelector(`[name$="-${name}"]`);

  function addRow() {
    const n = Number(total.value);
    if (n >= max) return null;
    const html = template.innerHTML.replace(/__prefix__/g, String(n)).replace(/__number__/g, String(n + 1));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(n + 1);
    return body.lastElementChild;
  }

  form.querySelector("[name=add_window]").addEventListener("click", (event) => {
    event.preventDefault();
    const row = addRow();
    if (row) field(row, "day").focus();
  });

  form.querySelector("[name=apply_preset]").addEventListener("click", (event) => {
    const chosen = form.querySelector("[name=preset-preset]:checked");
    const start = preset => preset.start || form.querySelector("[name=preset-start]").value;
    const end = preset => preset.end || form.querySelector("[name=preset-end]").value;
    const preset = chosen && presets[chosen.value];
    // Let the server explain what is missing (no choice, no times).
    if (!preset || !start(preset) || !end(preset)) return;
    event.preventDefault();
    const rows = Array.from(body.querySelectorAll("tr.window"));
    preset.days.forEach((day, index) => {
      const row = rows[index] || addRow();
      if (!row) return;
      row.hidden = false;
      field(row, "day").value = String(day);
      field(row, "start").value = start(preset);
      field(row, "end").value = end(preset);
      field(row, "next_day").checked = preset.next_day === undefined ? end(preset) < start(preset) : preset.next_day;
      field(row, "DELETE").checked = false;
    });
    // Rows beyond the preset go when the owner saves, as a ticked "Remove" does.
    rows.slice(preset.days.length).forEach(row => {
      field(row, "DELETE").checked = true;
      row.hidden = true;
    });
    const first = body.querySelector("tr.window:not([hidden]) select");
    if (first) first.focus();
  });
})();
