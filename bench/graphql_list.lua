-- wrk script: the GraphQL equivalent of the REST filtered list (50 initiatives in Mali, with
-- their countries, sectors and partners' organisations), POSTed to /graphql.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"{ initiatives(filter: {country: \\"ML\\"}, first: 50) { totalCount edges { node { id title countries sectors stage partners { organization { name sector } } } } } }"}'
