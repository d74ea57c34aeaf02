/**
 * Every environment variable the bridge reads, declared once (in variables/, by topic): name,
 * group, meaning, default, parser, secret or not.
 *
 * From this list come the zod schema the loader parses with (`schema.ts`), `.env.example` and the
 * variable table of docs/configuration.md (`scripts/gen-docs.ts`). The order is the order the
 * schema checks in, so problems are listed in it; the documents order by {@link GROUPS}.
 */

import { CLAIM_VARIABLES } from './variables/claims.js';
import { CLIENT_VARIABLES } from './variables/clients.js';
import { LIMIT_VARIABLES } from './variables/limits.js';
import { RUNTIME_VARIABLES } from './variables/runtime.js';
import { SERVICE_VARIABLES } from './variables/service.js';
import { WECOM_VARIABLES } from './variables/wecom.js';

export { GROUPS, type Group, type Variable } from './variable.js';

/** All variables, keyed by their exact environment name, in the order the schema checks them. */
export const VARIABLES = {
  ...SERVICE_VARIABLES,
  ...WECOM_VARIABLES,
  ...CLIENT_VARIABLES,
  ...RUNTIME_VARIABLES,
  ...LIMIT_VARIABLES,
  ...CLAIM_VARIABLES,
};
