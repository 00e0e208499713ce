import { createPrivateKey, createPublicKey } from "node:crypto";
import { parseArgs } from "node:util";
import { mintClerkToken, type TestKeys } from "@gatehouse/testing";
import { DEV_ISSUER, DEV_ORIGIN } from "./config.js";
import { loadDevKeys } from "./dev-keys.js";

// Mints a Clerk-shaped v2 session token signed with the development key.
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    user: { type: "string", default: "user_dev" },
    org: { type: "string" },
    role: { type: "string", default: "member" },
    permission: { type: "string", multiple: true },
    "expires-in": { type: "string", default: "3600" },
  },
});

const dev = loadDevKeys();
const keys = {
  alg: "RS256",
  kid: dev.kid,
  privateKey: createPrivateKey(dev.privateKeyPem),
  publicKey: createPublicKey(dev.publicKeyPem),
  publicKeyPem: dev.publicKeyPem,
  privateKeyPem: dev.privateKeyPem,
} as TestKeys;

const token = await mintClerkToken(keys, {
  userId: values.user,
  issuer: DEV_ISSUER,
  azp: DEV_ORIGIN,
  expiresInSec: Number(values["expires-in"]),
  ...(values.org
    ? {
        org: {
          id: values.org,
          slug: values.org,
          role: `org:${values.role}`,
          permissions: values.permission ?? [],
        },
      }
    : {}),
});
process.stdout.write(`${token}\n`);
