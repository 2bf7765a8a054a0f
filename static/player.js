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

  let following = false;  // a load of the turns being heard is on its way

  function mark() {
    const now = media.currentTime;
    let current = null;
    const cues = cuedTurns();
    for (const cue of cues) {
      if (now >= cue.start && now < cue.end) current = cue.turn;  // the latest turn that covers the time wins
    }
    for (const turn of transcript.querySelectorAll(".turn.playing")) {
      if (turn !== current) {
        turn.classList.remove("playing");
        turn.removeAttribute("aria-current");
      }
    }
    // playing on past the loaded turns (or seeking outside them): bring in the turns being heard
    const outside = !cues.length || now < cues[0].start || now >= cues[cues.length - 1].end;
    if (!current && outside && !following && window.PeerframeLazy && !media.paused) {
      following = true;
      window.PeerframeLazy.loadAtTime(now * 1000).then((changed) => {
        following = false;
        if (changed) mark();
      });
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
