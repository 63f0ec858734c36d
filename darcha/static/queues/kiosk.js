/* Darcha queue screens, no framework. Every part switches on by a data attribute:
   [data-kiosk]        the kiosk: back to the Uzbek start screen after a minute untouched
   [data-clock]        a clock (Tashkent time)
   [data-keypad]       the on-screen keypad of the phone field (a kiosk has no keyboard)
   [data-code-keypad]  the keypad of the booking code at check-in ([data-code-input])
   [data-kiosk-form]   one tap, one ticket: the button is disabled once the form is sent
   [data-autoprint]    print on load (the kiosk's printer; Chromium --kiosk-printing prints silently)
   [data-done-seconds] count down, then "Done" (back to the start)
   [data-print]        a print button
   [data-live-stream]  the live ticket page: refresh at once when the center's event stream says
                       something moved (the page polls every 10 s anyway, with or without it) */
(function () {
  "use strict";

  const body = document.body;

  /* --- clock ------------------------------------------------------------------------------ */
  const clocks = document.querySelectorAll("[data-clock]");
  if (clocks.length) {
    const format = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tashkent" });
    const tick = () => clocks.forEach((clock) => { clock.textContent = format.format(new Date()); });
    tick();
    setInterval(tick, 10000);
  }

  /* --- kiosk: idle reset ------------------------------------------------------------------ */
  if (body.hasAttribute("data-kiosk")) {
    const idle = (parseInt(body.dataset.idleSeconds, 10) || 60) * 1000;
    const home = body.dataset.homeUz || "/";
    let last = Date.now();
    const touched = () => { last = Date.now(); };
    ["pointerdown", "touchstart", "keydown", "input", "scroll"].forEach((name) =>
      document.addEventListener(name, touched, { passive: true, capture: true })
    );
    setInterval(() => {
      const quiet = Date.now() - last;
      if (body.hasAttribute("data-kiosk-at-start")) {
        // Already at the start in Uzbek: reload now and then, for a fresh form token and service list.
        if (quiet > 30 * 60 * 1000) location.reload();
      } else if (quiet >= idle) {
        location.replace(home);
      }
    }, 1000);
    // The start screen reloads itself at closing time (the server's moment; at least 15 s from now,
    // should this machine's clock run ahead of the server's), and so shows the closed screen.
    const reloadAt = parseInt(body.dataset.reloadAt, 10);
    if (reloadAt) setTimeout(() => location.reload(), Math.max(reloadAt * 1000 - Date.now(), 15000));
    // Coming back through the browser's history cache must not show a stale screen.
    window.addEventListener("pageshow", (event) => { if (event.persisted) location.reload(); });
  }

  /* --- kiosk: phone keypad ---------------------------------------------------------------- */
  const groupPhone = (digits) => {
    // 901234567 → 90 123 45 67
    const parts = [digits.slice(0, 2), digits.slice(2, 5), digits.slice(5, 7), digits.slice(7, 9)];
    return parts.filter(Boolean).join(" ");
  };
  document.querySelectorAll("[data-keypad]").forEach((pad) => {
    const input = pad.parentElement.querySelector("[data-phone]");
    if (!input) return;
    pad.hidden = false;
    input.setAttribute("inputmode", "none"); // the keypad replaces the touch keyboard; a real one still types
    pad.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-key]");
      if (!button) return;
      let digits = input.value.replace(/\D/g, "");
      if (digits.startsWith("998") && digits.length > 9) digits = digits.slice(3);
      const key = button.dataset.key;
      if (key === "back") digits = digits.slice(0, -1);
      else if (key === "clear") digits = "";
      else if (digits.length < 9) digits += key;
      input.value = groupPhone(digits);
      input.removeAttribute("aria-invalid");
    });
  });

  /* --- kiosk: booking-code keypad (check-in), grouped "1234 5678" ------------------------- */
  document.querySelectorAll("[data-code-keypad]").forEach((pad) => {
    const input = document.querySelector("[data-code-input]");
    if (!input) return;
    pad.hidden = false;
    input.setAttribute("inputmode", "none");
    const group = (digits) => (digits.length > 4 ? digits.slice(0, 4) + " " + digits.slice(4) : digits);
    pad.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-key]");
      if (!button) return;
      let digits = input.value.replace(/\D/g, "");
      const key = button.dataset.key;
      if (key === "back") digits = digits.slice(0, -1);
      else if (key === "clear") digits = "";
      else if (digits.length < 8) digits += key;
      input.value = group(digits);
      input.removeAttribute("aria-invalid");
    });
  });

  /* --- kiosk: one tap, one ticket --------------------------------------------------------- */
  document.querySelectorAll("[data-kiosk-form]").forEach((form) => {
    form.addEventListener("submit", () => {
      const button = form.querySelector("[data-issue]");
      if (button) setTimeout(() => { button.disabled = true; }, 0);
    });
  });

  /* --- printing --------------------------------------------------------------------------- */
  // Marked once bound: a page that also loads the site's site.js prints once per click.
  document.querySelectorAll("[data-print]:not([data-print-bound])").forEach((button) => {
    button.setAttribute("data-print-bound", "");
    button.addEventListener("click", () => window.print());
  });

  // The paper is as long as the ticket: one ticket, one cut, no blank roll fed after it.
  // The @page rule goes into a style sheet built through the CSSOM: the Content-Security-Policy
  // refuses a <style> element written by a script. The rule is also left on the slip
  // (data-page-size), where the browser tests read it.
  const slip = document.querySelector(".slip");
  let pageSheet = null;
  const pageRule = (css) => {
    if (!pageSheet && "adoptedStyleSheets" in document) {
      pageSheet = new CSSStyleSheet();
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageSheet];
    }
    if (pageSheet) pageSheet.replaceSync(css);
  };
  const fitPage = () => {
    if (!slip) return;
    const zoom = parseFloat(getComputedStyle(slip).zoom) || 1;
    const millimetres = (slip.getBoundingClientRect().height / zoom) * 25.4 / 96;
    const css = `@page { size: 80mm ${Math.ceil(millimetres) + 2}mm; margin: 0; }`;
    pageRule(css);
    slip.dataset.pageSize = css;
  };
  if (slip) {
    window.addEventListener("beforeprint", fitPage);
    (document.fonts ? document.fonts.ready : Promise.resolve()).then(fitPage);
  }

  const autoprint = document.querySelector("[data-autoprint]");
  const countdown = document.querySelector("[data-done-seconds]");
  window.addEventListener("load", () => {
    if (autoprint) setTimeout(() => { fitPage(); window.print(); }, 250);
    if (!countdown) return;
    const done = document.querySelector("[data-done]");
    const shown = document.querySelector("[data-countdown]");
    let left = parseInt(countdown.dataset.doneSeconds, 10) || 15;
    const step = () => {
      if (shown) shown.textContent = String(left);
      if (left <= 0) {
        if (done) location.replace(done.href);
        return;
      }
      left -= 1;
      setTimeout(step, 1000);
    };
    step();
  });

  /* --- live ticket page ------------------------------------------------------------------- */
  const live = document.querySelector("[data-live-stream]");
  if (live) {
    const statusBox = () => document.getElementById("ticket-status");
    const refresh = () => {
      const box = statusBox();
      if (box && box.hasAttribute("hx-get") && window.htmx) window.htmx.trigger(box, "queue-event");
    };
    let stream = null;
    let previous = statusBox() ? statusBox().dataset.status : "";
    const mine = statusBox() ? statusBox().dataset.ticket : "";

    document.body.addEventListener("htmx:afterSettle", () => {
      const box = statusBox();
      if (!box) return;
      const status = box.dataset.status;
      if (status === "called" && previous !== "called") {
        if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
        document.title = "▶ " + document.title.replace(/^▶ /, "");
      } else if (status !== "called") {
        document.title = document.title.replace(/^▶ /, "");
      }
      previous = status;
      if (!box.hasAttribute("hx-get") && stream) stream.close(); // served or closed: nothing more to follow
    });
    // A phone that wakes up asks at once instead of waiting for the next poll.
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") refresh(); });

    // Event types: darcha.queues.choices.QueueEvent. Events that can move this ticket: a call anywhere (the queue advances), a transfer, the closing.
    // The stream begins with a snapshot (ignored the first time: the page is fresh; after a
    // reconnection it may have missed something, so it asks).
    const moving = new Set(["called", "transferred", "closed"]);
    if (window.EventSource && live.dataset.liveStream) {
      let connections = 0;
      let openedAt = 0;
      let shortLived = 0;
      const onEvent = (event) => {
        let data = {};
        try { data = JSON.parse(event.data || "{}"); } catch (error) { return; }
        const kind = data.type || event.type;
        if (kind === "snapshot") {
          if (connections > 1) refresh();
        } else if (moving.has(kind) || (mine && data.ticket === mine)) {
          refresh();
        }
      };
      try {
        stream = new EventSource(live.dataset.liveStream);
        stream.onmessage = onEvent;
        const named = ["snapshot", "issued", "called", "started", "held", "finished", "transferred", "closed"];
        named.forEach((name) => stream.addEventListener(name, onEvent));
        stream.onopen = () => { connections += 1; openedAt = Date.now(); };
        stream.onerror = () => {
          // No stream here (404: the browser gives up by itself), or a server that answers one
          // snapshot and hangs up (WSGI): reconnecting every few seconds would cost more than the
          // 10 s polling, so give the stream up after two short connections in a row.
          if (stream.readyState === EventSource.CLOSED) return;
          shortLived = Date.now() - openedAt < 5000 ? shortLived + 1 : 0;
          if (shortLived >= 2) stream.close();
        };
      } catch (error) {
        stream = null;
      }
    }
  }
})();
