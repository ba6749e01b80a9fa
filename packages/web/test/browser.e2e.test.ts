/**
 * The web app in real Chromium against a real relay process: people create identities and chat
 * through the UI exactly as someone at a browser would (docs/web.md). One story, told in order;
 * each step builds on the last. Screenshots of the main screens land in test-results/web/.
 */
import { deriveStoreKey } from '@parley/client';
import {
  accountIdFromPublicKey,
  createCryptoSuite,
  decodeCanonical,
  importKeyFile,
  utf8,
  xchachaOpen,
} from '@parley/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay, type RelayProcess } from '@parley/test-support/relay-process';
import { launchChromium } from './support/chromium.js';
import { Person } from './support/person.js';
import { WEB_DIST, ensureWebBuilt } from './support/web-build.js';

const PASS = {
  alice: 'alice: correct horse battery staple',
  bob: 'bob: purple monkey dishwasher',
  carol: 'carol: the quick brown fox',
};

describe('the web app in Chromium', { timeout: 180_000 }, () => {
  let relay: RelayProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let aliceKeyFile: Uint8Array;

  beforeAll(async () => {
    await ensureWebBuilt();
    relay = await startRelay({ flags: { 'web-dir': WEB_DIST } });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser.close().catch(() => undefined);
    await cleanupRelays();
  });

  it('serves the built app at / with a strict CSP and no inline script', async () => {
    const response = await fetch(`${relay.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\ssrc="\/assets\//);
  });

  it('lets alice and bob create identities and download key files that open with their passphrase', async () => {
    alice = await Person.open(browser, 'alice', relay.url);
    aliceKeyFile = await alice.createIdentity(PASS.alice, {
      welcome: 'welcome',
      create: 'create-identity',
      save: 'save-key-file',
    });
    bob = await Person.open(browser, 'bob', relay.url);
    const bobKeyFile = await bob.createIdentity(PASS.bob);

    const suite = createCryptoSuite(globalThis.crypto.subtle);
    expect((await importKeyFile(suite, aliceKeyFile, PASS.alice)).accountId).toBe(alice.accountId);
    expect((await importKeyFile(suite, bobKeyFile, PASS.bob)).accountId).toBe(bob.accountId);
    expect(await bob.readOwnAccountId('account-qr')).toBe(bob.accountId);
    await expect
      .poll(() => bob.page.getByRole('img', { name: /QR code of your account id/ }).count())
      .toBe(0);
  });

  it('says in plain words that an account has not registered, and offers to invite it again', async () => {
    const stranger = accountIdFromPublicKey(new Uint8Array(32).fill(7));
    await alice.unfold('New chat');
    await alice.page.getByLabel('Their account id').fill('not an id');
    await alice.page.getByRole('button', { name: 'Start chat' }).click();
    await alice.page.getByRole('alert').getByText("That isn't a Parley account id.").waitFor();
    await alice.page.getByLabel('Their account id').fill(stranger);
    await alice.page.getByRole('button', { name: 'Start chat' }).click();
    await alice.page
      .getByRole('alert')
      .getByText("That person hasn't registered on this relay yet.")
      .waitFor();
    await alice.screenshot('not-registered');
    await alice.openChat(Person.pairChat(stranger));
    await alice.page.getByRole('button', { name: 'Invite again' }).click();
    await alice.page
      .locator('.pending-peer')
      .getByRole('alert')
      .getByText("That person hasn't registered on this relay yet.")
      .waitFor();
  });

  it('opens a pair chat from a pasted id and delivers messages both ways live', async () => {
    await alice.startPairChat(bob.accountId);
    await alice.send('hello bob');

    const fromAlice = bob.chatItem(Person.pairChat(alice.accountId));
    await fromAlice.waitFor();
    await expect.poll(() => fromAlice.textContent()).toContain('1 unread');
    await expect.poll(() => fromAlice.textContent()).toContain('hello bob');
    await expect.poll(() => bob.page.title()).toBe('(1) Chats — Parley');
    await bob.screenshot('chat-list');

    await bob.openChat(Person.pairChat(alice.accountId));
    await bob.message('hello bob').waitFor();
    await bob.send('hi alice');
    await alice.message('hi alice').waitFor();

    // Alice's message went from accepted to included in the relay's signed log.
    await alice.message('hello bob').locator('[data-delivery="included"]').waitFor();
    await alice.screenshot('chat-view');
  });
  it('keeps no device key, KeyPackage key or message text readable in IndexedDB', async () => {
    // The account's database read back raw in the page, as any script of this origin (or anyone
    // copying the browser profile) could.
    const rows = await alice.page.evaluate(async (name) => {
      const request = <T>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          r.onsuccess = () => {
            resolve(r.result);
          };
          r.onerror = () => {
            reject(r.error ?? new Error('IndexedDB request failed'));
          };
        });
      const db = await request(indexedDB.open(name));
      const kv = db.transaction('kv', 'readonly').objectStore('kv');
      const [keys, values] = await Promise.all([request(kv.getAllKeys()), request(kv.getAll())]);
      db.close();
      return keys.map((key, i) => [key as string, Array.from(values[i] as Uint8Array)] as const);
    }, `parley-account-${alice.accountId}`);
    const raw = new Map(rows.map(([key, value]) => [key, Uint8Array.from(value)]));
    const all = Buffer.concat([...raw.values()]);

    // Open the sealed rows as docs/spec/client-store.md says, with the key from the key file.
    const suite = createCryptoSuite(globalThis.crypto.subtle);
    const identity = await importKeyFile(suite, aliceKeyFile, PASS.alice);
    const key = await deriveStoreKey(suite, identity);
    const open = (name: string) => {
      const value = raw.get(name);
      if (value?.[0] !== 1) throw new Error(`${name} is not sealed`);
      const aad = utf8(`parley/client-store/v1\u0000kv\u0000${name}`);
      return xchachaOpen(key, value.subarray(1, 25), value.subarray(25), aad);
    };
    const device = decodeCanonical(open('device')) as Record<string, Uint8Array>;
    const secrets = [device.seed, device.hpkePrivateKey];
    const packages = [...raw.keys()].filter((name) => name.startsWith('kp/'));
    expect(packages.length).toBeGreaterThan(0);
    for (const name of packages) {
      const { init, hpke, sig } = decodeCanonical(open(name)) as Record<string, Uint8Array>;
      secrets.push(init, hpke, sig);
    }
    for (const secret of secrets) {
      expect(secret?.length).toBeGreaterThanOrEqual(32);
      expect(all.includes(Buffer.from(secret ?? new Uint8Array()))).toBe(false);
    }
    for (const text of ['hello bob', 'hi alice']) {
      expect(all.includes(Buffer.from(text))).toBe(false);
    }
  });

  it('shows the proof details of a message on demand', async () => {
    await alice.message('hello bob').locator('[data-delivery="included"]').waitFor();
    await alice
      .message('hello bob')
      .getByRole('button', { name: /Details/ })
      .click();
    const dialog = alice.page.getByRole('dialog', { name: 'Message details' });
    await dialog.getByText('Verified: signed by a device of the author').waitFor();
    await expect.poll(() => dialog.textContent()).toContain(alice.accountId);
    await expect
      .poll(() => dialog.textContent())
      .toMatch(/Included at index \d+ of the relay's log/);
    const checkpoint = await dialog.getByLabel('Signed checkpoint').textContent();
    expect(checkpoint).toMatch(/^\S+\n\d+\n\S+=\n/);
    await alice.screenshot('proof-details');
    await alice.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('refuses a wrong passphrase in plain words and keeps the history across a reload', async () => {
    // A second tab may not open the account while the first holds it.
    const secondTab = await bob.context.newPage();
    await secondTab.goto(relay.url);
    await secondTab.getByLabel('Passphrase').fill(PASS.bob);
    await secondTab.getByRole('button', { name: 'Unlock', exact: true }).click();
    await secondTab
      .getByRole('alert')
      .getByText(/open in another tab/)
      .waitFor();
    await secondTab.close();

    await bob.page.reload();
    await bob.unlock('not my passphrase');
    await bob.page.getByRole('alert').getByText('Wrong passphrase.').waitFor();
    await bob.screenshot('unlock-wrong-passphrase');
    await bob.unlock(PASS.bob);
    await bob.waitOnline();
    await bob.openChat(Person.pairChat(alice.accountId));
    await bob.message('hello bob').waitFor();
    await bob.message('hi alice').waitFor();
    expect(await bob.page.locator('li.message').count()).toBe(2);
  });

  it('adds carol to a group, and she sees only what follows her joining', async () => {
    carol = await Person.open(browser, 'carol', relay.url);
    await carol.createIdentity(PASS.carol);

    await alice.createGroup('team', [bob.accountId]);
    await alice.send('before carol');
    await bob.openChat(/Group team/);
    await bob.message('before carol').waitFor();

    await alice.page.getByRole('button', { name: 'Members' }).click();
    const members = alice.page.getByRole('dialog', { name: 'Group members' });
    await members.getByLabel('Add a member by account id').fill(carol.accountId);
    await members.getByRole('button', { name: 'Add member' }).click();
    await members.getByText(carol.accountId).waitFor();
    await alice.screenshot('group-members');
    await members.getByRole('button', { name: 'Close' }).click();

    await alice.send('welcome carol');
    await carol.openChat(/Group team/);
    await carol.message('welcome carol').waitFor();
    expect(await carol.message('before carol').count()).toBe(0);
    await bob.message('welcome carol').waitFor();
  });

  it('removes a member and lets a member leave, from the members dialog', async () => {
    await alice.page.getByRole('button', { name: 'Members' }).click();
    const members = alice.page.getByRole('dialog', { name: 'Group members' });
    await members.getByRole('button', { name: `Remove ${bob.accountId}` }).click();
    await members.getByText('Removed.').waitFor();
    await members.getByRole('button', { name: 'Close' }).click();
    await bob.page.getByText('You were removed from this chat.').waitFor();

    await alice.send('bob has left');
    await carol.message('bob has left').waitFor();
    expect(await bob.message('bob has left').count()).toBe(0);

    await carol.page.getByRole('button', { name: 'Members' }).click();
    const carolMembers = carol.page.getByRole('dialog', { name: 'Group members' });
    await carolMembers.getByRole('button', { name: 'Leave group' }).click();
    await carolMembers.getByRole('button', { name: 'Yes, leave' }).click();
    await carol.page.getByText('You left this chat.').waitFor();
    // Alice's app processes carol's leave request and commits her removal.
    await expect
      .poll(() => alice.page.locator('.chat-subtitle').textContent(), { timeout: 30_000 })
      .toBe('1 member');
  });

  it('queues what alice writes while the relay is down and delivers it when it is back', async () => {
    await alice.openChat(Person.pairChat(bob.accountId));
    await bob.openChat(Person.pairChat(alice.accountId));
    const { port, dataDir } = relay;
    await relay.stop();

    await alice.send('written while the relay was down');
    const queued = alice.message('written while the relay was down');
    await queued.locator('[data-delivery="queued"]').waitFor();
    await alice.page
      .getByText("Can't reach the relay. Your messages are kept and will be sent when it's back.")
      .waitFor();
    await alice.screenshot('offline-queued');

    relay = await startRelay({ dataDir, flags: { 'web-dir': WEB_DIST, port } });
    await queued.locator('[data-delivery="sent"], [data-delivery="included"]').waitFor();
    await bob.message('written while the relay was down').waitFor();
    await alice.waitOnline();
  });

  it('lets people reply, react, edit and delete, and shows each on the other side', async () => {
    await alice.send('lunch at noom?');
    const bobSees = bob.message('lunch at noom?');
    await bobSees.waitFor();
    // Only the author may edit or delete: Bob's view of Alice's message offers neither.
    expect(await bobSees.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await bobSees.getByRole('button', { name: 'Delete' }).count()).toBe(0);

    await bobSees.getByRole('button', { name: 'Reply' }).click();
    await bob.page.getByText('Replying to: lunch at noom?').waitFor();
    const bobBox = bob.page.getByRole('textbox', { name: 'Message' });
    await bobBox.fill('yes please');
    await bobBox.press('Enter');
    await alice
      .message('yes please')
      .locator('.message-quote', { hasText: 'lunch at noom?' })
      .waitFor();

    await bobSees.getByRole('button', { name: /Like/ }).click();
    await alice.message('lunch at noom?').locator('.reaction', { hasText: '👍 1' }).waitFor();

    await alice.message('lunch at noom?').getByRole('button', { name: 'Edit' }).click();
    const aliceBox = alice.page.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => aliceBox.inputValue()).toBe('lunch at noom?');
    await aliceBox.fill('lunch at noon?');
    await aliceBox.press('Enter');
    await bob.message('lunch at noon?').locator('.message-edited').waitFor();

    await bob.message('yes please').getByRole('button', { name: 'Delete' }).click();
    await alice.page.locator('.message-text[data-content="deleted"]').waitFor();
    await expect
      .poll(() => alice.page.locator('.message-text[data-content="deleted"]').textContent())
      .toBe('Message deleted');
  });

  it('logs in on another browser by importing the key file', async () => {
    const laptop = await Person.open(browser, 'alice-laptop', relay.url);
    const { page } = laptop;
    await page.getByRole('button', { name: 'I have a key file' }).click();
    await page.getByLabel('Key file', { exact: true }).setInputFiles({
      name: 'alice.key',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(aliceKeyFile),
    });
    await page.getByLabel('Passphrase').fill('wrong passphrase');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Wrong passphrase.').waitFor();
    await page.getByLabel('Passphrase').fill(PASS.alice);
    await laptop.screenshot('import-key-file');
    await page.getByRole('button', { name: 'Log in' }).click();
    await laptop.waitOnline();
    expect(await laptop.readOwnAccountId()).toBe(alice.accountId);
    await laptop.close();
  });

  it('fits a phone-sized window, one pane at a time', async () => {
    await bob.page.setViewportSize({ width: 360, height: 740 });
    await bob.page.getByRole('button', { name: /Chats/ }).click();
    await bob.chatItem(Person.pairChat(alice.accountId)).waitFor();
    await bob.screenshot('phone-chat-list');
    await bob.openChat(Person.pairChat(alice.accountId));
    await bob.screenshot('phone-chat-view');
    const overflow = await bob.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
  });

  it('is usable from the keyboard alone', async () => {
    const { page } = carol;
    await page.getByRole('button', { name: 'Your account' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Your account' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Focus returns to the control that opened the dialog.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe('Your account');

    await page.getByRole('button', { name: 'New chat' }).focus();
    await page.keyboard.press('Enter');
    // The unfolded form's field takes focus.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('pair-account');
    await page.keyboard.type(bob.accountId);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: Person.pairChat(bob.accountId) }).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).focus();
    await page.keyboard.type('typed without a mouse');
    await page.keyboard.press('Enter');
    await carol.message('typed without a mouse').waitFor();
    // Bob's phone-sized window shows one pane: back to the list, where carol's chat appeared.
    await bob.page.getByRole('button', { name: /Chats/ }).click();
    const fromCarol = bob.chatItem(Person.pairChat(carol.accountId));
    await expect.poll(() => fromCarol.textContent()).toContain('typed without a mouse');
  });

  it('has no serious accessibility violation on the screens it photographed', () => {
    expect([...alice.a11yViolations, ...bob.a11yViolations, ...carol.a11yViolations]).toEqual([]);
  });

  it('raised no uncaught error and no CSP violation in any page', () => {
    expect([...alice.pageErrors, ...bob.pageErrors, ...carol.pageErrors]).toEqual([]);
  });
});
