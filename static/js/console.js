// The department console map: clustered cameras per viewport, drawing tools for a circle or a
// polygon (or a click plus a radius), and the search results drawn back onto the map.
(function () {
  "use strict";
  var COLOURS = { registered: "#6b7785", on_request: "#2f7d32", live_exigent: "#b35c00", live: "#a4262c" };

  function setup(el) {
    var map = L.map(el).setView([34.1, -117.37], 13);
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    var boundaryEl = document.getElementById("boundary-data");
    var boundary = boundaryEl ? JSON.parse(boundaryEl.textContent) : null;
    if (boundary) {
      var b = L.geoJSON(boundary, { style: { color: "#1d2733", weight: 2, fill: false, dashArray: "6 4" } }).addTo(map);
      map.fitBounds(b.getBounds());
    }
    var clusters = L.markerClusterGroup({ chunkedLoading: true, disableClusteringAtZoom: 18 });
    map.addLayer(clusters);
    var timer = null;
    function loadViewport() {
      var bb = map.getBounds();
      var bbox = [bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
      fetch(el.dataset.mapData + "?bbox=" + bbox, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { cameras: [] }; })
        .then(function (data) {
          clusters.clearLayers();
          clusters.addLayers(data.cameras.map(function (c) {
            return L.circleMarker([c[2], c[1]], { radius: 5, color: COLOURS[c[3]] || "#555", fillOpacity: 0.8 });
          }));
          el.dataset.loaded = String(data.cameras.length);
        });
    }
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(loadViewport, 250); });
    loadViewport();

    var form = document.getElementById("area-form");
    var drawn = new L.FeatureGroup().addTo(map);
    var results = L.layerGroup().addTo(map);
    function field(name) { return form.querySelector("[name=" + name + "]"); }
    function search() { htmx.trigger(form, "submit"); }
    function circle(center, radius) {
      drawn.clearLayers();
      L.circle(center, { radius: radius, color: "#0b57d0", fillOpacity: 0.08 }).addTo(drawn);
      field("lat").value = center.lat.toFixed(6);
      field("lon").value = center.lng.toFixed(6);
      field("radius_m").value = Math.round(radius);
      field("polygon").value = "";
    }
    map.addControl(new L.Control.Draw({
      draw: { polyline: false, rectangle: false, marker: false, circlemarker: false, circle: { shapeOptions: { color: "#0b57d0" } }, polygon: { allowIntersection: false } },
      edit: false
    }));
    map.on(L.Draw.Event.CREATED, function (e) {
      if (e.layerType === "circle") {
        circle(e.layer.getLatLng(), e.layer.getRadius());
      } else {
        drawn.clearLayers();
        drawn.addLayer(e.layer);
        field("polygon").value = JSON.stringify(e.layer.toGeoJSON().geometry);
        field("lat").value = ""; field("lon").value = "";
      }
      search();
    });
    map.on("click", function (e) {
      if (map._drawing) return;
      circle(e.latlng, parseFloat(field("radius_m").value) || 250);
      search();
    });
    map.on(L.Draw.Event.DRAWSTART, function () { map._drawing = true; });
    map.on(L.Draw.Event.DRAWSTOP, function () { setTimeout(function () { map._drawing = false; }, 0); });
    field("radius_m").addEventListener("change", function () {
      var lat = parseFloat(field("lat").value), lon = parseFloat(field("lon").value);
      if (!isNaN(lat) && !isNaN(lon)) { circle(L.latLng(lat, lon), parseFloat(field("radius_m").value)); search(); }
    });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.detail.target.id !== "results") return;
      results.clearLayers();
      var data = document.getElementById("result-features");
      if (!data) return;
      L.geoJSON(JSON.parse(data.textContent), {
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 7, weight: 2, color: "#000", fillColor: COLOURS[f.properties.level] || "#555", fillOpacity: 1 }); }
      }).addTo(results);
      el.dataset.results = String(JSON.parse(data.textContent).features.length);
    });
    el.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("console-map");
    if (el) setup(el);
  });
})();
