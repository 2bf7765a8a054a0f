// The codebook palette beside the keyboard: on narrow screens it comes up as a sheet at the bottom when words
// are selected (and goes down once they are coded), and its number keys are pinned with Shift+1–9 on a code.
(function () {
  "use strict";

  const NARROW = "(max-width: 900px)";
  let palette = null;
  let asked = false; // opened on purpose ("/", the skip link), not by a selection
  let pressed = false; // a pointer is down: a drag may be under way, and the page must not move under it
  let timer = null;

  const coding = () => window.PeerframeCoding;
  const isOpen = () => document.body.classList.contains("sheet-open");

  // Scroll so that a box is on screen and above the sheet when it is up: near the top, so that the words
  // after it can be read (and tapped) too.
  function keepInView(box) {
    const sheet = palette && isOpen() ? palette.getBoundingClientRect().height : 0;
    const bottom = window.innerHeight - sheet - 8;
    const top = Math.max(8, Math.min(window.innerHeight * 0.12, bottom - box.height));
    if (box.bottom > bottom || box.top < 8) window.scrollBy(0, box.top - top);
  }

  function open(onPurpose) {
    if (!palette || !window.matchMedia(NARROW).matches) return;
    asked = asked || onPurpose;
    if (isOpen()) return;
    const sidebar = palette.closest(".sidebar");
    if (sidebar) sidebar.style.minHeight = sidebar.offsetHeight + "px"; // the page keeps its length
    document.body.classList.add("sheet-open");
    const selection = window.getSelection();
    if (coding().selected() && selection.rangeCount) keepInView(selection.getRangeAt(0).getBoundingClientRect());
  }

  function close() {
    asked = false;
    document.body.classList.remove("sheet-open");
    const sidebar = palette && palette.closest(".sidebar");
    if (sidebar) sidebar.style.minHeight = "";
  }

  function openOnSelection() {
    clearTimeout(timer);
    if (coding().selected()) {
      // once the selection settles, never in the middle of a drag
      timer = setTimeout(() => { if (!pressed && coding().selected()) open(false); }, 250);
    } else if (!asked && !palette.contains(document.activeElement)) {
      close();
    }
  }

  // --- number keys -----------------------------------------------------------------------------------
  function pin(number, key) {
    const box = document.getElementById("shortcuts");
    htmx.ajax("POST", "/projects/" + box.dataset.project + "/shortcuts", {
      target: "#shortcuts", swap: "outerHTML", values: { slot: number, code: key },
    });
  }

  // After a pin, the codes in the list show their new numbers.
  function showNumbers() {
    const numbers = {};
    document.querySelectorAll("#shortcuts .pin").forEach((b) => { numbers[b.dataset.key] = b.dataset.shortcut; });
    for (const li of palette.querySelectorAll(".code")) {
      const number = numbers[li.dataset.key];
      let kbd = li.querySelector(":scope > kbd");
      if (!number) {
        delete li.dataset.shortcut;
        if (kbd) kbd.remove();
        continue;
      }
      li.dataset.shortcut = number;
      if (!kbd) {
        kbd = document.createElement("kbd");
        li.querySelector(".name").after(kbd);
      }
      kbd.textContent = number;
    }
  }

  function setUp() {
    palette = document.getElementById("palette");
    if (!palette || !coding()) return;
    document.addEventListener("pointerdown", () => { pressed = true; }, true);
    document.addEventListener("pointerup", () => { pressed = false; }, true);
    document.addEventListener("pointercancel", () => { pressed = false; }, true);
    document.addEventListener("selectionchange", openOnSelection);
    document.getElementById("transcript").addEventListener("mouseup", () => {
      clearTimeout(timer);
      if (coding().selected()) open(false);
    });
    // once the words are coded the sheet goes down and the reader goes on
    document.addEventListener("htmx:afterRequest", (event) => {
      const path = (event.detail.requestConfig || {}).path || "";
      if (event.detail.successful && /\/documents\/\d+\/codings$/.test(path)) close();
    });
    document.addEventListener("htmx:afterSettle", (event) => {
      if (event.detail.target && event.detail.target.id === "shortcuts") showNumbers();
    });
    // the skip link on a narrow screen brings the sheet up first
    document.querySelector('.skip-link[href="#palette"]')?.addEventListener("click", () => open(true));
    palette.addEventListener("keydown", (event) => {
      const code = event.target.closest && event.target.closest(".code");
      if (!code || !event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return;
      if (!/^Digit[1-9]$/.test(event.code)) return;
      event.preventDefault();
      event.stopPropagation();
      pin(event.code.slice(5), code.dataset.key);
    }, true);
    palette.addEventListener("mousedown", (event) => { if (event.target.closest(".pin")) event.preventDefault(); });
    palette.addEventListener("click", (event) => {
      const button = event.target.closest(".pin");
      if (!button) return;
      if (coding().pending()) coding().code(button.dataset.key);
      else window.PeerframeWorkspace.notify("Select words in the transcript first, then press " + button.dataset.shortcut);
    });
  }

  window.PeerframePalette = { open, close, keepInView };
  document.addEventListener("DOMContentLoaded", setUp);
})();
