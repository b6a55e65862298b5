// Address boxes: an ARIA 1.2 combobox (input role=combobox + role=listbox) over a suggestion
// endpoint. Typing asks the server (debounced); ArrowDown/ArrowUp move through the
// suggestions (aria-activedescendant, so focus stays in the field), Enter picks the highlighted
// one (or the first), Escape closes the list. A pick fills the field and fires "address-pick"
// on it with {lat, lon, label, kind}; the page decides what a pick does (console.js centres the
// search, the property form moves its pin). Works with the keyboard alone; a click picks too.
(function () {
  "use strict";
  var DELAY_MS = 150;
  var counter = 0;

  function setup(input) {
    var url = input.dataset.addressSuggest;
    var id = input.id || ("address-box-" + (++counter));
    input.id = id;
    var list = document.createElement("ul");
    list.id = id + "-listbox";
    list.setAttribute("role", "listbox");
    list.className = "address-listbox";
    list.hidden = true;
    if (input.labels && input.labels.length) list.setAttribute("aria-labelledby", input.labels[0].id || labelId(input.labels[0], id));
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.id = id + "-status";
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    var wrapper = input.parentElement;
    if (wrapper) wrapper.classList.add("address-box");

    var results = [], active = -1, timer = null, sequence = 0, lastQuery = null;

    function labelId(label, base) { label.id = base + "-label"; return label.id; }
    function say(text) { status.textContent = text || ""; }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function render() {
      list.textContent = "";
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = list.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.kind = r.kind;
        li.textContent = r.label;
        // mousedown, not click: the field keeps its focus (and the list its state).
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        // The page gives the sentence for one and for several (translated on the server,
        // where the language's plural rule is known); "{count}" stands for the number.
        var sentence = results.length === 1 ? input.dataset.countOne : input.dataset.countOther;
        say((sentence || "{count}").replace("{count}", String(results.length)));
      } else {
        close();
      }
      active = -1;
    }
    function pick(index) {
      var r = results[index];
      if (!r) return;
      input.value = r.label;
      lastQuery = r.label;
      close();
      say(input.dataset.pickedText ? input.dataset.pickedText.replace("{place}", r.label) : r.label);
      input.dispatchEvent(new CustomEvent("address-pick", { bubbles: true, detail: r }));
    }
    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery) return;
      lastQuery = q;
      if (q.length < 2) { results = []; render(); say(""); return; }
      var mine = ++sequence;
      var params = new URLSearchParams({ q: q });
      if (input.dataset.near) params.set("near", input.dataset.near);
      input.setAttribute("aria-busy", "true");
      fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (answer) {
          if (mine !== sequence) return;  // a later keystroke's answer wins
          input.removeAttribute("aria-busy");
          results = Array.isArray(answer.data.results) ? answer.data.results : [];
          render();
          if (!answer.ok) say(answer.data.detail || input.dataset.failedText);
          else if (!results.length) say(input.dataset.noneText);
          input.dataset.suggestions = String(results.length);
        })
        .catch(function () {
          if (mine !== sequence) return;
          input.removeAttribute("aria-busy");
          results = []; render();
          say(input.dataset.failedText);
        });
    }

    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(fetchSuggestions, DELAY_MS); });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!open) {
          if (results.length) render();
          else { lastQuery = null; fetchSuggestions(); }
          return;
        }
        var n = results.length;
        if (!n) return;
        highlight(e.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1));
      } else if (e.key === "Enter") {
        if (open && results.length) {
          e.preventDefault();
          pick(active >= 0 ? active : 0);
        } else if (timer !== null && input.value.trim() !== lastQuery) {
          // Enter before the suggestions arrived: never submit a form on an unpicked text.
          e.preventDefault();
        }
      } else if (e.key === "Escape") {
        if (open) { e.preventDefault(); close(); say(""); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 0); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-address-suggest]").forEach(function (el) {
      var input = el.tagName === "INPUT" ? el : el.querySelector("input[name=address]");
      if (!input) return;
      if (input !== el) {
        ["addressSuggest", "countOne", "countOther", "noneText", "failedText", "pickedText"].forEach(function (k) {
          if (el.dataset[k] !== undefined) input.dataset[k] = el.dataset[k];
        });
      }
      setup(input);
    });
  });
})();
