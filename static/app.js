// Peerframe page behaviour that htmx cannot do alone: turning a text selection into
// code-point offsets, the codebook palette's keyboard, and drag-and-drop import.
(function () {
  "use strict";

  // Length in Unicode code points (the server's unit); JavaScript strings count UTF-16 units.
  function cpLen(text) {
    let n = 0;
    for (const _ of text) n++;
    return n;
  }

  // The code-point offset of a DOM boundary point inside the transcript.
  function boundaryOffset(transcript, node, offset, isEnd) {
    if (node.nodeType === Node.TEXT_NODE) {
      const run = node.parentElement && node.parentElement.closest(".run");
      if (run) return Number(run.dataset.s) + cpLen(node.data.slice(0, offset));
    }
    const point = document.createRange();
    point.setStart(node, offset);
    const runs = transcript.querySelectorAll(".run");
    if (!isEnd) {
      for (const run of runs) if (point.comparePoint(run, 0) >= 0) return Number(run.dataset.s);
      return null;
    }
    for (let i = runs.length - 1; i >= 0; i--) {
      if (point.comparePoint(runs[i], runs[i].childNodes.length) <= 0) return Number(runs[i].dataset.e);
    }
    return null;
  }

  function selectionSpan(transcript) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!transcript.contains(range.commonAncestorContainer)) return null;
    const start = boundaryOffset(transcript, range.startContainer, range.startOffset, false);
    const end = boundaryOffset(transcript, range.endContainer, range.endOffset, true);
    if (start === null || end === null || end <= start) return null;
    const text = selection.toString().trim();
    return text ? { start, end, text } : null;
  }

  function showStatus(message, isError) {
    window.PeerframeWorkspace.notify(message, isError);
  }

  function setUpDocument(transcript) {
    const documentId = transcript.dataset.document;
    const palette = document.getElementById("palette");
    const filter = document.getElementById("code-filter");
    const pendingBox = document.getElementById("pending");
    const pendingText = document.getElementById("pending-text");
    const pendingHint = document.getElementById("pending-hint");
    const workspace = window.PeerframeWorkspace;
    let pending = null;
    let pressedAt = null;

    const visibleCodes = () =>
      Array.from(palette.querySelectorAll(".code")).filter((li) => !li.hidden);

    function setPending(span) {
      pending = span;
      palette.classList.toggle("armed", Boolean(span));
      pendingBox.hidden = !span;
      if (pendingHint) pendingHint.hidden = Boolean(span);
      pendingText.textContent = span ? (span.text.length > 120 ? span.text.slice(0, 117) + "…" : span.text) : "";
    }

    function applyCode(key) {
      if (!pending || !key) return;
      const span = pending;
      setPending(null);
      filter.value = "";
      filterCodes("");
      htmx.ajax("POST", "/documents/" + documentId + "/codings", {
        target: "#status", swap: "innerHTML", values: { start: span.start, end: span.end, code: key },
      }).then(() => {
        // the coded words leave the selection; words selected since (the next sentence) stay selected
        const now = selectionSpan(transcript);
        if (now && now.start === span.start && now.end === span.end) window.getSelection().removeAllRanges();
      });
    }

    function applyShortcut(number) {
      const li = palette.querySelector('.code[data-shortcut="' + number + '"]');
      if (li) applyCode(li.dataset.key);
    }

    function filterCodes(text) {
      const wanted = text.trim().toLowerCase();
      for (const li of palette.querySelectorAll(".code")) {
        li.hidden = Boolean(wanted) && !li.dataset.name.includes(wanted);
      }
    }

    const openCodingsAt = workspace.openCodingsAt;

    // What will be coded is always the live selection: nothing when it collapses or leaves the transcript.
    function captureSelection() {
      if (!palette) return null;  // a viewer reads codings, adds none
      const span = selectionSpan(transcript);
      // picking a code (the filter, a focused code) keeps the selection it is about to code
      if (span || !palette.contains(document.activeElement)) setPending(span);
      return span;
    }

    const at = new URLSearchParams(window.location.search).get("at");
    if (at !== null && /^\d+$/.test(at)) {
      window.PeerframeLazy.loadUntil(Number(at)).then((target) => {
        if (target) {
          target.scrollIntoView({ block: "center" });
          target.classList.add("flash");
        }
      });
    }

    document.addEventListener("selectionchange", captureSelection);
    // A press on a code must not move the focus or the selection away from the passage it is about to code.
    if (palette) {
      palette.addEventListener("mousedown", (event) => {
        if (event.target.closest(".code")) event.preventDefault();
      });
    }
    transcript.addEventListener("mousedown", (event) => {
      pressedAt = { x: event.clientX, y: event.clientY };
      // A press on a focusable highlight would focus it and start no selection: take its tabindex away for
      // the press, so a drag over codings selects exactly as over plain text (the keyboard still reaches it).
      const run = event.target.closest(".run[tabindex]");
      if (!run) return;
      const tabindex = run.getAttribute("tabindex");
      run.removeAttribute("tabindex");
      document.addEventListener("mouseup", () => run.setAttribute("tabindex", tabindex), { once: true, capture: true });
    });
    transcript.addEventListener("mouseup", (event) => {
      const dragged = pressedAt && Math.hypot(event.clientX - pressedAt.x, event.clientY - pressedAt.y) > 3;
      pressedAt = null;
      const span = selectionSpan(transcript);
      if (span) {
        // a mouse selection takes whole words, unless Alt is held
        const snapped = event.altKey ? span : workspace.snapToWords(transcript, span.start, span.end);
        if (snapped.start !== span.start || snapped.end !== span.end) {
          workspace.selectOffsets(transcript, snapped.start, snapped.end);
        }
        captureSelection();
        return;
      }
      if (dragged) return;
      const run = event.target.closest(".run.coded");
      if (run) openCodingsAt(run, event.clientX, event.clientY);
      const suggested = event.target.closest(".run.suggested");
      if (suggested && !run) focusSuggestion(suggested.dataset.suggestion);
    });
    document.addEventListener("keyup", (event) => {
      if (event.shiftKey || event.key === "Shift") captureSelection();
    });
    transcript.addEventListener("keydown", (event) => {
      const run = event.target.closest && event.target.closest(".run.coded");
      if (run && event.key === "Enter") openCodingsAt(run);
    });

    if (!palette) return;
    // for keyboard.js: what is selected now, and coding it
    window.PeerframeCoding = { selected: () => selectionSpan(transcript), pending: () => pending, code: applyCode };
    filter.addEventListener("input", () => filterCodes(filter.value));
    filter.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = visibleCodes()[0];
        if (first) applyCode(first.dataset.key);
      } else if (/^[1-9]$/.test(event.key) && !filter.value && pending) {
        event.preventDefault();
        applyShortcut(event.key);
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        const first = visibleCodes()[0];
        if (first) first.focus();
      } else if (event.key === "Escape") {
        filter.value = "";
        filterCodes("");
        setPending(null);
      }
    });

    palette.addEventListener("click", (event) => {
      const li = event.target.closest(".code");
      if (li && pending) applyCode(li.dataset.key);
    });
    palette.addEventListener("keydown", (event) => {
      const li = event.target.closest(".code");
      if (!li) return;
      const list = visibleCodes();
      const index = list.indexOf(li);
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        applyCode(li.dataset.key);
      } else if (event.key === "ArrowDown" && index < list.length - 1) {
        event.preventDefault();
        list[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (index > 0 ? list[index - 1] : filter).focus();
      }
    });

    document.addEventListener("keydown", (event) => {
      const typing = event.target.matches && event.target.matches("input, textarea, select");
      if (typing) return;
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
        const undo = document.getElementById("undo");
        if (undo && !undo.disabled) {
          event.preventDefault();
          // straight to the server: a button just swapped in may not be wired up by htmx yet
          htmx.ajax("POST", undo.getAttribute("hx-post"), { target: "#status", swap: "innerHTML" });
        }
        return;
      }
      if (!pending || event.ctrlKey || event.metaKey || event.altKey) return;
      if (/^[1-9]$/.test(event.key)) {
        event.preventDefault();
        applyShortcut(event.key);
      } else if (event.key === "Escape") {
        setPending(null);
      } else if (event.key === "Enter") {
        // Enter on a button or link is that control's (Accept a suggestion, Save a memo), not a coding
        if (event.target.closest && event.target.closest("button, a[href], summary, [role=button], [role=link]")) return;
        event.preventDefault();
        const first = visibleCodes()[0];
        if (first) applyCode(first.dataset.key);
      } else if (event.key.length === 1 && /\S/.test(event.key)) {
        event.preventDefault();
        filter.focus();
        filter.value += event.key;
        filterCodes(filter.value);
      }
    });
  }

  // The suggestions panel: step with the arrow keys (or j/k), accept with A, reject with R.
  let suggestionIndex = null;

  function suggestionItems() {
    return Array.from(document.querySelectorAll("#suggestions .suggestion"));
  }

  function focusSuggestion(start) {
    const item = suggestionItems().find((li) => li.dataset.start === String(start));
    if (item) {
      item.scrollIntoView({ block: "nearest" });
      item.focus();
    }
  }

  // Bring a suggestion's passage into view, loading the chunk of the transcript it is in.
  async function showPassage(item) {
    await window.PeerframeLazy.loadUntil(Number(item.dataset.start));
    const run = document.querySelector('#transcript .run[data-suggestion="' + item.dataset.start + '"]');
    if (run) {
      run.scrollIntoView({ block: "center" });
      document.querySelectorAll(".run.flash").forEach((r) => r.classList.remove("flash"));
      run.classList.add("flash");
    }
  }

  document.addEventListener("keydown", (event) => {
    const item = event.target.closest && event.target.closest("#suggestions .suggestion");
    if (!item || event.ctrlKey || event.metaKey || event.altKey) return;
    const items = suggestionItems();
    const index = items.indexOf(item);
    const key = event.key.toLowerCase();
    if (key === "a" || key === "r") {
      event.preventDefault();
      event.stopPropagation();
      suggestionIndex = index;
      item.querySelector(key === "a" ? "button.accept" : "button.reject").click();
    } else if ((key === "arrowdown" || key === "j") && index < items.length - 1) {
      event.preventDefault();
      items[index + 1].focus();
    } else if ((key === "arrowup" || key === "k") && index > 0) {
      event.preventDefault();
      items[index - 1].focus();
    } else if (key === "enter" && event.target === item) {  // on its Accept or Reject, Enter presses that
      event.preventDefault();
      showPassage(item);
    }
  }, true);

  document.addEventListener("focusin", (event) => {
    const item = event.target.closest && event.target.closest("#suggestions .suggestion");
    if (item) showPassage(item);
  });

  // After a keyboard answer the panel is replaced: keep the reviewer's place in the list.
  document.addEventListener("htmx:oobAfterSwap", (event) => {
    if (suggestionIndex === null || !event.detail.target || event.detail.target.id !== "suggestions") return;
    const items = suggestionItems();
    const next = items[Math.min(suggestionIndex, items.length - 1)];
    suggestionIndex = null;
    if (next) next.focus();
  });

  function setUpDropzone(zone) {
    const input = zone.querySelector('input[type="file"]');
    ["dragenter", "dragover"].forEach((name) =>
      zone.addEventListener(name, (event) => {
        event.preventDefault();
        zone.classList.add("over");
      }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        zone.querySelector("span").textContent = Array.from(input.files).map((f) => f.name).join(", ");
      }
    });
    input.addEventListener("change", () => {
      if (input.files.length) zone.querySelector("span").textContent = Array.from(input.files).map((f) => f.name).join(", ");
    });
  }

  // A refused form comes back as HTML (409/413/422) to show the error beside the fields: swap it in.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    if ([409, 413, 422].includes(xhr.status) && (xhr.getResponseHeader("content-type") || "").startsWith("text/html")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Bring what was just added into view, so that it is not added out of sight.
  document.addEventListener("htmx:afterSettle", () => {
    const added = document.querySelector(".just-added");
    if (added) {
      added.scrollIntoView({ block: "center" });
      added.querySelector("summary")?.focus({ preventScroll: true });
    }
  });

  document.addEventListener("htmx:responseError", (event) => {
    let message = "The server refused the request.";
    try {
      message = JSON.parse(event.detail.xhr.responseText).detail || message;
    } catch (_) { /* not JSON */ }
    showStatus(message, true);
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) document.getElementById("status")?.classList.remove("error");
  });

  // A plain form (a file download) that also sends the current filter fields of another form.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const source = form.dataset && form.dataset.includeFilters && document.querySelector(form.dataset.includeFilters);
    if (!source) return;
    form.querySelectorAll("input[data-copied]").forEach((input) => input.remove());
    for (const [name, value] of new FormData(source)) {
      const input = document.createElement("input");
      Object.assign(input, { type: "hidden", name, value });
      input.dataset.copied = "true";
      form.appendChild(input);
    }
  });

  // A select marked data-autosubmit sends its form as soon as it changes (no inline handler: the CSP forbids them).
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const transcript = document.getElementById("transcript");
    if (transcript) setUpDocument(transcript);
    const zone = document.getElementById("dropzone");
    if (zone) setUpDropzone(zone);
  });
})();
