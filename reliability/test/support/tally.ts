/**
 * Counts the proofs report at the end of each test file (the brief asks for them in numbers): processes
 * killed, faults injected, fuzz cases tried, handler executions counted, double executions, answers ≥ 500.
 */
export const tally = {
  crashes: 0,
  faults: 0,
  fuzzCases: 0,
  executions: 0,
  doubleExecutions: 0,
  answers5xx: 0,
};

/** Prints this file's counts once its tests are done. */
export function reportTally(file: string): void {
  afterAll(() => {
    console.log(`[reliability counts] ${file}: ${JSON.stringify(tally)}`);
  });
}
