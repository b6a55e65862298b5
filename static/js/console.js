// The department console map: clustered cameras per viewport, drawing tools for a circle or a
// polygon (or a click plus a radius), and the search results drawn back onto the map.
// The server checks every area again; the checks here only keep the map honest (no circle is
// drawn that the server would refuse) and say what is wrong at once.
(function () {
  "use strict";
  var COLOURS = { registered: "#6b7785", on_request: "#2f7d32", live_exigent: "#b35c00", live: "#a4262c" };
  var MAX_RADIUS_M = 10000;

  function say(el, text) {
    el.textContent = text || "";
    el.hidden = !text;
  }

  function setup(el) {
    var form = document.getElementById("area-form");
    var mapMessage = document.getElementById("map-message");
    var areaMessage = document.getElementById("area-message");
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
      // A view panned past the antimeridian or the poles has longitudes/latitudes beyond the
      // Earth's: ask for the part of it that exists.
      var west = Math.max(-180, bb.getWest()), east = Math.min(180, bb.getEast());
      var south = Math.max(-90, bb.getSouth()), north = Math.min(90, bb.getNorth());
      if (!(west < east && south < north)) return;
      var bbox = [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
      // A POST with the CSRF token: each call is a logged map view on the officer's name.
      fetch(el.dataset.mapData, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
        body: new URLSearchParams({ bbox: bbox })
      })
        .then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (data) { return { ok: r.ok, data: data }; });
        })
        .then(function (answer) {
          if (!answer.ok || !Array.isArray(answer.data.cameras)) {
            // Say why (an expired purpose, a refused view) instead of showing an empty map.
            say(mapMessage, answer.data.detail || form.dataset.mapFailed);
            el.dataset.mapError = answer.data.reason || "error";
            return;
          }
          say(mapMessage, "");
          delete el.dataset.mapError;
          clusters.clearLayers();
          clusters.addLayers(answer.data.cameras.map(function (c) {
            return L.circleMarker([c[2], c[1]], { radius: 5, color: COLOURS[c[3]] || "#555", fillOpacity: 0.8 });
          }));
          el.dataset.loaded = String(answer.data.cameras.length);
        })
        .catch(function () {
          say(mapMessage, form.dataset.mapFailed);
          el.dataset.mapError = "network";
        });
    }
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(loadViewport, 250); });
    loadViewport();

    var drawn = new L.FeatureGroup().addTo(map);
    var results = L.layerGroup().addTo(map);
    function field(name) { return form.querySelector("[name=" + name + "]"); }
    function search() { htmx.trigger(form, "submit"); }
    // The radius typed in the form, or null (with a message) when it cannot be drawn.
    function typedRadius() {
      var raw = field("radius_m").value.trim();
      var radius = raw === "" ? NaN : Number(raw);
      if (!isFinite(radius) || radius < 1) {
        say(areaMessage, form.dataset.radiusInvalid);
        return null;
      }
      if (radius > MAX_RADIUS_M) {
        say(areaMessage, form.dataset.radiusTooLarge);
        return null;
      }
      say(areaMessage, "");
      return radius;
    }
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
        var radius = e.layer.getRadius();
        if (!(radius >= 1 && radius <= MAX_RADIUS_M)) {
          // Keep the last valid circle; the one drawn is not added to the map.
          say(areaMessage, form.dataset.drawnTooLarge.replace("{radius}", String(Math.round(radius))));
          return;
        }
        say(areaMessage, "");
        circle(e.layer.getLatLng(), radius);
      } else {
        say(areaMessage, "");
        drawn.clearLayers();
        drawn.addLayer(e.layer);
        field("polygon").value = JSON.stringify(e.layer.toGeoJSON().geometry);
        field("lat").value = ""; field("lon").value = "";
      }
      search();
    });
    map.on("click", function (e) {
      if (map._drawing) return;
      var radius = typedRadius();
      if (radius === null) return;
      circle(e.latlng, radius);
      search();
    });
    map.on(L.Draw.Event.DRAWSTART, function () { map._drawing = true; });
    map.on(L.Draw.Event.DRAWSTOP, function () { setTimeout(function () { map._drawing = false; }, 0); });
    // A typed radius searches again once the field is left, unless a search starts first:
    // leaving the field by pressing Search (or Enter) fired both, two logged searches (each
    // told to the owners who asked) for one press.
    var pendingSearch = null;
    field("radius_m").addEventListener("change", function () {
      var radius = typedRadius();
      if (radius === null) return;
      var lat = parseFloat(field("lat").value), lon = parseFloat(field("lon").value);
      if (!isNaN(lat) && !isNaN(lon)) {
        circle(L.latLng(lat, lon), radius);
        clearTimeout(pendingSearch);
        pendingSearch = setTimeout(search, 400);
      }
    });
    form.addEventListener("htmx:beforeRequest", function () { clearTimeout(pendingSearch); });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.detail.target.id !== "results") return;
      results.clearLayers();
      var data = document.getElementById("result-features");
      if (!data) { el.dataset.results = "error"; return; }
      L.geoJSON(JSON.parse(data.textContent), {
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 7, weight: 2, color: "#000", fillColor: COLOURS[f.properties.level] || "#555", fillOpacity: 1 }); }
      }).addTo(results);
      el.dataset.results = String(JSON.parse(data.textContent).features.length);
    });
    // The address box (address.js): a pick centres the map on the place and searches there
    // with the radius typed, as a click on the map would; suggestions come nearest the map's centre.
    var box = document.getElementById("address-box");
    if (box) {
      box.form.addEventListener("submit", function (e) { e.preventDefault(); });
      var near = function () { var c = map.getCenter(); box.dataset.near = c.lat.toFixed(5) + "," + c.lng.toFixed(5); };
      map.on("moveend", near);
      near();
      box.addEventListener("address-pick", function (e) {
        var radius = typedRadius();
        if (radius === null) return;
        var centre = L.latLng(e.detail.lat, e.detail.lon);
        map.fitBounds(centre.toBounds(radius * 2.5));
        circle(centre, radius);
        el.dataset.centre = centre.lat.toFixed(6) + "," + centre.lng.toFixed(6);
        search();
      });
    }
    el.dataset.ready = "1";
    // incidents.js draws the live incidents on this map.
    el.porchlightMap = map;
    el.dispatchEvent(new CustomEvent("console-map-ready", { detail: { map: map } }));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("console-map");
    if (el) setup(el);
  });
})();
