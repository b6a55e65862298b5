// Porchlight maps (Leaflet). One script for every map; each <div class="map"> says what it shows
// through data attributes. Pins, wedges and the boundary are vector layers, so the map still
// works when no tile server is reachable.
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Same local projection as cameras/geometry.py: exact enough at camera ranges.
  function wedge(lat, lon, bearing, angle, range) {
    var mLat = 111320, mLon = 111320 * Math.cos(lat * Math.PI / 180);
    function at(dir) {
      var t = dir * Math.PI / 180;
      return [lat + range * Math.cos(t) / mLat, lon + range * Math.sin(t) / mLon];
    }
    var pts = [], i;
    if (angle >= 360) {
      for (i = 0; i < 48; i++) pts.push(at(360 * i / 48));
      return pts;
    }
    var steps = Math.max(2, Math.ceil(24 * angle / 180)), start = bearing - angle / 2;
    pts.push([lat, lon]);
    for (i = 0; i <= steps; i++) pts.push(at(start + angle * i / steps));
    return pts;
  }

  var LEVEL_COLOURS = { registered: "#6b7785", on_request: "#2f7d32", live_exigent: "#b35c00", live: "#a4262c" };

  function num(name) {
    var el = document.querySelector("[name=" + name + "]");
    return el ? parseFloat(el.value) : NaN;
  }

  function setup(el) {
    var map = L.map(el, { scrollWheelZoom: false }).setView([34.1, -117.37], 12);
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    var bounds = null;
    var boundary = readJSON("boundary-data");
    if (boundary) {
      var b = L.geoJSON(boundary, { style: { color: "#1d2733", weight: 2, fill: false, dashArray: "6 4" } }).addTo(map);
      bounds = b.getBounds();
    }
    var mode = el.dataset.mode;

    if (mode === "overview") {
      var features = readJSON("features-data");
      var layer = L.geoJSON(features, {
        style: function (f) { return { color: LEVEL_COLOURS[f.properties.level] || "#555", weight: 1, fillOpacity: 0.25 }; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 7, color: "#1d2733", fillOpacity: 0.9 }); },
        onEachFeature: function (f, l) { l.bindTooltip(f.properties.label); }
      }).addTo(map);
      if (features && features.features.length) bounds = layer.getBounds().pad(0.5);
    }

    if (mode === "pick") {
      var lat = num("latitude"), lon = num("longitude");
      var start = isNaN(lat) ? (bounds ? bounds.getCenter() : L.latLng(34.1, -117.37)) : L.latLng(lat, lon);
      var pin = L.marker(start, { draggable: true, title: el.dataset.pinTitle || "" }).addTo(map);
      var write = function (ll) {
        document.querySelector("[name=latitude]").value = ll.lat.toFixed(6);
        document.querySelector("[name=longitude]").value = ll.lng.toFixed(6);
      };
      pin.on("dragend", function () { write(pin.getLatLng()); });
      // An address picked in the form's address box (address.js) places the pin; the owner
      // can still drag it to the right spot.
      document.addEventListener("address-pick", function (e) {
        var ll = L.latLng(e.detail.lat, e.detail.lon);
        pin.setLatLng(ll); write(ll); map.setView(ll, 18);
      });
      map.on("click", function (e) { pin.setLatLng(e.latlng); write(e.latlng); });
      ["latitude", "longitude"].forEach(function (n) {
        document.querySelector("[name=" + n + "]").addEventListener("change", function () {
          var ll = L.latLng(num("latitude"), num("longitude"));
          if (!isNaN(ll.lat) && !isNaN(ll.lng)) { pin.setLatLng(ll); map.panTo(ll); }
        });
      });
      if (!isNaN(lat)) { bounds = null; map.setView(start, 17); }
    }

    if (mode === "wedge") {
      var site = L.latLng(parseFloat(el.dataset.lat), parseFloat(el.dataset.lon));
      map.setView(site, 18);
      L.circleMarker(site, { radius: 6, color: "#1d2733", fillOpacity: 1 }).addTo(map);
      var poly = L.polygon([], { color: "#b35c00", weight: 2, fillOpacity: 0.3 }).addTo(map);
      var redraw = function () {
        var bearing = num("bearing_deg"), angle = num("fov_angle_deg"), range = num("range_m");
        if ([bearing, angle, range].some(isNaN)) return;
        poly.setLatLngs(wedge(site.lat, site.lng, bearing, angle, range));
      };
      ["bearing_deg", "fov_angle_deg", "range_m"].forEach(function (n) {
        var input = document.querySelector("[name=" + n + "]");
        if (input) { input.addEventListener("input", redraw); }
      });
      redraw();
      bounds = null;
    }

    if (bounds) map.fitBounds(bounds);
    el.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("div.map[data-mode]").forEach(setup);
  });
})();
