/** The person's own account: its id to copy or show as a QR code, and the key file again. */
import { useState } from 'preact/hooks';
import type { AppEnv } from '../platform/env.js';
import { keyFileName } from '../session/identity.js';
import type { Session } from '../session/session.js';
import { Dialog } from './dialog.js';
import { QrCode } from './qr-code.js';

/** Props of the account dialog. */
export interface AccountDialogProps {
  readonly env: AppEnv;
  readonly session: Session;
  readonly onClose: () => void;
}

/** Shows the account id with copy and QR, and offers the key file for download. */
export function AccountDialog(props: AccountDialogProps) {
  const { accountId } = props.session;
  const [copied, setCopied] = useState<string>();

  const copy = async () => {
    try {
      await props.env.copyText(accountId);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('This browser did not allow copying: select the id and copy it by hand.');
    }
  };
  const download = async () => {
    const keyFile = await props.session.keyFile();
    if (keyFile !== undefined) props.env.saveFile(keyFileName(accountId), keyFile);
  };

  return (
    <Dialog id="account" title="Your account" onClose={props.onClose}>
      <p>Give this id to people so that they can start a chat with you.</p>
      <label for="own-account-id">Account id</label>
      <input
        id="own-account-id"
        class="account-id-input"
        type="text"
        readOnly
        value={accountId}
        onFocus={(event) => {
          event.currentTarget.select();
        }}
      />
      <div class="actions">
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy id
        </button>
      </div>
      <p role="status" class="hint">
        {copied ?? ''}
      </p>
      <QrCode text={accountId} label={`QR code of your account id ${accountId}`} />
      <h3>Key file</h3>
      <p>
        The key file and its passphrase are your account: there is no other copy and no reset. Keep
        a copy outside this browser.
      </p>
      <div class="actions">
        <button type="button" onClick={() => void download()}>
          Download key file
        </button>
      </div>
    </Dialog>
  );
}
