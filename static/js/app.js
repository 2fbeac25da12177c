/* The product's own behaviour, kept out of the pages so the Content-Security-Policy needs no 'unsafe-inline'.
 * Every feature is marked in the HTML with a data- attribute and works without this file too:
 *   select[data-autosubmit]  submits its form when it changes (the language switch; a <noscript> button otherwise);
 *   button[data-print]       prints the page (hidden until this file shows it);
 *   button[data-copy="id"]   copies the value of input#id and says so in #id-status (the texts come from
 *                            the button's data-copied and data-select attributes).
 *   input[data-check-all="c"] ticks or clears every checkbox of class c (hidden until this file shows it).
 */
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  function print() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function copy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var copied = button.dataset.copied || "", select = button.dataset.select || "";
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.dataset.copy);
        var status = document.getElementById(button.dataset.copy + "-status");
        input.focus();
        input.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(function () { status.textContent = copied; },
                                                          function () { status.textContent = select; });
        } else {
          status.textContent = document.execCommand && document.execCommand("copy") ? copied : select;
        }
      });
    });
  }

  function checkAll() {
    function show() {
      document.querySelectorAll("[data-check-all]").forEach(function (box) { box.closest(".check").hidden = false; });
    }
    show();
    // Delegated: the list is swapped by htmx (category filters), the listener stays.
    document.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.matches || !box.matches("[data-check-all]")) { return; }
      document.querySelectorAll("input[type=checkbox]." + box.dataset.checkAll).forEach(function (item) {
        item.checked = box.checked;
      });
    });
    document.addEventListener("htmx:afterSwap", show);
  }

  ready(function () {
    autosubmit();
    print();
    copy();
    checkAll();
  });
})();
