// issue 19: the owner's camera live page. "Take a snapshot" asks the server, which asks the
// bridge (live.owner_views.CameraSnapshotView); the picture stays in this page only. Privacy
// masks are drawn by pressing and dragging over the picture, kept as [x, y, w, h] from 0 to 1
// in the form's masks field, and saved by the form (the server validates them: bridge.masks).
(function () {
  "use strict";
  const editor = document.getElementById("mask-editor");
  const layer = document.getElementById("mask-layer");
  const input = document.getElementById("masks-input");
  const list = document.getElementById("mask-list");
  const image = document.getElementById("snapshot-image");
  const button = document.getElementById("snapshot-take");
  const message = document.getElementById("snapshot-message");
  const strings = JSON.parse(document.getElementById("camera-live-strings").textContent);
  const csrf = document.querySelector("#masks-form [name=csrfmiddlewaretoken]").value;
  const MAX = 16;
  const MIN = 0.005;
  let masks = [];
  try {
    const parsed = JSON.parse(input.value || "[]");
    if (Array.isArray(parsed)) masks = parsed;
  } catch (e) { masks = []; }
  input.hidden = true;

  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k]));
  const clamp = (v) => Math.min(1, Math.max(0, v));
  const round = (v) => Math.round(v * 10000) / 10000;

  function box(mask, el) {
    el.style.left = mask[0] * 100 + "%";
    el.style.top = mask[1] * 100 + "%";
    el.style.width = mask[2] * 100 + "%";
    el.style.height = mask[3] * 100 + "%";
  }

  function render() {
    input.value = JSON.stringify(masks);
    layer.replaceChildren();
    list.replaceChildren();
    masks.forEach((mask, i) => {
      const el = document.createElement("div");
      el.className = "mask";
      el.textContent = String(i + 1);
      if (Array.isArray(mask) && mask.length === 4) box(mask, el);
      layer.appendChild(el);
      const item = document.createElement("li");
      item.textContent = fill(strings.mask, { number: i + 1 }) + " ";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = strings.remove;
      remove.addEventListener("click", () => { masks.splice(i, 1); render(); });
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function point(event) {
    const r = editor.getBoundingClientRect();
    return [clamp((event.clientX - r.left) / r.width), clamp((event.clientY - r.top) / r.height)];
  }

  let start = null;
  let drawing = null;
  editor.addEventListener("pointerdown", (event) => {
    if (masks.length >= MAX) { message.textContent = strings.too_many; return; }
    event.preventDefault();
    editor.setPointerCapture(event.pointerId);
    start = point(event);
    drawing = document.createElement("div");
    drawing.className = "mask drawing";
    layer.appendChild(drawing);
  });
  editor.addEventListener("pointermove", (event) => {
    if (!start) return;
    const p = point(event);
    box([Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.abs(p[0] - start[0]), Math.abs(p[1] - start[1])], drawing);
  });
  editor.addEventListener("pointerup", (event) => {
    if (!start) return;
    const p = point(event);
    const mask = [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.abs(p[0] - start[0]), Math.abs(p[1] - start[1])].map(round);
    start = null;
    if (mask[2] >= MIN && mask[3] >= MIN) masks.push(mask);
    render();
  });

  button.addEventListener("click", async () => {
    button.disabled = true;
    message.textContent = strings.asking;
    // Never a spinner forever: the server answers within about 10 s; give up after 20.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20000);
    try {
      const response = await fetch(button.dataset.url, {
        method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin", signal: abort.signal,
      });
      const data = await response.json();
      if (data.image) {
        image.src = data.image;
        image.hidden = false;
        editor.classList.add("has-picture");
        message.textContent = fill(strings.taken, { time: new Date(data.taken_at).toLocaleTimeString() });
      } else {
        message.textContent = data.error || strings.failed;
      }
    } catch (e) {
      message.textContent = strings.failed;
    } finally {
      clearTimeout(timer);
      button.disabled = false;
    }
  });

  render();
})();
