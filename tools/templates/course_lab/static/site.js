/* The course site's small helpers (no library, works from file://):
   search over window.COURSE_SEARCH (search-index.js), a cue and keyboard focus for
   anything that scrolls sideways, and figures that enlarge on a tap or Enter. */
(function () {
  "use strict";
  // ---- search: every word typed must appear in a section; best: most hits in headings
  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    return (window.COURSE_SEARCH || []).map(function (s) {
      var head = s.heading.toLowerCase(), body = s.text.toLowerCase(), score = 0;
      for (var i = 0; i < words.length; i++) {
        if (head.indexOf(words[i]) >= 0) score += 3;
        else if (body.indexOf(words[i]) >= 0) score += 1;
        else return null;
      }
      return {s: s, score: score};
    }).filter(Boolean).sort(function (a, b) { return b.score - a.score; }).slice(0, 12);
  }
  function snippet(text, word) {
    var i = Math.max(0, text.toLowerCase().indexOf(word) - 60);
    return (i ? "..." : "") + text.slice(i, i + 160) + "...";
  }
  function showResults(input, box) {
    var hits = search(input.value);
    box.textContent = "";
    if (!input.value.trim()) return;
    var p = document.createElement("p");
    p.textContent = hits.length + (hits.length === 1 ? " section" : " sections") + " found";
    box.appendChild(p);
    var ul = document.createElement("ul");
    hits.forEach(function (h) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = h.s.url;
      a.textContent = h.s.page + ": " + h.s.heading;
      li.appendChild(a);
      var q = document.createElement("div");
      q.className = "course-snippet";
      q.textContent = snippet(h.s.text, input.value.trim().split(/\s+/)[0].toLowerCase());
      li.appendChild(q);
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }
  // ---- what scrolls sideways gets a cue, keyboard focus and a name
  var SCROLLERS = ".course-scroll, .course-math, .jp-Cell pre, .jp-OutputArea-output, .jp-RenderedMarkdown";
  function markScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (el) {
      var wide = el.scrollWidth > el.clientWidth + 1;
      el.classList.toggle("scrolls", wide);
      if (wide && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", "Wide content, scrolls sideways");
      }
    });
  }
  // ---- figures: a tap, Enter or Space shows the figure at full size; Escape closes
  function toggle(img) {
    var open = img.parentNode.classList.toggle("zoomed");
    img.setAttribute("aria-expanded", open ? "true" : "false");
  }
  function setupFigures() {
    document.querySelectorAll(".jp-RenderedImage img").forEach(function (img) {
      img.setAttribute("tabindex", "0");
      img.setAttribute("role", "button");
      img.setAttribute("aria-expanded", "false");
      img.title = "Enlarge (Enter); Escape to close";
      img.addEventListener("click", function () { toggle(img); });
      img.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(img); }
        if (e.key === "Escape" && img.parentNode.classList.contains("zoomed")) toggle(img);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("course-search-input");
    var box = document.getElementById("course-search-results");
    if (input && box) input.addEventListener("input", function () { showResults(input, box); });
    setupFigures();
    markScrollers();
    window.addEventListener("resize", markScrollers);
  });
  window.courseSearch = search;
})();
