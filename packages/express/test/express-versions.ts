/** Both supported Express majors: 5 as `express`, 4 installed under the alias `express4`. */
import express5 from 'express';
import express4 from 'express4';
import type { ExpressFactory } from './adapters';

export const expressVersions: Array<[string, ExpressFactory]> = [
  ['Express 5', express5],
  ['Express 4', express4],
];
