/**
 * The transparency log (docs/spec/relay-api.md §Log) on real relay processes: signed receipts,
 * signed checkpoints, inclusion and consistency proofs, batch files, survival of kill -9, the
 * error codes of every log endpoint, and one relay witnessing another (C2SP tlog-witness).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeLogBatch,
  formatAddCheckpoint,
  formatCheckpoint,
  fromBase64Url,
  logLeafHash,
  openSignedNote,
  parseCheckpoint,
  signCheckpoint,
  toBase64Url,
  verifyCheckpointSignature,
  verifyConsistency,
  verifyCosignature,
  verifyInclusion,
  verifyRelayReceipt,
  type Checkpoint,
} from '@parley/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WsClient,
  bodyOf,
  call,
  errorCode,
  frameOf,
  login,
  makeEnvelope,
  newSession,
  publish,
  randomBytes,
  randomTopic,
  sleep,
  suite,
  topicText,
  type Receipt,
  publishFrame,
} from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay, type RelayProcess } from '@parley/test-support/relay-process';

afterAll(cleanupRelays);

const FLAGS = {
  'publish-per-second': 100_000,
  'publish-burst': 100_000,
  'log-batch-interval-ms': 200,
  'log-batch-max-leaves': 16,
};

interface LogInfo {
  readonly relayId: string;
  readonly origin: string;
  readonly publicKey: Uint8Array;
}

async function logInfo(relay: RelayProcess): Promise<LogInfo> {
  const info = bodyOf<{ relayId: string; log: { origin: string; publicKey: string } }>(
    await call(relay.url, 'GET', '/v1/info'),
    200,
  );
  return {
    relayId: info.relayId,
    origin: info.log.origin,
    publicKey: fromBase64Url(info.log.publicKey),
  };
}

interface SignedCheckpoint {
  readonly note: string;
  readonly checkpoint: Checkpoint;
  readonly batchCid: string | null;
}

/** GET /v1/log/checkpoint, its signature verified. */
async function latestCheckpoint(relay: RelayProcess, info: LogInfo): Promise<SignedCheckpoint> {
  const answer = await call(relay.url, 'GET', '/v1/log/checkpoint');
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  const verified = await verifyCheckpointSignature(suite, answer.text, info.origin, info.publicKey);
  if (!verified.ok) throw new Error(`checkpoint does not verify: ${verified.reason}`);
  expect(verified.value.origin).toBe(info.origin);
  return {
    note: answer.text,
    checkpoint: verified.value,
    batchCid: answer.headers.get('parley-log-batch'),
  };
}

