/**
 * The readable header of MLS messages (RFC 9420 §6): real messages built with ts-mls give their
 * wire format and, for handshake and application messages, group id, epoch and content type;
 * anything that is not exactly one MLSMessage is CORE_SCHEMA_INVALID.
 */
import fc from 'fast-check';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPub,
  createProposal,
  encodeMlsMessage,
  type MLSMessage,
} from 'ts-mls';
import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { CoreError } from '../errors.js';
import { thrownCode } from '../../test/support/core-error.js';
import {
  createTestDirectory,
  createTestMlsContext,
  generateMemberKeyPackage,
  unsafeTestMember,
} from '@parley/test-support/mls-members';
import { keyPackageOf } from '../../test/support/key-package.js';
import { applyMutation, mutationArbitrary } from '../../test/support/mutations.js';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { decodeMls, readMlsHeader } from './mls-header.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const groupId = unsafeSeededRandom('mls-header group id')(32);

/** MLSMessage bytes of every wire format, from one small group (a type, so Object.values types). */
type Messages = {
  /** Alice's PrivateMessage Commit adding bob, sent in epoch 0. */
  readonly privateCommit: Uint8Array;
  /** Alice's PublicMessage Commit adding carol, sent in epoch 1. */
  readonly publicCommit: Uint8Array;
  /** Alice's PrivateMessage application message in epoch 1. */
  readonly application: Uint8Array;
  /** Alice's PrivateMessage Remove proposal in epoch 1. */
  readonly privateProposal: Uint8Array;
  /** Alice's PublicMessage Remove proposal in epoch 1. */
  readonly publicProposal: Uint8Array;
  readonly welcome: Uint8Array;
  readonly keyPackage: Uint8Array;
  readonly groupInfo: Uint8Array;
};

let messages: Messages;
beforeAll(async () => {
  const directory = createTestDirectory();
  const context = await createTestMlsContext(directory);
  const { cipherSuite: mls, config } = context;
  const [alice, bob, carol] = await Promise.all(
    ['alice', 'bob', 'carol'].map((name) => unsafeTestMember(suite, name)),
  );
  if (alice === undefined || bob === undefined || carol === undefined) throw new Error('members');
  for (const member of [alice, bob, carol]) directory.certify(member);

  const aliceKp = await generateMemberKeyPackage(context, alice);
  const bobKp = await generateMemberKeyPackage(context, bob);
  const carolKp = await generateMemberKeyPackage(context, carol);
  const epoch0 = await createGroup(
    groupId,
    keyPackageOf(aliceKp.bytes),
    aliceKp.secrets,
    [],
    mls,
    config,
  );
  const addBob = await createCommit(
    { state: epoch0, cipherSuite: mls },
    {
      extraProposals: [{ proposalType: 'add', add: { keyPackage: keyPackageOf(bobKp.bytes) } }],
      ratchetTreeExtension: true,
    },
  );
  if (addBob.welcome === undefined) throw new Error('an Add commit must have a Welcome');
  const epoch1 = addBob.newState;
  const addCarol = await createCommit(
    { state: epoch1, cipherSuite: mls },
    {
      extraProposals: [{ proposalType: 'add', add: { keyPackage: keyPackageOf(carolKp.bytes) } }],
      wireAsPublicMessage: true,
    },
  );
  const sent = await createApplicationMessage(epoch1, new TextEncoder().encode('hello'), mls);
  const removeBob = { proposalType: 'remove' as const, remove: { removed: 1 } };
  const privateProposal = await createProposal(epoch1, false, removeBob, mls);
  const publicProposal = await createProposal(epoch1, true, removeBob, mls);
  const groupInfo = await createGroupInfoWithExternalPub(epoch1, [], mls);

  const wire = (message: MLSMessage): Uint8Array => encodeMlsMessage(message);
  messages = {
    privateCommit: wire(addBob.commit),
    publicCommit: wire(addCarol.commit),
    application: wire({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: sent.privateMessage,
    }),
    privateProposal: wire(privateProposal.message),
    publicProposal: wire(publicProposal.message),
    welcome: wire({ version: 'mls10', wireformat: 'mls_welcome', welcome: addBob.welcome }),
    keyPackage: bobKp.bytes,
    groupInfo: wire({ version: 'mls10', wireformat: 'mls_group_info', groupInfo }),
  };
});

/**
 * A PrivateMessage built by hand (RFC 9420 §6.3.1): version mls10, wire format 2, an empty
 * group id, the epoch, the content type and three empty byte strings. The header is all anyone
 * without keys can read, so any bytes of this shape pass; nothing here is authenticated.
 */
function handBuiltPrivateMessage(epoch: bigint, contentType: number): Uint8Array {
  const epochBytes = new Uint8Array(8);
  new DataView(epochBytes.buffer).setBigUint64(0, epoch);
  return concatBytes(
    new Uint8Array([0x00, 0x01, 0x00, 0x02, 0x00]),
    epochBytes,
    new Uint8Array([contentType, 0x00, 0x00, 0x00]),
  );
}

