/* When InPost's widget script does not load, the widget's places say so.

   The script comes from INPOST_PAY_WIDGET_URL, another host: when that host is down (or the
   script is blocked), <inpost-izi-button> stays an unknown, empty element and the shopper
   sees nothing at all. This file, loaded just before InPost's script, watches for its load
   error and, as a fallback, checks after a few seconds whether the button element was ever
   defined. Either way each place gets a plain notice; the shop's own basket and checkout
   keep working without InPost Pay. */
(function () {
  "use strict";

  var TAG = "inpost-izi-button";
  var WAIT_MS = 4000;
  var MESSAGE = "InPost Pay jest chwilowo niedostępny. Możesz złożyć zamówienie w sklepie.";
  var shown = false;

  function widgetScript() {
    return document.querySelector("script[data-izi-widget]");
  }

  function showNotice(reason) {
    if (shown || (window.customElements && window.customElements.get(TAG))) return;
    shown = true;
    document.querySelectorAll(TAG).forEach(function (button) {
      var note = document.createElement("p");
      note.className = "izi-unavailable";
      note.setAttribute("role", "status");
      note.textContent = MESSAGE;
      button.insertAdjacentElement("afterend", note);
    });
    if (window.console) console.warn("InPost Pay widget script unavailable:", reason);
  }

  // A script's load error does not bubble, but it can be caught on the way down.
  window.addEventListener("error", function (event) {
    var script = widgetScript();
    if (script && event.target === script) showNotice("the script did not load");
  }, true);

  function checkLater() {
    window.setTimeout(function () { showNotice("no <" + TAG + "> after " + WAIT_MS + " ms"); }, WAIT_MS);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", checkLater);
  } else {
    checkLater();
  }
})();
