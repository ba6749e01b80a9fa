/** Entry point of a load-generator process (forked by the harness): runs one job on command. */
import type WebSocket from 'ws';
import { PublisherRole, SubscriberRole } from './fanout-roles.js';
import { openIdleConnections } from './idle-role.js';
import { IngestRole } from './ingest-role.js';
import type { Command, Reply } from './protocol.js';

let ingest: IngestRole | undefined;
let publisher: PublisherRole | undefined;
let subscriber: SubscriberRole | undefined;
let idle: WebSocket[] = [];

function reply(message: Reply): void {
  process.send?.(message);
}

async function handle(command: Command): Promise<void> {
  switch (command.type) {
    case 'setup': {
      const { job } = command;
      if (job.role === 'ingest') await (ingest = new IngestRole(job)).setup();
      else if (job.role === 'publisher') await (publisher = new PublisherRole(job)).setup();
      else if (job.role === 'subscriber') await (subscriber = new SubscriberRole(job)).setup();
      else idle = await openIdleConnections(job);
      reply({ type: 'ready' });
      return;
    }
    case 'prepare':
      await publisher?.prepare(command.count);
      reply({ type: 'prepared' });
      return;
    case 'start':
      if (ingest !== undefined) reply({ type: 'done', result: await ingest.run() });
      else if (publisher !== undefined)
        reply({ type: 'done', result: await publisher.run(command.ratePerSecond ?? 1) });
      return;
    case 'count':
      reply({ type: 'count', received: subscriber?.count() ?? 0 });
      return;
    case 'collect':
      if (subscriber !== undefined) reply({ type: 'collected', result: subscriber.collect() });
      return;
    case 'exit':
      for (const socket of idle) socket.terminate();
      process.exit(0);
  }
}

process.on('message', (command: Command) => {
  handle(command).catch((error: unknown) => {
    reply({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  });
});
// The harness went away (interrupted): stop rather than linger with open sockets.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (error) => {
  reply({ type: 'error', message: error.stack ?? error.message });
});
