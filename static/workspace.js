// The coding workspace's helpers: word snapping, the codes popover at a passage, messages near the person,
// sending a coding again after signing in, and code definitions that stay inside the window.
(function () {
  "use strict";

  const WORD = /[\p{L}\p{N}\p{M}'’\-]/u;
  const isWord = (ch) => Boolean(ch) && WORD.test(ch);

  // The transcript's runs as [start, end, code points]; offsets are code points, as on the server.
  function runList(transcript) {
    return Array.from(transcript.querySelectorAll(".run")).map((run) =>
      ({ run, s: Number(run.dataset.s), e: Number(run.dataset.e), chars: Array.from(run.textContent) }));
  }

  function charAt(runs, offset) {
    const hit = runs.find((r) => r.s <= offset && offset < r.e);
    return hit ? hit.chars[offset - hit.s] : "";
  }

  // Widen [start, end) so it neither begins nor ends inside a word.
  function snapToWords(transcript, start, end) {
    const runs = runList(transcript);
    while (start > 0 && isWord(charAt(runs, start - 1)) && isWord(charAt(runs, start))) start--;
    while (isWord(charAt(runs, end - 1)) && isWord(charAt(runs, end))) end++;
    return { start, end };
  }

  // The DOM point for a code-point offset (inside the run that holds it, or at the end of the one before).
  function domPoint(runs, offset, isEnd) {
    const hit = runs.find((r) => (isEnd ? r.s < offset && offset <= r.e : r.s <= offset && offset < r.e));
    if (!hit) return null;
    const node = hit.run.firstChild;
    const units = hit.chars.slice(0, offset - hit.s).join("").length;
    return [node, units];
  }

  // Make the browser selection exactly [start, end).
  function selectOffsets(transcript, start, end) {
    const runs = runList(transcript);
    const from = domPoint(runs, start, false);
    const to = domPoint(runs, end, true);
    if (!from || !to || !from[0] || !to[0]) return;
    const range = document.createRange();
    range.setStart(from[0], from[1]);
    range.setEnd(to[0], to[1]);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // --- messages where the person is looking ---------------------------------------------------------
  let quietTimer = null;

  function notify(message, isError) {
    const status = document.getElementById("status");
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
    status.setAttribute("role", isError ? "alert" : "status");
    status.classList.remove("quiet");
    clearTimeout(quietTimer);
    if (!isError) quietTimer = setTimeout(() => status.classList.add("quiet"), 6000);
  }

  // A request the session ended under, kept to be sent again after signing in.
  let unsent = null;

  function sessionEnded(detail) {
    const config = detail.requestConfig || {};
    const values = {};
    const data = config.formData || config.parameters;
    if (data && typeof data.forEach === "function") data.forEach((v, k) => { values[k] = v; });
    else if (data) Object.assign(values, data);
    delete values.csrf_token;
    const target = config.target && config.target.isConnected ? config.target : document.getElementById("status");
    unsent = { verb: config.verb || "post", path: config.path, values, target };
    const box = document.getElementById("session-ended");
    const status = document.getElementById("status");
    if (status) status.textContent = "";
    if (box) {
      box.hidden = false;
      document.getElementById("retry").focus();
    }
  }

  async function freshToken() {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok || new URL(response.url).pathname === "/login") return null;
    const html = new DOMParser().parseFromString(await response.text(), "text/html");
    const meta = html.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : null;
  }

  async function retry() {
    if (!unsent) return;
    const token = await freshToken();
    if (token === null) {
      notify("You are still signed out: sign in in another tab first, then press Retry.", true);
      return;
    }
    if (token) {
      document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRF-Token": token }));
      const meta = document.querySelector('meta[name="csrf-token"]');
      if (meta) meta.content = token;
    }
    const request = unsent;
    unsent = null;
    document.getElementById("session-ended").hidden = true;
    htmx.ajax(request.verb.toUpperCase(), request.path, {
      target: request.target, swap: "innerHTML", values: request.values,
      headers: token ? { "X-CSRF-Token": token } : {},
    });
  }

  document.addEventListener("htmx:responseError", (event) => {
    if (event.detail.xhr && event.detail.xhr.status === 401) sessionEnded(event.detail);
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("#retry")) retry();
  });

  // --- the codes popover at a passage ----------------------------------------------------------------
  let anchor = null; // { offset, x, y }: the clicked passage and the point clicked

  function runAt(offset) {
    return Array.from(document.querySelectorAll("#transcript .run")).find(
      (run) => Number(run.dataset.s) <= offset && offset < Number(run.dataset.e));
  }

  function placePopover(panel) {
    const run = anchor && runAt(anchor.offset);
    if (!run) return;
    const layout = panel.offsetParent || document.body;
    const base = layout.getBoundingClientRect();
    const rects = Array.from(run.getClientRects());
    const rect = rects.find((r) => r.top <= anchor.y && anchor.y <= r.bottom) || rects[rects.length - 1];
    if (!rect) return;
    const width = Math.min(416, window.innerWidth - 16);
    panel.style.width = width + "px";
    panel.style.maxHeight = Math.max(160, Math.min(window.innerHeight * 0.6, 480)) + "px";
    const height = panel.getBoundingClientRect().height;
    const below = rect.bottom + 6;
    const top = below + height <= window.innerHeight - 8 || rect.top - height - 6 < 8 ? below : rect.top - height - 6;
    const room = Math.floor(window.innerHeight - 8 - below);  // below the passage, when it fits neither way
    if (top === below && below + height > window.innerHeight - 8 && room >= 160) panel.style.maxHeight = room + "px";
    const left = Math.max(8, Math.min(anchor.x - 24, window.innerWidth - width - 8));
    panel.style.top = (top - base.top) + "px";
    panel.style.left = (left - base.left) + "px";
    const box = panel.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      panel.scrollIntoView({ block: "nearest" });
      const overhang = panel.getBoundingClientRect().bottom - window.innerHeight;  // a fraction of a pixel left over
      if (overhang > 0) window.scrollBy(0, Math.ceil(overhang) + 1);
    }
  }

  function showPopover() {
    const panel = document.getElementById("coding-panel");
    if (!panel || !anchor || panel.hidden) return;
    panel.classList.add("open");
    placePopover(panel);
    const first = panel.querySelector("button, textarea, input, a[href]");
    if (first) first.focus({ preventScroll: true });
  }

  function closePopover(returnFocus) {
    const panel = document.getElementById("coding-panel");
    if (panel) {
      panel.hidden = true;
      panel.classList.remove("open");
    }
    const run = anchor && runAt(anchor.offset);
    anchor = null;
    if (returnFocus && run) run.focus({ preventScroll: true });
  }

  function openCodingsAt(run, x, y) {
    const box = run.getBoundingClientRect();
    anchor = { offset: Number(run.dataset.s), x: x === undefined ? box.left : x, y: y === undefined ? box.top : y };
    const documentId = document.getElementById("transcript").dataset.document;
    htmx.ajax("GET", "/documents/" + documentId + "/codings-at?start=" + run.dataset.s + "&end=" + run.dataset.e, {
      target: "#coding-panel", swap: "outerHTML",
    });
  }

  // The panel is replaced on every answer (opening, removing a code): place it again and keep the focus in it.
  document.addEventListener("htmx:afterSettle", () => {
    const panel = document.getElementById("coding-panel");
    if (!panel || !anchor) return;
    if (panel.hidden) closePopover(true);
    else if (!panel.contains(document.activeElement)) showPopover();
    else {
      panel.classList.add("open");  // a redrawn panel that kept the focus (the control just used) stays open
      placePopover(panel);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && anchor && event.target.closest && event.target.closest("#coding-panel")) {
      event.preventDefault();
      event.stopPropagation();
      closePopover(true);
    }
  }, true);
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("#coding-panel .close-popover")) closePopover(true);
  });
  document.addEventListener("mousedown", (event) => {
    if (anchor && event.target.closest && !event.target.closest("#coding-panel")) closePopover(false);
  });
  window.addEventListener("resize", () => {
    const panel = document.getElementById("coding-panel");
    if (panel && anchor && !panel.hidden) placePopover(panel);
  });

  // --- code definitions inside the window ------------------------------------------------------------
  function placeDefinition(li) {
    const definition = li.querySelector(".definition");
    if (!definition) return;
    definition.classList.add("shown");
    const width = Math.min(288, window.innerWidth - 16);
    definition.style.width = width + "px";
    const item = li.getBoundingClientRect();
    const height = definition.getBoundingClientRect().height;
    let left = item.left - width - 8;
    let top = item.top;
    if (left < 8) {
      left = Math.max(8, Math.min(item.left, window.innerWidth - width - 8));
      top = item.bottom + 4 + height <= window.innerHeight ? item.bottom + 4 : item.top - height - 4;
    }
    definition.style.left = left + "px";
    definition.style.top = Math.max(8, Math.min(top, window.innerHeight - height - 8)) + "px";
  }

  function hideDefinition(li) {
    const definition = li && li.querySelector(".definition");
    if (definition) definition.classList.remove("shown");
  }

  document.addEventListener("mouseover", (event) => {
    const li = event.target.closest && event.target.closest("#palette .code");
    // the pointer on the definition itself is elsewhere on the page (the transcript under it): get out of the way
    if (li && event.target.closest(".definition")) hideDefinition(li);
    else if (li && !li.contains(event.relatedTarget)) placeDefinition(li);
  });
  document.addEventListener("mouseout", (event) => {
    const li = event.target.closest && event.target.closest("#palette .code");
    if (li && !li.contains(event.relatedTarget) && document.activeElement !== li) hideDefinition(li);
  });
  document.addEventListener("focusin", (event) => {
    const li = event.target.closest && event.target.closest("#palette .code");
    if (li) placeDefinition(li);
  });
  document.addEventListener("focusout", (event) => {
    const li = event.target.closest && event.target.closest("#palette .code");
    if (li) hideDefinition(li);
  });
  // a fixed definition does not move with the page: keep it beside its code
  document.addEventListener("scroll", () => {
    document.querySelectorAll("#palette .definition.shown").forEach((d) => placeDefinition(d.closest(".code")));
  }, true);

  window.PeerframeWorkspace = { snapToWords, selectOffsets, notify, openCodingsAt, closePopover };
})();
