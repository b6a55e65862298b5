// Live view: draws the camera's pictures from /ws/live/<camera>/ on a canvas, with a watermark
// of the officer and the current time. Pictures come as JPEG frames, or as H.264 units that the
// browser decodes through Media Source Extensions (jmuxer, from npm) into a hidden <video>
// whose pictures are drawn on the same canvas; a browser that cannot play the camera's H.264
// asks for JPEG instead (docs/bridge-protocol.md, "H.264 units"). Also a countdown, an "Extend" button (a new stated reason) and an
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
    var ws = null, player = null, video = null, lastUnit = 0, pending = null;
    function canPlay(codec) {
      return typeof JMuxer !== "undefined" && window.MediaSource && MediaSource.isTypeSupported('video/mp4; codecs="' + codec + '"');
    }
    function connect(jpegOnly) {
      fig.dataset.codec = jpegOnly ? "jpeg" : "";
      ws = new WebSocket(scheme + location.host + "/ws/live/" + fig.dataset.camera + "/?purpose=" + fig.dataset.purpose + (jpegOnly ? "&codecs=jpeg" : ""));
      ws.binaryType = "arraybuffer";
      ws.onmessage = onMessage;
      ws.onclose = onClose;
    }
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
    function shown() {
      stamp();
      if (!frames || fig.dataset.stale) state.textContent = MESSAGES.live;
      delete fig.dataset.stale; stale.hidden = true;
      lastFrame = Date.now();
      frames += 1; fig.dataset.frames = String(frames);
    }
    // H.264: a player per codec description (a camera that changes resolution sends a new one).
    function startPlayer(m) {
      stopPlayer();
      video = document.createElement("video");
      video.muted = true; video.playsInline = true; video.autoplay = true;
      video.className = "tile-video";  // decoded here, drawn on the canvas with the watermark
      video.setAttribute("aria-hidden", "true");
      video.style.cssText = "position:absolute;width:1px;height:1px;opacity:0;pointer-events:none";
      fig.querySelector(".tile-picture").appendChild(video);
      pending = [];
      var p = player = new JMuxer({
        node: video, mode: "video", flushingTime: 0, maxDelay: 500, clearBuffer: true, fps: 15, debug: false,
        // jmuxer makes its SourceBuffer when it has parsed an SPS, and only if Media Source is
        // open by then (jmuxer 2.1.1 does not try again when it opens): units wait for it.
        onReady: function () {
          if (p !== player || !pending) return;
          fig.dataset.player = "ready";
          var waiting = pending; pending = null;
          waiting.forEach(feed);
        },
        onError: function (e) { fig.dataset.player = "error: " + (e && e.message || e); }
      });
      fig.dataset.codec = m.codec;
      var v = video;
      function draw() {
        if (v !== video || fig.dataset.closed) return;
        if (v.readyState >= 2) {
          // Keep to the live edge: a tab that was in the background must not show the past.
          if (v.buffered.length && v.buffered.end(v.buffered.length - 1) - v.currentTime > 1) v.currentTime = v.buffered.end(v.buffered.length - 1) - 0.05;
          ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
          shown();
        }
        if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(draw); else requestAnimationFrame(draw);
      }
      if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(draw); else requestAnimationFrame(draw);
    }
    function stopPlayer() {
      if (player) { player.destroy(); player = null; }
      pending = null;
      if (video) { video.remove(); video = null; }
      lastUnit = 0;
    }
    function onUnit(bytes) {
      if (!player) return;  // no codec description yet
      if (pending) {  // the player is not ready: keep what it will need, from a keyframe on
        if (bytes[8] === 1) pending = [bytes]; else if (pending.length) pending.push(bytes);
        return;
      }
      feed(bytes);
    }
    function feed(bytes) {
      var at = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0)) / 1000;
      // The camera's spacing from the capture times; otherwise (the first unit, a gap) jmuxer
      // takes its fps. A duration under 5 ms is no frame spacing, and breaks its remuxer.
      var gap = at - lastUnit;
      var duration = lastUnit && gap >= 5 && gap <= 1000 ? Math.round(gap) : undefined;
      lastUnit = at;
      player.feed({ video: bytes.subarray(9), duration: duration, isLastVideoFrameComplete: true });
      fig.dataset.units = String(Number(fig.dataset.units || 0) + 1);
      if (video.paused) video.play().catch(function () {});
    }
    function onMessage(e) {
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
        if (m.type === "codec") {
          if (canPlay(m.codec)) { startPlayer(m); return; }
          // This browser cannot play the camera's H.264: open the view again asking for JPEG
          // (a new view, through the gate again; this one ends as "viewer left").
          switching = true; ws.close(); switching = false; connect(true); return;
        }
        if (m.type === "extended") { endsAt = new Date(m.ends_at); }
        // The server's sentence says why (in the officer's language); the close that follows
        // must not replace it with the general words for its code.
        // (Before the session a refusal of the view itself; after it, of an extension.)
        if (m.type === "denied") { if (!endsAt) refusal = m.message; state.textContent = m.message || MESSAGES["4403"]; }
        return;
      }
      var bytes = new Uint8Array(e.data);
      if (bytes[8] !== 0xff) { onUnit(bytes); return; }  // an H.264 unit; a JPEG starts FF D8
      if (player) stopPlayer();  // the camera went over to JPEG (a viewer needed it)
      var blob = new Blob([new Uint8Array(e.data, 8)], { type: "image/jpeg" });
      createImageBitmap(blob).then(function (img) {
        if (fig.dataset.closed) return;  // a frame decoded after the end is not drawn
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        shown();
      });
    }
    var switching = false;
    function onClose(e) {
      if (switching || e.target !== ws) return;  // the socket given up for a JPEG one
      stopPlayer();
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
    }
    // Ask for JPEG at once where this browser plays no H.264 through MSE at all.
    connect(!canPlay("avc1.42E01E"));
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
