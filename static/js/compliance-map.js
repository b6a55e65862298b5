// The compliance dashboard's map: one dot per covered site, coloured by its status, drawn on a
// canvas so that 10,000 sites stay fast. The dots come from the same filters as the list
// (data-sites). The legend under the map (#compliance-map-legend) gives each colour in words.
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function setup(el) {
    var colours = readJSON("status-colours") || {};
    var labels = readJSON("status-labels") || {};
    var map = L.map(el, { scrollWheelZoom: false, preferCanvas: true }).setView([34.1, -117.37], 12);
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    var boundary = readJSON("boundary-data");
    if (boundary) {
      var b = L.geoJSON(boundary, { style: { color: "#1d2733", weight: 2, fill: false, dashArray: "6 4" } }).addTo(map);
      map.fitBounds(b.getBounds());
    }
    var message = document.getElementById("compliance-map-message");
    fetch(el.dataset.sites, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var renderer = L.canvas({ padding: 0.5 });
        var layer = L.layerGroup();
        data.sites.forEach(function (s) {
          L.circleMarker([s[1], s[0]], {
            renderer: renderer, radius: 5, weight: 1, color: "#1d2733",
            fillColor: colours[s[2]] || "#555", fillOpacity: 0.9
          }).bindTooltip(labels[s[2]] || s[2]).addTo(layer);
        });
        layer.addTo(map);
        el.dataset.loaded = String(data.sites.length);
        el.dataset.ready = "1";
      })
      .catch(function () {
        if (message) { message.textContent = el.dataset.failed; message.hidden = false; }
        el.dataset.ready = "1";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("compliance-map");
    if (el && window.L) setup(el);
  });
})();
