/* COCO Atlas map page: the ranked table beside the map and the gap map's list of missing
   competences. The table is rendered by the server; this script sorts it when a column header is
   clicked (WAI-ARIA Authoring Practices, "Sortable Table": header buttons, aria-sort on the
   sorted column), saves it as CSV (RFC 4180, built in the browser: works from a file on disk,
   no server), and shows a row's node on the map. Texts a spreadsheet would read as a formula
   (starting with = + - @, a tab or a carriage return) get a leading apostrophe, as the
   service's exports do (OWASP "CSV Injection"); numbers stay numbers.
   Everything is read from the page; nothing is fetched. Text goes in with textContent. */
"use strict";
(function () {
  var table = document.getElementById("coco-table");
  var net = window.__cocoNetwork;
  var t = window.__cocoWords.t, tn = window.__cocoWords.tn;  // the page's language (map.js)

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // -- showing a row's node on the map -------------------------------------------------------
  function show(id) {
    if (!net) { return; }
    var node = net.body.data.nodes.get(id);
    if (!node || node.hidden) { return; }
    net.selectNodes([id]);
    net.focus(id, {scale: Math.max(net.getScale(), 1),
                   animation: {duration: 300, easingFunction: "easeInOutQuad"}});
    net.emit("selectNode", {nodes: [id], edges: []});  // the map's own details panel follows
    document.getElementById("coco-map").scrollIntoView({behavior: "smooth", block: "nearest"});
  }

  // -- sorting -----------------------------------------------------------------------------
  function valueOf(td, numeric) {
    var raw = td.hasAttribute("data-value") ? td.getAttribute("data-value") : td.textContent;
    if (!numeric) { return raw.trim(); }
    return raw === "" ? null : Number(raw);
  }
  function renumber() {
    Array.prototype.forEach.call(table.tBodies[0].rows, function (tr, i) {
      tr.cells[0].textContent = String(i + 1);
      var b = tr.querySelector("button[data-node]");
      if (b) { b.setAttribute("tabindex", i ? "-1" : "0"); }  // the tab stop: the first row
    });
  }
  function sortBy(col, descending) {
    var ths = table.tHead.rows[0].cells;
    var numeric = ths[col].classList.contains("num");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (tr, i) {
      return {tr: tr, v: valueOf(tr.cells[col], numeric), i: i};
    });
    rows.sort(function (a, b) {
      if (a.v === null || a.v === "") { return (b.v === null || b.v === "") ? a.i - b.i : 1; }
      if (b.v === null || b.v === "") { return -1; }
      var c = numeric ? a.v - b.v : a.v.localeCompare(b.v, undefined, {numeric: true});
      return (descending ? -c : c) || a.i - b.i;
    });
    body.replaceChildren.apply(body, rows.map(function (r) { return r.tr; }));
    Array.prototype.forEach.call(ths, function (th, k) {
      if (k === col) {
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
    renumber();
  }
  if (table) {
    table.tHead.querySelectorAll("button[data-col]").forEach(function (b) {
      b.addEventListener("click", function () {
        var col = Number(b.getAttribute("data-col"));
        var th = b.parentNode;
        var now = th.getAttribute("aria-sort");
        var descending = now ? now === "ascending" : th.classList.contains("num");
        sortBy(col, descending);
      });
    });
    table.tBodies[0].addEventListener("click", function (e) {
      var b = e.target.closest("button[data-node]");
      if (b) { show(Number(b.getAttribute("data-node"))); }
    });
    // One tab stop for all the rows, arrow keys between them (WAI-ARIA Authoring Practices,
    // "roving tabindex"): a keyboard user does not tab through a thousand names.
    table.tBodies[0].addEventListener("keydown", function (e) {
      var b = e.target.closest("button[data-node]");
      var moves = {ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10};
      if (!b || !(e.key in moves || e.key === "Home" || e.key === "End")) { return; }
      var all = Array.prototype.slice.call(table.tBodies[0].querySelectorAll("button[data-node]"));
      var at = all.indexOf(b);
      var to = e.key === "Home" ? 0 : e.key === "End" ? all.length - 1
        : Math.max(0, Math.min(all.length - 1, at + moves[e.key]));
      e.preventDefault();
      b.setAttribute("tabindex", "-1");
      all[to].setAttribute("tabindex", "0");
      all[to].focus();
    });
  }

  // -- CSV ---------------------------------------------------------------------------------
  var RISKY = /^[=+\-@\t\r]/;
  var QUOTED = /[\u0022,\r\n]/;  // no quote character in a regex: gettext's extractor reads it
  function field(text, numeric) {
    var s = String(text);
    if (!numeric && RISKY.test(s)) { s = "'" + s; }
    return QUOTED.test(s) ? '"' + s.split('"').join('""') + '"' : s;
  }
  function csv() {
    var ths = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var numeric = ths.map(function (th) { return th.classList.contains("num"); });
    var lines = [ths.map(function (th) { return field(th.textContent.trim(), false); })];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) {
      lines.push(Array.prototype.map.call(tr.cells, function (td, k) {
        var v = valueOf(td, numeric[k]);
        return field(v === null ? "" : v, numeric[k]);
      }));
    });
    return lines.map(function (cells) { return cells.join(","); }).join("\r\n") + "\r\n";
  }
  var button = document.getElementById("coco-csv");
  if (table && button) {
    window.__cocoCsv = csv;
    button.addEventListener("click", function () {
      // a byte-order mark so that spreadsheets read the names' accents as UTF-8
      var blob = new Blob(["\ufeff", csv()], {type: "text/csv;charset=utf-8"});
      var a = el("a", null, {href: URL.createObjectURL(blob),
                             download: button.getAttribute("data-file") || "coco-table.csv"});
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
    });
  }

  // -- the gap map: what the selected region misses ------------------------------------------
  var gapsBlock = document.getElementById("coco-gaps-data");
  var panel = document.getElementById("coco-gaps");
  if (!gapsBlock || !panel) { return; }
  var gaps = JSON.parse(gapsBlock.textContent);
  var base = gaps.base || "";
  function link(id, name) {
    return el("a", name, {href: base + "/nodes/" + encodeURIComponent(id)});
  }
  function names(list, total, what) {
    var p = el("p");
    p.appendChild(el("b", t("{what}: ", {what: what})));
    list.forEach(function (x, i) {
      if (i) { p.appendChild(document.createTextNode("; ")); }
      p.appendChild(link(x[0], x[1]));
      if (x[2]) { p.appendChild(document.createTextNode(" (" + x[2] + ")")); }
    });
    if (!list.length) { p.appendChild(el("span", t("none"), {"class": "muted"})); }
    if (total > list.length) {
      p.appendChild(el("span", tn(" and {n} more", " and {n} more", total - list.length),
                       {"class": "muted"}));
    }
    return p;
  }
  function render(key) {
    var region = gaps.regions[key];
    if (!region) { return; }
    var out = [el("h2", t("Missing in {region}", {region: region.name}))];
    out.push(el("p", tn("{n} competence its actors need that none of them offers.",
                        "{n} competences its actors need that none of them offers.",
                        region.unmet), {"class": "muted"}));
    var list = el("ol", null, {"class": "gap-list", "data-region": key});
    region.rows.forEach(function (g) {
      var li = el("li", null, {"data-competence": g.id});
      var h = el("h3");
      h.appendChild(link(g.id, g.name));
      h.appendChild(el("span", tn(" needed by {n}", " needed by {n}", g.demand),
                       {"class": "muted"}));
      li.appendChild(h);
      li.appendChild(names(g.needers, g.demand, t("Who needs it")));
      li.appendChild(names(g.suppliers, g.supply, t("Nearest suppliers")));
      li.appendChild(names(g.trainings, g.taught, t("Trainings that teach it")));
      list.appendChild(li);
    });
    out.push(list);
    if (region.unmet > region.rows.length) {
      var more = el("p");
      more.appendChild(document.createTextNode(tn("The {n} most needed are listed. ",
        "The {n} most needed are listed. ", region.rows.length)));
      more.appendChild(el("a", tn("All {n} of {region}", "All {n} of {region}", region.unmet,
                              {region: region.name}), {href: base + "/maps/gaps?" + new URLSearchParams(
                             {region: key, level: String(gaps.level)})}));
      out.push(more);
    }
    out.push(el("p", gaps.explain, {"class": "muted"}));
    panel.replaceChildren.apply(panel, out);
    panel.hidden = false;
  }
  if (net) {
    net.on("selectNode", function (p) {
      var node = net.body.data.nodes.get(p.nodes[0]);
      if (node) { render(node.k); }
    });
  }
  if (gaps.selected.length) {
    render(gaps.selected[0]);
  }
})();
