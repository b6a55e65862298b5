// Live view: draws JPEG frames from /ws/live/<camera>/ on a canvas, with a watermark of the
// officer and the current time, a countdown, and an "extend" button (a new stated reason).
(function () {
  "use strict";
  var MESSAGES = JSON.parse(document.getElementById("live-messages").textContent);

  function tile(fig) {
    var canvas = fig.querySelector("canvas"), ctx = canvas.getContext("2d");
    var state = fig.querySelector(".state"), left = fig.querySelector(".left"), extend = fig.querySelector(".extend");
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/live/" + fig.dataset.camera + "/?purpose=" + fig.dataset.purpose);
    ws.binaryType = "arraybuffer";
    var watermark = "", endsAt = null, frames = 0, refusal = "";

    function stamp() {
      ctx.font = "16px system-ui, sans-serif";
      var text = watermark + " · " + new Date().toLocaleString();
      var w = ctx.measureText(text).width + 16;
      ctx.fillStyle = "rgba(0,0,0,0.55)"; ctx.fillRect(canvas.width - w - 8, canvas.height - 34, w, 26);
      ctx.fillStyle = "#fff"; ctx.fillText(text, canvas.width - w, canvas.height - 15);
    }
    ws.onmessage = function (e) {
      if (typeof e.data === "string") {
        var m = JSON.parse(e.data);
        // "Live" only once pictures arrive: with the owner's bridge offline none ever come,
        // and a black picture captioned "Live" says the camera shows nothing.
        if (m.type === "session") { watermark = m.watermark; endsAt = new Date(m.ends_at); state.textContent = MESSAGES.waiting; extend.hidden = false; }
        if (m.type === "extended") { endsAt = new Date(m.ends_at); }
        // The server's sentence says why (in the officer's language); the close that follows
        // must not replace it with the general words for its code.
        // (Before the session a refusal of the view itself; after it, of an extension.)
        if (m.type === "denied") { if (!endsAt) refusal = m.message; state.textContent = m.message || MESSAGES["4403"]; }
        return;
      }
      var blob = new Blob([new Uint8Array(e.data, 8)], { type: "image/jpeg" });
      createImageBitmap(blob).then(function (img) {
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        stamp();
        if (!frames && !fig.dataset.closed) state.textContent = MESSAGES.live;
        frames += 1; fig.dataset.frames = String(frames);
      });
    };
    ws.onclose = function (e) {
      extend.hidden = true;
      state.textContent = refusal || MESSAGES[String(e.code)] || MESSAGES["1006"];
      fig.dataset.closed = String(e.code);
    };
    extend.addEventListener("click", function () {
      var reason = window.prompt(MESSAGES.extend_reason);
      if (reason) ws.send(JSON.stringify({ type: "extend", reason: reason }));
    });
    setInterval(function () {
      if (!endsAt || fig.dataset.closed) return;
      var s = Math.max(0, Math.round((endsAt - new Date()) / 1000));
      left.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0") + " " + MESSAGES.left;
    }, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".live-tile").forEach(tile);
  });
})();
