// Generates the test Prisma clients before any test file loads them (they are build output, not committed).
module.exports = async () => {
  const { generateTestClients } = await import('../scripts/generate-test-clients.mjs');
  generateTestClients();
};
