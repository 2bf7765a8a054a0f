// The recording player: a turn's play button seeks and plays; the turn being heard is marked as it plays.
(function () {
  "use strict";
  const media = document.getElementById("recording");
  const transcript = document.getElementById("transcript");
  if (!media || !transcript) return;

  // each cued turn with the time it starts and ends (the next cued turn's start when the turn has no end)
  function cuedTurns() {
    const turns = Array.from(transcript.querySelectorAll(".turn[data-cue-start]"));
    return turns.map((turn, i) => {
      const start = Number(turn.dataset.cueStart) / 1000;
      const next = turns[i + 1] ? Number(turns[i + 1].dataset.cueStart) / 1000 : Infinity;
      const end = turn.dataset.cueEnd !== undefined ? Number(turn.dataset.cueEnd) / 1000 : next;
      return {turn, start, end: Math.max(end, start)};
    });
  }

  function mark() {
    const now = media.currentTime;
    let current = null;
    for (const cue of cuedTurns()) {
      if (now >= cue.start && now < cue.end) current = cue.turn;  // the latest turn that covers the time wins
    }
    for (const turn of transcript.querySelectorAll(".turn.playing")) {
      if (turn !== current) {
        turn.classList.remove("playing");
        turn.removeAttribute("aria-current");
      }
    }
    if (current && !current.classList.contains("playing")) {
      current.classList.add("playing");
      current.setAttribute("aria-current", "true");
    }
  }

  transcript.addEventListener("click", (event) => {
    const button = event.target.closest("button.play");
    if (!button || !transcript.contains(button)) return;
    event.preventDefault();
    media.currentTime = Number(button.dataset.at) / 1000;
    const playing = media.play();
    if (playing && playing.catch) playing.catch(() => {});  // the browser may refuse to play; the seek stays
    mark();
  });
  for (const kind of ["timeupdate", "seeked", "play"]) media.addEventListener(kind, mark);
})();
