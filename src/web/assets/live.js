// Live results: the server pushes re-rendered HTML for the #live region over
// Server-Sent Events whenever answers arrive; no reload, no framework.
(function () {
  "use strict";
  var region = document.getElementById("live");
  var status = document.getElementById("live-status");
  if (!region || !window.EventSource) return;
  var source = new EventSource(region.getAttribute("data-stream"));
  var updates = 0;
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
    // Keep focus and open <details> where they were when the region is replaced.
    var open = Array.prototype.map.call(region.querySelectorAll("details[open]"), function (d, i) {
      return i;
    });
    region.innerHTML = msg.results.html;
    var details = region.querySelectorAll("details");
    open.forEach(function (i) {
      if (details[i]) details[i].open = true;
    });
    if (msg.answers > 0) {
      updates += 1;
      region.setAttribute("data-updates", String(updates));
      var when = new Date(msg.answeredAt).toLocaleTimeString(
        document.documentElement.lang === "en" ? "en-GB" : "sv-SE",
      );
      status.textContent = status.getAttribute(msg.mine ? "data-new-mine" : "data-new") + " " + when + ".";
      region.classList.remove("flash");
      void region.offsetWidth;
      region.classList.add("flash");
    }
  });
  source.addEventListener("error", function () {
    // EventSource reconnects by itself (retry: 3000 from the server).
    status.textContent = status.getAttribute("data-connected");
  });
})();
