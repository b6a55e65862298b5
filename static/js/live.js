// Live view: draws JPEG frames from /ws/live/<camera>/ on a canvas, with a watermark of the
// officer and the current time, a countdown, an "Extend" button (a new stated reason) and an
// "End" button. When the view ends, for whatever reason, the picture is replaced by the
// reason in words (docs/bridge-protocol.md, "Viewer close codes"): never a frozen picture.
(function () {
  "use strict";
  var MESSAGES = JSON.parse(document.getElementById("live-messages").textContent);

  // A mobile camera's positions during this view, as a line on a small map under its picture.
  // Made at its first position (a fixed camera never sends one), removed when the view ends.
  function trackOf(el) {
    var map = null, line = null, here = null;
    return {
      add: function (m) {
        if (!el || typeof L === "undefined") return;
        var point = [m.lat, m.lon];
        if (!map) {
          el.hidden = false;
          map = L.map(el, { scrollWheelZoom: false, attributionControl: false }).setView(point, 17);
          L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
          line = L.polyline([], { color: "#a4262c", weight: 4 }).addTo(map);
          here = L.circleMarker(point, { radius: 7, color: "#1d2733", fillColor: "#a4262c", fillOpacity: 1 }).addTo(map);
        }
        line.addLatLng(point);
        here.setLatLng(point);
        map.panTo(point);
        el.dataset.points = String(line.getLatLngs().length);
      },
      clear: function () {
        if (map) { map.remove(); map = null; line = null; here = null; }
        if (el) { el.hidden = true; el.innerHTML = ""; delete el.dataset.points; }
      }
    };
  }

  function tile(fig) {
    var canvas = fig.querySelector("canvas"), ctx = canvas.getContext("2d");
    var state = fig.querySelector(".state"), left = fig.querySelector(".left");
    var extend = fig.querySelector(".extend"), end = fig.querySelector(".end"), ended = fig.querySelector(".tile-ended");
    var name = fig.querySelector(".tile-name"), address = fig.querySelector(".tile-address");
    var stale = fig.querySelector(".tile-stale"), staleWords = stale.textContent;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/live/" + fig.dataset.camera + "/?purpose=" + fig.dataset.purpose);
    ws.binaryType = "arraybuffer";
    var watermark = "", endsAt = null, frames = 0, refusal = "", countdown = null, lastFrame = 0;
    // A picture older than this is not shown as live: the bridge stopped sending (offline,
    // or the camera was taken off it), and a frozen frame must not pass for the street now.
    var STALE_MS = 5000;
    var track = trackOf(fig.querySelector(".tile-track"));

    function stamp() {
      ctx.font = "16px system-ui, sans-serif";
      var text = watermark + " · " + new Date().toLocaleString();
      var w = ctx.measureText(text).width + 16;
      ctx.fillStyle = "rgba(0,0,0,0.55)"; ctx.fillRect(canvas.width - w - 8, canvas.height - 34, w, 26);
      ctx.fillStyle = "#fff"; ctx.fillText(text, canvas.width - w, canvas.height - 15);
    }
    ws.onmessage = function (e) {
      if (fig.dataset.closed) return;
      if (typeof e.data === "string") {
        var m = JSON.parse(e.data);
        // "Live" only once pictures arrive: with the owner's bridge offline none ever come,
        // and a black picture captioned "Live" says the camera shows nothing.
        if (m.type === "session") {
          watermark = m.watermark; endsAt = new Date(m.ends_at); state.textContent = MESSAGES.waiting;
          extend.hidden = false; end.hidden = false;
          // The camera is named only once the gate has allowed the view.
          if (m.camera && m.camera.name) {
            name.textContent = m.camera.name;
            address.textContent = m.camera.address || "";
            end.setAttribute("aria-label", MESSAGES.end_label.replace("{camera}", m.camera.name + (m.camera.address ? ", " + m.camera.address : "")));
          }
        }
        if (m.type === "position") { track.add(m); return; }
        // issue 19: the bridge says the camera fails, or the server saw its frames stop: the
        // picture is greyed and covered by "camera not responding" until frames return.
        if (m.type === "status" && (m.state === "error" || m.state === "stalled")) {
          fig.dataset.stale = "1"; stale.textContent = MESSAGES.not_responding_long; stale.hidden = false;
          state.textContent = MESSAGES.not_responding; return;
        }
        if (m.type === "status") return;
        if (m.type === "extended") { endsAt = new Date(m.ends_at); }
        // The server's sentence says why (in the officer's language); the close that follows
        // must not replace it with the general words for its code.
        // (Before the session a refusal of the view itself; after it, of an extension.)
        if (m.type === "denied") { if (!endsAt) refusal = m.message; state.textContent = m.message || MESSAGES["4403"]; }
        return;
      }
      var blob = new Blob([new Uint8Array(e.data, 8)], { type: "image/jpeg" });
      createImageBitmap(blob).then(function (img) {
        if (fig.dataset.closed) return;  // a frame decoded after the end is not drawn
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        stamp();
        if (!frames || fig.dataset.stale) state.textContent = MESSAGES.live;
        delete fig.dataset.stale; stale.hidden = true;
        lastFrame = Date.now();
        frames += 1; fig.dataset.frames = String(frames);
      });
    };
    ws.onclose = function (e) {
      track.clear();  // the track is shown only while the view is open
      var why = refusal || MESSAGES[String(e.code)] || MESSAGES["1006"];
      fig.dataset.closed = String(e.code);
      extend.hidden = true; end.hidden = true; stale.hidden = true;
      clearInterval(countdown); left.textContent = "";
      // The picture goes: the reason takes its place.
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      canvas.hidden = true;
      ended.textContent = why; ended.hidden = false;
      state.textContent = why;
    };
    extend.addEventListener("click", function () {
      var reason = window.prompt(MESSAGES.extend_reason);
      if (reason) ws.send(JSON.stringify({ type: "extend", reason: reason }));
    });
    end.addEventListener("click", function () {
      end.disabled = true; extend.hidden = true; state.textContent = MESSAGES.ending;
      // The server ends and logs the view, then closes with 1000; a socket that is not open
      // any more is simply closed (the server logs the end when it notices).
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "end" }));
      else ws.close();
    });
    countdown = setInterval(function () {
      if (!endsAt || fig.dataset.closed) return;
      if (lastFrame && !fig.dataset.stale && Date.now() - lastFrame > STALE_MS) {
        fig.dataset.stale = "1"; stale.textContent = staleWords; stale.hidden = false; state.textContent = MESSAGES.stalled;
      }
      var s = Math.max(0, Math.round((endsAt - new Date()) / 1000));
      left.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0") + " " + MESSAGES.left;
    }, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".live-tile").forEach(tile);
  });
})();
