// Proves the suites beside this one ran on NestJS 12: Nest 12 is an ES module (no `default` export in
// its namespace), Nest 11 is CommonJS (which an ES import wraps as `default`).
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as platformExpress from '@nestjs/platform-express';
import * as platformFastify from '@nestjs/platform-fastify';

it.each([
  ['@nestjs/common', common],
  ['@nestjs/core', core],
  ['@nestjs/platform-express', platformExpress],
  ['@nestjs/platform-fastify', platformFastify],
])('loads %s as the ES module of Nest 12', (_name, namespace) => {
  expect('default' in namespace).toBe(false);
});
