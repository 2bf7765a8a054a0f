// Coding stripes beside each turn: bars laid over the lines their passages take, a label that lights and opens
// its code's passages, and memo markers that open the passage they mark.
(function () {
  "use strict";

  const codingsOf = (element) => (element.dataset.codings || "").split(" ").filter(Boolean);

  // The runs of this turn that carry any of these codings.
  function runsOf(turn, codings) {
    return Array.from(turn.querySelectorAll(".run.coded")).filter((run) =>
      codingsOf(run).some((id) => codings.includes(id)));
  }

  // Put every bar beside the lines its passage covers (the server placed it by share of the text), and each
  // label beside the top of its first bar, below the label before it.
  function placeBars(root) {
    const bars = [];
    const lists = [];
    root.querySelectorAll(".stripes").forEach((list) => {
      const turn = list.closest(".turn");
      const first = list.querySelector(".bar");
      if (!turn || !first || !first.offsetParent) return;  // phones show chips, not bars
      const top = list.getBoundingClientRect().top + list.clientTop;
      const items = Array.from(list.querySelectorAll(".stripe")).map((item) => ({ item, top: null, height: 0 }));
      items.forEach((entry) => {
        entry.height = entry.item.querySelector(".stripe-label").getBoundingClientRect().height;
        entry.item.querySelectorAll(".bar").forEach((bar) => {
          const from = turn.querySelector('.run[data-s="' + bar.dataset.s + '"]');
          const to = turn.querySelector('.run[data-e="' + bar.dataset.e + '"]');
          const head = from && from.getClientRects()[0];
          const tails = to ? to.getClientRects() : [];
          const tail = tails[tails.length - 1];
          if (!head || !tail) return;
          bars.push([bar, head.top - top, Math.max(6, tail.bottom - head.top)]);
          if (entry.top === null) entry.top = head.top - top;
        });
      });
      lists.push(items);
    });
    // all reads above, all writes below: one layout
    bars.forEach(([bar, y, height]) => {
      bar.style.top = y + "px";
      bar.style.height = height + "px";
    });
    lists.forEach((items) => {
      let below = 0;
      items.forEach((entry) => {
        const gap = Math.max(0, (entry.top || 0) - below);
        entry.item.style.marginTop = gap + "px";
        below += gap + entry.height + 2;  // the list's own gap between labels
      });
    });
  }

  let pending = false;
  function placeSoon() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const transcript = document.getElementById("transcript");
      if (transcript) placeBars(transcript);
    });
  }

  function light(label, on) {
    const stripe = label.closest(".stripe");
    const turn = label.closest(".turn");
    if (!stripe || !turn) return;
    stripe.classList.toggle("on", on);
    const colour = stripe.style.getPropertyValue("--line");
    runsOf(turn, codingsOf(label)).forEach((run) => {
      run.classList.toggle("lit", on);
      if (on) run.style.setProperty("--lit", colour);
    });
  }

  let picked = null;  // the label whose passages stay lit while their codes are open
  function unpick() {
    if (picked) light(picked, false);
    picked = null;
  }

  document.addEventListener("click", (event) => {
    const label = event.target.closest && event.target.closest(".stripe-label");
    const mark = !label && event.target.closest && event.target.closest(".memo-mark");
    const workspace = window.PeerframeWorkspace;
    if (label) {
      unpick();
      const runs = runsOf(label.closest(".turn"), codingsOf(label));
      if (!runs.length) return;
      picked = label;
      light(label, true);
      runs[0].scrollIntoView({ block: "nearest" });
      workspace.openCodingsAt(runs[0]);
    } else if (mark) {
      const run = mark.previousElementSibling;
      if (run && run.classList.contains("coded")) workspace.openCodingsAt(run);
    }
  });
  document.addEventListener("mousedown", (event) => {
    if (picked && event.target.closest && !event.target.closest(".stripe-label, #coding-panel")) unpick();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") unpick();
  }, true);
  ["mouseover", "focusin"].forEach((name) => document.addEventListener(name, (event) => {
    const label = event.target.closest && event.target.closest(".stripe-label");
    if (label && label !== picked) light(label, true);
  }));
  ["mouseout", "focusout"].forEach((name) => document.addEventListener(name, (event) => {
    const label = event.target.closest && event.target.closest(".stripe-label");
    if (label && label !== picked && !label.contains(event.relatedTarget)) light(label, false);
  }));

  document.addEventListener("DOMContentLoaded", placeSoon);
  document.addEventListener("htmx:afterSettle", () => {
    // a saved memo or code draws the turn again: keep the picked code's passages lit in the new one
    if (picked && !picked.isConnected) {
      picked = document.querySelector('#transcript .stripe-label[data-codings="' + picked.dataset.codings + '"]');
      if (picked) light(picked, true);
    }
    placeSoon();
  });
  window.addEventListener("resize", placeSoon);
  window.addEventListener("load", placeSoon);
  if (document.fonts) document.fonts.ready.then(placeSoon);
})();
