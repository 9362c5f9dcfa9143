"""GraphiQL, the GraphQL IDE, served with no internet: ``GET /graphql`` from a browser.

GraphiQL 2, React 17 and the query-explorer plugin come from the PyPI wheel
``graphene-django-graphiql-static`` (installed with the service, BSD licence); this module only
writes the page that loads them from ``/graphql/static/`` and a small start-up script. A strict
Content-Security-Policy allows scripts, styles and requests to this server only.

Our words on it (the page's title and loading line, the example query's comments, the editors'
names for screen readers) are in the request's language (:mod:`api.i18n`); GraphiQL's own
buttons and panels are its own, in English (the library ships no translations).
"""

from __future__ import annotations

import html
import json
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from coco_atlas.viz.i18n import current
from coco_atlas.viz.i18n import gettext as _

ASSETS_PACKAGE = "graphene_django_graphiql_static"
ASSETS_DIR = "static/graphene_django_graphiql_static"
STATIC = "/graphql/static"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer"}

PAGE = f"""<!DOCTYPE html>
<html lang="{{lang}}">
<head>
  <meta charset="utf-8">
  <title>COCO Atlas · GraphQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{STATIC}/graphiql.min.css">
  <link rel="stylesheet" href="{STATIC}/style.css">
  <style>html, body, #graphiql {{ height: 100%; margin: 0; overflow: hidden; }}
  /* GraphiQL's light colours, darkened to a 4.5:1 contrast on white (WCAG 1.4.3) */
  .graphiql-container, .CodeMirror-info, .CodeMirror-lint-tooltip, reach-portal {{
    --color-primary: 320, 95%, 36%; --color-secondary: 242, 51%, 45%;
    --color-tertiary: 188, 100%, 24%; --color-info: 208, 100%, 34%;
    --color-success: 158, 100%, 24%; --color-warning: 30, 100%, 28%;
    --color-error: 13, 100%, 38%; --alpha-secondary: 1; }}
  .graphiql-logo-link {{ color: hsl(var(--color-neutral)); }}</style>
</head>
<body>
  <div id="graphiql">{{loading}}</div>
  <script src="{STATIC}/react.production.min.js"></script>
  <script src="{STATIC}/react-dom.production.min.js"></script>
  <script src="{STATIC}/graphiql.min.js"></script>
  <script src="{STATIC}/graphiql-plugin-explorer.umd.js"></script>
  <script type="application/json" id="coco-ide-words">{{words}}</script>
  <script src="/graphql/ide.js"></script>
</body>
</html>
"""

START = """'use strict';
// Start GraphiQL 2 with the query explorer against this server. The Headers tab takes
// {"Authorization": "Bearer <token>"} for writes.
(function () {
  var words = JSON.parse(document.getElementById('coco-ide-words').textContent);
  var example = [
    '# ' + words.about,
    '# ' + words.docs,
    '{',
    '  hubs(first: 5, orderBy: [NAME_ASC]) {',
    '    totalCount',
    '    nodes { name country members(first: 3) { name } }',
    '  }',
    '}',
    ''
  ].join('\\n');
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });

  function Ide() {
    var state = React.useState(example);
    var explorer = GraphiQLPluginExplorer.useExplorerPlugin({
      query: state[0], onEdit: state[1]
    });
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      query: state[0],
      onEditQuery: state[1],
      plugins: [explorer],
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    });
  }

  ReactDOM.render(React.createElement(Ide), document.getElementById('graphiql'));
  // CodeMirror's hidden text fields get names and its scrolling code a tab stop, for screen
  // readers and keyboards (WCAG 1.3.1, 2.1.1), as the editors appear.
  function label() {
    document.querySelectorAll('.CodeMirror textarea:not([aria-label])').forEach(function (t) {
      var tool = t.closest('.graphiql-editor-tool'), tools = tool ? tool.querySelectorAll(
        '.CodeMirror textarea') : [];
      t.setAttribute('aria-label', t.closest('.graphiql-response') ? words.result
        : !tool ? words.query : tools[0] === t ? words.variables : words.headers);
    });
    document.querySelectorAll('.CodeMirror-scroll[tabindex="-1"]').forEach(function (s) {
      s.setAttribute('tabindex', '0');
    });
  }
  new MutationObserver(label).observe(document.body, {childList: true, subtree: true});
  label();
})();
"""


async def page(request: Request) -> Response:
    """The page, in the request's language."""
    words = {"about": _("COCO Atlas: the Cultural and Creative Industries of Central Europe "
                        "as a graph."),
             "docs": _("Docs: the book icon on the left. Cookbook: docs/graphql.md."),
             "result": _("Result"), "query": _("GraphQL query"),
             "variables": _("Variables (JSON)"), "headers": _("Headers (JSON)")}
    # JSON in a script element: "<" escaped, so no text can close it (HTML §4.12.1.3)
    data = json.dumps(words, ensure_ascii=False).replace("<", "\\u003c")
    text = (PAGE.replace("{lang}", current()).replace("{words}", data)  # PAGE's own marks
            .replace("{loading}", html.escape(_("Loading GraphiQL…"))))
    return HTMLResponse(text, headers=HEADERS)


async def start_script(request: Request) -> Response:
    return Response(START, media_type="text/javascript", headers=HEADERS)


def assets() -> StaticFiles:
    """GraphiQL's files, straight from the installed wheel."""
    return StaticFiles(directory=str(files(ASSETS_PACKAGE) / ASSETS_DIR))
