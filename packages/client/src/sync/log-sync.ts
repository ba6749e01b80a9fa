/** Keeps the view of the relay's log current: receipts of what this device sent, refreshes. */
import { ClientError, isClientError } from '../errors.js';
import type { Report } from '../events.js';
import type { LogMonitor } from '../log/log-monitor.js';
import type { Receipt } from '../relay/relay-api.js';

/** Tracks the relay's receipt for an envelope of `chatId`; a receipt that does not verify is reported. */
export async function trackReceipt(
  log: Pick<LogMonitor, 'trackReceipt'>,
  report: Report,
  chatId: string,
  receipt: Receipt,
): Promise<void> {
  try {
    if (!(await log.trackReceipt(chatId, receipt))) {
      report(chatId, new ClientError('CLIENT_LOG_RECEIPT_INVALID', `(${receipt.cid})`));
    }
  } catch (error) {
    report(chatId, error);
  }
}

/** Checks the log when there is something to check; evidence goes out as events. */
export async function refreshLog(
  log: Pick<LogMonitor, 'pendingCount' | 'latest' | 'refresh'>,
  report: Report,
): Promise<void> {
  if ((await log.pendingCount()) === 0 && (await log.latest()) !== undefined) return;
  try {
    await log.refresh();
  } catch (error) {
    if (!isClientError(error, 'CLIENT_RELAY_UNREACHABLE')) report(undefined, error);
  }
}
