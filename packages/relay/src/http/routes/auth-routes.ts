/** Login routes: POST /v1/auth/challenge and POST /v1/auth/session. */
import { toBase64Url } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../auth/auth-service.js';
import { decodeBase64Url, schemas } from '../wire.js';

/** Registers the login routes. */
export function registerAuthRoutes(app: FastifyInstance, auth: AuthService): void {
  app.post(
    '/v1/auth/challenge',
    {
      schema: {
        summary: 'Get a single-use login challenge',
        tags: ['auth'],
        response: {
          200: {
            type: 'object',
            properties: {
              relayId: { type: 'string' },
              nonce: schemas.base64url,
              expiresAt: { type: 'integer' },
            },
            required: ['relayId', 'nonce', 'expiresAt'],
          },
        },
      },
    },
    (request) => {
      // Unauthenticated work is bounded per client address (there is no account yet).
      auth.addressLimits.spend(request.ip, auth.clock());
      const challenge = auth.challenges.issue(auth.clock());
      return {
        relayId: auth.relayId,
        nonce: toBase64Url(challenge.nonce),
        expiresAt: challenge.expiresAt,
      };
    },
  );

  app.post<{
    Body: {
      accountId: string;
      publicKey: string;
      nonce: string;
      signature: string;
      inviteCode?: string;
    };
  }>(
    '/v1/auth/session',
    {
      schema: {
        summary: 'Exchange a signed challenge for a session token',
        tags: ['auth'],
        body: {
          type: 'object',
          properties: {
            accountId: schemas.accountId,
            publicKey: { ...schemas.base64url, maxLength: 64 },
            nonce: { ...schemas.base64url, maxLength: 64 },
            signature: { ...schemas.base64url, maxLength: 128 },
            inviteCode: { type: 'string', minLength: 1, maxLength: 128 },
          },
          required: ['accountId', 'publicKey', 'nonce', 'signature'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              token: { type: 'string' },
              accountId: { type: 'string' },
              expiresAt: { type: 'integer' },
            },
            required: ['token', 'accountId', 'expiresAt'],
          },
        },
      },
    },
    async (request) => {
      auth.addressLimits.spend(request.ip, auth.clock());
      const body = request.body;
      const session = await auth.sessions.login(
        {
          accountId: body.accountId,
          publicKey: decodeBase64Url(body.publicKey, 'publicKey'),
          nonce: decodeBase64Url(body.nonce, 'nonce'),
          signature: decodeBase64Url(body.signature, 'signature'),
          inviteCode: body.inviteCode,
        },
        auth.clock(),
      );
      return { token: session.token, accountId: body.accountId, expiresAt: session.expiresAt };
    },
  );
}
