import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** PEM files of a throwaway CA, a server certificate for localhost/127.0.0.1 and a client's. */
export interface TestCertificates {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "ignore" });
}

/** Generates a CA and two certificates it signed (P-256 keys, valid one day) with openssl. */
export function generateCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), "ctxpress-tls-"));
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    [
      "req",
      "-x509",
      ...key,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "1",
      "-subj",
      "/CN=ctxpress test CA",
    ],
    dir,
  );
  writeFileSync(path.join(dir, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (const [name, subject, extensions] of [
    ["server", "/CN=localhost", ["-extfile", "server.ext"]],
    ["client", "/CN=ctxpress test client", []],
  ] as const) {
    openssl(
      ["req", ...key, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject],
      dir,
    );
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "1",
        ...extensions,
      ],
      dir,
    );
  }
  const file = (name: string) => path.join(dir, name);
  return {
    ca: file("ca.crt"),
    serverCert: file("server.crt"),
    serverKey: file("server.key"),
    clientCert: file("client.crt"),
    clientKey: file("client.key"),
  };
}
