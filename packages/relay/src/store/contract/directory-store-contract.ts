/** The directory store contract: entries, KeyPackages per device, the pool limit, one-time claims. */
import { describe, expect, it } from 'vitest';
import type { RelayStores } from '../relay-stores.js';
import { deviceKey, entry, freshStores, keyPackage } from './store-fixtures.js';

const decoder = new TextDecoder();

/** Runs the directory store rules against fresh, empty stores from `open`. */
export function describeDirectoryStoreContract(name: string, open: () => RelayStores): void {
  describe(name, () => {
    const current = freshStores(open);

    describe('directory', () => {
      it('stores an entry with its one-time KeyPackages and reads it back', async () => {
        expect(await current().directory.getDirectoryEntry('alice')).toBeUndefined();
        const first = entry(1000);
        expect(
          await current().directory.putDirectoryEntry(
            'alice',
            first,
            [keyPackage('1'), keyPackage('2')],
            256,
            5000,
          ),
        ).toBe('stored');
        expect(await current().directory.getDirectoryEntry('alice')).toEqual({
          entry: first.bytes,
          cid: first.cid,
          updatedAt: 1000,
          availableKeyPackages: 2,
          leafIndex: 0,
        });
      });

      it('drops the unclaimed packages of a device the newer entry no longer lists', async () => {
        const [old, kept, added] = [deviceKey(1), deviceKey(2), deviceKey(3)];
        await current().directory.putDirectoryEntry(
          'alice',
          entry(1000, 'lr', [old, kept]),
          [keyPackage('old 1', old), keyPackage('old 2', old), keyPackage('kept', kept)],
          256,
          5000,
        );
        expect((await current().directory.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(
          3,
        );
        expect(
          await current().directory.putDirectoryEntry(
            'alice',
            entry(2000, 'lr', [kept, added]),
            [keyPackage('added', added)],
            256,
            6000,
          ),
        ).toBe('stored');
        expect((await current().directory.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(
          2,
        );
        const handedOut = [];
        for (let i = 0; i < 3; i++) {
          const outcome = await current().directory.claimKeyPackage('alice', 7000 + i);
          if ('missing' in outcome) throw new Error('expected a KeyPackage');
          handedOut.push(decoder.decode(outcome.keyPackage));
        }
        expect(handedOut.sort()).toEqual(['key-package added', 'key-package kept', 'lr']);
      });

      it('counts only current devices against the pool limit, so a reinstall every time fits', async () => {
        for (let install = 1; install <= 20; install++) {
          const device = deviceKey(install);
          const packages = Array.from({ length: 21 }, (_, n) =>
            keyPackage(`${install}/${n}`, device),
          );
          expect(
            await current().directory.putDirectoryEntry(
              'alice',
              entry(1000 * install, 'lr', [device]),
              packages,
              50,
              5000,
            ),
          ).toBe('stored');
        }
        expect((await current().directory.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(
          21,
        );
      });

      it('refuses a KeyPackage of a device the entry does not list, writing nothing', async () => {
        await expect(
          current().directory.putDirectoryEntry(
            'alice',
            entry(1000),
            [keyPackage('1', deviceKey(9))],
            256,
            5000,
          ),
        ).rejects.toThrow(RangeError);
        expect(await current().directory.getDirectoryEntry('alice')).toBeUndefined();
        expect(await current().log.logSize()).toBe(0);
      });

      it('refuses an entry that is not newer than the stored one, adding none of its packages', async () => {
        await current().directory.putDirectoryEntry('alice', entry(1000), [], 256, 5000);
        expect(
          await current().directory.putDirectoryEntry(
            'alice',
            entry(1000),
            [keyPackage('1')],
            256,
            5000,
          ),
        ).toBe('stale');
        expect(
          await current().directory.putDirectoryEntry(
            'alice',
            entry(999),
            [keyPackage('1')],
            256,
            5000,
          ),
        ).toBe('stale');
        expect(await current().directory.getDirectoryEntry('alice')).toMatchObject({
          updatedAt: 1000,
          availableKeyPackages: 0,
        });
        expect(
          await current().directory.putDirectoryEntry('alice', entry(1001), [], 256, 5000),
        ).toBe('stored');
      });

      it('refuses more unclaimed packages than allowed, storing neither entry nor packages', async () => {
        await current().directory.putDirectoryEntry(
          'alice',
          entry(1000),
          [keyPackage('1'), keyPackage('2')],
          3,
          5000,
        );
        expect(
          await current().directory.putDirectoryEntry(
            'alice',
            entry(2000),
            [keyPackage('3'), keyPackage('4')],
            3,
            6000,
          ),
        ).toBe('too-many-key-packages');
        expect(await current().directory.getDirectoryEntry('alice')).toMatchObject({
          updatedAt: 1000,
          availableKeyPackages: 2,
        });
        // Re-sending packages the relay already holds does not count them twice.
        expect(
          await current().directory.putDirectoryEntry(
            'alice',
            entry(2000),
            [keyPackage('1'), keyPackage('2'), keyPackage('3')],
            3,
            6000,
          ),
        ).toBe('stored');
        expect((await current().directory.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(
          3,
        );
      });

      it('hands out each one-time package exactly once, then the last-resort package', async () => {
        expect(await current().directory.claimKeyPackage('alice', 1000)).toEqual({ missing: true });
        await current().directory.putDirectoryEntry(
          'alice',
          entry(1000, 'alice last resort'),
          [keyPackage('1'), keyPackage('2')],
          256,
          5000,
        );
        const claims = [];
        for (let i = 0; i < 4; i++) {
          const outcome = await current().directory.claimKeyPackage('alice', 6000 + i);
          if ('missing' in outcome) throw new Error('expected a KeyPackage');
          claims.push({ text: decoder.decode(outcome.keyPackage), lastResort: outcome.lastResort });
        }
        expect(claims.slice(0, 2).map((claim) => claim.lastResort)).toEqual([false, false]);
        expect(
          claims
            .slice(0, 2)
            .map((claim) => claim.text)
            .sort(),
        ).toEqual(['key-package 1', 'key-package 2']);
        expect(claims.slice(2)).toEqual([
          { text: 'alice last resort', lastResort: true },
          { text: 'alice last resort', lastResort: true },
        ]);
        expect((await current().directory.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(
          0,
        );
        expect(await current().directory.claimKeyPackage('bob', 7000)).toEqual({ missing: true });
      });

      it('never hands out again a claimed package that is uploaded again', async () => {
        await current().directory.putDirectoryEntry(
          'alice',
          entry(1000),
          [keyPackage('1')],
          256,
          5000,
        );
        const claimed = await current().directory.claimKeyPackage('alice', 6000);
        expect(claimed).toMatchObject({ lastResort: false });
        expect(
          await current().directory.putDirectoryEntry(
            'alice',
            entry(2000, 'new last resort'),
            [keyPackage('1'), keyPackage('2')],
            256,
            7000,
          ),
        ).toBe('stored');
        expect((await current().directory.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(
          1,
        );
        const next = await current().directory.claimKeyPackage('alice', 8000);
        if ('missing' in next) throw new Error('expected a KeyPackage');
        expect(decoder.decode(next.keyPackage)).toBe('key-package 2');
        const last = await current().directory.claimKeyPackage('alice', 9000);
        if ('missing' in last) throw new Error('expected a KeyPackage');
        expect({ text: decoder.decode(last.keyPackage), lastResort: last.lastResort }).toEqual({
          text: 'new last resort',
          lastResort: true,
        });
      });
    });
  });
}
