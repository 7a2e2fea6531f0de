/**
 * A profile frame's name as the reports print it: the function and its file relative to the repository.
 * tsx emits each module on few lines, so line numbers inside our sources say little: name + file there.
 */
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** `where` is the file relative to the repository (`packages/…` for idem's own code). */
export function frameName({ functionName, url, lineNumber }: CallFrame): { frame: string; where: string } {
  const where = url.replace('file://', '').replace(REPO, '');
  const line = where.startsWith('packages/') ? '' : `:${lineNumber + 1}`;
  return { frame: `${functionName || '(anonymous)'} ${where ? `${where}${line}` : ''}`.trim(), where };
}
