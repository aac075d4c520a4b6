// Starts Swagger UI on the page's #swagger-ui element. The spec URL comes from
// its data-spec-url attribute, so the page needs no inline script and works
// under a Content-Security-Policy that allows only 'self' for scripts.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
    // The default validator badge loads an image from a third-party site.
    validatorUrl: null
  });
})();
