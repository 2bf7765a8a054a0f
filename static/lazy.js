// Long transcripts a chunk at a time: the page holds a run of consecutive turns between a "Show earlier turns"
// and a "Show more turns" link; chunks load as the reader scrolls near either end, and a jump far away (a find
// hit, an outline entry, a suggestion, a moment of the recording) replaces the run with the chunk it needs.
// The loaded turns always stay one contiguous stretch of the text, so a selection across chunks still works.
//
// window.PeerframeLazy:
//   loadUntil(offset) → Promise of the .run holding that code-point offset (null if no turn text holds it),
//                       after loading whatever chunks it takes;
//   loadAtTime(ms)    → Promise of true when it loaded the chunk heard at that moment of the recording
//                       (false when the turns on the page already reach it);
//   loaded(offset)    → true when the offset lies in the loaded stretch;
//   more()            → Promise: the next chunk (if any) is appended.
// Every load fires "peerframe:turns-loaded" on the transcript.
(function () {
  "use strict";
  const transcript = document.getElementById("transcript");
  if (!transcript) return;
  const documentId = transcript.dataset.document;
  const layers = transcript.dataset.layers || "";
  const NEAR = 18000;  // code points: closer than this, load the chunks in between; farther, jump
  let queue = Promise.resolve();

  const before = () => transcript.querySelector(":scope > .more-turns.before");
  const after = () => transcript.querySelector(":scope > .more-turns.after");

  function loaded(offset) {
    const b = before();
    const a = after();
    return (!b || offset >= Number(b.dataset.offset)) && (!a || offset < Number(a.dataset.offset));
  }

  async function fetchChunk(query) {
    const response = await fetch("/documents/" + documentId + "/turns?" + layers + query,
                                 { credentials: "same-origin" });
    if (!response.ok) throw new Error("The transcript's turns could not be loaded (" + response.status + ")");
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    return template.content;
  }

  function announce() {
    transcript.dispatchEvent(new CustomEvent("peerframe:turns-loaded", { bubbles: true }));
  }

  // Run loads one after another, so two never add the same turns.
  function enqueue(step) {
    const next = queue.then(step, step);
    queue = next.catch((error) => {
      if (window.PeerframeWorkspace) window.PeerframeWorkspace.notify(error.message, true);
    });
    return next;
  }

  async function appendNext() {
    const sentinel = after();
    if (!sentinel) return;
    const chunk = await fetchChunk("from=" + sentinel.dataset.from);
    chunk.querySelectorAll(".more-turns.before").forEach((node) => node.remove());
    if (sentinel.isConnected) sentinel.replaceWith(chunk);
    announce();
  }

  async function prependPrevious() {
    const sentinel = before();
    if (!sentinel) return;
    const chunk = await fetchChunk("to=" + sentinel.dataset.to);
    chunk.querySelectorAll(".more-turns.after").forEach((node) => node.remove());
    if (!sentinel.isConnected) return;
    // keep what the reader is looking at in place while text is added above it
    const mark = sentinel.nextElementSibling;
    const top = mark ? mark.getBoundingClientRect().top : 0;
    sentinel.replaceWith(chunk);
    if (mark) window.scrollBy(0, mark.getBoundingClientRect().top - top);
    announce();
  }

  async function jump(query) {
    const chunk = await fetchChunk(query);
    transcript.replaceChildren(chunk);
    observe();
    announce();
  }

  function runAt(offset) {
    return Array.from(transcript.querySelectorAll(".run")).find(
      (run) => Number(run.dataset.s) <= offset && offset < Number(run.dataset.e)) || null;
  }

  function loadUntil(offset) {
    offset = Number(offset);
    return enqueue(async () => {
      for (let guard = 0; guard < 50 && !loaded(offset); guard++) {
        const a = after();
        const b = before();
        if (a && offset >= Number(a.dataset.offset)) {
          if (offset - Number(a.dataset.offset) < NEAR) await appendNext();
          else await jump("at=" + offset);
        } else if (b && offset < Number(b.dataset.offset)) {
          if (Number(b.dataset.offset) - offset < NEAR) await prependPrevious();
          else await jump("at=" + offset);
        }
      }
      return runAt(offset);
    });
  }

  function loadAtTime(ms) {
    return enqueue(async () => {
      const cues = Array.from(transcript.querySelectorAll(".turn[data-cue-start]"));
      const first = cues.length ? Number(cues[0].dataset.cueStart) : Infinity;
      const last = cues.length ? Number(cues[cues.length - 1].dataset.cueStart) : -Infinity;
      if ((ms >= first || !before()) && (ms <= last || !after())) return false;
      await jump("ms=" + Math.floor(ms));
      return true;
    });
  }

  const more = () => enqueue(appendNext);

  // Load the neighbouring chunk a little before the reader reaches either end (one load per end at a time).
  const busy = { after: false, before: false };
  function autoLoad(end) {
    if (busy[end]) return;
    busy[end] = true;
    // a failure is told to the coder by enqueue; here it only frees the end for the next try
    enqueue(end === "after" ? appendNext : prependPrevious).catch(() => {}).finally(() => { busy[end] = false; });
  }
  const watcher = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting && entry.target.classList.contains("after")) autoLoad("after");
    }
  }, { rootMargin: "1200px 0px" }) : null;

  function observe() {
    if (!watcher) return;
    watcher.disconnect();
    for (const sentinel of [before(), after()]) if (sentinel) watcher.observe(sentinel);
  }
  transcript.addEventListener("peerframe:turns-loaded", observe);
  // Earlier turns only when the reader scrolls up towards them, not on arriving at a passage. Moving on
  // downwards near the end loads too (a turn of the wheel or a swipe counts even at the very bottom, where
  // the page cannot scroll), so a load that failed while the observer saw no change is tried again.
  const nearEnd = () => {
    const a = after();
    if (a && a.getBoundingClientRect().top < window.innerHeight + 1200) autoLoad("after");
  };
  let lastY = window.scrollY;
  window.addEventListener("scroll", () => {
    const up = window.scrollY < lastY;
    lastY = window.scrollY;
    const b = before();
    if (up && b && b.getBoundingClientRect().bottom > -1200) autoLoad("before");
    if (!up) nearEnd();
  }, { passive: true });
  window.addEventListener("wheel", (event) => { if (event.deltaY > 0) nearEnd(); }, { passive: true });
  window.addEventListener("touchend", nearEnd, { passive: true });

  // The "Show more turns" links load in place (without JavaScript they open the page at those turns).
  transcript.addEventListener("click", (event) => {
    const link = event.target.closest(".more-turns a");
    if (!link) return;
    event.preventDefault();
    autoLoad(link.closest(".after") ? "after" : "before");
  });

  // A change answers with the turns it touched: a turn not on the page is simply left out, not an error.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const text = event.detail.serverResponse;
    if (typeof text !== "string" || !text.includes('class="turn')) return;
    const template = document.createElement("template");
    template.innerHTML = text;
    let dropped = false;
    template.content.querySelectorAll(".turn[hx-swap-oob]").forEach((turn) => {
      if (!document.getElementById(turn.id)) {
        turn.remove();
        dropped = true;
      }
    });
    if (dropped) event.detail.serverResponse = template.innerHTML;
  });

  observe();
  window.PeerframeLazy = { loadUntil, loadAtTime, loaded, more };
})();
