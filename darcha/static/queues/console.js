/* Operator console (queues/console/_panel.html): keyboard shortcuts, the transfer dialog, ticking
   clocks, and a live panel — re-fetched when the center's event stream says the queue changed, and
   every 15 s in any case. Without this file every action still works as a plain form. */
(function () {
  "use strict";

  const panel = () => document.getElementById("console");
  let posting = 0; // actions in flight: shortcuts wait, refreshes do not overwrite their answer
  let generation = 0; // bumped by every action, so an older refresh never replaces a newer panel
  let skew = 0; // server clock minus this machine's clock, in ms

  // --- htmx: refusals (400/403/409) carry the panel with the reason; show it --------------------
  document.addEventListener("htmx:beforeRequest", (event) => {
    const xhr = event.detail.xhr;
    if (!xhr || !event.detail.elt || event.detail.elt.tagName !== "FORM") return;
    posting += 1;
    generation += 1;
    // Counted down by the request itself: its form is usually swapped away before htmx's events.
    xhr.addEventListener("loadend", () => {
      posting = Math.max(0, posting - 1);
    });
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.responseText.includes('id="console"')) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (xhr.status >= 400) {
      window.location.reload(); // not a panel (a 404, a 500 page): show the real page
    }
  });
  document.addEventListener("htmx:afterSwap", () => start());

  // --- keyboard shortcuts -------------------------------------------------------------------
  function keyOf(event) {
    // The physical key, so shortcuts work in the Russian or Uzbek Cyrillic layout too.
    const code = event.code || "";
    if (/^Key[A-Z]$/.test(code)) return code.slice(3);
    if (/^(Digit|Numpad)[1-9]$/.test(code)) return code.slice(-1);
    return (event.key || "").toUpperCase();
  }

  function typing(target) {
    return target instanceof Element && !!target.closest("input, select, textarea, [contenteditable]");
  }

  function settling() {
    // htmx wires a swapped-in panel up a moment after inserting it (its settle step): a key pressed
    // in between would submit a form the old-fashioned way, so it waits for the panel to be ready.
    return !!document.querySelector("#console.htmx-added, #console .htmx-added, .htmx-settling, .htmx-swapping");
  }

  function press(key, tries) {
    if (settling() && tries > 0) {
      setTimeout(() => press(key, tries - 1), 40);
      return;
    }
    const target = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (target && !target.disabled && !settling()) target.click();
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]") || posting) return;
    const key = keyOf(event);
    if (!key || !document.querySelector(`[data-key="${CSS.escape(key)}"]`)) return;
    event.preventDefault();
    press(key, 5);
  });

  // --- transfer dialog ------------------------------------------------------------------------
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.dialog);
      if (dialog && dialog.showModal) {
        event.preventDefault();
        if (!dialog.open) dialog.showModal();
        const first = dialog.querySelector("select, input, button");
        if (first) first.focus();
      }
      return;
    }
    const closer = event.target.closest("dialog [data-close]");
    if (closer) {
      event.preventDefault();
      closer.closest("dialog").close();
    }
  });

  // --- clocks -------------------------------------------------------------------------------
  function clock(ms) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  function tick() {
    const now = Date.now() + skew;
    document.querySelectorAll("#console time[data-since]").forEach((element) => {
      const since = Date.parse(element.dataset.since);
      if (!Number.isNaN(since)) element.textContent = clock(now - since);
    });
  }

  // --- live refresh -------------------------------------------------------------------------
  function quiet() {
    // Not while the operator is busy with the panel: an open dialog, a field in use, an action under way.
    return !posting && !document.querySelector("#console dialog[open]") && !typing(document.activeElement);
  }

  async function refresh() {
    const root = panel();
    if (!root || !quiet() || document.visibilityState === "hidden") return;
    const asked = generation;
    lastRefresh = Date.now();
    let response;
    try {
      response = await fetch(root.dataset.panelUrl, {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (error) {
      return; // offline for a moment: the next tick tries again
    }
    const redirect = response.headers.get("HX-Redirect");
    if (redirect) {
      window.location.href = redirect; // signed out meanwhile
      return;
    }
    if (!response.ok) return;
    const html = await response.text();
    if (asked !== generation || !quiet() || !panel()) return;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.firstElementChild;
    if (!fresh || fresh.id !== "console") return;
    panel().replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    start();
  }

  let pending = null;
  function soon() {
    // Several events at once (a call, then its board update) make one request.
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      refresh();
    }, 300);
  }

  // The board's stream (views/board.py) names its events (darcha.queues.choices.QueueEvent); a snapshot opens every connection, and
  // under WSGI the stream is one snapshot that the browser re-fetches every few seconds — so a
  // snapshot refreshes the panel only if the last refresh is older than the poll interval.
  const CHANGES = ["issued", "called", "started", "held", "finished", "transferred", "closed", "message"];
  let source = null;
  let lastRefresh = Date.now();
  let pollMs = 15000;

  function changed(event) {
    try {
      const data = JSON.parse(event.data);
      if (data && data.type) soon();
    } catch (error) {
      /* not an event of ours */
    }
  }

  function listen(url) {
    if (source || !url || !window.EventSource) return;
    source = new EventSource(url);
    CHANGES.forEach((kind) => source.addEventListener(kind, changed));
    source.addEventListener("snapshot", () => {
      if (Date.now() - lastRefresh >= pollMs) soon();
    });
    // Without the stream (not deployed, the server restarting) the browser retries by itself, and
    // the poll below keeps the panel current meanwhile.
  }

  let poller = null;
  function start() {
    const root = panel();
    if (!root) return;
    lastRefresh = Date.now(); // a panel just arrived (page load, action or refresh)
    const serverNow = Date.parse(root.dataset.now);
    if (!Number.isNaN(serverNow)) skew = serverNow - Date.now();
    listen(root.dataset.streamUrl);
    if (!poller) {
      pollMs = (Number(root.dataset.pollSeconds) || 15) * 1000;
      poller = setInterval(() => {
        if (Date.now() - lastRefresh >= pollMs - 500) refresh();
      }, pollMs);
    }
    tick();
  }

  setInterval(tick, 1000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") soon();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