describe('readMlsHeader of real ts-mls messages', () => {
  it('reads wire format, group id, epoch 0 and content type of a Commit sent as a PrivateMessage', () => {
    expect(readMlsHeader(messages.privateCommit)).toEqual({
      wireformat: 'mls_private_message',
      groupId,
      epoch: 0n,
      contentType: 'commit',
    });
  });

  it('reads a Commit sent as a PublicMessage in epoch 1', () => {
    expect(readMlsHeader(messages.publicCommit)).toEqual({
      wireformat: 'mls_public_message',
      groupId,
      epoch: 1n,
      contentType: 'commit',
    });
  });

  it('reads an application message sent in epoch 1', () => {
    expect(readMlsHeader(messages.application)).toEqual({
      wireformat: 'mls_private_message',
      groupId,
      epoch: 1n,
      contentType: 'application',
    });
  });

  it('reads proposals as content type "proposal", private or public', () => {
    expect(readMlsHeader(messages.privateProposal)).toEqual({
      wireformat: 'mls_private_message',
      groupId,
      epoch: 1n,
      contentType: 'proposal',
    });
    expect(readMlsHeader(messages.publicProposal)).toEqual({
      wireformat: 'mls_public_message',
      groupId,
      epoch: 1n,
      contentType: 'proposal',
    });
  });

  it('gives only the wire format of a Welcome, a KeyPackage and a GroupInfo', () => {
    expect(readMlsHeader(messages.welcome)).toEqual({ wireformat: 'mls_welcome' });
    expect(readMlsHeader(messages.keyPackage)).toEqual({ wireformat: 'mls_key_package' });
    expect(readMlsHeader(messages.groupInfo)).toEqual({ wireformat: 'mls_group_info' });
  });

  it('decodes with decodeMls to a message that re-encodes to the same bytes', () => {
    for (const bytes of Object.values(messages)) {
      expect(encodeMlsMessage(decodeMls(bytes))).toEqual(bytes);
    }
  });

  it('reads the full 64-bit epoch as a bigint', () => {
    const max = 2n ** 64n - 1n;
    expect(readMlsHeader(handBuiltPrivateMessage(max, 3))).toEqual({
      wireformat: 'mls_private_message',
      groupId: new Uint8Array(0),
      epoch: max,
      contentType: 'commit',
    });
    expect(readMlsHeader(handBuiltPrivateMessage(2n ** 53n, 1))).toMatchObject({
      epoch: 2n ** 53n,
      contentType: 'application',
    });
  });
});

describe('readMlsHeader refuses bytes that are not exactly one MLSMessage', () => {
  it('refuses every strict prefix of a Commit and of an application message', () => {
    for (const bytes of [messages.privateCommit, messages.application, messages.publicCommit]) {
      for (let length = 0; length < bytes.length; length++) {
        const prefix = bytes.subarray(0, length);
        expect(
          thrownCode(() => readMlsHeader(prefix)),
          `prefix of ${length} bytes`,
        ).toBe('CORE_SCHEMA_INVALID');
      }
    }
  });

  it('refuses a message followed by one more byte or by a second message', () => {
    for (const bytes of Object.values(messages)) {
      expect(thrownCode(() => readMlsHeader(concatBytes(bytes, new Uint8Array([0]))))).toBe(
        'CORE_SCHEMA_INVALID',
      );
    }
    expect(
      thrownCode(() => readMlsHeader(concatBytes(messages.privateCommit, messages.application))),
    ).toBe('CORE_SCHEMA_INVALID');
  });

  it('refuses a protocol version other than mls10, and unknown wire formats and content types', () => {
    const otherVersion = Uint8Array.from(messages.application);
    otherVersion[1] = 0x02;
    expect(thrownCode(() => readMlsHeader(otherVersion))).toBe('CORE_SCHEMA_INVALID');
    for (const wireformat of [0x00, 0x06, 0xff]) {
      const unknown = Uint8Array.from(messages.application);
      unknown[3] = wireformat;
      expect(
        thrownCode(() => readMlsHeader(unknown)),
        `wire format ${wireformat}`,
      ).toBe('CORE_SCHEMA_INVALID');
    }
    for (const contentType of [0, 4]) {
      expect(
        thrownCode(() => readMlsHeader(handBuiltPrivateMessage(0n, contentType))),
        `content type ${contentType}`,
      ).toBe('CORE_SCHEMA_INVALID');
    }
  });

  it('refuses 300 random byte strings of 0 to 599 bytes', () => {
    const random = unsafeSeededRandom('mls-header random bytes');
    for (let i = 0; i < 300; i++) {
      const bytes = random((i * 7) % 600);
      expect(
        thrownCode(() => readMlsHeader(bytes)),
        `sample ${i}`,
      ).toBe('CORE_SCHEMA_INVALID');
    }
  });

  it('throws nothing but CORE_SCHEMA_INVALID for mutated messages', () => {
    const all = Object.values(messages);
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), mutationArbitrary, (which, mutation) => {
        const mutated = applyMutation(all[which] ?? new Uint8Array(1), mutation);
        try {
          readMlsHeader(mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(CoreError);
          expect((error as CoreError).code).toBe('CORE_SCHEMA_INVALID');
        }
      }),
      { numRuns: 500 },
    );
  });
});
