// `npm start`: runs the Parley relay on embedded defaults once packages/relay exists.
import { existsSync } from 'node:fs';

const relayBin = new URL('../packages/relay/bin/parley-relay.js', import.meta.url);
if (!existsSync(relayBin)) {
  process.stderr.write(
    'The Parley relay is not part of this checkout yet: today the repository holds the protocol\n' +
      'core (packages/core) and its tests. Run `npm test` to check it.\n',
  );
  process.exit(1);
}
await import(relayBin.href);
