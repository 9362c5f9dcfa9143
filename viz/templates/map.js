/* COCO Atlas map page: draws the map with vis-network and adds names, a search box, legend
   toggles, tooltips and a details panel. Everything comes from the #coco-data JSON block: nothing
   is fetched. Text from the data goes into the page with textContent, never as HTML.

   Names are drawn here, not by vis-network: after every frame, in order of importance, each
   name on screen is drawn only if its box does not overlap a name drawn before it (the greedy
   point-feature label placement of Christensen, Marks & Shieber 1995, ACM Transactions on
   Graphics 14(3), doi:10.1145/212332.212334). Zoomed out, a few dozen names read; zooming in
   makes room for more, and they never pile up.

   window.__cocoDrawn holds the time (ms since navigation start) of the first frame drawn once
   the layout is final: what the browser tests and benchmarks/maps.py wait for.
   window.__cocoFrames counts the frames drawn (a page is idle when it stops growing);
   window.__cocoLabels holds the boxes of the names drawn in the last frame. */
"use strict";
(function () {
  // -- words: the page's language. viz/i18n.py embeds the translation of every t() and tn()
  // message of the page's scripts (found by Babel's extractor) in #coco-words; plural forms
  // are chosen by the browser's CLDR plural rules (Intl.PluralRules), so nothing is evaluated.
  var words = JSON.parse(document.getElementById("coco-words").textContent);
  var plural = new Intl.PluralRules(words.lang);
  function fill(s, args) {
    return s.replace(/\{(\w+)\}/g, function (m, k) {
      return args && Object.prototype.hasOwnProperty.call(args, k) ? String(args[k]) : m;
    });
  }
  function number(n) { return Number(n).toLocaleString(words.lang); }
  function t(message, args) {
    var s = words.messages[message];
    return fill(typeof s === "string" ? s : message, args);
  }
  function tn(one, many, n, args) {
    var forms = words.messages[one], s = n === 1 ? one : many;
    if (forms && typeof forms === "object") { s = forms[plural.select(n)] || forms.other || s; }
    return fill(s, Object.assign({n: number(n)}, args || {}));
  }
  window.__cocoWords = {t: t, tn: tn, number: number, lang: words.lang};

  var payload = JSON.parse(document.getElementById("coco-data").textContent);
  window.__cocoPayload = payload;  // read once: geo.js reads its part (44k actors: 14 MB)
  var meta = payload.meta;
  window.__cocoFirstHash = location.hash;  // as opened: later scripts read their part of it
  var byId = new Map();
  payload.nodes.forEach(function (n) { byId.set(n.id, n); });
  // many actors on a geographic map: points.js draws them as one layer, not as vis-network nodes
  var points = Boolean(meta.geo && meta.geo.points);
  var nodes = new vis.DataSet(points ? [] : payload.nodes);
  var edges = new vis.DataSet(points ? [] : payload.edges);
  var container = document.getElementById("coco-map");
  window.__cocoDrawn = null;
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, payload.options);
  window.__cocoNetwork = network;
  // keyboard users move the map with the arrow keys and zoom with + and - (WCAG 2.1.1)
  network.setOptions({interaction: {keyboard: {enabled: true, bindToWindow: false}}});
  network.canvas.frame.setAttribute("role", "application");  // vis-network's focusable frame
  network.canvas.frame.setAttribute("aria-label", container.getAttribute("data-label"));

  // -- names -------------------------------------------------------------------------------
  var MAX_LABELS = 250, FEW_LABELS = 50, PX = 12, BIG_PX = 14, MAX_CHARS = 42;
  var hiddenCats = new Set();
  if (points) { window.__cocoPointLayer(network, payload, hiddenCats); }  // before any frame
  var gone = window.__cocoGone = new Set();  // nodes another script hides (timeline.js): no name
  var font = getComputedStyle(document.body).fontFamily;
  var order = meta.order.slice();
  var widths = new Map();
  var important = new Set(order.slice(0, 12));
  function text(n) {
    var t = n.name;
    return t.length > MAX_CHARS ? t.slice(0, MAX_CHARS - 1) + "\u2026" : t;
  }
  function drawLabels(ctx) {
    // the canvas's own pixel ratio (twice the screen's while a PNG is exported)
    var ratio = network.canvas.pixelRatio || 1;
    var w = container.clientWidth, h = container.clientHeight, scale = network.getScale();
    var chosen = network.getSelectedNodes();
    var boxes = [], placed = [];
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    ctx.fillStyle = "#1f2328";
    var candidates = chosen.concat(order);
    // Zoomed out (neighbours under 30 px apart) a few names say enough; zoomed in, many fit.
    var most = meta.spacing * scale >= 30 ? MAX_LABELS : FEW_LABELS;
    for (var k = 0; k < candidates.length && placed.length < most; k++) {
      var id = candidates[k], n = byId.get(id);
      if (hiddenCats.has(n.c) || gone.has(id)) { continue; }
      var p = network.canvasToDOM(network.getPosition(id));
      if (p.x < -50 || p.y < -50 || p.x > w + 50 || p.y > h + 50) { continue; }
      var big = important.has(id) || chosen.indexOf(id) >= 0;
      var px = big ? BIG_PX : PX;
      var key = id + (big ? "b" : "");
      var tw = widths.get(key);
      if (tw === undefined) {
        ctx.font = (big ? "600 " : "") + px + "px " + font;
        tw = ctx.measureText(text(n)).width;
        widths.set(key, tw);
      }
      var top = p.y + n.size * scale + 2;
      var box = [p.x - tw / 2 - 3, top - 1, p.x + tw / 2 + 3, top + px + 2];
      var clash = false;
      for (var b = 0; b < boxes.length && !clash; b++) {
        var o = boxes[b];
        clash = box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3];
      }
      if (clash) { continue; }
      ctx.font = (big ? "600 " : "") + px + "px " + font;
      ctx.strokeText(text(n), p.x, top);
      ctx.fillText(text(n), p.x, top);
      boxes.push(box);
      placed.push([id].concat(box));
    }
    ctx.restore();
    window.__cocoLabels = placed;
  }

  var settled = !payload.options.physics.enabled;
  var restored = 0;  // 0: layout not final yet; 1: restoring the saved view; 2: done
  window.__cocoFrames = 0;
  network.on("afterDrawing", function (ctx) {
    window.__cocoFrames += 1;
    drawLabels(ctx);
    if (settled && restored === 0) {
      restored = 1;
      setTimeout(function () { restoreView(); restored = 2; network.redraw(); }, 0);
    } else if (restored === 2 && window.__cocoDrawn === null) {
      window.__cocoDrawn = performance.now();
      document.body.setAttribute("data-drawn", "true");
    }
  });
  if (!settled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});  // idle once stable: no endless simulation
      settled = true;
      network.redraw();
    });
  }

  // -- details: the tooltip and the panel share one card -----------------------------------
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function linksOf(node) {
    if (node.links) { return node.links; }
    return meta.links.map(function (l) {
      return [l.text, l.href.split("{key}").join(encodeURIComponent(node.k))];
    });
  }
  function card(node) {
    var box = el("div", null, {"class": "card"});
    box.appendChild(el("h3", node.name));
    var dl = el("dl");
    meta.fields.forEach(function (name, i) {
      var v = node.f[i];
      if (v === null || v === undefined || v === "") { return; }
      // 12,345 and 0.25 read better; years (2019) must stay as they are
      if (typeof v === "number" && (Math.abs(v) >= 10000 || !Number.isInteger(v))) {
        v = number(v);
      }
      dl.appendChild(el("dt", name));
      dl.appendChild(el("dd", v));
    });
    box.appendChild(dl);
    var links = el("p", null, {"class": "links"});
    linksOf(node).forEach(function (l) { links.appendChild(el("a", l[0], {href: l[1]})); });
    box.appendChild(links);
    return box;
  }

  var tip = document.getElementById("coco-tip");
  var hideTimer = null;
  function showTip(id) {
    clearTimeout(hideTimer);
    var p = network.canvasToDOM(network.getPosition(id));
    tip.replaceChildren(card(byId.get(id)));
    tip.hidden = false;
    var w = container.clientWidth, h = container.clientHeight;
    tip.style.left = Math.max(4, Math.min(p.x + 14, w - tip.offsetWidth - 4)) + "px";
    tip.style.top = Math.max(4, Math.min(p.y + 14, h - tip.offsetHeight - 4)) + "px";
  }
  function hideTipSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { tip.hidden = true; }, 350);
  }
  container.appendChild(tip);
  tip.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
  tip.addEventListener("mouseleave", hideTipSoon);
  network.on("hoverNode", function (p) { showTip(p.node); });
  network.on("blurNode", hideTipSoon);
  network.on("dragStart", function () { tip.hidden = true; });
  network.on("zoom", function () { tip.hidden = true; });

  var selected = document.getElementById("coco-selected");
  function showSelected(id) {
    selected.replaceChildren(el("h2", t("Selected")), card(byId.get(id)));
  }
  network.on("selectNode", function (p) { showSelected(p.nodes[0]); saveView(); });
  network.on("deselectNode", function () { selected.replaceChildren(); saveView(); });
  network.on("dragEnd", function () { saveView(); });
  network.on("zoom", function () { saveView(); });
  network.on("animationFinished", function () { saveView(); });

  // -- search: find a node by name, focus it ------------------------------------------------
  // as graph/search.py folds: stroke letters (ł, đ, ß) by the table in the payload, then
  // NFKD without the combining marks, then lower case ("lodz" finds "Łódź")
  var letters = payload.meta.fold || {};
  function fold(s) {
    return String(s).replace(/[^\u0000-\u007f]/g, function (c) { return letters[c] || c; })
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function wordsOf(s) { return s.split(/[^\p{L}\p{N}]+/u).filter(Boolean); }
  // a node is found by its name and by its names in other languages (``alt``, issue 15)
  var names = [];
  payload.nodes.forEach(function (n) {
    [n.name].concat(n.alt || []).forEach(function (text) {
      var f = fold(text);
      names.push([f, n.id, wordsOf(f)]);
    });
  });
  var input = document.getElementById("coco-search");
  var list = document.getElementById("coco-matches");
  var matches = [];
  // zoom at which neighbours sit ~2.5 names apart: the focused actor's surroundings read
  var close = Math.min(3, 90 / meta.spacing);
  function focusNode(id) {
    var node = byId.get(id);
    if (nodes.get(id).hidden) { showCategory(node.c, true); }
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), close),
                       animation: {duration: 300, easingFunction: "easeInOutQuad"}});
    showSelected(id);
    input.value = node.name;
    list.replaceChildren();
  }
  input.addEventListener("input", function () {
    var q = fold(input.value.trim());
    list.replaceChildren();
    matches = [];
    if (!q) { return; }
    // the name starts with the text, then every word typed starts a word of the name
    // ("lodz dizajn" finds "Łódź Dizajn Hub"), then the text is inside the name
    var starts = [], prefixes = [], contains = [], typed = wordsOf(q);
    for (var i = 0; i < names.length && starts.length < 12; i++) {
      var at = names[i][0].indexOf(q), have = names[i][2];
      if (at === 0) { starts.push(names[i][1]); }
      else if (typed.length && typed.every(function (t) {
        return have.some(function (h) { return h.lastIndexOf(t, 0) === 0; });
      })) { prefixes.push(names[i][1]); }
      else if (at > 0) { contains.push(names[i][1]); }
    }
    matches = starts.concat(prefixes, contains).filter(function (id, i, all) {
      return all.indexOf(id) === i;  // once, though several of its names match
    }).slice(0, 12);
    matches.forEach(function (id) {
      var b = el("button", byId.get(id).name, {type: "button"});
      b.addEventListener("click", function () { focusNode(id); });
      var li = el("li");
      li.appendChild(b);
      list.appendChild(li);
    });
    if (!matches.length) { list.appendChild(el("li", t("No match"), {"class": "muted"})); }
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      if (matches.length) { focusNode(matches[0]); }
    }
  });

  // -- legend: click a category to hide or show its nodes ------------------------------------
  function showCategory(cat, show) {
    var b = document.querySelector('#coco-legend button[data-cat="' + cat + '"]');
    if (b) { b.setAttribute("aria-pressed", show ? "true" : "false"); }
    if (show) { hiddenCats.delete(cat); } else { hiddenCats.add(cat); }
    if (points) { network.redraw(); return; }
    nodes.update(payload.nodes.filter(function (n) { return n.c === cat; })
      .map(function (n) { return {id: n.id, hidden: !show}; }));
  }
  document.querySelectorAll("#coco-legend button[data-cat]").forEach(function (b) {
    b.addEventListener("click", function () {
      showCategory(Number(b.getAttribute("data-cat")), b.getAttribute("aria-pressed") === "false");
      saveView();
    });
  });

  // -- the view in the address ---------------------------------------------------------------
  /* The view lives in the address's fragment, #view=x,y,scale&sel=KEY&hide=1,3 (centre in
     canvas units, zoom, the selected node's key, the hidden legend categories): the server
     never needs it, a file opened from disk keeps it, and the same address opened anywhere
     restores the same view. A downloaded page carries the view it was saved at (meta.view). */
  var byKey = new Map();
  payload.nodes.forEach(function (n) { byKey.set(String(n.k), n.id); });
  var linkBox = document.getElementById("coco-link");
  var status = document.getElementById("coco-status");
  var download = document.getElementById("coco-download");
  var embedBox = document.getElementById("coco-embed");
  var openLink = document.getElementById("coco-open");
  var ready = false, saveTimer = null;
  function viewText() {
    var v = network.getViewPosition(), sel = network.getSelectedNodes();
    var parts = ["view=" + [v.x.toFixed(1), v.y.toFixed(1),
                            network.getScale().toPrecision(6)].join(",")];
    if (sel.length) { parts.push("sel=" + encodeURIComponent(byId.get(sel[0]).k)); }
    if (hiddenCats.size) {
      parts.push("hide=" + Array.from(hiddenCats).sort(function (a, b) { return a - b; }).join(","));
    }
    if (window.__cocoViewExtra) { parts.push(window.__cocoViewExtra()); }  // e.g. year=2021
    return parts.filter(Boolean).join("&");
  }
  function parseView(text) {
    var q = new URLSearchParams(String(text || "").replace(/^#/, "")), out = {hide: []};
    var v = (q.get("view") || "").split(",").map(Number);
    if (v.length === 3 && v.every(isFinite) && v[2] > 0) {
      out.view = {x: v[0], y: v[1], scale: v[2]};
    }
    if (byKey.has(q.get("sel"))) { out.sel = byKey.get(q.get("sel")); }
    out.hide = (q.get("hide") || "").split(",").filter(function (c) {
      return /^\d+$/.test(c) && document.querySelector('#coco-legend button[data-cat="' + c + '"]');
    }).map(Number);
    return out;
  }
  function restoreView() {
    var s = parseView(location.hash.length > 1 ? location.hash : meta.view);
    s.hide.forEach(function (c) { showCategory(c, false); });
    var sel = s.sel !== undefined ? s.sel : (typeof meta.centre === "number" ? meta.centre : null);
    if (sel !== null) { network.selectNodes([sel]); showSelected(sel); }
    if (s.view) {
      network.moveTo({position: {x: s.view.x, y: s.view.y}, scale: s.view.scale, animation: false});
    }
    ready = true;
    writeView();
  }
  function saveView() {
    if (!ready) { return; }
    clearTimeout(saveTimer);
    saveTimer = setTimeout(writeView, 150);
  }
  window.__cocoSaveView = saveView;
  function permalink() {  // the service's address of this map, without the view
    if (meta.permalink) { return meta.permalink; }
    var u = new URL(location.href);
    ["download", "embed", "view"].forEach(function (k) { u.searchParams.delete(k); });
    u.hash = "";
    return u.toString();
  }
  function withParams(address, extra) {
    var u = new URL(address);
    Object.keys(extra).forEach(function (k) { u.searchParams.set(k, extra[k]); });
    return u.toString();
  }
  function quoteAttr(s) {
    return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }
  function writeView() {
    var hash = viewText(), link = permalink() + "#" + hash;
    window.__cocoView = hash;
    try { history.replaceState(null, "", "#" + hash); } catch (e) { /* a sandboxed frame */ }
    linkBox.value = link;
    if (download) { download.href = withParams(permalink(), {download: "1", view: hash}); }
    if (openLink) { openLink.href = link; }
    if (embedBox) {
      embedBox.value = '<iframe src="' + quoteAttr(withParams(permalink(), {embed: "1"}) + "#" +
        hash) + '" title="' + quoteAttr(document.title) + '" width="100%" height="600" ' +
        'style="border: 0" loading="lazy"></iframe>';
    }
  }
  document.getElementById("coco-share").addEventListener("click", function () {
    writeView();
    linkBox.focus();
    linkBox.select();
    function copied() { status.textContent = t("Link copied: it reopens this view."); }
    function by_hand() {
      status.textContent = t("Copy the link above (Ctrl+C): it reopens this view.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(linkBox.value).then(copied, by_hand);
    } else { by_hand(); }
  });

  // -- export: the map as drawn, with its title, filters, legend, date and source ------------
  /* vis-network draws the map again onto another context: an offscreen canvas at twice the
     pixels for the PNG, an svgcanvas context (Canvas 2D calls written as SVG elements) for the
     SVG. Whatever is drawn on the map's canvas (outlines, names, the selection) is drawn there
     too, by the same code. Title, legend and the rest are drawn by one function on both. */
  var INK = "#1f2328", MUTED = "#59636e", PAD = 20, LEGEND_W = 270;
  var measure = document.createElement("canvas").getContext("2d");
  function fontOf(px, bold) { return (bold ? "600 " : "") + px + "px " + font; }
  function wrapText(s, px, bold, width) {
    measure.font = fontOf(px, bold);
    var lines = [], line = "";
    String(s).split(/\s+/).filter(Boolean).forEach(function (word) {
      while (measure.measureText(word).width > width && word.length > 8) {  // a long address
        var cut = Math.max(8, Math.floor(word.length * width / measure.measureText(word).width));
        if (line) { lines.push(line); line = ""; }
        lines.push(word.slice(0, cut));
        word = word.slice(cut);
      }
      var t = line ? line + " " + word : word;
      if (line && measure.measureText(t).width > width) { lines.push(line); line = word; }
      else { line = t; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function exportLayout() {
    var mw = container.clientWidth, mh = container.clientHeight;
    var W = PAD + mw + PAD + LEGEND_W + PAD, textW = W - 2 * PAD;
    var texts = [], marks = [], y = PAD;
    function add(s, px, bold, colour, x, width) {
      wrapText(s, px, bold, width).forEach(function (line) {
        texts.push({text: line, font: fontOf(px, bold), colour: colour, x: x, y: y});
        y += Math.round(px * 1.35);
      });
    }
    var title = document.querySelector(".map-area h1").textContent.trim();
    add(title, 20, true, INK, PAD, textW);
    var titleBox = [PAD, PAD, PAD + Math.min(textW, measure.measureText(title).width), y];
    var counts = meta.counts || {nodes: 0, edges: 0};
    var tied = points
      ? tn("{n} tie, drawn for the selected actor", "{n} ties, drawn for the selected actor",
           meta.geo.points.count)
      : tn("{n} tie drawn", "{n} ties drawn", counts.edges);
    add([tn("{n} node", "{n} nodes", counts.nodes), tied]
      .concat(meta.filters || []).join(" · "), 13, false, MUTED, PAD, textW);
    y += 8;
    var mapBox = {x: PAD, y: y, w: mw, h: mh};
    var lx = PAD + mw + PAD, top = y;
    var legend = meta.legend || {};
    add(legend.title || t("Legend"), 14, true, INK, lx, LEGEND_W);
    (legend.items || []).forEach(function (item, i) {
      var off = hiddenCats.has(i);
      marks.push({kind: "dot", colour: item.colour, x: lx + 6, y: y + 8, off: off});
      add(off ? t("{name} ({count}), hidden", {name: item.text, count: number(item.count)})
          : item.text + " (" + number(item.count) + ")",
          12, false, off ? MUTED : INK, lx + 18, LEGEND_W - 18);
    });
    if (legend.size) { y += 4; add(legend.size, 12, false, MUTED, lx, LEGEND_W); }
    (legend.edges || []).forEach(function (e) {
      marks.push({kind: "line", colour: e.colour, x: lx, y: y + 8});
      add(e.text, 12, false, MUTED, lx + 28, LEGEND_W - 28);
    });
    var legendBox = [lx, top, lx + LEGEND_W, y];
    y = Math.max(y, mapBox.y + mh) + 10;
    add(t("Map drawn {date}. Source: COCO Atlas, {link}",
          {date: meta.drawnText || meta.drawn, link: permalink() + "#" + viewText()}),
        11, false, MUTED, PAD, textW);
    return {width: W, height: y + PAD - 6, map: mapBox, texts: texts, marks: marks,
            title: titleBox, legend: legendBox};
  }
  function drawOverlay(ctx, L) {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, L.width, L.height);
    ctx.strokeStyle = "#d1d9e0";
    ctx.lineWidth = 1;
    ctx.strokeRect(L.map.x - 0.5, L.map.y - 0.5, L.map.w + 1, L.map.h + 1);
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    L.texts.forEach(function (t) {
      ctx.font = t.font;
      ctx.fillStyle = t.colour;
      ctx.fillText(t.text, t.x, t.y);
    });
    L.marks.forEach(function (m) {
      ctx.globalAlpha = m.off ? 0.35 : 1;
      ctx.fillStyle = m.colour;
      ctx.beginPath();
      if (m.kind === "dot") { ctx.arc(m.x, m.y, 6, 0, 2 * Math.PI); } else { ctx.rect(m.x, m.y - 1.5, 22, 3); }
      ctx.fill();
      ctx.globalAlpha = 1;
    });
  }
  function drawMapOnto(ctx, ratio) {  // vis-network's own frame, drawn onto ctx
    var canvas = network.canvas, before = canvas.pixelRatio;
    canvas.getContext = function () { return ctx; };
    canvas.pixelRatio = ratio;
    try { network.renderer._redraw(false); } finally {
      delete canvas.getContext;
      canvas.pixelRatio = before;
      network.redraw();
    }
  }
  function exportPNG(scale) {
    var L = exportLayout(), S = scale || 2;
    var map = document.createElement("canvas");
    map.width = L.map.w * S;
    map.height = L.map.h * S;
    drawMapOnto(map.getContext("2d"), S);
    var out = document.createElement("canvas");
    out.width = Math.round(L.width * S);
    out.height = Math.round(L.height * S);
    var ctx = out.getContext("2d");
    ctx.scale(S, S);
    drawOverlay(ctx, L);
    ctx.drawImage(map, L.map.x, L.map.y, L.map.w, L.map.h);
    window.__cocoExportLayout = L;
    return new Promise(function (resolve) { out.toBlob(resolve, "image/png"); });
  }
  /* A Path2D cannot be read back, and svgcanvas cannot draw one: so each Path2D the page's
     scripts build (geo.js's outlines and areas) remembers its moveTo/lineTo/… calls, which the
     SVG export replays as an ordinary path. Paths built from an SVG string are not supported. */
  var PATH_CALLS = ["moveTo", "lineTo", "closePath", "arc", "arcTo", "rect", "ellipse",
                    "bezierCurveTo", "quadraticCurveTo"];
  if (window.Path2D) {
    PATH_CALLS.forEach(function (name) {
      var call = Path2D.prototype[name];
      Path2D.prototype[name] = function () {
        (this.__calls || (this.__calls = [])).push([name, Array.prototype.slice.call(arguments)]);
        return call.apply(this, arguments);
      };
    });
  }
  function svgContext(w, h) {
    /* On a canvas, save() leaves the current path alone, and vis-network fills a dot between
       save() and restore(); svgcanvas 2.6 opens a group there instead. So a fill or stroke that
       finds no path element starts one holding the current path (svgcanvas's own helpers). */
    var ctx = new SvgCanvas.Context({width: w, height: h});
    ["fill", "stroke"].forEach(function (name) {
      var paint = ctx[name];
      ctx[name] = function (shape, rule) {
        if (window.Path2D && shape instanceof Path2D) {  // replayed onto a path of its own
          this.beginPath();
          (shape.__calls || []).forEach(function (c) { ctx[c[0]].apply(ctx, c[1]); });
          paint.call(this);
          if (rule === "evenodd") { this.__currentElement.setAttribute("fill-rule", "evenodd"); }
          return;
        }
        if (this.__currentElement.nodeName !== "path" && this.__currentDefaultPath) {
          var path = this.__createElement("path", {}, true);
          this.__closestGroupOrSvg().appendChild(path);
          this.__currentElement = path;
        }
        if (shape === "evenodd") { this.__currentElement.setAttribute("fill-rule", "evenodd"); }
        return paint.call(this);
      };
    });
    return ctx;
  }
  function exportSVG() {
    var L = exportLayout();
    var page = svgContext(L.width, L.height);
    drawOverlay(page, L);
    var map = svgContext(L.map.w, L.map.h);
    drawMapOnto(map, 1);
    var root = page.getSvg(), inner = map.getSvg();
    inner.setAttribute("x", L.map.x);
    inner.setAttribute("y", L.map.y);
    root.appendChild(inner);
    var t = document.createElementNS("http://www.w3.org/2000/svg", "title");
    t.textContent = L.texts[0].text;
    root.insertBefore(t, root.firstChild);
    window.__cocoExportLayout = L;
    return new XMLSerializer().serializeToString(root);
  }
  function save(blob, ext) {
    var a = el("a", null, {href: URL.createObjectURL(blob), download: "coco-" + meta.kind + "." + ext});
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 30000);
    status.textContent = t("Saved {file}.", {file: "coco-" + meta.kind + "." + ext});
  }
  document.getElementById("coco-png").addEventListener("click", function () {
    status.textContent = t("Drawing the image…");
    exportPNG(2).then(function (blob) { save(blob, "png"); });
  });
  document.getElementById("coco-svg").addEventListener("click", function () {
    save(new Blob([exportSVG()], {type: "image/svg+xml"}), "svg");
  });
  window.__cocoExport = {png: exportPNG, svg: exportSVG};
})();
