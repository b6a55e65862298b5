// The oversight board's search: a map to draw the area whose searches to list (a circle or a
// polygon, Leaflet.draw). It only fills the form's own fields (lat, lon, radius_m or polygon),
// which work without JavaScript too; the map is shown only when this script runs.
(function () {
  "use strict";

  function field(form, name) { return form.querySelector("[name=" + name + "]"); }

  function setup(el) {
    var form = document.getElementById("board-filter");
    el.hidden = false;
    var hint = document.getElementById("board-map-hint");
    if (hint) hint.hidden = false;
    var map = L.map(el, { scrollWheelZoom: false }).setView([34.1, -117.37], 12);
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    var boundaryData = document.getElementById("board-boundary");
    var boundaryText = boundaryData ? JSON.parse(boundaryData.textContent) : "";
    var bounds = null;
    if (boundaryText) {
      var b = L.geoJSON(JSON.parse(boundaryText), { style: { color: "#1d2733", weight: 2, fill: false, dashArray: "6 4" } }).addTo(map);
      bounds = b.getBounds();
    }
    var drawn = new L.FeatureGroup().addTo(map);
    // The area already in the form (a search being paged) is drawn back.
    var lat = parseFloat(field(form, "lat").value), lon = parseFloat(field(form, "lon").value);
    var radius = parseFloat(field(form, "radius_m").value), polygonText = field(form, "polygon").value.trim();
    try {
      if (polygonText) {
        drawn.addLayer(L.geoJSON(JSON.parse(polygonText), { style: { color: "#0b57d0" } }));
      } else if (!isNaN(lat) && !isNaN(lon) && !isNaN(radius)) {
        drawn.addLayer(L.circle([lat, lon], { radius: radius, color: "#0b57d0", fillOpacity: 0.08 }));
      }
    } catch (e) { /* a malformed area: the form says what is wrong with it */ }
    if (drawn.getLayers().length) bounds = drawn.getBounds().pad(0.5);

    map.addControl(new L.Control.Draw({
      draw: { polyline: false, rectangle: false, marker: false, circlemarker: false, circle: { shapeOptions: { color: "#0b57d0" } }, polygon: { allowIntersection: false } },
      edit: false
    }));
    map.on(L.Draw.Event.CREATED, function (e) {
      drawn.clearLayers();
      drawn.addLayer(e.layer);
      if (e.layerType === "circle") {
        var c = e.layer.getLatLng();
        field(form, "lat").value = c.lat.toFixed(6);
        field(form, "lon").value = c.lng.toFixed(6);
        field(form, "radius_m").value = Math.max(1, Math.round(e.layer.getRadius()));
        field(form, "polygon").value = "";
      } else {
        field(form, "polygon").value = JSON.stringify(e.layer.toGeoJSON().geometry);
        field(form, "lat").value = ""; field(form, "lon").value = ""; field(form, "radius_m").value = "";
      }
    });
    var clear = L.control({ position: "topright" });
    clear.onAdd = function () {
      var button = L.DomUtil.create("button", "board-map-clear");
      button.type = "button";
      button.textContent = el.dataset.clearText;
      L.DomEvent.on(button, "click", function (ev) {
        L.DomEvent.stop(ev);
        drawn.clearLayers();
        ["lat", "lon", "radius_m", "polygon"].forEach(function (n) { field(form, n).value = ""; });
      });
      return button;
    };
    clear.addTo(map);
    if (bounds) map.fitBounds(bounds);
    el.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("board-map");
    if (el && window.L) setup(el);
  });
})();