/** Polls until a verified checkpoint of at least `size` leaves is out. */
async function checkpointOf(
  relay: RelayProcess,
  info: LogInfo,
  size: number,
  timeoutMs = 5000,
): Promise<SignedCheckpoint> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const latest = await latestCheckpoint(relay, info);
    if (latest.checkpoint.size >= size) return latest;
    if (Date.now() > deadline)
      throw new Error(`no checkpoint of ${size} leaves in ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function inclusion(
  relay: RelayProcess,
  query: string,
): Promise<{ index: number; size: number; leafHash: string; proof: string[] }> {
  return bodyOf(await call(relay.url, 'GET', `/v1/log/proof/inclusion?${query}`), 200);
}

async function expectConsistent(
  relay: RelayProcess,
  older: Checkpoint,
  newer: Checkpoint,
): Promise<void> {
  const answer = bodyOf<{ from: number; to: number; proof: string[] }>(
    await call(relay.url, 'GET', `/v1/log/proof/consistency?from=${older.size}&to=${newer.size}`),
    200,
  );
  expect([answer.from, answer.to]).toEqual([older.size, newer.size]);
  const result = verifyConsistency(
    older.size,
    newer.size,
    answer.proof.map(fromBase64Url),
    older.rootHash,
    newer.rootHash,
  );
  expect(result).toEqual({ ok: true, value: true });
}

async function expectIncluded(
  relay: RelayProcess,
  checkpoint: Checkpoint,
  cid: string,
  index: number,
): Promise<void> {
  const byCid = await inclusion(relay, `size=${checkpoint.size}&cid=${cid}`);
  const byIndex = await inclusion(relay, `size=${checkpoint.size}&index=${index}`);
  const byHash = await inclusion(
    relay,
    `size=${checkpoint.size}&hash=${toBase64Url(logLeafHash(cid))}`,
  );
  expect(byCid).toEqual(byIndex);
  expect(byHash).toEqual(byIndex);
  expect(byCid.index).toBe(index);
  expect(fromBase64Url(byCid.leafHash)).toEqual(logLeafHash(cid));
  const result = verifyInclusion(
    logLeafHash(cid),
    index,
    checkpoint.size,
    byCid.proof.map(fromBase64Url),
    checkpoint.rootHash,
  );
  expect(result, `leaf ${index}`).toEqual({ ok: true, value: true });
}

async function leaves(
  relay: RelayProcess,
  start: number,
  end: number,
): Promise<{ index: number; cid: string }[]> {
  const all: { index: number; cid: string }[] = [];
  for (let from = start; from < end; from += 1000) {
    const page = bodyOf<{ leaves: { index: number; cid: string }[] }>(
      await call(
        relay.url,
        'GET',
        `/v1/log/leaves?start=${from}&end=${Math.min(end, from + 1000)}`,
      ),
      200,
    );
    all.push(...page.leaves);
  }
  return all;
}

async function expectReceiptSigned(info: LogInfo, receipt: Receipt, topic: Uint8Array) {
  const valid = await verifyRelayReceipt(
    suite,
    info.publicKey,
    { ...receipt, relay: info.relayId, topic },
    fromBase64Url(receipt.signature),
  );
  expect(valid).toBe(true);
  // A receipt whose leaf index was changed does not verify.
  const forged = await verifyRelayReceipt(
    suite,
    info.publicKey,
    { ...receipt, relay: info.relayId, topic, leafIndex: receipt.leafIndex + 1 },
    fromBase64Url(receipt.signature),
  );
  expect(forged).toBe(false);
}

describe('the log of one relay', () => {
  it('signs receipts and checkpoints that prove every posted envelope, consistently, with batch files', async () => {
    const relay = await startRelay({ flags: FLAGS });
    const info = await logInfo(relay);
    expect(info.origin).toBe(`parley-relay/${relay.relayId}`);
    // A checkpoint exists from the first start.
    const empty = await latestCheckpoint(relay, info);
    expect(empty.checkpoint.size).toBe(0);
    expect(empty.batchCid).toBeNull();

    const session = await newSession(relay.url);
    const socket = await WsClient.authenticated(relay.wsUrl, session.token);
    const topic = randomTopic();
    const receipts: Receipt[] = [];
    for (let i = 0; i < 20; i++) {
      receipts.push(await publish(relay.url, session.token, makeEnvelope(topic).bytes));
    }
    // Over the WebSocket too: the receipt frame carries the same signed fields.
    const viaSocket = makeEnvelope(topic);
    socket.send(await publishFrame('ws-1', viaSocket.bytes));
    const frame = (await socket.next(frameOf('receipt', { ref: 'ws-1' }))) as unknown as Receipt;
    receipts.push(frame);
    expect(receipts.map((receipt) => receipt.leafIndex)).toEqual(
      Array.from({ length: 21 }, (_, i) => i),
    );
    for (const receipt of receipts) await expectReceiptSigned(info, receipt, topic);

    const first = await checkpointOf(relay, info, 21);
    const observedAt = Date.now();
    expect(observedAt).toBeLessThanOrEqual(Math.max(...receipts.map((r) => r.mergeBy)) + 1000);
    // Every authenticated socket hears of new checkpoints.
    const pushed = await socket.next(
      (candidate) =>
        candidate.type === 'checkpoint' &&
        typeof candidate.note === 'string' &&
        parseCheckpoint(openSignedNote(candidate.note).body).size === first.checkpoint.size,
    );
    expect(pushed.note).toBe(first.note);
    for (const receipt of receipts) {
      await expectIncluded(relay, first.checkpoint, receipt.cid, receipt.leafIndex);
    }
    // Delivered envelopes carry their leaf index.
    const page = bodyOf<{ envelopes: { cid: string; leafIndex: number }[] }>(
      await call(relay.url, 'GET', `/v1/topics/${topicText(topic)}/envelopes`, {
        token: session.token,
      }),
      200,
    );
    expect(page.envelopes.map((stored) => stored.leafIndex)).toEqual(
      receipts.map((receipt) => receipt.leafIndex),
    );

    // More leaves, a second checkpoint, consistent with the first.
    for (let i = 0; i < 7; i++) {
      receipts.push(await publish(relay.url, session.token, makeEnvelope(topic).bytes));
    }
    const second = await checkpointOf(relay, info, 28);
    await expectConsistent(relay, first.checkpoint, second.checkpoint);
    await expectConsistent(relay, second.checkpoint, second.checkpoint);
    // Each stored checkpoint is served by size, byte for byte.
    const bySize = await call(relay.url, 'GET', `/v1/log/checkpoints/${first.checkpoint.size}`);
    expect(bySize.text).toBe(first.note);

    // The batch files, walked back from the latest by `prev`, list exactly the log's leaves.
    const logLeaves = await leaves(relay, 0, second.checkpoint.size);
    expect(logLeaves.map((leaf) => leaf.cid)).toEqual(receipts.map((receipt) => receipt.cid));
    const fromBatches: string[][] = [];
    let cid = second.batchCid;
    let expectedEnd = second.checkpoint.size;
    while (cid !== null) {
      const answer = await fetch(`${relay.url}/v1/log/batches/${cid}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/vnd.ipld.dag-cbor');
      const batch = decodeLogBatch(new Uint8Array(await answer.arrayBuffer()));
      expect(batch.origin).toBe(info.origin);
      expect(batch.end).toBe(expectedEnd);
      expect(batch.end - batch.start).toBeLessThanOrEqual(FLAGS['log-batch-max-leaves']);
      fromBatches.unshift([...batch.leaves]);
      expectedEnd = batch.start;
      cid = batch.prev;
    }
    expect(expectedEnd).toBe(0);
    expect(fromBatches.flat()).toEqual(logLeaves.map((leaf) => leaf.cid));
    await socket.close();
  });

  it('keeps every acknowledged leaf at its index across kill -9, with checkpoints consistent with the old ones', async () => {
    const relay = await startRelay({ flags: FLAGS });
    const info = await logInfo(relay);
    const session = await newSession(relay.url);
    const topic = randomTopic();
    const receipts: Receipt[] = [];
    for (let i = 0; i < 10; i++) {
      receipts.push(await publish(relay.url, session.token, makeEnvelope(topic).bytes));
    }
    const before = await checkpointOf(relay, info, 10);
    // Acknowledged, then killed before (most of) their checkpoint.
    receipts.push(
      ...(await Promise.all(
        Array.from({ length: 40 }, () =>
          publish(relay.url, session.token, makeEnvelope(topic).bytes),
        ),
      )),
    );
    expect((await relay.kill9()).signal).toBe('SIGKILL');

    const restarted = await startRelay({ dataDir: relay.dataDir, flags: FLAGS });
    const again = await logInfo(restarted);
    expect(again).toEqual(info);
    const after = await checkpointOf(restarted, again, 50);
    await expectConsistent(restarted, before.checkpoint, after.checkpoint);
    const logLeaves = await leaves(restarted, 0, after.checkpoint.size);
    for (const receipt of receipts) {
      expect(logLeaves[receipt.leafIndex]?.cid, `leaf ${receipt.leafIndex}`).toBe(receipt.cid);
      await expectIncluded(restarted, after.checkpoint, receipt.cid, receipt.leafIndex);
    }
    // Posting after the crash continues the log.
    const session2 = await login(restarted.url, session.identity);
    const next = await publish(restarted.url, session2.token, makeEnvelope(topic).bytes);
    expect(next.leafIndex).toBe(50);
  });

  it('answers bad input on every log endpoint with its documented code', async () => {
    const relay = await startRelay({ flags: FLAGS });
    const info = await logInfo(relay);
    const session = await newSession(relay.url);
    const topic = randomTopic();
    const receipt = await publish(relay.url, session.token, makeEnvelope(topic).bytes);
    const { checkpoint } = await checkpointOf(relay, info, 1);
    const size = checkpoint.size;
    const cases: [string, number, string][] = [
      [`/v1/log/checkpoints/${size + 1}`, 404, 'RELAY_LOG_CHECKPOINT_NOT_FOUND'],
      ['/v1/log/checkpoints/01', 400, 'RELAY_INVALID_REQUEST'],
      ['/v1/log/checkpoints/x', 400, 'RELAY_INVALID_REQUEST'],
      [`/v1/log/proof/inclusion?size=${size + 1}&index=0`, 400, 'RELAY_LOG_SIZE_INVALID'],
      ['/v1/log/proof/inclusion?size=0&index=0', 400, 'RELAY_LOG_SIZE_INVALID'],
      [`/v1/log/proof/inclusion?size=${size}&index=${size}`, 404, 'RELAY_LOG_LEAF_NOT_FOUND'],
      [`/v1/log/proof/inclusion?size=${size}&cid=bafynotacid`, 404, 'RELAY_LOG_LEAF_NOT_FOUND'],
      [`/v1/log/proof/inclusion?size=${size}`, 400, 'RELAY_INVALID_REQUEST'],
      [
        `/v1/log/proof/inclusion?size=${size}&hash=${'A'.repeat(43)}`,
        404,
        'RELAY_LOG_LEAF_NOT_FOUND',
      ],
      [`/v1/log/proof/inclusion?size=${size}&hash=short`, 400, 'RELAY_BAD_ENCODING'],
      [
        `/v1/log/proof/inclusion?size=${size}&index=0&cid=${receipt.cid}`,
        400,
        'RELAY_INVALID_REQUEST',
      ],
      ['/v1/log/proof/inclusion?size=-1&index=0', 400, 'RELAY_INVALID_REQUEST'],
      [`/v1/log/proof/consistency?from=0&to=${size}`, 400, 'RELAY_LOG_SIZE_INVALID'],
      [`/v1/log/proof/consistency?from=${size}&to=${size + 1}`, 400, 'RELAY_LOG_SIZE_INVALID'],
      [`/v1/log/proof/consistency?from=${size + 1}&to=${size}`, 400, 'RELAY_LOG_SIZE_INVALID'],
      ['/v1/log/proof/consistency?from=1', 400, 'RELAY_INVALID_REQUEST'],
      [`/v1/log/leaves?start=0&end=${size + 1}`, 400, 'RELAY_LOG_RANGE_INVALID'],
      ['/v1/log/leaves?start=1&end=1', 400, 'RELAY_LOG_RANGE_INVALID'],
      ['/v1/log/leaves?start=0&end=1001', 400, 'RELAY_LOG_RANGE_INVALID'],
      ['/v1/log/leaves?start=0', 400, 'RELAY_INVALID_REQUEST'],
      ['/v1/log/leaves?start=a&end=1', 400, 'RELAY_INVALID_REQUEST'],
      [`/v1/log/batches/${receipt.cid}`, 404, 'RELAY_LOG_BATCH_NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const answer = await call(relay.url, 'GET', path);
      expect([path, answer.status, errorCode(answer)]).toEqual([path, status, code]);
    }
    // The relay without witnessed logs answers any add-checkpoint with unknown log, and refuses
    // a body that is not an add-checkpoint request.
    const add = (body: string, contentType = 'text/plain') =>
      call(relay.url, 'POST', '/v1/witness/add-checkpoint', { body, contentType });
    const note = (await latestCheckpoint(relay, info)).note;
    const request = formatAddCheckpoint({ oldSize: 0, proof: [], note });
    expect(errorCode(await add(request))).toBe('RELAY_WITNESS_UNKNOWN_LOG');
    expect(errorCode(await add('not a request'))).toBe('RELAY_WITNESS_MALFORMED');
    expect(errorCode(await add(request, 'application/octet-stream'))).toBe(
      'RELAY_UNSUPPORTED_MEDIA_TYPE',
    );
    // text/plain stays refused everywhere else.
    const elsewhere = await call(relay.url, 'POST', '/v1/envelopes', {
      token: session.token,
      body: 'x',
      contentType: 'text/plain',
    });
    expect(errorCode(elsewhere)).toBe('RELAY_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('a relay witnessing another (C2SP tlog-witness)', () => {
  it('cosigns the other relay’s checkpoints and refuses inconsistent ones', async () => {
    // Start each once to create its key, then restart with the witness settings.
    const firstA = await startRelay({ flags: FLAGS });
    const infoA = await logInfo(firstA);
    await firstA.stop();
    const seedA = fromBase64Url(
      (
        JSON.parse(readFileSync(join(firstA.dataDir, 'relay-key.json'), 'utf8')) as {
          signingSeed: string;
        }
      ).signingSeed,
    );
    const witnessB = await startRelay({
      flags: {
        'witness-logs': JSON.stringify([
          { origin: infoA.origin, publicKey: Buffer.from(infoA.publicKey).toString('base64url') },
        ]),
      },
    });
    const infoB = await logInfo(witnessB);
    const relayA = await startRelay({
      dataDir: firstA.dataDir,
      flags: {
        ...FLAGS,
        'log-witnesses': JSON.stringify([
          {
            url: witnessB.url,
            name: infoB.origin,
            publicKey: Buffer.from(infoB.publicKey).toString('base64url'),
          },
        ]),
      },
    });

    const session = await newSession(relayA.url);
    const topic = randomTopic();
    const checkpoints: SignedCheckpoint[] = [];
    for (const count of [5, 3]) {
      for (let i = 0; i < count; i++) {
        await publish(relayA.url, session.token, makeEnvelope(topic).bytes);
      }
      const size = (checkpoints.at(-1)?.checkpoint.size ?? 0) + count;
      checkpoints.push(await checkpointOf(relayA, infoA, size));
    }
    for (const { note, checkpoint } of checkpoints) {
      const cosigned = await verifyCosignature(suite, note, infoB.origin, infoB.publicKey);
      expect(cosigned.ok, note).toBe(true);
      if (cosigned.ok) expect(cosigned.value.checkpoint.size).toBe(checkpoint.size);
    }
    const metrics = await call(relayA.url, 'GET', '/metrics');
    expect(metrics.text).toMatch(/^parley_relay_log_size 8$/m);
    expect(metrics.text).toMatch(/^parley_relay_log_checkpoints_total [1-9]/m);

    // B now holds A's latest size. Forged checkpoints signed with A's key must not pass.
    const last = checkpoints.at(-1)?.checkpoint as Checkpoint;
    const add = (body: string) =>
      call(witnessB.url, 'POST', '/v1/witness/add-checkpoint', { body, contentType: 'text/plain' });
    const forge = (size: number, rootHash = randomBytes(32)) =>
      signCheckpoint(
        suite,
        seedA,
        infoA.origin,
        formatCheckpoint({ origin: infoA.origin, size, rootHash, extensions: [] }),
      );
    // A fork at a larger size with a proof that cannot verify: 422.
    const fork = await forge(last.size + 2);
    const badProof = await add(
      formatAddCheckpoint({ oldSize: last.size, proof: [randomBytes(32)], note: fork }),
    );
    expect([badProof.status, errorCode(badProof)]).toEqual([422, 'RELAY_WITNESS_BAD_PROOF']);
    // A stale old size: 409 with the size B holds, as text/x.tlog.size.
    const stale = await add(
      formatAddCheckpoint({ oldSize: 1, proof: [randomBytes(32)], note: fork }),
    );
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toMatch(/^text\/x\.tlog\.size/);
    expect(stale.text).toBe(`${last.size}\n`);
    // The same size with another root: 409.
    const split = await add(
      formatAddCheckpoint({ oldSize: last.size, proof: [], note: await forge(last.size) }),
    );
    expect([split.status, split.text]).toEqual([409, `${last.size}\n`]);
    // Signed by a key that is not A's: 403.
    const other = await signCheckpoint(
      suite,
      randomBytes(32),
      infoA.origin,
      formatCheckpoint({
        origin: infoA.origin,
        size: last.size + 1,
        rootHash: randomBytes(32),
        extensions: [],
      }),
    );
    const unsigned = await add(formatAddCheckpoint({ oldSize: last.size, proof: [], note: other }));
    expect([unsigned.status, errorCode(unsigned)]).toEqual([403, 'RELAY_WITNESS_BAD_SIGNATURE']);

    // A keeps going and B keeps cosigning from where it was.
    for (let i = 0; i < 2; i++) await publish(relayA.url, session.token, makeEnvelope(topic).bytes);
    const latest = await checkpointOf(relayA, infoA, last.size + 2);
    expect((await verifyCosignature(suite, latest.note, infoB.origin, infoB.publicKey)).ok).toBe(
      true,
    );
    await expectConsistent(relayA, last, latest.checkpoint);
  });
});
