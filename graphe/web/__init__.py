"""Pages for people and browsers: server-rendered HTML of resources (`pages`, `html`), content negotiation
(`negotiation`), security headers (`security`) and static assets (`static/`). An edge: it reads through
`service` and the read side."""
