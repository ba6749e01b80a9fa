/**
 * The composition root of the SDK: builds the services of one Client, each with the narrow
 * dependencies it names, and ties the late-bound ones (a commit catches the chat up; a sync
 * acts on leave requests by committing). Nothing here holds state of its own.
 */
import {
  createAuthenticationService,
  mlsClientConfig,
  type AccountId,
  type CryptoSuite,
  type Identity,
  type MlsContext,
  type RandomSource,
} from '@parley/core';
import { ChatCreator } from './chats/chat-creator.js';
import { WriteKeys } from './chats/write-keys.js';
import { inviterOf, type DeviceKeys } from './device/device-keys.js';
import { KeyPackages } from './device/key-packages.js';
import { claimKeyPackage } from './directory/claims.js';
import { DeviceLookup } from './directory/device-lookup.js';
import { KeyTransparency } from './directory/key-transparency.js';
import { DirectoryPublisher } from './directory/publisher.js';
import { reporterOf, type Emit, type Report } from './events.js';
import { Committer } from './groups/committer.js';
import { Membership } from './groups/membership.js';
import { PendingRemovals } from './groups/pending-removals.js';
import type { WitnessKey } from './log/checkpoints.js';
import { LogMonitor } from './log/log-monitor.js';
import { EntryAcceptor } from './receive/entry-acceptor.js';
import { EnvelopeProcessor } from './receive/envelope-processor.js';
import { InvitationAcceptor } from './receive/invitation-acceptor.js';
import type { RelayApi, Receipt } from './relay/relay-api.js';
import { Composer } from './send/composer.js';
import { OutboxSender } from './send/outbox-sender.js';
import type { ClientStore } from './store/client-store.js';
import { Gaps } from './sync/gaps.js';
import { InboxSync } from './sync/inbox-sync.js';
import { trackReceipt } from './sync/log-sync.js';
import { TopicSync } from './sync/topic-sync.js';

/** What the services of one client are built from. */
export interface ServiceInputs {
  readonly identity: Identity;
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: () => number;
  readonly cipherSuite: MlsContext['cipherSuite'];
  readonly device: DeviceKeys;
  readonly api: RelayApi;
  readonly relayId?: string | undefined;
  readonly witnesses?: readonly WitnessKey[] | undefined;
  readonly requiredCosignatures?: number | undefined;
  readonly emit: Emit;
  /** Follows a topic live (no-op while not connected). */
  readonly follow: (topic: Uint8Array, after: number) => void;
}

/** The services of one client. */
export interface ClientServices {
  readonly suite: CryptoSuite;
  readonly mls: MlsContext;
  readonly report: Report;
  readonly log: LogMonitor;
  readonly transparency: KeyTransparency;
  readonly lookup: DeviceLookup;
  readonly publisher: DirectoryPublisher;
  readonly membership: Membership;
  readonly creator: ChatCreator;
  readonly composer: Composer;
  readonly outbox: OutboxSender;
  readonly inbox: InboxSync;
  readonly topics: TopicSync;
  readonly gaps: Gaps;
}

/** Builds the services of one client. */
export function createClientServices(inputs: ServiceInputs): ClientServices {
  const { store, suite, random, clock, device, api, emit } = inputs;
  const account: AccountId = inputs.identity.accountId;
  const report = reporterOf(emit);
  const log = new LogMonitor({
    api,
    store,
    suite,
    clock,
    relayId: inputs.relayId,
    witnesses: inputs.witnesses,
    requiredCosignatures: inputs.requiredCosignatures,
    onEvidence: (evidence) => {
      emit('evidence', { evidence });
    },
    onIncluded: (chatId, cid, leafIndex, size) => {
      emit('included', { chatId, cid, leafIndex, size });
    },
  });
  const transparency = new KeyTransparency({
    api,
    store,
    suite,
    log,
    clock,
    accountId: account,
    deviceKey: device.publicKey,
    onEvidence: (evidence) => {
      emit('directory-warning', { evidence });
    },
  });
  const devices = new DeviceLookup({ directory: transparency, clock });
  // The MLS authentication service checks credentials against the directory.
  const mls: MlsContext = {
    cipherSuite: inputs.cipherSuite,
    config: mlsClientConfig(
      createAuthenticationService(async (who) =>
        (await devices.devicesOf(who))?.map((certificate) => certificate.deviceKey),
      ),
    ),
  };
  const writeKeys = new WriteKeys(suite, mls, device.seed);
  const keyPackages = new KeyPackages({ store, mls, account, device });
  const inviter = inviterOf({ device, account, suite, random, clock });
  const receipts = (chatId: string, receipt: Receipt) => trackReceipt(log, report, chatId, receipt);
  const removals = new PendingRemovals(store);
  const publisher = new DirectoryPublisher({
    api,
    suite,
    identity: inputs.identity,
    device,
    keyPackages,
    transparency,
    lookup: devices,
    clock,
    report,
  });
  const processor = new EnvelopeProcessor({
    store,
    suite,
    mls,
    self: account,
    inviter,
    acceptor: new EntryAcceptor({ store, self: account, clock, emit }),
    removals,
    log,
    clock,
    emit,
    report,
  });
  const gaps = new Gaps({ store, api, processor, clock, emit });
  const topics: TopicSync = new TopicSync({
    store,
    mls,
    api,
    writeKeys,
    processor,
    gaps,
    removals,
    remove: (id, who, options) => membership.remove(id, who, options),
    clock,
    report,
  });
  const catchUp = (id: string) => topics.catchUp(id);
  const outbox = new OutboxSender({
    store,
    mls,
    api,
    writeKeys,
    clock,
    catchUp,
    trackReceipt: receipts,
    emit,
    report,
  });
  const flushOutbox = () => outbox.flush();
  const committer = new Committer({
    store,
    mls,
    api,
    writeKeys,
    inviter,
    clock,
    catchUp,
    flushOutbox,
    trackReceipt: receipts,
    emit,
  });
  const membership: Membership = new Membership({
    committer,
    lookup: devices,
    claim: (who) => claimKeyPackage({ api, mls, lookup: devices, clock }, who),
  });
  const invitations = new InvitationAcceptor({
    store,
    suite,
    mls,
    account,
    device,
    keyPackages,
    lookup: devices,
    clock,
    emit,
    joined: async (id, topic, since) => {
      inputs.follow(topic, since);
      await topics.sync(id);
    },
  });
  return {
    suite,
    mls,
    report,
    log,
    transparency,
    lookup: devices,
    publisher,
    membership,
    creator: new ChatCreator({
      store,
      mls,
      account,
      keyPackages,
      membership,
      random,
      clock,
      sync: (id) => topics.sync(id),
      flushOutbox,
      follow: inputs.follow,
    }),
    composer: new Composer({ store, suite, mls, account, device, log, clock, emit }),
    outbox,
    inbox: new InboxSync({ store, api, account, invitations, clock, report }),
    topics,
    gaps,
  };
}
