// Coding with the keyboard alone: a reading caret on the transcript's turns (arrows move by turn and by
// sentence, Ctrl/Alt+Shift+arrows by word), "/" to the code filter and back with Esc, [ and ] between coded
// passages, "?" for help, and the focus kept with the reader when htmx redraws the turn it was on.
(function () {
  "use strict";

  let transcript, palette, filter, caretStatus;
  let caret = { id: null, start: null, end: null }; // the turn the reader is on, and the last selection there
  let lastFocus = null;

  const coding = () => window.PeerframeCoding;
  // what is selected in the transcript now (read live: "selectionchange" arrives only after the key)
  const selected = () => (coding() ? coding().selected() : null);
  const turns = () => Array.from(transcript.querySelectorAll(".turn"));
  const caretTurn = () => (caret.id && document.getElementById(caret.id)) || turns()[0] || null;
  const stop = (event) => { event.preventDefault(); event.stopPropagation(); };
  const sheet = () => window.PeerframePalette; // static/palette.js: the sheet on narrow screens
  const keepInView = (box) => sheet().keepInView(box);

  // --- the text of a turn in code points: sentences and words ---------------------------------------
  function turnText(turn) {
    let text = "";
    const at = []; // at[i]: the code-point offset of UTF-16 unit i of `text`
    let end = 0;
    for (const run of turn.querySelectorAll(".run")) {
      let offset = Number(run.dataset.s);
      for (const ch of run.textContent) {
        for (let i = 0; i < ch.length; i++) at.push(offset);
        text += ch;
        offset++;
      }
      end = Number(run.dataset.e);
    }
    at.push(end);
    return { text, at };
  }

  const FALLBACK = { sentence: /[^.!?…؟۔]+[.!?…؟۔]*/gu, word: /[\p{L}\p{N}\p{M}'’\-]+/gu };

  function pieces(turn, granularity) {
    const { text, at } = turnText(turn);
    const found = [];
    const add = (a, b) => {
      while (a < b && /\s/u.test(text[a])) a++;
      while (b > a && /\s/u.test(text[b - 1])) b--;
      if (b > a) found.push({ start: at[a], end: at[b] });
    };
    if (window.Intl && Intl.Segmenter) {
      for (const s of new Intl.Segmenter(undefined, { granularity }).segment(text)) {
        if (granularity !== "word" || s.isWordLike) add(s.index, s.index + s.segment.length);
      }
    } else {
      for (const m of text.matchAll(FALLBACK[granularity])) add(m.index, m.index + m[0].length);
    }
    return found;
  }

  function bounds(turn) {
    const runs = turn.querySelectorAll(".run");
    return runs.length ? { start: Number(runs[0].dataset.s), end: Number(runs[runs.length - 1].dataset.e) } : null;
  }

  function turnAt(offset) {
    return turns().find((t) => { const b = bounds(t); return b && b.start <= offset && offset < b.end; }) || null;
  }

  // Every piece of the loaded turns from `turn` on (forward) or back from it, in reading order.
  function* piecesFrom(turn, granularity, forward) {
    const all = turns();
    let i = all.indexOf(turn);
    while (i >= 0 && i < all.length) {
      const list = pieces(all[i], granularity);
      yield* forward ? list : list.reverse();
      i += forward ? 1 : -1;
    }
  }

  // --- the caret -----------------------------------------------------------------------------------
  function setCaret(turn, focus) {
    if (!turn) return;
    for (const other of transcript.querySelectorAll(".turn[tabindex]")) if (other !== turn) other.removeAttribute("tabindex");
    turn.setAttribute("tabindex", "0");
    if (caret.id !== turn.id) {
      const live = selected();
      const here = live && turnAt(live.start) === turn; // a selection made there with the mouse
      caret = { id: turn.id, start: here ? live.start : null, end: here ? live.end : null };
    }
    if (focus && !turn.contains(document.activeElement)) turn.focus({ preventScroll: true });
  }

  function select(start, end) {
    const turn = turnAt(start);
    if (!turn || end <= start) return;
    setCaret(turn, true);
    if (document.activeElement && document.activeElement.closest(".run") && turn.contains(document.activeElement)) {
      turn.focus({ preventScroll: true });
    }
    window.PeerframeWorkspace.selectOffsets(transcript, start, end);
    // the browser tells of the change only after this key: what will be coded must be these words now
    document.dispatchEvent(new Event("selectionchange"));
    caret.start = start;
    caret.end = end;
    const selection = window.getSelection();
    if (selection.rangeCount) keepInView(selection.getRangeAt(0).getBoundingClientRect());
    announce("Selected: " + selection.toString().trim());
  }

  function announce(text) {
    if (caretStatus) caretStatus.textContent = text.length > 160 ? text.slice(0, 157) + "…" : text;
  }

  function moveTurn(step) {
    const all = turns();
    const here = all.indexOf(caretTurn());
    const next = all[here + step];
    if (!next) {
      if (step > 0) whenMoreTurns(() => moveTurn(step));
      return;
    }
    window.getSelection().removeAllRanges();
    setCaret(next, true);
    next.focus({ preventScroll: true });
    keepInView(next.getBoundingClientRect());
  }

  // Turns further down may arrive as the reader scrolls: bring the loader into view and wait for them.
  function whenMoreTurns(then) {
    const loader = transcript.querySelector(".more-turns.after");
    if (!loader) return;
    const count = turns().length;
    const watcher = new MutationObserver(() => {
      if (turns().length > count) { watcher.disconnect(); then(); }
    });
    watcher.observe(transcript, { childList: true, subtree: true });
    setTimeout(() => watcher.disconnect(), 10000);
    announce("Loading the next turns…");
    loader.scrollIntoView({ block: "end" });
  }

  function sentence(step) {
    const turn = caretTurn();
    const live = selected();
    if (!live && caret.start === null) {
      const list = pieces(turn, "sentence");
      const first = step > 0 ? list[0] : list[list.length - 1];
      if (first) select(first.start, first.end);
      return;
    }
    const start = live ? live.start : caret.start;
    const end = live ? live.end : caret.end;
    for (const s of piecesFrom(turnAt(step > 0 ? end - 1 : start) || turn, "sentence", step > 0)) {
      if (step > 0 ? s.start >= end : s.end <= start) return select(s.start, s.end);
    }
    if (step > 0) whenMoreTurns(() => sentence(step));
  }

  function currentSentence() {
    const turn = caretTurn();
    const at = selected() ? selected().start : caret.start;
    const list = pieces(turn, "sentence");
    const hit = list.find((s) => at !== null && s.start <= at && at < s.end) || list[0];
    if (hit) select(hit.start, hit.end);
  }

  // Move one end of the selection by a word or a sentence; never past the other end.
  function stretch(which, step, unit) {
    const live = selected();
    if (!live) return sentence(1);
    const { start, end } = live;
    if (which === "end") {
      for (const p of piecesFrom(turnAt(end - 1), unit, step > 0)) {
        if (step > 0 && p.end > end) return select(start, p.end);
        if (step < 0 && p.end < end && p.end > start) return select(start, p.end);
      }
    } else {
      for (const p of piecesFrom(turnAt(start), unit, step > 0)) {
        if (step < 0 && p.start < start) return select(p.start, end);
        if (step > 0 && p.start > start && p.start < end) return select(p.start, end);
      }
    }
  }

  // [ and ]: the previous or next coded passage (all of one coding's text), selected to co-code or opened.
  function codedPassage(step) {
    const runs = Array.from(transcript.querySelectorAll(".run"));
    const from = selected() ? selected().start : caret.start !== null ? caret.start : (bounds(caretTurn()) || {}).start;
    const starts = [];
    runs.forEach((run, i) => {
      const ids = (run.dataset.codings || "").split(" ").filter(Boolean);
      const before = i > 0 ? (runs[i - 1].dataset.codings || "").split(" ") : [];
      const id = ids.find((x) => !before.includes(x));
      if (id) starts.push({ run, i, id, s: Number(run.dataset.s) });
    });
    const target = step > 0 ? starts.find((p) => p.s > from) : starts.reverse().find((p) => p.s < from);
    if (!target) return announce(step > 0 ? "No coded passage after this one" : "No coded passage before this one");
    let last = target.i;
    while (last + 1 < runs.length && (runs[last + 1].dataset.codings || "").split(" ").includes(target.id)) last++;
    select(target.s, Number(runs[last].dataset.e));
    target.run.focus({ preventScroll: true });
  }

  // --- to the codebook and back ----------------------------------------------------------------------
  function openPalette() {
    document.dispatchEvent(new Event("selectionchange")); // a selection made a moment ago is the one to code
    sheet().open(true);
    filter.focus();
  }

  function backToText(cancel) {
    if (filter.value) {
      filter.value = "";
      filter.dispatchEvent(new Event("input"));
    }
    const kept = !cancel && coding() && coding().pending();
    sheet().close();
    const turn = caretTurn();
    if (turn) {
      setCaret(turn, false);
      turn.focus({ preventScroll: true });
    }
    // the filter took the browser's selection into itself: select the same words again
    if (kept) select(kept.start, kept.end);
    else window.getSelection().removeAllRanges();
  }

  // A dir="auto" turn reads right to left when its first strong letter does (Arabic, Urdu, Hebrew…).
  function rightToLeft(element) {
    try {
      return element.matches(":dir(rtl)");
    } catch (_) {
      const strong = /[\p{sc=Arabic}\p{sc=Hebrew}\p{sc=Syriac}\p{sc=Thaana}]|[A-Za-z\u00C0-\u024F]/u.exec(element.textContent);
      return Boolean(strong) && !/[A-Za-z\u00C0-\u024F]/.test(strong[0]);
    }
  }

  // --- keys ------------------------------------------------------------------------------------------
  function onKey(event) {
    const target = event.target.nodeType === Node.ELEMENT_NODE ? event.target : document.body;
    const inPalette = palette && palette.contains(target);
    const mods = event.ctrlKey || event.metaKey || event.altKey;
    if (inPalette && event.key === "Escape") return stop(event), backToText(false);
    if (inPalette && event.key === "Enter" && coding().pending() && (target === filter || target.closest(".code"))) {
      setTimeout(() => backToText(false), 0); // app.js codes it; the reader goes on where they were
      return;
    }
    // controls in the text (memo markers, stripe labels, play buttons) keep their own Enter and Space
    if (target.closest("input, textarea, select, button, a[href], [contenteditable], #coding-panel, dialog")) return;
    if (event.key === "?" && !event.ctrlKey && !event.metaKey) return stop(event), openHelp();
    if (event.key === "/" && !mods && palette) return stop(event), openPalette();
    const onPage = target === document.body || target.id === "content";
    if (onPage && lastFocus && !lastFocus.isConnected) rescueFocus(); // the turn it was on has just been redrawn
    const inText = transcript.contains(target) || (onPage && (selected() || transcript.contains(document.activeElement)));
    if (!inText) return;
    const turn = target.closest(".turn");
    if (turn && turn.id !== caret.id) setCaret(turn, false);
    const rtl = rightToLeft(caretTurn().querySelector(".text") || caretTurn());
    const key = !rtl ? event.key : { ArrowLeft: "ArrowRight", ArrowRight: "ArrowLeft" }[event.key] || event.key;
    const shift = event.shiftKey;
    const word = event.ctrlKey || event.metaKey;
    if (key === "ArrowDown" || key === "ArrowUp") {
      if (mods) return;
      stop(event);
      return shift ? stretch("end", key === "ArrowDown" ? 1 : -1, "sentence") : moveTurn(key === "ArrowDown" ? 1 : -1);
    }
    if (key === "ArrowRight" || key === "ArrowLeft") {
      const step = key === "ArrowRight" ? 1 : -1;
      if (shift && word) return stop(event), stretch("end", step, "word");
      if (shift && event.altKey) return stop(event), stretch("start", step, "word");
      if (!shift && !mods) return stop(event), sentence(step);
      return; // Shift alone: the browser moves the selection's end a letter at a time
    }
    if (mods) return;
    if (event.key === "Home" || event.key === "End") {
      stop(event);
      const all = turns();
      window.getSelection().removeAllRanges();
      const to = event.key === "Home" ? all[0] : all[all.length - 1];
      setCaret(to, true);
      to.focus({ preventScroll: true });
      return keepInView(to.getBoundingClientRect());
    }
    if (event.key === " ") return stop(event), currentSentence();
    if (event.key === "]" || event.key === "[") return stop(event), codedPassage(event.key === "]" ? 1 : -1);
    if (event.key === "Enter" && target.closest(".run.coded")) {
      stop(event); // its codes, not a new coding of the selected words
      sheet().close();
      return window.PeerframeWorkspace.openCodingsAt(target.closest(".run.coded"));
    }
    if (event.key === "Enter") {
      stop(event);
      return selected() && palette ? openPalette() : currentSentence();
    }
    if (event.key === "Escape" && selected()) {
      stop(event);
      window.getSelection().removeAllRanges();
      sheet().close();
      announce("Selection cleared");
    }
  }

  // The words that will be coded stay marked while the focus is in the codebook (where the browser greys them).
  function markSelected(live) {
    if (!window.CSS || !CSS.highlights || !window.Highlight) return;
    const selection = window.getSelection();
    if (live && selection.rangeCount) CSS.highlights.set("to-code", new Highlight(selection.getRangeAt(0).cloneRange()));
    else if (!palette || !palette.contains(document.activeElement)) CSS.highlights.delete("to-code");
  }

  // --- help ------------------------------------------------------------------------------------------
  function openHelp() {
    const help = document.getElementById("keyboard-help");
    if (help && !help.open) help.showModal();
  }

  // --- focus stays with the reader when the page swaps what they were on ------------------------------
  function rescueFocus() {
    const active = document.activeElement;
    const lost = !active || active === document.body;
    if (lost && lastFocus && (!lastFocus.isConnected || lastFocus.closest("[hidden]")) &&
        (lastFocus.closest && (lastFocus.closest("#transcript, #palette, #coding-panel") || !lastFocus.isConnected))) {
      const turn = caretTurn();
      if (turn) {
        setCaret(turn, false);
        turn.focus({ preventScroll: true });
      }
    }
  }

  function setUp() {
    transcript = document.getElementById("transcript");
    if (!transcript) return;
    palette = document.getElementById("palette");
    filter = document.getElementById("code-filter");
    caretStatus = document.getElementById("caret-status");
    setCaret(turns()[0], false);

    document.addEventListener("keydown", onKey, true);
    document.addEventListener("focusin", (event) => {
      lastFocus = event.target;
      const turn = event.target.closest && event.target.closest("#transcript .turn");
      if (turn) setCaret(turn, false);
    });
    document.addEventListener("htmx:afterSettle", (event) => {
      const turn = caret.id && document.getElementById(caret.id);
      if (turn && !turn.hasAttribute("tabindex")) turn.setAttribute("tabindex", "0");
      if (!transcript.querySelector(".turn[tabindex]")) setCaret(turns()[0], false);
      rescueFocus();
    });
    document.addEventListener("htmx:oobAfterSwap", rescueFocus);
    document.addEventListener("keyup", (event) => { if (event.key === "Escape") setTimeout(rescueFocus, 0); });
    // after a mouse selection the keys work from where the mouse left off
    transcript.addEventListener("mouseup", (event) => {
      const turn = event.target.closest(".turn");
      if (!turn) return;
      setCaret(turn, false);
      if (selected()) turn.focus({ preventScroll: true });
    });
    document.addEventListener("selectionchange", () => {
      const live = selected();
      markSelected(live);
      if (live) {
        caret.start = live.start;
        caret.end = live.end;
      }
    });
    const help = document.getElementById("keyboard-help");
    document.getElementById("keyboard-help-open")?.addEventListener("click", openHelp);
    help?.querySelector(".close-help")?.addEventListener("click", () => help.close());
    palette?.querySelector(".sheet-close")?.addEventListener("click", () => backToText(true));
    document.getElementById("skip-to-text")?.addEventListener("click", (event) => {
      event.preventDefault();
      const turn = caretTurn();
      turn.focus();
      keepInView(turn.getBoundingClientRect());
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
