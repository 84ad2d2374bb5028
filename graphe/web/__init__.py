"""Pages for people and browsers: routes and content negotiation of dereferenced IRIs (`pages`), the values
prepared for the page templates (`html`), the template engine (`templates`, the only module that imports
Jinja2; templates in `templates/`), security headers (`security`) and static assets (`static/`: the
stylesheet, GraphiQL). An edge: it reads through `service` and the read side."""
