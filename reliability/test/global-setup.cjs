// Generates the proofs' Prisma clients before any test file or app process loads them (build output, not committed).
module.exports = async () => {
  const { generatePrismaClients } = await import('../scripts/generate-prisma-clients.mjs');
  generatePrismaClients();
};
