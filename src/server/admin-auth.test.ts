import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import { checkAdminAccess, isAdminPath, isLoopback } from "./admin-auth.ts";

const request = (remoteAddress: string, authorization?: string): IncomingMessage =>
  ({ headers: authorization === undefined ? {} : { authorization }, socket: { remoteAddress } }) as unknown as IncomingMessage;

test("isAdminPath: /admin and everything under it, however the router would reach it", () => {
  for (const path of ["/admin", "/admin/", "/admin/breakers", "/admin?x=1", "//admin/breakers", "/admin/explain?dry=1"]) assert.equal(isAdminPath(path), true, path);
  for (const path of ["/", "/administrator", "/v1/admin", "/metrics", "/adminx/breakers", ""]) assert.equal(isAdminPath(path), false, path);
});

test("isLoopback: 127.0.0.0/8, ::1 and IPv4-mapped loopback only", () => {
  for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) assert.equal(isLoopback(a), true, a);
  for (const a of ["10.0.0.5", "::ffff:10.0.0.5", "fe80::1", "1.127.0.0", undefined]) assert.equal(isLoopback(a), false, String(a));
});

test("without an admin key: loopback clients pass, others get 403 naming server.admin_key", () => {
  assert.equal(checkAdminAccess(request("127.0.0.1"), undefined), null);
  assert.equal(checkAdminAccess(request("::1"), undefined), null);
  const denied = checkAdminAccess(request("10.1.2.3"), undefined);
  assert.equal(denied?.status, 403);
  assert.match(denied?.message ?? "", /server\.admin_key/);
});

test("with an admin key: only the right bearer token passes, from anywhere; loopback alone is not enough", () => {
  assert.equal(checkAdminAccess(request("10.1.2.3", "Bearer s3cret"), "s3cret"), null);
  assert.equal(checkAdminAccess(request("10.1.2.3", "bearer   s3cret "), "s3cret"), null);
  for (const auth of [undefined, "Bearer wrong", "Bearer s3cre", "Bearer s3cret-and-more", "Basic s3cret", "s3cret"]) {
    const denied = checkAdminAccess(request("127.0.0.1", auth), "s3cret");
    assert.equal(denied?.status, 401, String(auth));
    assert.equal(denied?.toOpenAI().error.code, "invalid_admin_key");
  }
});
