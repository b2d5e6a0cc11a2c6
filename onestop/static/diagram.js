// Draws every <pre class="mermaid"> of the page with the Mermaid library served from /static/vendor.
(function () {
  if (!window.mermaid) { return; }
  window.mermaid.initialize({
    startOnLoad: false, securityLevel: "strict", theme: "neutral",
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    state: { useMaxWidth: true }
  });
  window.mermaid.run({ querySelector: "pre.mermaid" }).then(function () {
    document.querySelectorAll(".diagram").forEach(function (box) { box.setAttribute("data-drawn", "1"); });
  }).catch(function (err) {
    document.querySelectorAll(".diagram").forEach(function (box) { box.setAttribute("data-drawn", "error"); });
    if (window.console) { console.error(err); }
  });
})();
