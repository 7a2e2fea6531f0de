import { startLocal } from '../src/local';
import { paymentSmokeTests } from '../../payment-smoke';

let local: Awaited<ReturnType<typeof startLocal>> | undefined;

beforeAll(async () => {
  local = await startLocal();
}, 60_000);
afterAll(() => local?.dispose());

paymentSmokeTests(() => local?.url);
