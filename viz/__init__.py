"""Interactive ecosystem maps: self-contained vis-network pages built with pyvis.

* :mod:`viz.params` — the map parameters, declared once (CLI, URL, docs);
* :mod:`viz.actors` and :mod:`viz.filters` — what is known about actors, and which a map keeps;
* :mod:`viz.kinds` — the four maps (ecosystem, ego, brokers, gaps) as :class:`viz.build.MapData`;
* :mod:`viz.aggregate`, :mod:`viz.layout`, :mod:`viz.colours` — grouping, positions, colours;
* :mod:`viz.build` — vis-network nodes and edges, and the pyvis ``Network`` holding them;
* :mod:`viz.page` — the HTML pages (``templates/``), with vis-network inlined.

Typical use::

    from coco_atlas.viz.kinds import build_map
    from coco_atlas.viz.page import render_map
    from coco_atlas.viz.params import parse

    html = render_map(build_map(store, parse("ecosystem", {"country": ["AT"]})))
"""
