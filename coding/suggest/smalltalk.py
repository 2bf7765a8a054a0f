"""Talk about the interview itself, which never gets a code suggestion.

Interviews are full of lines about the call, the recording, the room and the pace ("can you hear me",
"is it recording", "take your time"). They can share a word with a code ("hear" with being heard, "break"
with safety), so the words alone would suggest one; these phrases mark a short passage as procedural
instead. The list names the mechanics of an interview, not the subjects a participant talks about: a
passage about feeling heard in a group is not matched.
"""

import re

LONGEST = 16  # content words beyond which a passage is taken as more than procedure, whatever it mentions

_PHRASES = (
    # the call and the line
    r"(can|could|do) (you|everyone|everybody) (hear|see) (me|us|you|my|the)",
    r"(i|we) can('t| not)? (hear|see) you",
    r"are you (still )?there",
    r"(you'?re|you are|i'?m|i am|it'?s) (on )?mute(d)?", r"\bunmute", r"mute button",
    r"(you|it|the (line|sound|video|picture|screen)) (froze|freezes|(keeps )?cutting out|(is )?breaking up)",
    r"(lost|losing) you", r"(internet|wi-?fi|signal|broadband)\b", r"(bad|poor|weak) (connection|line|signal)",
    r"connection (is|was|keeps)", r"(my|your|the) (camera|microphone|mic|headphones|headset|webcam|volume)\b",
    r"(share|sharing) (my|the|your) screen", r"see (my|the) (screen|slides)", r"\bscreen (has )?(gone|went|froze)",
    r"(speak|talk) up", r"(a bit|bit|too) (quiet|loud)\b.{0,20}\b(you|sound|speaker|volume)",
    # the recording
    r"\brecord(ing|er|ed)? (is |it'?s )?(on|off|now|working|going|running|started|stopped)\b",
    r"(is|is it|it'?s|we'?re|i'?m|start|stop|pause|switch|turn)( the| it)? record(ing|er)?\b",
    r"(press|pressed|hit) record", r"(the|this) (recording|recorder)\b", r"record (this|it|the interview)",
    # the interview's own steps
    r"take (your|as long as you|all the) time", r"no rush\b", r"(next|last|first|final) question",
    r"(say|repeat|spell) (that|it|the question) (again|for me)", r"(say|repeat) that\b", r"catch (that|what you)",
    r"(any|some) questions (for me|before|about)", r"anything (else )?(you'?d like|you want|to) (to )?(add|ask)",
    r"(information|participant) (sheet|leaflet)", r"consent form", r"sign (the|this) form",
    r"(thank you|thanks) (so much |very much )?for (your time|coming|agreeing|talking|taking part|joining)",
    r"end of (the|my) (interview|questions)", r"(shall|can) we (get )?start(ed)?\b", r"(ready|happy) to (start|begin)",
    r"(let'?s|we'?ll|i'?ll) (move on|come back|carry on|start|begin|stop there|pause)",
    r"where (was i|were we)", r"(i|we) (need|have) to (leave|finish|stop) (at|by|in)",
    r"(minutes|time) left\b", r"keep an eye on the time", r"(a|short|quick) break\b",
    r"(right|wrong) answers?", r"(skip|pass on) (any|that|a) question",
    # hospitality
    r"(would you like|do you want|can i get you|fancy|anyone for|who wants) (a|an|some|another|more)\b",
    r"help yourself",
)
# tried at word starts only (each phrase begins with a word): over twice as fast as at every character
_PROCEDURAL = re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in _PHRASES) + ")")
_WORD = re.compile(r"[a-z]{3,}")
# Every phrase above holds one of these: a passage holding none is not procedural, and the slower search of the
# phrases is left out (tests/test_suggest_precision.py checks that this never changes an answer).
ANCHORS = ("hear", "see", "there", "mute", "froze", "freez", "cutting out", "breaking up", "lost you", "losing you",
           "internet", "wifi", "wi-fi", "signal", "broadband", "connection", "line", "camera", "mic", "headphones",
           "headset", "webcam", "volume", "screen", "slides", "speak up", "talk up", "quiet", "loud", "record",
           "time", "rush", "question", "say", "repeat", "spell", "catch", "anything", "sheet", "leaflet", "consent",
           "form", "thank", "end of", "start", "begin", "move on", "come back", "carry on", "stop", "pause", "where",
           "leave", "finish", "left", "break", "answer", "skip", "pass on", "would you like", "do you want",
           "get you", "fancy", "anyone for", "who wants", "help yourself")


def procedural(text: str, *, quick: bool = True) -> bool:
    """True for a short passage about the interview itself (the call, the recording, the pace). `quick` first
    looks for one of the `ANCHORS`, which never changes the answer (tests check so with `quick=False`)."""
    lower = text.lower().replace("’", "'")
    if len(_WORD.findall(lower)) > LONGEST or (quick and not any(anchor in lower for anchor in ANCHORS)):
        return False
    return _PROCEDURAL.search(lower) is not None
