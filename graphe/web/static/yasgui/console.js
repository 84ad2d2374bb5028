/* Graphe's SPARQL console: YASGUI on this server's own endpoint, with nothing fetched from elsewhere.
 *
 * The page holds the data (the default query with Graphe's prefixes in the form's textarea, the examples as
 * links to the endpoint); this file only starts YASGUI with them. Turned off: completion from Linked Open
 * Vocabularies (a remote API), prefix.cc, the CORS proxy, the catalogue of remote endpoints; a share link
 * can only ever query this endpoint. If anything fails, the plain form below stays (it needs no script).
 */
(function () {
  "use strict";

  function start() {
    var host = document.getElementById("console");
    var textarea = document.getElementById("query");
    var fallback = document.getElementById("sans-js");
    if (!host || !textarea || typeof window.Yasgui === "undefined") return;
    var Yasgui = window.Yasgui;
    var english = document.documentElement.lang === "en";
    var endpoint = new URL(host.getAttribute("data-endpoint") || "/sparql", window.location.href).href;
    var query = textarea.value;

    // The query's own PREFIX lines, for YASR to shorten IRIs in the results.
    var prefixes = {};
    query.replace(/^PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gim, function (line, name, iri) {
      prefixes[name || ""] = iri;
      return line;
    });

    // Only the local completers: variables of the query and the prefixes bundled in YASGUI. The class and
    // property completers ask lov.linkeddata.es: removed from the registry, so nothing can enable them.
    var Yasqe = Yasgui.Yasqe;
    var local = ["variables", "prefixes"];
    Object.keys(Yasqe.Autocompleters).forEach(function (name) {
      if (local.indexOf(name) < 0) delete Yasqe.Autocompleters[name];
    });
    // Set on the defaults themselves: YASGUI merges arrays item by item, so a shorter list would keep the rest.
    Yasqe.defaults.autocompleters = local.slice();
    Yasqe.defaults.prefixCcApi = null;
    Yasgui.defaults.yasqe.autocompleters = local.slice();
    Yasgui.defaults.yasqe.prefixCcApi = null;
    Yasgui.defaults.corsProxy = undefined;

    var yasgui = new Yasgui(host, {
      persistenceId: "graphe-sparql",
      tabName: english ? "Query" : "Requête",
      corsProxy: undefined,
      copyEndpointOnNewTab: false,
      requestConfig: { endpoint: endpoint, method: "POST" },
      endpointCatalogueOptions: {
        getData: function () { return [{ endpoint: endpoint }]; }
      },
      // A shared link (#query=…) opens a tab on this endpoint, whatever endpoint the link names.
      populateFromUrl: function (tab) {
        tab.requestConfig = Object.assign({}, tab.requestConfig, { endpoint: endpoint });
        return tab;
      },
      yasqe: {
        value: query,
        prefixCcApi: null,
        collapsePrefixesOnLoad: true,
        autocompleters: local.slice()
      },
      yasr: { prefixes: prefixes, defaultPlugin: "table" }
    });

    // The examples open in a tab of their own (once) and run; a modified click opens the raw answer as usual.
    Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (link) {
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        var text = new URL(link.href).searchParams.get("query");
        if (!text) return;
        event.preventDefault();
        var tab = yasgui.addTab(true, { name: link.textContent, yasqe: { value: text },
                                      requestConfig: { endpoint: endpoint } }, { avoidDuplicateTabs: true });
        tab.query().catch(function () {});
        host.scrollIntoView({ block: "start" });
      });
    });

    var loading = host.querySelector("p.muted");
    if (loading) loading.remove();
    if (fallback) fallback.hidden = true;
    host.setAttribute("data-ready", "true");
  }

  try {
    start();
  } catch (error) {
    // The plain form stays usable; say why the console did not start.
    if (window.console) window.console.error("Graphe: console SPARQL indisponible", error);
  }
})();
