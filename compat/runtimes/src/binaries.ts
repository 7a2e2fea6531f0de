/**
 * Where the Bun and Deno executables are. Both npm packages ship the binary in a per-platform optional
 * dependency and only copy it into place in a postinstall script, which pnpm does not run: the binary
 * is taken straight from the platform package, so nothing is downloaded or built at install.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function fromPlatformPackage(wrapper: string, platformPackage: string, file: string): string {
  const wrapperDir = dirname(require.resolve(`${wrapper}/package.json`));
  const path = join(dirname(require.resolve(`${platformPackage}/package.json`, { paths: [wrapperDir] })), file);
  if (!existsSync(path)) throw new Error(`${wrapper}: ${path} is missing`);
  return path;
}

export function bunBinary(): string {
  return fromPlatformPackage('bun', `@oven/bun-${process.platform}-${process.arch === 'arm64' ? 'aarch64' : process.arch}`, 'bin/bun');
}

export function denoBinary(): string {
  const targets: Record<string, string> = {
    'linux-x64': 'linux-x64-glibc',
    'linux-arm64': 'linux-arm64-glibc',
    'darwin-x64': 'darwin-x64',
    'darwin-arm64': 'darwin-arm64',
  };
  const target = targets[`${process.platform}-${process.arch}`];
  if (!target) throw new Error(`no Deno binary package for ${process.platform}-${process.arch}`);
  return fromPlatformPackage('deno', `@deno/${target}`, 'deno');
}
