// Serves a Workers module with miniflare (workerd) on a free loopback port: `node workerd-launcher.mjs
// <module> '<miniflare options as JSON>'`. Prints `listening <url>`; stops on SIGTERM.
import { dirname } from 'node:path';
import { Miniflare } from 'miniflare';

const [scriptPath, json = '{}'] = process.argv.slice(2);
const options = JSON.parse(json);
const mf = new Miniflare({
  modules: true,
  scriptPath,
  modulesRoot: dirname(scriptPath),
  compatibilityDate: '2026-07-01',
  compatibilityFlags: ['nodejs_compat'],
  host: '127.0.0.1',
  port: 0,
  ...options,
});
const url = await mf.ready;
console.log(`listening ${url.origin}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
