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
  var payload = JSON.parse(document.getElementById("coco-data").textContent);
  var meta = payload.meta;
  var byId = new Map();
  payload.nodes.forEach(function (n) { byId.set(n.id, n); });
  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var container = document.getElementById("coco-map");
  window.__cocoDrawn = null;
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, payload.options);
  window.__cocoNetwork = network;

  // -- names -------------------------------------------------------------------------------
  var MAX_LABELS = 250, FEW_LABELS = 50, PX = 12, BIG_PX = 14, MAX_CHARS = 42;
  var hiddenCats = new Set();
  var font = getComputedStyle(document.body).fontFamily;
  var order = meta.order.slice();
  var widths = new Map();
  var important = new Set(order.slice(0, 12));
  function text(n) {
    var t = n.name;
    return t.length > MAX_CHARS ? t.slice(0, MAX_CHARS - 1) + "\u2026" : t;
  }
  function drawLabels(ctx) {
    var ratio = ctx.canvas.width / Math.max(1, ctx.canvas.clientWidth);
    var w = ctx.canvas.clientWidth, h = ctx.canvas.clientHeight, scale = network.getScale();
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
      if (hiddenCats.has(n.c)) { continue; }
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
  window.__cocoFrames = 0;
  network.on("afterDrawing", function (ctx) {
    window.__cocoFrames += 1;
    drawLabels(ctx);
    if (settled && window.__cocoDrawn === null) {
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
        v = v.toLocaleString("en");
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
    selected.replaceChildren(el("h2", "Selected"), card(byId.get(id)));
  }
  network.on("selectNode", function (p) { showSelected(p.nodes[0]); });
  network.on("deselectNode", function () { selected.replaceChildren(); });

  // -- search: find a node by name, focus it ------------------------------------------------
  function fold(s) {
    return String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var names = payload.nodes.map(function (n) { return [fold(n.name), n.id]; });
  var input = document.getElementById("coco-search");
  var list = document.getElementById("coco-matches");
  var matches = [];
  // zoom at which neighbours sit ~2.5 names apart: the focused actor's surroundings read
  var close = Math.min(3, 90 / meta.spacing);
  function focusNode(id) {
    var node = byId.get(id);
    if (nodes.get(id).hidden) {
      nodes.update({id: id, hidden: false});
      hiddenCats.delete(node.c);
    }
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
    var starts = [], contains = [];
    for (var i = 0; i < names.length && starts.length < 12; i++) {
      var at = names[i][0].indexOf(q);
      if (at === 0) { starts.push(names[i][1]); } else if (at > 0) { contains.push(names[i][1]); }
    }
    matches = starts.concat(contains).slice(0, 12);
    matches.forEach(function (id) {
      var b = el("button", byId.get(id).name, {type: "button"});
      b.addEventListener("click", function () { focusNode(id); });
      var li = el("li");
      li.appendChild(b);
      list.appendChild(li);
    });
    if (!matches.length) { list.appendChild(el("li", "No match", {"class": "muted"})); }
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      if (matches.length) { focusNode(matches[0]); }
    }
  });

  // -- legend: click a category to hide or show its nodes ------------------------------------
  document.querySelectorAll("#coco-legend button[data-cat]").forEach(function (b) {
    b.addEventListener("click", function () {
      var cat = Number(b.getAttribute("data-cat"));
      var show = b.getAttribute("aria-pressed") === "false";
      b.setAttribute("aria-pressed", show ? "true" : "false");
      if (show) { hiddenCats.delete(cat); } else { hiddenCats.add(cat); }
      nodes.update(payload.nodes.filter(function (n) { return n.c === cat; })
        .map(function (n) { return {id: n.id, hidden: !show}; }));
    });
  });

  if (typeof meta.centre === "number") { network.selectNodes([meta.centre]); showSelected(meta.centre); }
})();
