// Listening queue: keyboard shortcuts, one player at a time, saving a review
// without reloading. The page works without this script (plain form posts).
(() => {
  "use strict";
  const root = document.getElementById("queue");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const text = JSON.parse(root.dataset.text || "{}");
  const status = document.getElementById("queue-status");
  const cards = Array.from(root.querySelectorAll("article.vm"));
  let current = 0;

  function announce(msg) {
    status.textContent = "";
    // A fresh text node makes screen readers announce a repeated message too.
    setTimeout(() => {
      status.textContent = msg;
    }, 30);
  }

  function select(i, focus) {
    if (i < 0 || i >= cards.length) return;
    cards[current]?.classList.remove("current");
    current = i;
    const card = cards[current];
    card.classList.add("current");
    if (focus) {
      card.focus({ preventScroll: true });
      card.scrollIntoView({
        block: "start",
        behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
      });
    }
  }

  function audioOf(card) {
    return card ? card.querySelector("audio") : null;
  }

  function togglePlay() {
    const a = audioOf(cards[current]);
    if (!a) return;
    if (a.paused) a.play().catch(() => announce(text.failed || ""));
    else a.pause();
  }

  // Fields a person types in: no shortcut fires there. Radios, boxes and buttons keep only Space and Enter.
  const TYPING =
    'textarea, select, input:not([type="radio"]):not([type="checkbox"]):not([type="button"]):not([type="submit"]), [contenteditable]';
  const CATEGORY_KEYS = ["0", "1", "2", "3", "4", "5"];

  function pickCategory(n) {
    const radio = cards[current]?.querySelectorAll('input[name="classification"]')[n];
    if (!radio) return;
    radio.checked = true;
    showRegistrationFields(radio.form);
    const label = radio.closest("label");
    announce(label ? label.textContent.replace(/\s*\d\s*$/, "").trim() : "");
  }

  function submitCurrent(then) {
    const form = cards[current]?.querySelector("form.review");
    const button = form && form.querySelector(`button[name="then"][value="${then}"]`);
    if (button) form.requestSubmit(button);
  }

  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.closest(TYPING) || t.isContentEditable)) return;
    const k = e.key;
    const onControl = t instanceof HTMLElement && t.closest("input, button, audio, summary, a");
    if (onControl && (k === " " || k === "Enter")) return;
    if (CATEGORY_KEYS.includes(k)) {
      e.preventDefault();
      pickCategory(Number(k));
    } else if (k === "s" || k === "S") {
      e.preventDefault();
      submitCurrent(e.shiftKey ? "stay" : "next");
    } else if (k === " " || k === "k") {
      e.preventDefault();
      togglePlay();
    } else if (k === "j" || k === "n") {
      e.preventDefault();
      pauseAll();
      select(current + 1, true);
    } else if (k === "p") {
      e.preventDefault();
      pauseAll();
      select(current - 1, true);
    }
  });

  function pauseAll(except) {
    for (const c of cards) {
      const a = audioOf(c);
      if (a && a !== except && !a.paused) a.pause();
    }
  }

  const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

  // The native player is several Tab stops (play, timeline, volume, menu); one button is one stop,
  // with ←/→ to seek and the bar to click. Without this script the native player stays.
  function enhancePlayer(a) {
    a.controls = false;
    a.hidden = true;
    const wrap = document.createElement("div");
    wrap.className = "player";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "play secondary";
    button.setAttribute("aria-keyshortcuts", "k");
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    button.append(icon, " ", label);
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-hidden", "true");
    const time = document.createElement("span");
    time.className = "time";
    const length = () => (Number.isFinite(a.duration) && a.duration > 0 ? a.duration : Number(a.dataset.duration) || 0);
    const draw = () => {
      icon.textContent = a.paused ? "▶" : "❚❚";
      label.textContent = a.paused ? text.play : text.pause;
      bar.value = length() ? Math.min(1, a.currentTime / length()) : 0;
      time.textContent = `${clock(a.currentTime)} / ${clock(length())}`;
    };
    button.addEventListener("click", () => {
      if (a.paused) a.play().catch(() => announce(text.failed || ""));
      else a.pause();
    });
    button.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      e.preventDefault();
      const step = e.key === "ArrowLeft" ? -5 : 5;
      a.currentTime = Math.max(0, Math.min(length() || Infinity, a.currentTime + step));
    });
    bar.addEventListener("click", (e) => {
      const box = bar.getBoundingClientRect();
      if (length() && box.width > 0) a.currentTime = ((e.clientX - box.left) / box.width) * length();
    });
    for (const ev of ["play", "pause", "timeupdate", "loadedmetadata", "ended", "seeked"]) a.addEventListener(ev, draw);
    draw();
    wrap.append(button, bar, time);
    a.after(wrap);
  }

  // Förvaltning, case reference and "registered" matter only for a synpunkt: shown when one is chosen
  // (or already filled in), so a question or "nothing to register" has three Tab stops fewer.
  function showRegistrationFields(form) {
    const chosen = form.querySelector('input[name="classification"]:checked');
    const needs = (text.registers || []).includes(chosen ? chosen.value : "");
    for (const el of form.querySelectorAll(".reg")) {
      const filled = Array.from(el.querySelectorAll('input:not([type="hidden"]), textarea')).some((f) =>
        f.type === "checkbox" ? f.checked : f.value.trim() !== "",
      );
      el.hidden = !needs && !filled;
    }
  }

  cards.forEach((card, i) => {
    card.addEventListener("focusin", () => select(i, false));
    card.addEventListener("click", () => select(i, false));
    const a = audioOf(card);
    if (a) {
      a.addEventListener("play", () => {
        pauseAll(a);
        select(i, false);
      });
      // Heard to the end: mark listened unless it already is.
      a.addEventListener("ended", () => {
        const box = card.querySelector('input[type="checkbox"][name="listened"]');
        if (box && !box.checked) {
          box.checked = true;
          save(card, { listened: true });
        }
      });
    }
    if (a) enhancePlayer(a);
    const form = card.querySelector("form.review");
    showRegistrationFields(form);
    for (const r of form.querySelectorAll('input[name="classification"]'))
      r.addEventListener("change", () => showRegistrationFields(form));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = {};
      // Hidden "0" then checkbox "1": the last value of a key wins, as on the server.
      for (const [key, value] of new FormData(form)) data[key] = value;
      delete data._csrf;
      delete data.page;
      data.then = e.submitter && e.submitter.value === "next" ? "next" : "stay";
      save(card, data);
    });
  });

  function showError(card, field) {
    const box = card.querySelector(".form-error");
    box.textContent = (text.errors && (text.errors[field] || text.errors.generic)) || "";
    box.hidden = false;
    const input = field && card.querySelector(`[name="${field}"]:not([type="hidden"])`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }

  function clearError(card) {
    card.querySelector(".form-error").hidden = true;
    for (const el of card.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  async function save(card, data) {
    const res = await fetch(`/queue/messages/${card.dataset.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(data),
      credentials: "same-origin",
    }).catch(() => null);
    if (!res || !res.ok) {
      const body = res ? await res.json().catch(() => null) : null;
      const field = body?.error?.details?.[0]?.field;
      showError(card, field);
      announce(text.failed || "");
      return;
    }
    const r = await res.json();
    clearError(card);
    if (r.counts) showCounts(r.counts);
    card.classList.toggle("reviewed", r.reviewed);
    card.querySelector(".review-status").innerHTML = "";
    const badge = document.createElement("span");
    badge.className = `badge ${r.reviewed ? "ok" : "bad"}`;
    badge.textContent = r.reviewed ? text.reviewed : text.unreviewed;
    card.querySelector(".review-status").append(badge);
    const reg = card.querySelector(".reg-status");
    reg.innerHTML = "";
    if (r.needsRegistration && !r.registeredAt) {
      const b = document.createElement("span");
      b.className = "badge few";
      b.textContent = text.needsRegistration;
      reg.append(" ", b);
    }
    if (data.then !== "next") return announce(text.saved || "");
    if (!r.next) return announce(text.allDone || text.saved || "");
    const i = cards.findIndex((c) => c.dataset.id === r.next.id);
    if (i >= 0) {
      pauseAll();
      select(i, true);
      announce(text.saved || "");
    } else {
      // The next one is on another page now: load it, and the hash focuses it there.
      const qs = new URLSearchParams({ week: root.dataset.week });
      if (r.next.page > 1) qs.set("page", String(r.next.page));
      const url = new URL(`/queue?${qs}#m-${r.next.id}`, location.href);
      if (url.pathname + url.search === location.pathname + location.search) {
        location.hash = url.hash;
        location.reload();
      } else location.assign(url);
    }
  }

  /** A count as the server writes it (src/i18n/format.ts): 1 234 with a narrow no-break space in Swedish. */
  const counter = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "sv-SE");
  const count = (v) => counter.format(v).replace(/\u00a0/g, "\u202f");

  /** The week's figures from the server's answer: every one the page shows, none counted here. */
  function showCounts(c) {
    const values = { total: c.total, unreviewed: c.unreviewed, listened: c.listened, carried: c.carriedOver };
    for (const el of root.querySelectorAll("[data-count]")) {
      const key = el.dataset.count;
      const v = key.startsWith("class-") ? (c.byClassification || {})[key.slice(6)] || 0 : values[key];
      if (typeof v === "number") el.textContent = count(v);
    }
  }

  // The transcript's suggestion only fills the form; the manager still saves (nothing registers by itself).
  for (const b of root.querySelectorAll("button.use-suggestion")) {
    b.hidden = false;
    b.addEventListener("click", () => {
      const card = b.closest("article.vm");
      const form = card && card.querySelector("form.review");
      if (!form) return;
      const radio = form.querySelector(
        `input[name="classification"][value="${CSS.escape(b.dataset.classification || "")}"]`,
      );
      if (radio) {
        radio.checked = true;
        showRegistrationFields(form);
      }
      const fv = form.querySelector('input[name="forvaltning"]');
      if (fv && b.dataset.forvaltning) fv.value = b.dataset.forvaltning;
      (radio || fv)?.focus();
      announce(b.dataset.done || "");
    });
  }

  if (cards.length) {
    // Returning from a form post lands on the message that was saved.
    const fromHash = cards.findIndex((c) => `#${c.id}` === location.hash);
    select(fromHash >= 0 ? fromHash : 0, fromHash >= 0);
  }
})();
