// The console map's incidents, live: the feed (/ws/console/incidents/, console.consumers) adds a
// marker and a line of the panel for each new incident, updates them when it changes, removes
// them when it is closed. Clicking one docks its cameras (a logged gate search: a POST with the
// CSRF token, answered by the purpose form first if the officer has not stated one for it).
(function () {
  "use strict";

  function setup(panel, map) {
    var list = document.getElementById("incident-list");
    var status = document.getElementById("incident-feed-status");
    var dock = document.getElementById("incident-dock");
    var sources = JSON.parse(document.getElementById("incident-sources").textContent);
    var csrf = document.querySelector("#area-form [name=csrfmiddlewaretoken]").value;
    var shown = {}; // id -> {marker, item}
    var layer = L.layerGroup().addTo(map);

    function label(incident) {
      var when = new Date(incident.time);
      var parts = [incident.type || sources[incident.source_kind] || incident.source_kind];
      // The page's words and language (data attributes the template translates), not the browser's.
      if (incident.priority) parts.push(panel.dataset.priorityText + " " + incident.priority);
      parts.push(when.toLocaleTimeString(panel.dataset.lang || undefined));
      if (incident.address) parts.push(incident.address);
      return parts.join(" · ");
    }

    function openDock(incident) {
      htmx.ajax("POST", panel.dataset.dockUrl.replace("ID", incident.id), {
        target: "#incident-dock", swap: "innerHTML", values: { csrfmiddlewaretoken: csrf }
      });
      map.setView([incident.point[1], incident.point[0]], Math.max(map.getZoom(), 17));
    }

    function show(incident) {
      var entry = shown[incident.id];
      if (incident.status !== "open") {
        if (entry) {
          layer.removeLayer(entry.marker);
          entry.item.remove();
          delete shown[incident.id];
        }
        return;
      }
      var at = [incident.point[1], incident.point[0]];
      if (!entry) {
        var marker = L.marker(at, {
          title: label(incident),
          icon: L.divIcon({ className: "incident-marker", iconSize: [18, 18] })
        }).addTo(layer);
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-dark";
        item.appendChild(button);
        item.dataset.incident = incident.id;
        list.insertBefore(item, list.firstChild);
        entry = shown[incident.id] = { marker: marker, item: item, button: button };
      }
      entry.incident = incident;
      entry.marker.setLatLng(at);
      entry.marker.options.title = label(incident);
      entry.button.textContent = label(incident);
      entry.marker.off("click").on("click", function () { openDock(entry.incident); });
      entry.button.onclick = function () { openDock(entry.incident); };
      panel.dataset.count = String(Object.keys(shown).length);
    }

    JSON.parse(document.getElementById("open-incidents").textContent).reverse().forEach(show);
    panel.dataset.count = String(Object.keys(shown).length);

    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + panel.dataset.socket);
    ws.onmessage = function (e) {
      var message = JSON.parse(e.data);
      if (message.type === "ready") panel.dataset.feed = "open";
      if (message.type === "incident") show(message.incident);
    };
    ws.onclose = function (e) {
      panel.dataset.feed = "closed";
      panel.dataset.closeCode = String(e.code);
      status.textContent = panel.dataset.closedText;
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("incident-panel");
    var el = document.getElementById("console-map");
    if (!panel || !el) return;
    if (el.porchlightMap) setup(panel, el.porchlightMap);
    else el.addEventListener("console-map-ready", function (e) { setup(panel, e.detail.map); }, { once: true });
  });
})();
