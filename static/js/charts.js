// A chart of months (or days) wider than the screen scrolls in its own box (audit.charts); on a
// phone it opens on the latest months, at its right end, which are what a reader comes for. It
// stays at the end while the page is laid out again (fonts, a phone turned sideways) until the
// reader scrolls it themselves. Without this script it opens on January.
(function () {
  "use strict";

  var boxes = [];

  function toEnd() {
    boxes.forEach(function (box) {
      if (box.dataset.moved) return;
      box.scrollLeft = box.scrollWidth;
      box.dataset.placed = String(box.scrollLeft);
    });
  }

  function setup() {
    boxes = Array.prototype.slice.call(document.querySelectorAll('.chart-scroll[data-open-at="end"]'));
    boxes.forEach(function (box) {
      box.addEventListener("scroll", function () {
        // A scroll that is not ours (to where we put it) is the reader's: leave it there.
        if (String(box.scrollLeft) !== box.dataset.placed) box.dataset.moved = "1";
      }, { passive: true });
    });
    toEnd();
    window.addEventListener("load", toEnd);
    window.addEventListener("resize", toEnd);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
