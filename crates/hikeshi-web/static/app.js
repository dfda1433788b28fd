// Hikeshi keyboard shortcuts and small conveniences. No inline handlers: everything is
// wired here. See /help for the list.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var t = el.tagName;
    return t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || el.isContentEditable;
  }

  function rows() {
    var list = document.querySelector("[data-list]");
    return list ? Array.prototype.slice.call(list.querySelectorAll("[data-row]")) : [];
  }

  var current = -1;
  function move(delta) {
    var rs = rows();
    if (!rs.length) return;
    if (current >= 0 && rs[current]) rs[current].classList.remove("kb-current");
    current = Math.max(0, Math.min(rs.length - 1, current + delta));
    var row = rs[current];
    row.classList.add("kb-current");
    var link = row.querySelector("[data-open]");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  var pendingG = false;
  var gTimer = null;

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (pendingG) {
      pendingG = false;
      clearTimeout(gTimer);
      var to = { i: "/incidents", h: "/", r: "/reports", a: "/admin", s: "/search" }[e.key];
      if (to) { e.preventDefault(); window.location.assign(to); }
      return;
    }
    switch (e.key) {
      case "/": {
        var q = document.getElementById("search-q") || document.getElementById("q");
        if (q) { e.preventDefault(); q.focus(); q.select(); }
        break;
      }
      case "j": e.preventDefault(); move(1); break;
      case "k": e.preventDefault(); move(-1); break;
      case "Enter": {
        var rs = rows();
        if (current >= 0 && rs[current] && document.activeElement === document.body) {
          var a = rs[current].querySelector("[data-open]");
          if (a) { e.preventDefault(); window.location.assign(a.getAttribute("href")); }
        }
        break;
      }
      case "x": {
        var r = rows()[current];
        var box = r && r.querySelector("input[type=checkbox]");
        if (box) { e.preventDefault(); box.checked = !box.checked; }
        break;
      }
      case "g":
        pendingG = true;
        gTimer = setTimeout(function () { pendingG = false; }, 1200);
        break;
      case "?": e.preventDefault(); window.location.assign("/help"); break;
    }
  });

  // "Select all" checkboxes in list headers.
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.hasAttribute && t.hasAttribute("data-select-all")) {
      var table = t.closest("table");
      if (!table) return;
      table.querySelectorAll("tbody input[type=checkbox][name=ids]").forEach(function (b) {
        b.checked = t.checked;
      });
    }
  });

  // After htmx swaps the timeline in, clear the comment box and keep focus sensible.
  document.addEventListener("htmx:afterSwap", function (e) {
    var ta = document.getElementById("comment-body");
    if (ta && e.detail && e.detail.target && e.detail.target.id === "timeline") ta.value = "";
  });
})();
