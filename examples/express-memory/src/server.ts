/** Runs the payments API: `pnpm start` (PORT, default 3000). */
import { createApp } from './app';

const port = Number(process.env.PORT ?? 3000);
const { app } = createApp();
app.listen(port, () => {
  console.log(`payments API on http://localhost:${port}`);
  console.log(
    `try: curl -i -X POST localhost:${port}/payments -H 'Idempotency-Key: order-1' -H 'Content-Type: application/json' -d '{"amount":1000,"currency":"eur"}'`,
  );
});
