// Starts GraphiQL against this server's /graphql (same origin). A token goes in the Headers
// tab: {"Authorization": "Bearer <token>"}.
(function () {
  var container = document.getElementById('graphiql');
  var url = new URL(container.dataset.endpoint, window.location.href).href;
  var fetcher = GraphiQL.createFetcher({ url: url });
  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolbarOpen: true,
      defaultQuery:
        '# Public initiatives, newest first. Open the docs (top left) to browse the schema.\n' +
        '{\n  initiatives(scope: PUBLIC, first: 5) {\n    totalCount\n' +
        '    nodes { id title countries stage }\n  }\n}\n',
    })
  );
})();
