/* Carepath code lookup: send an HL7 Infobutton (MedlinePlus Connect style) request to the right page.
   Reads `mainSearchCriteria.v.cs` (code system OID) and `mainSearchCriteria.v.c` (the code) from the
   address, and the page's inline map of codes. Without JavaScript the page lists every code instead. */
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
    status.textContent = codes
      ? "This site has no page for code " + code + ". The codes it has are listed below."
      : "This site does not know the code system " + system + ". The codes it has are listed below.";
  }
})();
