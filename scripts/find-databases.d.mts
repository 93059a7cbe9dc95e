export function findRedisServer(): string | undefined;
export const redisInstallHint: string;
export const postgresInstallHint: string;
export function preparePostgres(): { ok: true } | { ok: false; hint: string };
export function copyPostgresForUser(): string;
