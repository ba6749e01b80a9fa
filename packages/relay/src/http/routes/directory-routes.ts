/** Directory routes: publish and read key bundles, claim one-time KeyPackages. */
import { sha256 } from '@noble/hashes/sha2.js';
import { MAX_KEY_PACKAGE_BYTES, toBase64Url, verifyDirectoryEntry } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../auth/auth-service.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { RelayError } from '../../errors.js';
import { decodeBase64Url, schemas } from '../wire.js';

/** Most unclaimed one-time KeyPackages an account may keep on the relay. */
const MAX_KEY_PACKAGES = 256;
const bearer = [{ bearer: [] }];
const accountParams = {
  type: 'object',
  properties: { accountId: schemas.accountId },
  required: ['accountId'],
} as const;

/** Registers the directory routes. */
export function registerDirectoryRoutes(
  app: FastifyInstance,
  { auth, directory }: { auth: AuthService; directory: DirectoryService },
): void {
  app.put<{
    Params: { accountId: string };
    Body: { entry: string; keyPackages?: string[]; device?: string };
  }>(
    '/v1/directory/:accountId',
    {
      schema: {
        summary: 'Publish the account’s signed directory entry and one-time KeyPackages',
        tags: ['directory'],
        security: bearer,
        params: accountParams,
        body: {
          type: 'object',
          properties: {
            entry: schemas.base64url,
            // The pool limit (MAX_KEY_PACKAGES unclaimed) is the store's to enforce, with 409.
            keyPackages: {
              type: 'array',
              items: schemas.base64url,
              maxItems: 4 * MAX_KEY_PACKAGES,
            },
            device: {
              ...schemas.base64url,
              description:
                'the device (Ed25519 key, base64url) the keyPackages belong to; optional if the entry lists one device',
            },
          },
          required: ['entry'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              cid: { type: 'string' },
              availableKeyPackages: { type: 'integer' },
              leafIndex: { type: 'integer' },
            },
            required: ['cid', 'availableKeyPackages', 'leafIndex'],
          },
        },
      },
    },
    async (request) => {
      const session = await auth.fromHeader(request.headers.authorization);
      const account = request.params.accountId;
      if (session.account !== account) {
        throw new RelayError('RELAY_FORBIDDEN', '(a session may publish only its own entry)');
      }
      const entryBytes = decodeBase64Url(request.body.entry, 'entry');
      const keyPackages = (request.body.keyPackages ?? []).map((text, index) => {
        const bytes = decodeBase64Url(text, `keyPackages[${index}]`);
        if (bytes.length === 0 || bytes.length > MAX_KEY_PACKAGE_BYTES) {
          throw new RelayError('RELAY_DIRECTORY_INVALID', `(keyPackages[${index}] size)`);
        }
        return { hash: sha256(bytes), bytes };
      });
      const verified = await verifyDirectoryEntry(directory.suite, entryBytes);
      if (!verified.ok) throw new RelayError('RELAY_DIRECTORY_INVALID', `(${verified.reason})`);
      if (verified.value.entry.account !== account) {
        throw new RelayError('RELAY_DIRECTORY_INVALID', '(the entry is for another account)');
      }
      const devices = verified.value.entry.devices.map((device) => device.deviceKey);
      const owner = ownerOfKeyPackages(devices, request.body.device, keyPackages.length);
      const outcome = await directory.store.putDirectoryEntry(
        account,
        {
          bytes: entryBytes,
          cid: verified.value.cid.toString(),
          updatedAt: verified.value.entry.updatedAt,
          lastResort: verified.value.entry.lastResort,
          devices,
        },
        keyPackages.map((keyPackage) => ({ ...keyPackage, device: owner })),
        MAX_KEY_PACKAGES,
        directory.clock(),
      );
      if (outcome === 'stale') throw new RelayError('RELAY_DIRECTORY_STALE');
      if (outcome === 'too-many-key-packages') throw new RelayError('RELAY_TOO_MANY_KEY_PACKAGES');
      directory.leavesAdded();
      const stored = await directory.store.getDirectoryEntry(account);
      return {
        cid: verified.value.cid.toString(),
        availableKeyPackages: stored?.availableKeyPackages ?? 0,
        leafIndex: stored?.leafIndex ?? -1,
      };
    },
  );

  app.get<{ Params: { accountId: string } }>(
    '/v1/directory/:accountId',
    {
      schema: {
        summary: 'Read an account’s signed directory entry',
        tags: ['directory'],
        params: accountParams,
        response: {
          200: {
            type: 'object',
            properties: {
              entry: schemas.base64url,
              cid: { type: 'string' },
              availableKeyPackages: { type: 'integer' },
              leafIndex: { type: 'integer' },
            },
            required: ['entry', 'cid', 'availableKeyPackages', 'leafIndex'],
          },
        },
      },
    },
    async (request) => {
      const stored = await directory.store.getDirectoryEntry(request.params.accountId);
      if (stored === undefined) throw new RelayError('RELAY_NOT_FOUND', '(no directory entry)');
      return {
        entry: toBase64Url(stored.entry),
        cid: stored.cid,
        availableKeyPackages: stored.availableKeyPackages,
        leafIndex: stored.leafIndex,
      };
    },
  );

  app.post<{ Params: { accountId: string } }>(
    '/v1/directory/:accountId/key-packages/claim',
    {
      schema: {
        summary: 'Claim one of the account’s KeyPackages (one-time, else last-resort)',
        tags: ['directory'],
        security: bearer,
        params: accountParams,
        response: {
          200: {
            type: 'object',
            properties: { keyPackage: schemas.base64url, lastResort: { type: 'boolean' } },
            required: ['keyPackage', 'lastResort'],
          },
        },
      },
    },
    async (request) => {
      const session = await auth.fromHeader(request.headers.authorization);
      directory.claimLimits.spend(session.account, directory.clock());
      const target = request.params.accountId;
      // One-time packages are scarce: a claimer gets a few of each account's, and each account
      // hands out a few per hour; beyond that everyone gets the last resort, so nobody can drain
      // a pool (or deny others a package) by claiming fast.
      const now = directory.clock();
      const oneTime =
        target === session.account ||
        (directory.oneTimeClaimsPerPair.hasToken(`${session.account} ${target}`, now) &&
          directory.oneTimeClaimsPerTarget.hasToken(target, now));
      if (oneTime && target !== session.account) {
        directory.oneTimeClaimsPerPair.take(`${session.account} ${target}`, now);
        directory.oneTimeClaimsPerTarget.take(target, now);
      }
      const outcome = await directory.store.claimKeyPackage(target, now, { oneTime });
      if ('missing' in outcome) throw new RelayError('RELAY_NOT_FOUND', '(no directory entry)');
      return { keyPackage: toBase64Url(outcome.keyPackage), lastResort: outcome.lastResort };
    },
  );
}

/**
 * The device whose one-time KeyPackages a PUT adds: `device` if given (it must be listed), else
 * the entry's only device. Unused (an empty key) when no packages are added.
 * @throws RelayError RELAY_DIRECTORY_INVALID
 */
function ownerOfKeyPackages(
  devices: readonly Uint8Array[],
  deviceText: string | undefined,
  packages: number,
): Uint8Array {
  if (deviceText === undefined) {
    const [only] = devices;
    if (packages === 0) return only ?? new Uint8Array(0);
    if (only === undefined || devices.length !== 1) {
      throw new RelayError(
        'RELAY_DIRECTORY_INVALID',
        '(name the device the keyPackages belong to: the entry lists several)',
      );
    }
    return only;
  }
  const device = decodeBase64Url(deviceText, 'device', 32);
  if (!devices.some((listed) => Buffer.from(listed).equals(device))) {
    throw new RelayError('RELAY_DIRECTORY_INVALID', '(device is not listed in the entry)');
  }
  return device;
}
