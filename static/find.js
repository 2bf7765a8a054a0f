// Find in the transcript and the turn outline. The server searches the whole text (case and accents aside)
// and answers with code-point offsets; hits on the page are marked (CSS highlights, so the text and any
// selection are untouched), Enter / Shift+Enter or the arrows step through them, loading the chunk a hit is in.
// The outline's entries jump to their turn the same way.
(function () {
  "use strict";
  const transcript = document.getElementById("transcript");
  const form = document.getElementById("find");
  if (!transcript || !form) return;
  const input = document.getElementById("find-query");
  const count = document.getElementById("find-count");
  const previous = document.getElementById("find-previous");
  const next = document.getElementById("find-next");
  const lazy = () => window.PeerframeLazy;
  const marking = typeof CSS !== "undefined" && CSS.highlights && typeof Highlight === "function";
  let found = { query: "", hits: [], total: 0, summary: "" };
  let current = -1;
  let timer = null;
  let asked = 0;

  // A DOM range for [start, end) over the loaded runs, or null when that text is not on the page.
  function rangeFor(start, end) {
    const runs = Array.from(transcript.querySelectorAll(".run"));
    const point = (offset, isEnd) => {
      const run = runs.find((r) => (isEnd ? Number(r.dataset.s) < offset && offset <= Number(r.dataset.e)
                                          : Number(r.dataset.s) <= offset && offset < Number(r.dataset.e)));
      if (!run || !run.firstChild) return null;
      const units = Array.from(run.textContent).slice(0, offset - Number(run.dataset.s)).join("").length;
      return [run.firstChild, units];
    };
    const from = point(start, false);
    const to = point(end, true);
    if (!from || !to) return null;
    const range = document.createRange();
    range.setStart(from[0], from[1]);
    range.setEnd(to[0], to[1]);
    return range;
  }

  function mark() {
    if (!marking) return;
    const hits = new Highlight();
    const here = new Highlight();
    found.hits.forEach(([start, end], i) => {
      if (!lazy().loaded(start)) return;
      const range = rangeFor(start, end);
      if (range) (i === current ? here : hits).add(range);
    });
    CSS.highlights.set("find-hit", hits);
    CSS.highlights.set("find-current", here);
  }

  function describe() {
    const empty = !found.hits.length;
    previous.disabled = next.disabled = empty;
    if (!found.query) count.textContent = "";
    else if (empty) count.textContent = "Not found";
    else count.textContent = (current >= 0 ? (current + 1) + " of " : "") + found.summary +
      (found.total > found.hits.length ? " (the first " + found.hits.length + " can be stepped through)" : "");
  }

  async function search(query) {
    const ticket = ++asked;
    if (!query.trim()) {
      found = { query: "", hits: [], total: 0, summary: "" };
      current = -1;
      describe();
      mark();
      return;
    }
    const response = await fetch("/documents/" + transcript.dataset.document + "/find?q=" + encodeURIComponent(query),
                                 { credentials: "same-origin" });
    if (ticket !== asked) return;  // a newer search is on its way
    if (!response.ok) {
      count.textContent = "The search did not work (" + response.status + ")";
      return;
    }
    found = await response.json();
    current = -1;
    describe();
    mark();
  }

  async function step(by) {
    if (input.value !== found.query) await search(input.value);
    if (!found.hits.length) return;
    current = (current + by + found.hits.length) % found.hits.length;
    const [start, end] = found.hits[current];
    describe();
    const run = await lazy().loadUntil(start);
    mark();
    const range = rangeFor(start, end);
    const box = range ? range.getBoundingClientRect() : run && run.getBoundingClientRect();
    if (box) window.scrollBy(0, box.top - window.innerHeight / 2);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value), 250);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      step(event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      search("");
    }
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  previous.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  // turns arrive or are redrawn (a coding changed them): mark the hits in them again
  transcript.addEventListener("peerframe:turns-loaded", mark);
  document.addEventListener("htmx:afterSettle", mark);

  // --- the outline: jump to a turn ------------------------------------------------------------------
  document.addEventListener("click", async (event) => {
    const link = event.target.closest && event.target.closest("#outline-list a[data-at]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    await lazy().loadUntil(link.dataset.at);
    const turn = document.getElementById("turn-" + link.dataset.turn);
    if (!turn) return;
    if (!turn.hasAttribute("tabindex")) turn.setAttribute("tabindex", "-1");
    turn.scrollIntoView({ block: "start" });
    window.scrollBy(0, -12);  // a little room above, so its focus ring shows whole
    turn.focus({ preventScroll: true });
    turn.classList.add("arrived");
  });
  transcript.addEventListener("focusout", (event) => {
    const turn = event.target.closest && event.target.closest(".turn.arrived");
    if (turn && event.target === turn) turn.classList.remove("arrived");
  });
})();
