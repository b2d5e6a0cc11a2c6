// Starts Swagger UI (onestop/static/vendor/swagger-ui/) on the API's OpenAPI document.
(function () {
  var root = document.getElementById("api-docs");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: false,
  });
})();
