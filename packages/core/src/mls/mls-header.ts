/**
 * What anyone can read of an MLS message without keys (RFC 9420 §6): its wire format and, for
 * handshake and application messages, the group id, epoch and content type. The relay uses it
 * to accept exactly one Commit per epoch.
 */
import { decodeMlsMessage, type MLSMessage } from 'ts-mls';
import { CoreError } from '../errors.js';

/** The readable header of an MLS message. */
export type MlsHeader =
  | {
      readonly wireformat: 'mls_private_message' | 'mls_public_message';
      readonly groupId: Uint8Array;
      readonly epoch: bigint;
      readonly contentType: 'application' | 'proposal' | 'commit';
    }
  | { readonly wireformat: 'mls_welcome' | 'mls_group_info' | 'mls_key_package' };

/**
 * Decodes MLSMessage bytes (exactly one message, nothing after it).
 * @throws CoreError CORE_SCHEMA_INVALID if the bytes are not one MLSMessage
 */
export function decodeMls(bytes: Uint8Array): MLSMessage {
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (cause) {
    throw new CoreError('CORE_SCHEMA_INVALID', '(not an MLS message)', { cause });
  }
  if (decoded?.[1] !== bytes.length) {
    throw new CoreError('CORE_SCHEMA_INVALID', '(not exactly one MLS message)');
  }
  return decoded[0];
}

/** Reads the header of MLSMessage bytes. @throws CoreError CORE_SCHEMA_INVALID */
export function readMlsHeader(bytes: Uint8Array): MlsHeader {
  const message = decodeMls(bytes);
  switch (message.wireformat) {
    case 'mls_private_message':
      return {
        wireformat: message.wireformat,
        groupId: message.privateMessage.groupId,
        epoch: message.privateMessage.epoch,
        contentType: message.privateMessage.contentType,
      };
    case 'mls_public_message':
      return {
        wireformat: message.wireformat,
        groupId: message.publicMessage.content.groupId,
        epoch: message.publicMessage.content.epoch,
        contentType: message.publicMessage.content.contentType,
      };
    default:
      return { wireformat: message.wireformat };
  }
}
