// Certificates for the simulator's HTTPS endpoints: one throw-away CA per simulator run and a
// server certificate for loopback signed by it, so clients verify TLS instead of turning it off.
import { webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

export interface TlsMaterial {
  /** PEM of the CA that signed the server certificate; clients trust this. */
  caCert: string;
  /** PEM server certificate (leaf only) for 127.0.0.1, ::1 and localhost. */
  cert: string;
  /** PEM PKCS#8 private key of the server certificate. */
  key: string;
}

const ecdsa = { name: "ECDSA", namedCurve: "P-256" } as const;
const signingAlgorithm = { name: "ECDSA", hash: "SHA-256" } as const;

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Creates a CA and a loopback server certificate valid for `days` (default 30). */
export async function createTlsMaterial(
  options: { commonName?: string; days?: number } = {},
): Promise<TlsMaterial> {
  const crypto = webcrypto;
  x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + (options.days ?? 30) * 86_400_000);
  const name = options.commonName ?? "aks-backup-sim";

  const caKeys = (await crypto.subtle.generateKey(ecdsa, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}-ca`,
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const serverKeys = (await crypto.subtle.generateKey(ecdsa, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const server = await x509.X509CertificateGenerator.create({
    subject: `CN=${name}`,
    issuer: ca.subject,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
        { type: "dns", value: "localhost" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const pkcs8 = await crypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
  return { caCert: ca.toString("pem"), cert: server.toString("pem"), key: toPem("PRIVATE KEY", pkcs8) };
}
