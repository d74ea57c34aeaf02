/**
 * Departments through WeCom's department/list, cached in the store (shared by replicas) for
 * DEPARTMENT_CACHE_TTL: the sub-tree under a department (access policy) and department names
 * (the optional `group_names` claim). A login never waits for more than one call per entry.
 */
import type { PolicyConfig } from '../config/types.js';
import { type Store, storeKey } from '../store/store.js';
import type { WeComClient } from './client.js';
import { WeComApiError } from './errors.js';
import type { WeComAnswer } from './http.js';

/** What department lookups need. */
export interface DepartmentContext {
  readonly config: { readonly wecom: { readonly corpId: string }; readonly policy: PolicyConfig };
  readonly store: Store;
  readonly wecom: WeComClient;
}

/** Logs a lookup that failed softly (a department the app cannot see). */
export type DepartmentWarn = (message: string, details: Record<string, unknown>) => void;

interface DepartmentEntry {
  readonly id: number;
  readonly name?: string;
}

/**
 * The ids of department `id` and all its sub-departments. department/list with `id` answers the
 * whole sub-tree (recursively). A department the app cannot see or that does not exist counts as
 * empty (with a warning), so one stale id in WECOM_ALLOWED_DEPARTMENTS admits nobody through it
 * but does not break every login; other WeCom failures propagate.
 */
export async function departmentTree(context: DepartmentContext, id: number, warn: DepartmentWarn): Promise<number[]> {
  const list = await cachedList(context, `tree:${id}`, id, warn);
  return list.map((entry) => entry.id);
}

/** Names of the departments the app can see, by id (empty when the app may not read names). */
export async function departmentNames(
  context: DepartmentContext,
  warn: DepartmentWarn,
): Promise<Record<string, string>> {
  const list = await cachedList(context, 'all', undefined, warn);
  return Object.fromEntries(list.filter((entry) => entry.name).map((entry) => [String(entry.id), entry.name!]));
}

async function cachedList(
  context: DepartmentContext,
  what: string,
  id: number | undefined,
  warn: DepartmentWarn,
): Promise<DepartmentEntry[]> {
  const key = storeKey('departments', `${context.config.wecom.corpId}:${what}`);
  const cached = await context.store.get<DepartmentEntry[]>(key);
  if (cached) return cached;
  const list = await fetchList(context.wecom, id, warn);
  await context.store.set(key, list, context.config.policy.departmentCacheTtl);
  return list;
}

async function fetchList(
  client: WeComClient,
  id: number | undefined,
  warn: DepartmentWarn,
): Promise<DepartmentEntry[]> {
  let answer: WeComAnswer;
  try {
    answer = await client.listDepartments(id);
  } catch (error) {
    if (error instanceof WeComApiError && error.action === 'deny') {
      warn('department not visible to the app or unknown; it admits nobody', {
        department: id ?? 'all',
        errcode: error.errcode,
      });
      return [];
    }
    throw error;
  }
  const raw = Array.isArray(answer.department) ? answer.department : [];
  return raw.flatMap((item: unknown) => {
    const entry = item as { id?: unknown; name?: unknown };
    if (!Number.isInteger(entry.id)) return [];
    return [
      { id: entry.id as number, ...(typeof entry.name === 'string' && entry.name !== '' ? { name: entry.name } : {}) },
    ];
  });
}
