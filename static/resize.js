// Changing a coding in place from the codes-at-passage popover: drag handles at the ends of one of the coder's
// own codings (mouse, pen or touch; whole words unless Alt is held), a filter for "Change code", and the focus
// kept on the control that was used while the popover is redrawn.
(function () {
  "use strict";

  const cpLen = (text) => Array.from(text).length;
  let active = null;   // { id, start, end, name }: the coding whose ends carry handles
  let wanted = null;   // the coding id the coder last pointed at or focused in the popover
  let drag = null;     // { which, start, end }: a drag under way
  let focusAfter = null;
  const handles = {};

  const panel = () => document.getElementById("coding-panel");
  const transcript = () => document.getElementById("transcript");

  // --- offsets and positions ----------------------------------------------------------------------
  function runs() {
    return Array.from(transcript().querySelectorAll(".run"));
  }

  // The DOM point for a code-point offset: inside the run that holds it, or at the end of the one before.
  function point(offset, isEnd) {
    const run = runs().find((r) => {
      const s = Number(r.dataset.s), e = Number(r.dataset.e);
      return isEnd ? s < offset && offset <= e : s <= offset && offset < e;
    });
    if (!run || !run.firstChild) return null;
    const units = Array.from(run.textContent).slice(0, offset - Number(run.dataset.s)).join("").length;
    return [run.firstChild, units];
  }

  function rangeOf(start, end) {
    const from = point(start, false), to = point(end, true);
    if (!from || !to) return null;
    const range = document.createRange();
    range.setStart(from[0], from[1]);
    range.setEnd(to[0], to[1]);
    return range;
  }

  // The code-point offset under a screen point (the handles are hidden from the hit test meanwhile).
  function offsetAt(x, y) {
    Object.values(handles).forEach((h) => { h.style.visibility = "hidden"; });
    let node = null, offset = 0;
    if (document.caretPositionFromPoint) {
      const at = document.caretPositionFromPoint(x, y);
      if (at) { node = at.offsetNode; offset = at.offset; }
    } else if (document.caretRangeFromPoint) {
      const at = document.caretRangeFromPoint(x, y);
      if (at) { node = at.startContainer; offset = at.startOffset; }
    }
    Object.values(handles).forEach((h) => { h.style.visibility = ""; });
    const run = node && node.nodeType === Node.TEXT_NODE && node.parentElement.closest("#transcript .run");
    return run ? Number(run.dataset.s) + cpLen(node.data.slice(0, offset)) : null;
  }

  // --- the handles ------------------------------------------------------------------------------------
  function handle(which) {
    if (!handles[which]) {
      const h = document.createElement("div");
      h.className = "span-handle " + which;
      h.setAttribute("aria-hidden", "true");  // the keyboard way is the popover's Span buttons
      h.dataset.which = which;
      h.addEventListener("pointerdown", startDrag);
      document.body.appendChild(h);
      handles[which] = h;
    }
    return handles[which];
  }

  function paint(start, end) {
    const range = rangeOf(start, end);
    if (!range) return hide();
    const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0 || r.height > 0);
    if (!rects.length) return hide();
    const first = rects[0], last = rects[rects.length - 1];
    const rtl = getComputedStyle(range.startContainer.parentElement).direction === "rtl";
    place(handle("start"), rtl ? first.right : first.left, first);
    place(handle("end"), rtl ? last.left : last.right, last);
    if (window.CSS && CSS.highlights && window.Highlight) CSS.highlights.set("coding-span", new Highlight(range));
  }

  function place(h, x, rect) {
    // an end that lies under the popover (narrow screens) gets no handle: the Span buttons still move it
    const box = panel() && panel().classList.contains("open") && !drag ? panel().getBoundingClientRect() : null;
    const y = rect.top + rect.height / 2;
    h.hidden = Boolean(box) && box.left <= x && x <= box.right && box.top <= y && y <= box.bottom;
    h.style.left = (x + window.scrollX) + "px";
    h.style.top = (rect.top + window.scrollY) + "px";
    h.style.height = rect.height + "px";
  }

  function hide() {
    Object.values(handles).forEach((h) => { h.hidden = true; });
    if (window.CSS && CSS.highlights) CSS.highlights.delete("coding-span");
  }

  // Give the handles to the coder's own coding the popover is about (the one last pointed at or focused).
  function refresh() {
    if (drag) return;
    const box = panel();
    const own = box && !box.hidden && box.classList.contains("open") ? Array.from(box.querySelectorAll("li[data-own]")) : [];
    const li = own.find((item) => item.dataset.coding === wanted) || own[0];
    own.forEach((item) => item.classList.toggle("has-handles", item === li));
    if (!li) {
      active = null;
      return hide();
    }
    active = { id: li.dataset.coding, start: Number(li.dataset.start), end: Number(li.dataset.end), name: li.dataset.name };
    paint(active.start, active.end);
  }

  // --- dragging -----------------------------------------------------------------------------------------
  function startDrag(event) {
    if (!active || event.button > 0) return;
    event.preventDefault();  // no text selection, and no mousedown: the popover stays open
    event.stopPropagation();
    event.currentTarget.setPointerCapture(event.pointerId);
    drag = { which: event.currentTarget.dataset.which, start: active.start, end: active.end };
    document.body.classList.add("dragging-span");
  }

  function moveDrag(event) {
    if (!drag) return;
    const at = offsetAt(event.clientX, event.clientY);
    if (at === null) return;
    const workspace = window.PeerframeWorkspace;
    if (drag.which === "start") {
      const start = event.altKey ? at : workspace.snapToWords(transcript(), at, active.end).start;
      drag.start = Math.min(start, active.end - 1);
      drag.end = active.end;
    } else {
      const end = event.altKey ? at : workspace.snapToWords(transcript(), active.start, at).end;
      drag.end = Math.max(end, active.start + 1);
      drag.start = active.start;
    }
    paint(drag.start, drag.end);
  }

  function endDrag(event) {
    if (!drag) return;
    const done = drag;
    drag = null;
    document.body.classList.remove("dragging-span");
    if (event.type === "pointercancel" || (done.start === active.start && done.end === active.end)) return refresh();
    wanted = active.id;
    htmx.ajax("POST", "/codings/" + active.id + "/span", {
      target: "#status", swap: "innerHTML", values: { start: done.start, end: done.end },
    }).then(refresh);
  }

  document.addEventListener("pointermove", moveDrag);
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);
  document.addEventListener("keydown", (event) => {
    if (drag && event.key === "Escape") {
      drag = null;
      document.body.classList.remove("dragging-span");
      refresh();
    }
  }, true);

  // --- the popover: which coding, the recode filter, focus kept across redraws ------------------------
  function pick(event) {
    const li = event.target.closest && event.target.closest("#coding-panel li[data-own]");
    if (li && li.dataset.coding !== wanted) {
      wanted = li.dataset.coding;
      refresh();
    }
  }
  document.addEventListener("focusin", pick);
  document.addEventListener("pointerover", pick);

  function filterChoices(input) {
    const select = input.form.querySelector(".recode-choice");
    const words = input.value.trim().toLowerCase();
    let first = null;
    for (const option of select.options) {
      option.hidden = Boolean(words) && !option.textContent.toLowerCase().includes(words);
      if (!option.hidden && !first) first = option;
    }
    if (select.selectedOptions[0] && select.selectedOptions[0].hidden) select.value = "";
    if (words && first && !select.value) first.selected = true;
  }

  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("#coding-panel .recode-filter")) filterChoices(event.target);
  });
  document.addEventListener("keydown", (event) => {
    const input = event.target.matches && event.target.matches("#coding-panel .recode-filter") && event.target;
    if (!input) return;
    if (event.key === "Enter") {
      event.preventDefault();
      if (input.form.querySelector(".recode-choice").value) input.form.requestSubmit();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      input.form.querySelector(".recode-choice").focus();
    }
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const el = event.detail.elt;
    const li = el && el.closest && el.closest("#coding-panel li[data-coding]");
    if (!li) return;
    const control = document.activeElement;
    focusAfter = { coding: li.dataset.coding, move: control && control.dataset ? control.dataset.move : null };
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    const box = panel();
    if (focusAfter && box && event.target.id === "coding-panel") {  // the panel settles after the turns
      const li = !box.hidden && box.querySelector('li[data-coding="' + focusAfter.coding + '"]');
      const target = li && (focusAfter.move ? li.querySelector('[data-move="' + focusAfter.move + '"]')
                                            : li.querySelector(".recode-filter"));
      if (target) target.focus({ preventScroll: true });
      focusAfter = null;
    }
    refresh();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const layout = transcript() && transcript().parentElement;
    if (!layout) return;
    new MutationObserver(() => refresh()).observe(layout, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["hidden", "class"],
    });
    window.addEventListener("resize", refresh);
  });
})();
