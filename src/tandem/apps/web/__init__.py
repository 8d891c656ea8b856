"""The dashboard and JSON API (``tandem serve``): FastAPI on Uvicorn.

The pages are HTML shells whose scripts read the public JSON API under
``/api`` (the same routes scripts use with a token); no page reads data any
other way. Layout:

- :mod:`server`: the application factory, security headers, Plotly from the package;
- :mod:`config`: workspace, demo mode, the session secret;
- :mod:`auth`: session cookies, API tokens, CSRF, login rate limiting, roles;
- :mod:`data`: the one way into the workspace, and the book of accounts kept per load;
- :mod:`errors`: the one error shape;
- :mod:`api`: the JSON routes; :mod:`pages`: login and the page shells.
"""

from __future__ import annotations
