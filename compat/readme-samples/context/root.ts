// What the root README's sample leaves to the reader: the app's own business code.
export declare function charge(body: unknown): Promise<{ id: string }>;
