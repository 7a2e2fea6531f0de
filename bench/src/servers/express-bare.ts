/** Bare Express: the reference every ratio is taken against. */
import { createBenchApp, serve } from './bench-app';

serve(createBenchApp());
