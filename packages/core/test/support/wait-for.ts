/** Polls until `done()` holds (a background retry is not awaited by anyone). */
export async function waitFor(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
  // Let the retry's own follow-up (reading the record back) settle.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
