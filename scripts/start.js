// `npm start`: runs a Parley relay on embedded defaults (127.0.0.1:8787, SQLite under ./data).
// Arguments after `npm start --` go to the relay, e.g. `npm start -- --port 9000`.
import { main } from '../packages/relay/bin/parley-relay.js';

const status = await main(['start', ...process.argv.slice(2)], process.env);
if (status !== undefined) process.exit(status);
