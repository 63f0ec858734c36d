/* The manager's live queue board (queues/manager/board.html).
   Live events of the center refresh the board at once; the 5-second poll covers the rest
   (operator states) and any time the stream is down. The display board's stream sends named
   events (`event: called`, …) whose JSON `data` carries a "type"; unnamed ones are heard too.
   Its snapshots are skipped: each follows an event already heard, or a (re)connection. */
(function () {
  "use strict";

  var live = document.getElementById("manager-live");
  if (!live || !window.EventSource || !live.dataset.stream) return;
  var kinds = ["message", "issued", "called", "started", "held", "finished", "transferred", "closed", "operators", "resync"];
  var pending = null;
  var source = new EventSource(live.dataset.stream);
  function heard(message) {
    var event;
    try { event = JSON.parse(message.data); } catch (error) { return; }
    if (!event || !event.type || event.type === "snapshot") return;
    clearTimeout(pending);
    pending = setTimeout(function () { htmx.trigger(live, "queue-event"); }, 300);
  }
  kinds.forEach(function (kind) { source.addEventListener(kind, heard); });
  window.addEventListener("pagehide", function () { source.close(); });
})();
