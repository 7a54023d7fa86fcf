#!/usr/bin/env node
// In a checkout, runs the TypeScript sources directly (Node >= 22.18 strips types); the
// published package ships only the built JS in dist/.
import { existsSync } from "node:fs";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(
    `switchyard needs Node.js >= 22.19 (this is ${process.version}). In a checkout, run it through npm ` +
      "(npx switchyard, npm start), which uses the Node 24 that `npm install` brings; elsewhere install Node 24.",
  );
  process.exit(1);
}
const source = new URL("../src/cli/main.ts", import.meta.url);
await import(existsSync(source) ? source.href : new URL("../dist/cli/main.js", import.meta.url).href);
