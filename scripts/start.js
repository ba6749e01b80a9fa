// `npm start`: runs a Parley relay on embedded defaults (127.0.0.1:8787, SQLite under ./data).
// Arguments after `npm start --` go to the relay, e.g. `npm start -- --port 9000`.
await import('../packages/relay/bin/parley-relay.js');
