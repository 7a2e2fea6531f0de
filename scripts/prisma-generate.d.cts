export declare function prismaGenerate(packageRoot: string, schemaPath: string, stampPath?: string): void;
export declare function generateEachSchema(packageRoot: string, schemaDir: string): void;
