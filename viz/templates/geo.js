/* COCO Atlas geographic maps: draws the country outlines (Natural Earth), the regions' areas
   (a choropleth, once NUTS boundaries are imported) and the box of nodes without a known place
   under the nodes, on vis-network's canvas in its "beforeDrawing" event, where the context is
   already in canvas units (ETRS89-LAEA, EPSG:3035, in km; y points south). Paths are built once
   as Path2D objects; each frame only fills and strokes them, lines kept one pixel wide whatever
   the zoom. A map that is not geographic (no meta.geo) is left alone.

   The list of nodes without a known place (beside the map, #coco-unplaced) selects and shows a
   node when one of its buttons is pressed. window.__cocoGeo tells tests what was drawn. */
"use strict";
(function () {
  var payload = window.__cocoPayload ||
    JSON.parse(document.getElementById("coco-data").textContent);
  var geo = payload.meta && payload.meta.geo;
  var network = window.__cocoNetwork;
  if (!geo || !network) { return; }
  var LAND = "#eef0f2", BORDER = "#9aa3ad", AREA_EDGE = "#ffffff", BOX = "#57606a";

  function path(rings) {
    var p = new Path2D();
    rings.forEach(function (r) {
      if (r.length < 6) { return; }
      p.moveTo(r[0], r[1]);
      for (var i = 2; i < r.length; i += 2) { p.lineTo(r[i], r[i + 1]); }
      p.closePath();
    });
    return p;
  }
  function borders(rings, cuts) {  // the rings without the segments along the clipping box
    var p = new Path2D();
    rings.forEach(function (r, k) {
      var cut = new Set(cuts[k]);
      if (r.length < 6) { return; }
      p.moveTo(r[0], r[1]);
      for (var i = 2; i < r.length; i += 2) {
        if (cut.has(i / 2 - 1)) { p.moveTo(r[i], r[i + 1]); } else { p.lineTo(r[i], r[i + 1]); }
      }
    });
    return p;
  }
  var outlines = geo.outlines.map(function (c) { return {fill: path(c.p), line: borders(c.p, c.cut)}; });
  var colourOf = new Map(payload.nodes.map(function (n) {
    return [n.id, typeof n.color === "string" ? n.color : "#8c959f"];
  }));
  var areas = geo.areas.map(function (a) { return {id: a.i, path: path(a.p)}; });
  var hidden = function (id) {
    var n = network.body.data.nodes.get(id);
    return !n || n.hidden === true;
  };
  window.__cocoGeo = {outlines: outlines.length, areas: areas.length, frames: 0,
                      unplaced: geo.unplacedCount};

  network.on("beforeDrawing", function (ctx) {
    var px = 1 / network.getScale();  // one screen pixel in canvas units
    ctx.save();
    ctx.lineJoin = "round";
    ctx.fillStyle = LAND;
    ctx.strokeStyle = BORDER;
    ctx.lineWidth = px;
    outlines.forEach(function (o) { ctx.fill(o.fill, "evenodd"); });
    outlines.forEach(function (o) { ctx.stroke(o.line); });
    ctx.globalAlpha = 0.75;
    ctx.strokeStyle = AREA_EDGE;
    areas.forEach(function (a) {
      if (hidden(a.id)) { return; }
      ctx.fillStyle = colourOf.get(a.id);
      ctx.fill(a.path, "evenodd");
      ctx.stroke(a.path);
    });
    ctx.globalAlpha = 1;
    if (geo.box) {
      var b = geo.box;
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.strokeStyle = BOX;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
      ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
      ctx.setLineDash([]);
      ctx.fillStyle = BOX;
      ctx.font = (13 * px) + "px " + getComputedStyle(document.body).fontFamily;
      ctx.textBaseline = "bottom";  // above the box: it may be narrower than its title
      ctx.fillText(geo.boxText + " (" + geo.unplacedCount + ")", b[0], b[1] - 4 * px);
    }
    ctx.restore();
    window.__cocoGeo.frames += 1;
  });

  var list = document.getElementById("coco-unplaced");
  if (list) {
    list.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-node]");
      if (!button) { return; }
      var id = Number(button.getAttribute("data-node"));
      network.selectNodes([id]);
      network.focus(id, {scale: Math.max(network.getScale(), 1.5), animation: false});
      network.emit("selectNode", {nodes: [id], edges: []});
    });
  }
  network.redraw();
})();
