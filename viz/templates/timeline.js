/* COCO Atlas: the map in time (a map drawn with timeline=FIRST-LAST, viz/timeline.py).

   The server drew every actor and tie of the period once, at fixed places; each node carries
   its years (t = [first, last]) and each edge the spans it holds (t = [from, to, from, to…]).
   This script shows one year at a time by updating vis-network's DataSets — never the
   positions, so an actor stays where it is from year to year:

   * actors not yet founded, or closed before the year, are hidden; one that closed since the
     year compared with is drawn faded, so the ties it lost still have both ends;
   * ties that hold in the year are drawn; those new since the year compared with (the year
     before; in the before/after view, the "before" year) in black and thicker; those that
     ended since then dashed and light, for that step only.

   Controls: a native range input (keyboard: arrows, Home, End; its aria-valuetext says the
   year and its counts), a Play/Pause button (one year a step), and a Before/after toggle that
   puts a second vis-network beside the map (or above it on a phone) over the same positions,
   the two views moving together. The year (and the "before" year) live in the address's
   fragment with the rest of the view (map.js: window.__cocoViewExtra), so a shared link or a
   saved file reopens that year. Nothing is fetched; text goes in with textContent.
   window.__cocoTime exposes the state for tests; window.__cocoBefore the second network. */
"use strict";
(function () {
  var payload = JSON.parse(document.getElementById("coco-data").textContent);
  var tl = payload.meta && payload.meta.timeline;
  var network = window.__cocoNetwork;
  if (!tl || !network) { return; }
  var FIRST = tl.from, LAST = tl.to, STEP_MS = 1200;
  var nodes = network.body.data.nodes, edges = network.body.data.edges;
  var gone = window.__cocoGone || new Set();
  var tie = payload.options.edges.color;
  var $ = function (id) { return document.getElementById(id); };
  var slider = $("coco-year"), yearText = $("coco-year-text"), play = $("coco-play");
  var compareButton = $("coco-compare"), pick = $("coco-pick"), status = $("coco-time-status");
  var beforeSelect = $("coco-before"), afterSelect = $("coco-after");
  var beforeBox = $("coco-map-before"), mainBox = $("coco-map"), title = $("coco-year-title");
  var state = {year: LAST, before: FIRST, comparing: false, playing: null, news: [], ended: []};
  var beforeNet = null, beforeNodes = null, beforeEdges = null;
  var t = window.__cocoWords.t, tn = window.__cocoWords.tn;  // the page's language (map.js)

  function holds(t, y) {
    for (var i = 0; i < t.length; i += 2) { if (t[i] <= y && y <= t[i + 1]) { return true; } }
    return false;
  }
  function alive(n, y) { return n.t[0] <= y && y <= n.t[1]; }
  var number = window.__cocoWords.number;
  function reference() {  // the year the changes are counted from (null: none)
    if (state.comparing) { return state.before; }
    return state.year > FIRST ? state.year - 1 : null;
  }
  function hiddenCats() {
    var out = new Set();
    document.querySelectorAll('#coco-legend button[aria-pressed="false"]').forEach(function (b) {
      out.add(Number(b.getAttribute("data-cat")));
    });
    return out;
  }

  /* The DataSet updates that show year y, changes counted from year r (null: none). */
  function frame(y, r, cats, forNodes) {
    var ns = [], es = [], news = [], ended = [];
    payload.nodes.forEach(function (n) {
      var now = alive(n, y), was = r !== null && alive(n, r);
      var off = !now && !was;
      if (forNodes) { if (off) { forNodes.add(n.id); } else { forNodes.delete(n.id); } }
      ns.push({id: n.id, hidden: off || cats.has(n.c), opacity: now ? 1 : 0.25});
    });
    payload.edges.forEach(function (e) {
      var now = holds(e.t, y), then = r !== null && holds(e.t, r);
      var base = e.color || {color: tie.color, opacity: tie.opacity};
      if (now && r !== null && !then) {
        news.push(e.id);
        es.push({id: e.id, hidden: false, dashes: false, width: e.width + 2,
                 color: {color: tl.newColour, opacity: 1}});
      } else if (now) {
        es.push({id: e.id, hidden: false, dashes: false, width: e.width, color: base});
      } else if (then) {
        ended.push(e.id);
        es.push({id: e.id, hidden: false, dashes: [6, 4], width: e.width,
                 color: {color: tl.endedColour, opacity: 0.5}});
      } else {
        es.push({id: e.id, hidden: true});
      }
    });
    return {nodes: ns, edges: es, news: news, ended: ended};
  }

  /* The key's three lines, changes counted from r: the year before, or a chosen year. */
  function keys(r) {
    if (r === null) {
      return [t("new tie since the year before"), t("tie that ended since the year before"),
              t("actor that closed since the year before")];
    }
    if (state.comparing) {
      return [t("new tie since {year}", {year: r}),
              t("tie that ended since {year} (dashed)", {year: r}),
              t("actor that closed since {year} (faded)", {year: r})];
    }
    return [t("new tie since the year before ({year})", {year: r}),
            t("tie that ended since the year before ({year}) (dashed)", {year: r}),
            t("actor that closed since the year before ({year}) (faded)", {year: r})];
  }
  function describe(y, r) {
    var k = y - FIRST, c = tl.counts, share = c.share[k];
    var text = y + ": " + tn("{n} actor", "{n} actors", c.actors[k]) + ", " +
      tn("{n} tie", "{n} ties", c.ties[k]);
    if (r !== null) {
      text += ", " + t("{new} new and {ended} ended since {year}",
                       {"new": number(state.news.length), ended: number(state.ended.length),
                        year: r});
    } else {
      text += " " + t("(the first year of this map: nothing to compare with)");
    }
    return text + "; " + t("{n} across sector groups", {n: number(c.cross[k])}) +
      (share === null ? "" : " " + t("({share}% of ties)", {share: Math.round(100 * share)})) +
      ".";
  }

  function show() {
    var y = state.year, r = reference();
    var f = frame(y, r, hiddenCats(), gone);
    state.news = f.news;
    state.ended = f.ended;
    nodes.update(f.nodes);
    edges.update(f.edges);
    if (beforeNet) {
      var b = frame(state.before, null, hiddenCats(), null);
      beforeNodes.update(b.nodes);
      beforeEdges.update(b.edges);
    }
    slider.value = String(y);
    yearText.textContent = String(y);
    slider.setAttribute("aria-valuetext", describe(y, r).replace(/\.$/, ""));
    afterSelect.value = String(y);
    beforeSelect.value = String(state.before);
    title.textContent = state.comparing
      ? t(", {before} and {after}", {before: state.before, after: y})
      : t(", as in {year}", {year: y});
    status.textContent = (state.comparing
      ? t("Before {before}, after {after}. ", {before: state.before, after: y}) : "")
      + describe(y, r);
    var key = keys(r);
    $("coco-key-new").textContent = key[0];
    $("coco-key-ended").textContent = key[1];
    $("coco-key-closed").textContent = key[2];
    document.querySelectorAll(".map-year").forEach(function (p) {
      p.textContent = p.parentNode === beforeBox ? t("Before: {year}", {year: state.before})
        : t("After: {year}", {year: y});
    });
    network.redraw();
    if (window.__cocoSaveView) { window.__cocoSaveView(); }
  }

  function setYear(y) {
    state.year = Math.max(FIRST, Math.min(LAST, Math.round(y)));
    show();
  }

  // -- play ----------------------------------------------------------------------------------
  function stop() {
    clearInterval(state.playing);
    state.playing = null;
    play.textContent = t("Play");
    play.setAttribute("aria-pressed", "false");
  }
  play.addEventListener("click", function () {
    if (state.playing) { stop(); return; }
    if (state.year >= LAST) { setYear(FIRST); }
    play.textContent = t("Pause");
    play.setAttribute("aria-pressed", "true");
    state.playing = setInterval(function () {
      if (state.year >= LAST) { stop(); return; }
      setYear(state.year + 1);
      if (state.year >= LAST) { stop(); }
    }, STEP_MS);
  });
  slider.addEventListener("input", function () { stop(); setYear(Number(slider.value)); });

  // -- before / after ------------------------------------------------------------------------
  function caption(box) {
    var p = document.createElement("p");
    p.className = "map-year";
    box.appendChild(p);
  }
  function follow(from, to) {  // the other map shows the same part of the plane
    if (!state.comparing) { return; }
    var p = from.getViewPosition(), q = to.getViewPosition(), s = from.getScale();
    if (Math.abs(p.x - q.x) + Math.abs(p.y - q.y) > 1e-3 || Math.abs(s - to.getScale()) > 1e-9) {
      to.moveTo({position: p, scale: s, animation: false});
    }
  }
  function openBefore() {
    beforeBox.hidden = false;
    if (!beforeNet) {
      beforeNodes = new vis.DataSet(payload.nodes.map(function (n) {
        return {id: n.id, k: n.k, x: n.x, y: n.y, size: n.size, color: n.color, shape: n.shape,
                borderWidth: n.borderWidth};
      }));
      beforeEdges = new vis.DataSet(payload.edges.map(function (e) {
        return {id: e.id, from: e.from, to: e.to, width: e.width, color: e.color};
      }));
      var options = JSON.parse(JSON.stringify(payload.options));
      options.physics = {enabled: false};
      options.interaction.hover = false;
      beforeNet = new vis.Network(beforeBox, {nodes: beforeNodes, edges: beforeEdges}, options);
      window.__cocoBefore = beforeNet;
      beforeNet.canvas.frame.setAttribute("role", "img");
      caption(beforeBox);
      caption(mainBox);
      ["dragEnd", "zoom", "animationFinished"].forEach(function (ev) {
        beforeNet.on(ev, function () { follow(beforeNet, network); });
      });
      // the main map (moved by map.js, its keys, a restored view) leads after every frame
      network.on("afterDrawing", function () { follow(network, beforeNet); });
    }
  }
  function refit() {  // the map's box changed size: both maps show all of it again
    network.setSize("100%", "100%");
    if (beforeNet) { beforeNet.setSize("100%", "100%"); }
    setTimeout(function () { network.fit({animation: false}); }, 0);
  }
  function setComparing(on) {
    state.comparing = on;
    compareButton.setAttribute("aria-pressed", on ? "true" : "false");
    pick.hidden = !on;
    $("coco-pair").classList.toggle("comparing", on);
    if (on) {
      openBefore();
    } else {
      beforeBox.hidden = true;
    }
    document.querySelectorAll(".map-year").forEach(function (p) { p.hidden = !on; });
    if (beforeNet) {
      beforeNet.canvas.frame.setAttribute("aria-label", t(
        "The map in {before}, beside the map in {after}", {before: state.before,
                                                          after: state.year}));
    }
    show();
  }
  compareButton.addEventListener("click", function () {
    stop();
    if (!state.comparing && state.before >= state.year) { state.before = FIRST; }
    setComparing(!state.comparing);
    refit();
  });
  beforeSelect.addEventListener("change", function () {
    state.before = Number(beforeSelect.value);
    setComparing(true);
  });
  afterSelect.addEventListener("change", function () { stop(); setYear(Number(afterSelect.value)); });

  // the legend hides whole categories (map.js); the year's hiding is applied again after it
  document.querySelectorAll("#coco-legend button[data-cat]").forEach(function (b) {
    b.addEventListener("click", function () { show(); });
  });

  // -- the year in the address ---------------------------------------------------------------
  window.__cocoViewExtra = function () {
    return "year=" + state.year + (state.comparing ? "&before=" + state.before : "");
  };
  function restore() {
    /* the address as it was opened: map.js may have rewritten it already (the parser can run
       its first frame before this script), so it keeps the original for us */
    var opened = window.__cocoFirstHash !== undefined ? window.__cocoFirstHash : location.hash;
    var text = opened.length > 1 ? opened : (payload.meta.view || "");
    var q = new URLSearchParams(String(text).replace(/^#/, ""));
    var y = Number(q.get("year")), b = Number(q.get("before"));
    if (q.get("year") && Number.isInteger(y)) { state.year = Math.max(FIRST, Math.min(LAST, y)); }
    if (q.get("before") && Number.isInteger(b) && b >= FIRST && b <= LAST) {
      state.before = b;
      setComparing(true);
      return;
    }
    show();
  }
  window.__cocoTime = {
    state: state, setYear: setYear, compare: setComparing,
    frame: function (y, r) { return frame(y, r === undefined ? null : r, new Set(), null); }
  };
  restore();
})();
