/* Carepath code lookup: send an HL7 Infobutton (MedlinePlus Connect style) request to the right page.
   Reads `mainSearchCriteria.v.cs` (code system OID) and `mainSearchCriteria.v.c` (the code) from the
   address, and the page's inline map of codes. Without JavaScript the page lists every code instead.
   Its words come from the page (the status element's data- attributes, from the words catalogue). */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var system = (params.get("mainSearchCriteria.v.cs") || "").trim().replace(/^urn:oid:/i, "");
  var code = params.get("mainSearchCriteria.v.c") || "";
  var status = document.getElementById("cp-lookup-status");
  var mapNode = document.getElementById("cp-lookup-map");
  if (!system || !code || !mapNode) {
    return;
  }
  var map = JSON.parse(mapNode.textContent);
  var key = code.trim().toUpperCase().replace(/\./g, "");
  var codes = Object.prototype.hasOwnProperty.call(map, system) ? map[system] : null;
  if (codes && Object.prototype.hasOwnProperty.call(codes, key)) {
    window.location.replace(codes[key]);
    return;
  }
  if (status) {
    // A function as replacement: a `$` in what the reader typed is no replacement pattern.
    status.textContent = codes
      ? (status.getAttribute("data-unknown-code") || "").replace("{code}", function () { return code; })
      : (status.getAttribute("data-unknown-system") || "").replace("{system}", function () { return system; });
  }
})();
