/* Live character counters for limited fields (progressive enhancement).
   A field with data-charcount="<id>" updates the element <id>, which carries data-max and the
   messages data-remaining, data-remaining-one and data-over ("%(n)s" stands for the number).
   Newlines count as one character, as on the server. */
(function () {
  "use strict";

  function format(n) {
    try {
      return n.toLocaleString(document.documentElement.lang || "fr");
    } catch (e) {
      return String(n);
    }
  }

  function bind(field) {
    var counter = document.getElementById(field.getAttribute("data-charcount"));
    if (!counter) { return; }
    var max = parseInt(counter.getAttribute("data-max"), 10);
    if (!max) { return; }
    var timer = null;
    function update() {
      var length = field.value.replace(/\r\n/g, "\n").length;
      var left = max - length;
      var template;
      if (left < 0) {
        template = counter.getAttribute("data-over");
      } else if (left === 1 || left === 0) {
        template = counter.getAttribute("data-remaining-one");
      } else {
        template = counter.getAttribute("data-remaining");
      }
      counter.textContent = template.replace("%(n)s", format(Math.abs(left)));
      counter.classList.toggle("charcount--over", left < 0);
    }
    /* wait for a pause in typing so that screen readers are not flooded */
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 400);
    });
    update();
  }

  function init() {
    var fields = document.querySelectorAll("[data-charcount]");
    for (var i = 0; i < fields.length; i += 1) { bind(fields[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
