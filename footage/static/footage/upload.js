// Resumable clip upload on the owner's answer page (the protocol is in footage/uploads.py).
// The form still posts the whole file where this script does not run. Here the file is
// sliced into the pieces the server asks for and sent one at a time; after a failure the
// script asks the server how much it has and carries on from there, for as long as the
// page stays open (a dropped network, a laptop closed and opened again). A reloaded page
// finds its unfinished upload again through localStorage.
(function () {
  "use strict";
  var RETRY_MAX_MS = 30000;

  function Fatal(message) { this.message = message; }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  // Waits, but wakes up at once when the browser says it is back online.
  function pause(ms) {
    return new Promise(function (resolve) {
      var timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        window.removeEventListener("online", done);
        resolve();
      }
      window.addEventListener("online", done);
    });
  }

  async function call(url, options, token) {
    options.credentials = "same-origin";
    options.headers = Object.assign({ "X-CSRFToken": token, "Accept": "application/json" }, options.headers || {});
    var response = await fetch(url, options);
    var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
    if (response.redirected || !json) {
      // Sent to the login page (the session ended) or some proxy's error page.
      return { status: response.ok ? 401 : response.status, ok: false, body: {} };
    }
    var body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    return { status: response.status, ok: response.ok, body: body };
  }

  function transient(status) {
    return status >= 500 || status === 408 || status === 429;
  }

  function Uploader(form) {
    this.form = form;
    this.token = csrfToken(form);
    this.progress = form.querySelector(".upload-progress");
    this.status = form.querySelector(".upload-status");
    this.button = form.querySelector("button[type=submit]");
  }

  Uploader.prototype.refusal = function (reply) {
    if (reply.body.error) return new Fatal(reply.body.error);
    if (reply.status === 401 || reply.status === 403) return new Fatal(this.form.dataset.msgSignedOut);
    return new Fatal(String(reply.status));
  };

  Uploader.prototype.say = function (text, isError) {
    this.status.hidden = false;
    this.status.textContent = text;
    this.status.classList.toggle("errorlist", !!isError);
  };

  Uploader.prototype.show = function (done, total) {
    this.progress.hidden = false;
    this.progress.max = total;
    this.progress.value = done;
    var percent = total ? Math.floor((done * 100) / total) + "%" : "100%";
    this.say(fill(this.form.dataset.msgProgress, { done: megabytes(done), total: megabytes(total), percent: percent }));
  };

  Uploader.prototype.memoKey = function (file) {
    var answer = this.form.querySelector("input[name=answer_id]").value;
    return ["porchlight-upload", location.host, answer, file.name, file.size, file.lastModified].join(":");
  };

  // The server's view of an upload, or null if it has none (404) or cannot be reached.
  Uploader.prototype.state = async function (url) {
    try {
      var reply = await call(url, { method: "GET" }, this.token);
      return reply.ok ? reply.body : null;
    } catch (e) {
      return null;
    }
  };

  Uploader.prototype.begin = async function (file) {
    var memo = this.memoKey(file);
    var known = null;
    try { known = localStorage.getItem(memo); } catch (e) { known = null; }
    var state = known ? await this.state(known) : null;
    if (state) return state;
    var fields = new URLSearchParams();
    fields.set("answer_id", this.form.querySelector("input[name=answer_id]").value);
    fields.set("name", file.name);
    fields.set("size", String(file.size));
    for (var attempt = 0; ; attempt++) {
      var reply;
      try {
        reply = await call(this.form.dataset.startUrl, { method: "POST", body: fields }, this.token);
      } catch (e) {
        reply = { status: 0, ok: false, body: {} };
      }
      if (reply.ok) {
        try { localStorage.setItem(memo, reply.body.url); } catch (e) { /* private mode: no resuming after a reload */ }
        return reply.body;
      }
      if (reply.status !== 0 && !transient(reply.status)) throw this.refusal(reply);
      this.say(this.form.dataset.msgRetrying);
      await pause(Math.min(1000 * Math.pow(2, attempt), RETRY_MAX_MS));
    }
  };

  Uploader.prototype.send = async function (file) {
    var state = await this.begin(file);
    var offset = state.offset;
    var failures = 0;
    this.show(offset, file.size);
    while (!state.complete && offset < file.size) {
      var end = Math.min(offset + state.chunk_size, file.size);
      var reply;
      try {
        reply = await call(state.url, {
          method: "PUT",
          headers: { "Content-Type": "application/octet-stream", "Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + file.size },
          body: file.slice(offset, end),
        }, this.token);
      } catch (e) {
        reply = { status: 0, ok: false, body: {} };
      }
      if (reply.ok && typeof reply.body.offset === "number") {
        offset = reply.body.offset;
        failures = 0;
        this.show(offset, file.size);
        continue;
      }
      if (reply.status === 409 && typeof reply.body.offset === "number") {
        offset = reply.body.offset; // the server has more (or less) than we thought: it knows best
        continue;
      }
      if (reply.status !== 0 && !transient(reply.status)) throw this.refusal(reply);
      failures++;
      this.say(this.form.dataset.msgRetrying);
      await pause(Math.min(500 * Math.pow(2, failures), RETRY_MAX_MS));
      var now = await this.state(state.url);
      if (now) {
        state = now;
        offset = now.offset;
      }
    }
    return this.finish(file, state);
  };

  Uploader.prototype.finish = async function (file, state) {
    this.say(this.form.dataset.msgFinishing);
    for (var attempt = 0; ; attempt++) {
      if (state.complete && state.receipt) break;
      var reply;
      try {
        reply = await call(state.finish_url, { method: "POST" }, this.token);
      } catch (e) {
        reply = { status: 0, ok: false, body: {} };
      }
      if (reply.ok && reply.body.receipt) {
        state = reply.body;
        break;
      }
      if (reply.status !== 0 && !transient(reply.status)) throw this.refusal(reply);
      await pause(Math.min(1000 * Math.pow(2, attempt), RETRY_MAX_MS));
      // The finish may have worked and only its answer been lost.
      state = (await this.state(state.url)) || state;
    }
    try { localStorage.removeItem(this.memoKey(file)); } catch (e) { /* nothing to forget */ }
    return state.receipt;
  };

  function showReceipt(receipt) {
    var template = document.getElementById("receipt-template");
    var slot = document.getElementById("receipt-slot");
    var node = template.content.firstElementChild.cloneNode(true);
    Object.keys(receipt).forEach(function (field) {
      var el = node.querySelector("[data-field=" + field + "]");
      if (el) el.textContent = String(receipt[field]);
    });
    slot.replaceChildren(node);
    node.scrollIntoView({ block: "nearest" });
  }

  // What a reload would show: the camera's answer is now "footage sent", with no decline buttons.
  function answered(form) {
    var section = form.closest("section.answer");
    if (!section) return;
    var state = section.querySelector("h2 small");
    if (state && form.dataset.msgSent) state.textContent = form.dataset.msgSent;
    section.querySelectorAll("form.inline").forEach(function (other) { other.remove(); });
  }

  function enhance(form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input.files || !input.files.length) return; // let the browser say the field is required
      event.preventDefault();
      var uploader = new Uploader(form);
      var file = input.files[0];
      uploader.button.disabled = true;
      uploader.send(file).then(function (receipt) {
        uploader.progress.hidden = true;
        uploader.status.hidden = true;
        showReceipt(receipt);
        answered(form);
        form.reset();
      }).catch(function (error) {
        uploader.progress.hidden = true;
        var message = error instanceof Fatal ? error.message : String(error);
        uploader.say(form.dataset.msgFailed + " " + message, true);
      }).finally(function () {
        uploader.button.disabled = false;
      });
    });
  }

  function init() {
    if (!window.fetch || !window.Blob || !Blob.prototype.slice) return; // the plain form still works
    document.querySelectorAll("form.clip-upload[data-start-url]").forEach(enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
