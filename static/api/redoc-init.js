/* Starts ReDoc on /api/redoc/ (templates/api/redoc.html): the schema's URL and the CSP nonce come from the page. */
"use strict";
(function () {
  const container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.schemaUrl, { nonce: container.dataset.nonce }, container);
})();
