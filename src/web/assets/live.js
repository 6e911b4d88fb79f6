// Live results, calm: the server pushes re-rendered HTML for the #live region
// over Server-Sent Events whenever answers arrive anywhere in the kundcenter.
// Only the agent's OWN new answers redraw at once and animate; answers about
// others (group and kundcenter figures) are applied quietly at most once per
// data-quiet-ms (30 s). The polite live region #live-announce speaks only the
// agent's own new results, at most once per data-announce-ms (60 s); a later
// result waiting for its turn replaces an earlier one. "Senast uppdaterad"
// shows when the figures were last redrawn. The intervals are read at every
// event, so a test can shorten them.
(function () {
  "use strict";
  var region = document.getElementById("live");
  var status = document.getElementById("live-status");
  var announce = document.getElementById("live-announce");
  var updated = document.getElementById("live-updated");
  if (!region || !window.EventSource) return;
  var lang = document.documentElement.lang === "en" ? "en-GB" : "sv-SE";
  var source = new EventSource(region.getAttribute("data-stream"));
  var counts = { received: 0, updates: 0, redraws: 0, announcements: 0 };
  // The page was drawn just now: the first quiet update waits its turn too.
  var lastRedraw = Date.now();
  var lastAnnounce = -Infinity;
  var pendingHtml = null;
  var quietTimer = null;
  var pendingText = null;
  var announceTimer = null;

  function ms(name, fallback) {
    var v = Number(region.getAttribute(name));
    return v > 0 ? v : fallback;
  }
  function hhmm(d) {
    return d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  }
  function count(name) {
    counts[name] += 1;
    region.setAttribute("data-" + name, String(counts[name]));
  }

  function redraw(html, animate) {
    // Keep open <details> where they were when the region is replaced.
    var open = Array.prototype.map.call(region.querySelectorAll("details[open]"), function (d, i) {
      return i;
    });
    region.innerHTML = html;
    var details = region.querySelectorAll("details");
    open.forEach(function (i) {
      if (details[i]) details[i].open = true;
    });
    lastRedraw = Date.now();
    pendingHtml = null;
    region.setAttribute("data-pending", "0");
    count("redraws");
    if (updated) updated.textContent = updated.getAttribute("data-label") + " " + hhmm(new Date());
    if (animate) {
      region.classList.remove("flash");
      void region.offsetWidth;
      region.classList.add("flash");
    }
  }

  function quietly(html) {
    pendingHtml = html;
    region.setAttribute("data-pending", "1");
    if (quietTimer) return;
    var wait = Math.max(0, lastRedraw + ms("data-quiet-ms", 30000) - Date.now());
    quietTimer = setTimeout(function () {
      quietTimer = null;
      if (pendingHtml !== null) redraw(pendingHtml, false);
    }, wait);
  }

  function speak(text) {
    pendingText = text;
    if (announceTimer) return;
    var wait = Math.max(0, lastAnnounce + ms("data-announce-ms", 60000) - Date.now());
    announceTimer = setTimeout(function () {
      announceTimer = null;
      if (pendingText === null || !announce) return;
      announce.textContent = pendingText;
      pendingText = null;
      lastAnnounce = Date.now();
      count("announcements");
    }, wait);
  }

  function ownResultText(msg) {
    var text = announce.getAttribute("data-new-mine") + " " + hhmm(new Date(msg.answeredAt)) + ".";
    var periods = msg.results.periods || [];
    var shown = periods.filter(function (p) {
      return p.key === region.getAttribute("data-period");
    })[0];
    if (shown && shown.mean !== null)
      text +=
        " " +
        announce.getAttribute("data-my-nki") +
        " " +
        shown.mean
          .toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
          .replace(/\u00a0/g, "\u202f") +
        ", n = " +
        shown.n.toLocaleString(lang).replace(/\u00a0/g, "\u202f") +
        ".";
    return text;
  }

  source.addEventListener("open", function () {
    status.textContent = status.getAttribute("data-connected");
  });
  source.addEventListener("results", function (ev) {
    var msg;
    try {
      msg = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    if (!msg.results || typeof msg.results.html !== "string") return;
    count("received");
    if (msg.mine && msg.answers > 0) {
      if (quietTimer) {
        clearTimeout(quietTimer);
        quietTimer = null;
      }
      redraw(msg.results.html, true);
      count("updates");
      if (announce) speak(ownResultText(msg));
    } else {
      quietly(msg.results.html);
    }
  });
  source.addEventListener("error", function () {
    // EventSource reconnects by itself (retry: 3000 from the server).
    status.textContent = status.getAttribute("data-connected");
  });
})();
