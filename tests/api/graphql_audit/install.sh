#!/bin/sh
# Installs graphql-http (pinned by package-lock.json) for the GraphQL-over-HTTP audit test.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
