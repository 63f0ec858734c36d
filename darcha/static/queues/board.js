/* Display board: live calls and waiting counts from the server's event stream, with voice.
 *
 * The stream (Server-Sent Events) starts with a `snapshot` (the whole state) and goes on with the
 * center's events; EventSource reconnects by itself after a drop, and the new stream's snapshot
 * restores the state. A `called` event carries the clip names to say; the voice plays the chime,
 * the call in Uzbek, then in Russian, one call after another, from pre-rendered static clips.
 */
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("board-config").textContent);
  const labels = config.labels; // {uz: {...}, ru: {...}}
  const order = config.order; // the page's language first
  // Event types: darcha.queues.choices.QueueEvent.
  const EVENTS = ["snapshot", "issued", "called", "started", "held", "finished", "transferred", "closed"];
  const RECENT = 6;
  const $ = (id) => document.getElementById(id);

  // Exposed for the browser tests and for looking at a board from the developer tools.
  const state = {
    calls: [],
    waiting: [],
    windowLabels: {},
    clockOffset: 0,
    events: 0,
    lastEvent: null,
    lastEventAt: 0,
    lastCall: null,
    announced: 0,
    lastAnnouncement: null,
    sound: false, // sound on (the board's setting, or a tap)
    audio: "none", // the audio context's state: "suspended" until the browser lets it play
  };
  window.darchaBoard = state;

  // --- drawing ----------------------------------------------------------------------------------

  function node(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function svgArrow(className) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 48 48");
    svg.setAttribute("class", className);
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M6 24h32M26 11l13 13-13 13");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "5");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.append(path);
    return svg;
  }

  const fill = (template, n) => template.replace("{n}", n);

  /* The window's names: ["3-oyna", "окно 3"] (page order), or [own label, "3-oyna · окно 3"]. */
  function windowNames(counter) {
    const own = state.windowLabels[String(counter)];
    const both = order.map((lang) => fill(labels[lang].window, counter));
    return own ? [own, both.join(" · ")] : both;
  }

  function windowBlock(counter, prefix) {
    const [main, second] = windowNames(counter);
    const block = node("div", `${prefix}__window`);
    block.append(node("span", `${prefix}__window-main`, main), node("span", `${prefix}__window-second`, second));
    return block;
  }

  function renderNow(fresh) {
    const panel = $("board-now");
    const top = state.calls[0];
    const ticket = $("now-ticket");
    const place = $("now-window");
    panel.classList.toggle("now--empty", !top);
    ticket.hidden = !top;
    if (!top) {
      document.querySelector(".now__call").style.setProperty("--fit", "1");
      ticket.textContent = "";
      place.replaceChildren(
        ...order.map((lang, i) => node("span", i ? "now__window-second" : "now__window-main", labels[lang].no_calls)),
      );
      return;
    }
    ticket.textContent = top.ticket;
    const [main, second] = windowNames(top.counter);
    place.replaceChildren(node("span", "now__window-main", main), node("span", "now__window-second", second));
    fitNow();
    if (fresh) restartAnimation(panel);
  }

  /* The latest call as large as its panel allows (a long window label makes it smaller). */
  function fitNow() {
    const call = document.querySelector(".now__call");
    call.style.setProperty("--fit", "1");
    const room = call.clientWidth;
    const needed = call.scrollWidth;
    if (needed > room) call.style.setProperty("--fit", String(Math.max(0.35, (room / needed) * 0.97)));
  }

  function renderCalls(freshTicket) {
    const list = $("board-calls");
    const rest = state.calls.slice(1, RECENT + 1);
    if (!rest.length) {
      list.replaceChildren();
      return;
    }
    list.replaceChildren(
      ...rest.map((call) => {
        const item = node("li", `call call--${call.status || "called"}`);
        item.append(node("span", "call__ticket", call.ticket), svgArrow("call__arrow"), windowBlock(call.counter, "call"));
        if (call.ticket === freshTicket) restartAnimation(item);
        return item;
      }),
    );
  }

  function serviceRow(prefix, names, count) {
    const item = node("li", "service");
    const nameBox = node("div", "service__names");
    names.forEach((name, i) => nameBox.append(node("span", i ? "service__name service__name--second" : "service__name", name)));
    const countBox = node("div", "service__count", String(count));
    item.append(node("span", "service__prefix", prefix), nameBox, countBox);
    return item;
  }

  function renderWaiting() {
    const list = $("board-waiting");
    const total = state.waiting.reduce((sum, row) => sum + row.count, 0);
    const totalBox = $("waiting-total");
    totalBox.hidden = !total;
    totalBox.textContent = String(total);
    if (!state.waiting.length) {
      const empty = node("li", "waiting__empty");
      order.forEach((lang) => empty.append(node("div", "", labels[lang].no_waiting)));
      list.replaceChildren(empty);
      return;
    }
    const rows = state.waiting.map((row) =>
      serviceRow(row.prefix, order.map((lang) => (lang === "ru" ? row.name_ru : row.name_uz)), row.count),
    );
    // As many services as fit; the rest summed up in one line.
    const build = (shown) => {
      const items = rows.slice(0, shown);
      const hidden = state.waiting.slice(shown);
      if (hidden.length) {
        const more = serviceRow(
          "+",
          order.map((lang) => fill(labels[lang].more, hidden.length)),
          hidden.reduce((sum, row) => sum + row.count, 0),
        );
        more.classList.add("service--more");
        items.push(more);
      }
      list.replaceChildren(...items);
    };
    let shown = rows.length;
    build(shown);
    while (shown > 1 && list.scrollHeight > list.clientHeight + 1) {
      shown -= 1;
      build(shown);
    }
  }

  function restartAnimation(element) {
    element.classList.remove("is-new");
    void element.offsetWidth; // restart the CSS animation
    element.classList.add("is-new");
    clearTimeout(element.newTimer);
    element.newTimer = setTimeout(() => element.classList.remove("is-new"), 4500);
  }

  function render(freshTicket) {
    renderNow(Boolean(freshTicket) && state.calls[0] && state.calls[0].ticket === freshTicket);
    renderCalls(freshTicket);
    renderWaiting();
  }

  // --- clock (the server's time, in the center's time zone) -------------------------------------

  const clockParts = new Intl.DateTimeFormat("en-GB", {
    timeZone: config.timeZone,
    hour: "2-digit",
    minute: "2-digit",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    weekday: "short",
    hourCycle: "h23",
  });
  const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

  function tick() {
    const parts = Object.fromEntries(
      clockParts.formatToParts(new Date(Date.now() + state.clockOffset)).map((p) => [p.type, p.value]),
    );
    $("board-time").textContent = `${parts.hour}:${parts.minute}`;
    const day = WEEKDAYS.indexOf(parts.weekday);
    const names = day >= 0 ? order.map((lang) => labels[lang].weekdays[day]) : [];
    $("board-date").textContent = [...names, `${parts.day}.${parts.month}.${parts.year}`].join(" · ");
    setTimeout(tick, 1000 - ((Date.now() + state.clockOffset) % 1000) + 5);
  }

  // --- voice ------------------------------------------------------------------------------------

  const voice = (() => {
    const KEY = "darcha.board.sound";
    const assets = config.voice;
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    const button = $("board-sound");
    const overlay = $("board-unlock");
    const buffers = new Map();
    const queue = [];
    let context = null;
    let playing = [];
    let busy = false;
    let dismissed = false;
    // On from the start by the board's setting (?sound=1, or the center's), else as last chosen here.
    let enabled = typeof config.sound === "boolean" ? config.sound : localStorage.getItem(KEY) !== "off";
    const clipsPlayable = Boolean(assets) && document.createElement("audio").canPlayType(assets.type) !== "";
    if (!assets || !AudioContextClass) return { announce() {} };

    function audio() {
      if (!context) {
        context = new AudioContextClass();
        context.addEventListener("statechange", () => {
          state.audio = context.state;
          showOverlay();
        });
        state.audio = context.state;
      }
      return context;
    }

    function load(url) {
      if (!buffers.has(url)) {
        const loading = fetch(url)
          .then((response) => {
            if (!response.ok) throw new Error(`${url}: ${response.status}`);
            return response.arrayBuffer();
          })
          .then((data) => audio().decodeAudioData(data));
        loading.catch(() => buffers.delete(url)); // tried again next time
        buffers.set(url, loading);
      }
      return buffers.get(url);
    }

    function preload() {
      load(assets.chime).catch(() => {});
      if (!clipsPlayable) return;
      for (const clips of Object.values(assets.clips)) {
        for (const url of Object.values(clips)) load(url).catch(() => {});
      }
    }

    /* Chime, then Uzbek, then Russian, scheduled back to back on the audio clock. */
    async function play(clipsByLanguage) {
      const parts = [{ url: assets.chime, after: 0.25 }];
      if (clipsPlayable) {
        for (const lang of ["uz", "ru"]) {
          for (const name of clipsByLanguage[lang] || []) {
            if (name === config.pause) parts.push({ pause: 0.3 });
            else if (assets.clips[lang] && assets.clips[lang][name]) parts.push({ url: assets.clips[lang][name], after: 0.04 });
          }
          parts.push({ pause: 0.6 });
        }
      }
      const decoded = await Promise.all(parts.map((part) => (part.url ? load(part.url).catch(() => null) : null)));
      const ctx = audio();
      if (!enabled || ctx.state !== "running") return;
      const start = ctx.currentTime + 0.05;
      let at = start;
      parts.forEach((part, i) => {
        if (part.pause) {
          at += part.pause;
          return;
        }
        if (!decoded[i]) return;
        const source = ctx.createBufferSource();
        source.buffer = decoded[i];
        source.connect(ctx.destination);
        source.start(at);
        playing.push(source);
        at += decoded[i].duration + part.after;
      });
      state.announced += 1;
      state.lastAnnouncement = { sounds: decoded.filter(Boolean).length, seconds: at - start };
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, (at - ctx.currentTime) * 1000)));
      playing = [];
    }

    async function pump() {
      if (busy) return;
      busy = true;
      try {
        while (queue.length) {
          try {
            await play(queue.shift());
          } catch (error) {
            console.warn("board voice:", error);
          }
        }
      } finally {
        busy = false;
      }
    }

    function announce(clipsByLanguage) {
      if (!enabled || !clipsByLanguage || !context || context.state !== "running") return;
      queue.push(clipsByLanguage);
      while (queue.length > 4) queue.shift(); // a burst of calls: say the latest ones
      pump();
    }

    function showOverlay() {
      overlay.hidden = dismissed || !enabled || !context || context.state === "running";
    }

    function unlock() {
      dismissed = true;
      showOverlay();
      audio()
        .resume()
        .then(() => {
          preload();
          showOverlay();
        })
        .catch(() => {});
    }

    function setEnabled(on) {
      enabled = on;
      state.sound = on;
      localStorage.setItem(KEY, on ? "on" : "off");
      button.setAttribute("aria-pressed", String(on));
      if (on) {
        unlock();
      } else {
        queue.length = 0;
        playing.forEach((source) => {
          try {
            source.stop();
          } catch {
            /* already ended */
          }
        });
        playing = [];
        showOverlay();
      }
    }

    button.hidden = false;
    button.setAttribute("aria-pressed", String(enabled));
    button.addEventListener("click", (event) => {
      event.stopPropagation();
      setEnabled(!enabled);
    });
    $("board-unlock-enable").addEventListener("click", unlock);
    $("board-unlock-skip").addEventListener("click", (event) => {
      event.stopPropagation();
      dismissed = true;
      setEnabled(false);
    });
    // A tap anywhere on the board, or any key of a TV remote or keyboard, is the interaction
    // browsers wait for before they play sound.
    const firstInteraction = () => enabled && context && context.state !== "running" && unlock();
    document.addEventListener("click", firstInteraction);
    document.addEventListener("keydown", firstInteraction);
    state.sound = enabled;
    if (enabled) {
      // Browsers keep audio suspended until the first interaction, unless they allow autoplay (a
      // wall display's kiosk mode): try at once, and after a moment ask for a tap — beside the
      // clock, covering nothing.
      audio()
        .resume()
        .catch(() => {});
      setTimeout(() => {
        if (context.state === "running") preload();
        showOverlay();
      }, 400);
    }
    return { announce };
  })();

  // --- the stream -------------------------------------------------------------------------------

  function setConnection(status) {
    document.body.dataset.state = status;
    $("board-status").hidden = status !== "reconnecting";
  }

  const handlers = {
    snapshot(data) {
      state.calls = data.calls;
      state.waiting = data.waiting;
      state.windowLabels = data.labels || {};
      if (data.server_time) state.clockOffset = data.server_time * 1000 - Date.now();
      setConnection("live");
      render();
    },
    called(data) {
      state.lastCall = { ticket: data.ticket, counter: data.counter, receivedAt: Date.now() };
      state.calls = [
        { ticket: data.ticket, counter: data.counter, status: "called" },
        ...state.calls.filter((call) => call.ticket !== data.ticket),
      ];
      render(data.ticket);
      voice.announce(data.voice);
    },
    started(data) {
      state.calls = state.calls.map((call) => (call.ticket === data.ticket ? { ...call, status: "serving" } : call));
      render();
    },
    held: removeCall,
    finished: removeCall,
    transferred: removeCall,
    closed() {
      state.calls = [];
      render();
    },
    issued() {}, // the snapshot that follows has the new counts
  };

  function removeCall(data) {
    state.calls = state.calls.filter((call) => call.ticket !== data.ticket);
    render();
  }

  let source = null;
  let retry = null;

  function connect() {
    if (source) source.close();
    source = new EventSource(config.stream);
    for (const type of EVENTS) {
      source.addEventListener(type, (message) => {
        let data;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        state.events += 1;
        state.lastEvent = { type, data };
        state.lastEventAt = Date.now();
        handlers[type](data);
      });
    }
    source.addEventListener("error", () => {
      setConnection("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        // The server answered with an error: EventSource gives up, so start over ourselves.
        clearTimeout(retry);
        retry = setTimeout(connect, 5000);
      }
    });
  }

  render();
  tick();
  connect();
})();
