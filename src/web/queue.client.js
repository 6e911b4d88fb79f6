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

  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (
      t instanceof HTMLElement &&
      (t.closest("input, textarea, select, button, audio, summary, a") || t.isContentEditable)
    )
      return;
    const k = e.key;
    if (k === " " || k === "k") {
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
    const form = card.querySelector("form.review");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = {};
      // Hidden "0" then checkbox "1": the last value of a key wins, as on the server.
      for (const [key, value] of new FormData(form)) data[key] = value;
      delete data._csrf;
      delete data.week;
      delete data.page;
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
    const was = card.classList.contains("reviewed");
    if (was !== r.reviewed) {
      // Keep the week's figures true without a reload.
      const kpi = root.querySelector(`[data-count="${card.dataset.carried ? "carried" : "unreviewed"}"]`);
      if (kpi) kpi.textContent = String(Math.max(0, Number(kpi.textContent) + (r.reviewed ? -1 : 1)));
    }
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
    announce(text.saved || "");
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
      if (radio) radio.checked = true;
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
