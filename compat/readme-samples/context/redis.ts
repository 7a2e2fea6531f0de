// What the Redis README's samples leave to the reader: the ioredis client of the quick start.
import type { Redis } from 'ioredis';

export declare const redis: Redis;
