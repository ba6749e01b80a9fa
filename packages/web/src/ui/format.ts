/** How account ids and times are written in the interface. */

/** A readable short form of an account id: its start and end (the full id stays in titles). */
export function shortId(accountId: string): string {
  if (accountId.length <= 20) return accountId;
  return `${accountId.slice(0, 10)}…${accountId.slice(-6)}`;
}

/** A message time: the hour today, the date otherwise. */
export function formatTime(ms: number, now: number): string {
  const date = new Date(ms);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** The full date and time, for titles and screen readers. */
export function formatFullTime(ms: number): string {
  return new Date(ms).toLocaleString();
}
