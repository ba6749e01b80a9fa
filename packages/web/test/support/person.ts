/**
 * One person using the web app in a browser context of their own, driven the way a keyboard or
 * screen-reader user finds things: by role and accessible name. Screenshots go to
 * test-results/web/.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { shortId } from '../../src/ui/format.js';
import { accessibilityViolations } from './axe.js';

/** Where every run saves its screenshots (git-ignored). */
const SCREENSHOT_DIR = fileURLToPath(new URL('../../../../test-results/web/', import.meta.url));

/** Generous: scrypt at N = 2^17 and MLS run in a 2-core container. */
const UI_TIMEOUT_MS = 30_000;

/** A person with a browser context and one page on the app. */
export class Person {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  accountId = '';

  private constructor(name: string, context: BrowserContext, page: Page) {
    this.name = name;
    this.context = context;
    this.page = page;
  }

  /** Opens a fresh context (its own storage) on the app at `url`. */
  static async open(
    browser: Browser,
    name: string,
    url: string,
    viewport = { width: 1100, height: 760 },
  ): Promise<Person> {
    const context = await browser.newContext({ acceptDownloads: true, viewport });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = await context.newPage();
    const person = new Person(name, context, page);
    page.on('pageerror', (error) => {
      person.pageErrors.push(error.message);
    });
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) {
        person.pageErrors.push(`CSP: ${message.text()}`);
      }
    });
    await page.goto(url);
    return person;
  }

  /** Uncaught errors and CSP violations in the page (a test asserts there are none). */
  readonly pageErrors: string[] = [];

  /**
   * Saves a screenshot as test-results/web/<file>.png and checks the screen with axe-core; the
   * serious or critical accessibility violations found are collected in `a11yViolations`.
   */
  async screenshot(file: string): Promise<void> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await this.page.screenshot({ path: `${SCREENSHOT_DIR}${file}.png` });
    for (const violation of await accessibilityViolations(this.page)) {
      this.a11yViolations.push(`${file}: ${violation}`);
    }
  }

  /** Accessibility violations found on the screens photographed so far. */
  readonly a11yViolations: string[] = [];

  /**
   * Creates an identity through the welcome, passphrase and key-file screens. Returns the
   * downloaded key file's bytes. `shots` names screenshots of the steps, if wanted.
   */
  async createIdentity(
    passphrase: string,
    shots: { welcome?: string; create?: string; save?: string } = {},
  ): Promise<Uint8Array> {
    const { page } = this;
    await page.getByRole('heading', { name: 'Welcome to Parley' }).waitFor();
    if (shots.welcome !== undefined) await this.screenshot(shots.welcome);
    await page.getByRole('button', { name: 'Create an identity' }).click();
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByLabel('Passphrase again').fill(passphrase);
    if (shots.create !== undefined) await this.screenshot(shots.create);
    await page.getByRole('button', { name: 'Create identity' }).click();
    await page.getByRole('heading', { name: 'Save your key file' }).waitFor();
    this.accountId = (await page.locator('code.account-id').first().textContent()) ?? '';
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download key file' }).click();
    const saved = await download;
    const path = await saved.path();
    if (shots.save !== undefined) await this.screenshot(shots.save);
    await page.getByLabel('I saved my key file').check();
    await page.getByRole('button', { name: 'Start chatting' }).click();
    await this.waitOnline();
    return new Uint8Array(await readFile(path));
  }

  /** Waits until the top bar says the relay is reachable. */
  async waitOnline(): Promise<void> {
    await this.page.locator('.relay-badge[data-relay="online"]').waitFor();
  }

  /** Unlocks the stored account (after a reload). */
  async unlock(passphrase: string): Promise<void> {
    const { page } = this;
    await page.getByRole('heading', { name: 'Unlock Parley' }).waitFor();
    await page.getByLabel('Passphrase').fill(passphrase);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  }

  /** The account id shown in the account dialog (which is closed again). */
  async readOwnAccountId(shot?: string): Promise<string> {
    const { page } = this;
    await page.getByRole('button', { name: 'Your account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your account' });
    const id = await dialog.getByLabel('Account id', { exact: true }).inputValue();
    if (shot !== undefined) await this.screenshot(shot);
    await dialog.getByRole('button', { name: 'Close' }).click();
    return id;
  }

  /** Starts (or opens) the pair chat with `accountId` by pasting it. */
  async startPairChat(accountId: string): Promise<void> {
    const { page } = this;
    await this.unfold('New chat');
    await page.getByLabel('Their account id').fill(accountId);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('heading', { level: 2, name: Person.pairChat(accountId) }).waitFor();
  }

  /** Opens the form behind a disclosure button unless it is open already. */
  async unfold(name: string): Promise<void> {
    const button = this.page.getByRole('button', { name, exact: true });
    if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  }

  /** Creates a group with the given members. */
  async createGroup(name: string, members: readonly string[]): Promise<void> {
    const { page } = this;
    await this.unfold('New group');
    await page.getByLabel('Group name').fill(name);
    await page.getByLabel(/Members' account ids/).fill(members.join('\n'));
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { level: 2, name: `Group ${name}` }).waitFor();
  }

  /** The accessible name of the pair chat with `accountId` (list entry and heading start so). */
  static pairChat(accountId: string): RegExp {
    return new RegExp(`^Chat with ${shortId(accountId)}`);
  }

  /** The chat list's entry for a chat whose name matches. */
  chatItem(name: string | RegExp): Locator {
    return this.page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name });
  }

  /** Opens a chat from the list. */
  async openChat(name: string | RegExp): Promise<void> {
    await this.chatItem(name).click();
    await this.page.getByRole('log', { name: 'Messages' }).waitFor();
  }

  /** Types and sends a message with the keyboard (Enter). */
  async send(text: string): Promise<void> {
    const box = this.page.getByRole('textbox', { name: 'Message' });
    await box.fill(text);
    await box.press('Enter');
    await this.message(text).waitFor();
  }

  /** The message with this text in the open chat. */
  message(text: string): Locator {
    return this.page
      .getByRole('log', { name: 'Messages' })
      .locator('li.message', { has: this.page.locator('.message-text', { hasText: text }) });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
