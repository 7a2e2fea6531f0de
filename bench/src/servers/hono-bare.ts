/** Bare Hono on Node (@hono/node-server): the reference of every Hono ratio. */
import { createHonoBenchApp, serveHono } from './hono-app';

serveHono(createHonoBenchApp());
