// The track of a past live view of a mobile camera (live/track.html): the line the table below
// the map lists, drawn on the department's tiles. Without this script the table is the page.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("track-map");
    var data = document.getElementById("track-line");
    if (!el || !data || typeof L === "undefined") return;
    var line = JSON.parse(data.textContent);
    if (!line.length) return;
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    var path = L.polyline(line, { color: "#a4262c", weight: 4 }).addTo(map);
    L.circleMarker(line[0], { radius: 5, color: "#1b1b1b" }).addTo(map);
    L.circleMarker(line[line.length - 1], { radius: 7, color: "#a4262c", fillOpacity: 1 }).addTo(map);
    if (line.length > 1) {
      map.fitBounds(path.getBounds(), { padding: [20, 20], maxZoom: 18 });
    } else {
      map.setView(line[0], 17);
    }
    el.dataset.ready = "1"; // drawn (the other maps say so too; the accessibility check waits for it)
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
