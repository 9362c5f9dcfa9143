/* COCO Atlas point layer: a geographic map of many actors (meta.geo.points, viz/geo.py) draws
   them here, not as vis-network nodes. vis-network makes an object per node and per tie and
   draws each one every frame (seconds for 44k actors); here the positions and colour
   categories are packed into typed arrays and drawn in one pass per frame, a few dozen paths
   of one colour each, in vis-network's "afterDrawing" event: over geo.js's outlines (drawn before) and
   under the names (map.js registers its handler after this one). map.js calls
   window.__cocoPointLayer right after making the network, before any frame is drawn. Only the selected actor's ties are drawn, from the neighbour lists shipped in
   compressed sparse row form (ptr, nbr).

   Hover and click find the actor under the pointer with a uniform grid (cells as wide as the
   biggest dot; Akenine-Möller, Haines & Hoffman, Real-Time Rendering, "spatial data
   structures"): only the cells around the pointer are searched. The rest of the page (map.js's
   search, legend, details panel and shared view, tables.js's ranked table, geo.js's list of
   actors without a place) talks to vis-network's selection and positions: those calls are
   answered here, from the same arrays, so the page works as with nodes.

   window.__cocoPoints tells tests what was drawn in the last frame. */
"use strict";
window.__cocoPointLayer = function (network, payload, hiddenCats) {
  var geo = payload.meta.geo;
  var data = payload.nodes, n = data.length;
  var X = new Float64Array(n), Y = new Float64Array(n), R = new Float32Array(n);
  var C = new Uint16Array(n);
  var colours = [], maxR = 1;
  var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  data.forEach(function (d, i) {
    X[i] = d.x; Y[i] = d.y; R[i] = d.size; C[i] = d.c;
    colours[d.c] = typeof d.color === "string" ? d.color : "#8c959f";
    maxR = Math.max(maxR, d.size);
    x0 = Math.min(x0, d.x); y0 = Math.min(y0, d.y); x1 = Math.max(x1, d.x); y1 = Math.max(y1, d.y);
  });
  var ptr = Int32Array.from(geo.points.ptr), nbr = Int32Array.from(geo.points.nbr);
  var TIE = "#3d4852", RING = "#1f2328", HIT_PX = 4;

  // -- the uniform grid: cell -> the points in it (counting sort: two passes, flat arrays) ---
  var CELL = 2 * maxR;
  var cols = Math.max(1, Math.ceil((x1 - x0) / CELL) + 1);
  var rows = Math.max(1, Math.ceil((y1 - y0) / CELL) + 1);
  var start = new Int32Array(cols * rows + 1), inCell = new Int32Array(n);
  function cellOf(i) {
    return Math.floor((Y[i] - y0) / CELL) * cols + Math.floor((X[i] - x0) / CELL);
  }
  for (var i = 0; i < n; i++) { start[cellOf(i) + 1] += 1; }
  for (var c = 0; c < cols * rows; c++) { start[c + 1] += start[c]; }
  var fill = start.slice(0, cols * rows);
  for (i = 0; i < n; i++) { inCell[fill[cellOf(i)]++] = i; }
  /* The points in batches of one colour. Drawn one colour after another, the last colour
     would cover the others wherever actors crowd; so each colour is cut into PASSES slices
     (node i in slice i mod PASSES) and the slices interleaved: every colour comes on top as
     often as its share of actors, as when the nodes are drawn one by one, in a few dozen fills. */
  var PASSES = 16, batches = [];
  for (var s = 0; s < PASSES; s++) {
    for (c = 0; c < colours.length; c++) { batches.push({cat: c, list: []}); }
  }
  for (i = 0; i < n; i++) { batches[(i % PASSES) * colours.length + C[i]].list.push(i); }

  function shown(i) { return !hiddenCats.has(C[i]); }
  function nearest(p) {  // the visible point under p (canvas units), or null
    var tol = HIT_PX / network.getScale(), reach = maxR + tol, best = null, bestD = Infinity;
    var ca = Math.max(0, Math.floor((p.x - x0 - reach) / CELL));
    var cb = Math.min(cols - 1, Math.floor((p.x - x0 + reach) / CELL));
    var ra = Math.max(0, Math.floor((p.y - y0 - reach) / CELL));
    var rb = Math.min(rows - 1, Math.floor((p.y - y0 + reach) / CELL));
    for (var r = ra; r <= rb; r++) {
      for (var q = ca; q <= cb; q++) {
        for (var k = start[r * cols + q]; k < start[r * cols + q + 1]; k++) {
          var j = inCell[k];
          if (!shown(j)) { continue; }
          var d = Math.hypot(X[j] - p.x, Y[j] - p.y);
          if (d <= Math.max(R[j], tol) && d < bestD) { best = j; bestD = d; }
        }
      }
    }
    return best;
  }

  // -- vis-network's selection and positions, answered from the arrays ----------------------
  var selected = null, hovered = null;
  var ids = network.body.data.nodes, get = ids.get.bind(ids);
  ids.get = function (id) {  // map.js and tables.js ask whether a node is hidden
    if (typeof id !== "number" || arguments.length > 1) { return get.apply(null, arguments); }
    var d = data[id];
    return d ? {id: id, k: d.k, c: d.c, hidden: !shown(id)} : null;
  };
  network.getPosition = function (id) { return {x: X[id], y: Y[id]}; };
  network.getPositions = function (some) {
    var out = {};
    (some === undefined ? data.map(function (d) { return d.id; }) : [].concat(some))
      .forEach(function (id) { if (data[id]) { out[id] = {x: X[id], y: Y[id]}; } });
    return out;
  };
  network.getSelectedNodes = function () { return selected === null ? [] : [selected]; };
  network.selectNodes = function (some) {
    selected = some && some.length && data[some[0]] ? some[0] : null;
    network.redraw();
  };
  network.unselectAll = function () { selected = null; network.redraw(); };
  network.focus = function (id, options) {
    var o = options || {};
    network.moveTo({position: {x: X[id], y: Y[id]}, scale: o.scale,
                    animation: o.animation === undefined ? false : o.animation});
  };
  network.fit = function () {  // the points, not vis-network's (empty) node set
    var w = network.canvas.frame.canvas.clientWidth, h = network.canvas.frame.canvas.clientHeight;
    var scale = Math.min(w / Math.max(x1 - x0 + 4 * maxR, 1), h / Math.max(y1 - y0 + 4 * maxR, 1));
    network.moveTo({position: {x: (x0 + x1) / 2, y: (y0 + y1) / 2}, scale: scale * 0.95,
                    animation: false});
  };

  // -- pointer: hover shows the tooltip, a click selects ------------------------------------
  var frame = network.canvas.frame;
  frame.addEventListener("pointermove", function (e) {
    var box = frame.canvas.getBoundingClientRect();
    var hit = nearest(network.DOMtoCanvas({x: e.clientX - box.left, y: e.clientY - box.top}));
    if (hit === hovered) { return; }
    if (hovered !== null) { network.emit("blurNode", {node: hovered}); }
    hovered = hit;
    frame.canvas.style.cursor = hit === null ? "" : "pointer";
    if (hit !== null) { network.emit("hoverNode", {node: hit}); }
  });
  network.on("click", function (p) {
    var hit = nearest(p.pointer.canvas);
    if (hit !== null) {
      network.selectNodes([hit]);
      network.emit("selectNode", {nodes: [hit], edges: [], pointer: p.pointer});
    } else if (selected !== null) {
      var was = selected;
      network.selectNodes([]);
      network.emit("deselectNode", {nodes: [], edges: [], previousSelection: {nodes: [was]}});
    }
  });

  // -- drawing -------------------------------------------------------------------------------
  function dots(ctx, list, px, box) {
    ctx.beginPath();
    var drawn = 0;
    for (var k = 0; k < list.length; k++) {
      var j = list[k], r = Math.max(R[j], 1.5 * px);
      if (X[j] + r < box[0] || X[j] - r > box[2] || Y[j] + r < box[1] || Y[j] - r > box[3]) {
        continue;
      }
      ctx.moveTo(X[j] + r, Y[j]);
      ctx.arc(X[j], Y[j], r, 0, 2 * Math.PI);
      drawn += 1;
    }
    ctx.fill();
    return drawn;
  }
  function ties(ctx, px) {  // the selected actor's ties, then its neighbours over them
    var near = [];
    ctx.beginPath();
    for (var k = ptr[selected]; k < ptr[selected + 1]; k++) {
      var j = nbr[k];
      if (!shown(j)) { continue; }
      ctx.moveTo(X[selected], Y[selected]);
      ctx.lineTo(X[j], Y[j]);
      near.push(j);
    }
    ctx.strokeStyle = TIE;
    ctx.lineWidth = 1.5 * px;
    ctx.globalAlpha = 0.7;
    ctx.stroke();
    ctx.globalAlpha = 1;
    return near;
  }
  network.on("afterDrawing", function (ctx) {  // before map.js draws the names on top
    var scale = network.getScale(), px = 1 / scale;
    var w = frame.canvas.clientWidth, h = frame.canvas.clientHeight;
    var a = network.DOMtoCanvas({x: 0, y: 0}), b = network.DOMtoCanvas({x: w, y: h});
    var box = [a.x, a.y, b.x, b.y], drawn = 0, near = [];
    ctx.save();
    batches.forEach(function (b) {
      if (hiddenCats.has(b.cat) || !b.list.length) { return; }
      ctx.fillStyle = colours[b.cat];
      drawn += dots(ctx, b.list, px, box);
    });
    if (selected !== null && shown(selected)) {
      near = ties(ctx, px);
      near.concat([selected]).forEach(function (j) {
        ctx.fillStyle = colours[C[j]];
        dots(ctx, [j], px, box);
      });
      ctx.beginPath();
      ctx.arc(X[selected], Y[selected], Math.max(R[selected], 1.5 * px) + 2 * px, 0, 2 * Math.PI);
      ctx.strokeStyle = RING;
      ctx.lineWidth = 2 * px;
      ctx.stroke();
    }
    ctx.restore();
    window.__cocoPoints = {drawn: drawn, ties: near.length, selected: selected,
                           frames: (window.__cocoPoints ? window.__cocoPoints.frames : 0) + 1};
  });
  network.fit();
};
