/** Who may sign in, and the claims. (Declared once: see ../variables.ts.) */
import {
  departmentIds,
  emailTemplate,
  flag,
  oneOf,
  optionalText,
  requiredClaims,
  seconds,
  userids,
} from '../parsers.js';
import { declare } from '../variable.js';

/** Who may sign in, and the claims. */
export const CLAIM_VARIABLES = declare({
  WECOM_ALLOWED_USERS: {
    group: 'access',
    description:
      "Comma-separated userids that may sign in (case-insensitive, as in WeCom). With WECOM_ALLOWED_DEPARTMENTS, a member on either list may sign in; with neither, every active member in the app's visible range may.",
    example: 'zhangsan,lisi',
    parse: userids,
  },
  WECOM_ALLOWED_DEPARTMENTS: {
    group: 'access',
    description:
      'Comma-separated department ids whose members may sign in, sub-departments included (resolved through department/list and cached for DEPARTMENT_CACHE_TTL).',
    example: '2,5',
    parse: departmentIds,
  },
  DEPARTMENT_CACHE_TTL: {
    group: 'access',
    default: '600',
    description: 'How long the department tree (policy) and department names (GROUP_NAMES) are cached, seconds.',
    parse: seconds(10, 86_400),
  },
  OIDC_INITIATE_LOGIN_URI: {
    group: 'clients',
    description: `Login page of the OIDC_CLIENT_ID relying party (e.g. https://nocobase.example.com/signin), linked as "start again" on the bridge's pages; without it the origin of its redirect URI is used. In OIDC_CLIENTS: initiate_login_uri.`,
    parse: optionalText,
  },
  SUB_FORMAT: {
    group: 'claims',
    default: 'userid',
    description:
      'The sub claim: userid (the WeCom userid) or corpid:userid (for sites that may later join several corps). sub is the binding key at the relying party: never change it after go-live.',
    parse: oneOf(['userid', 'corpid:userid'], 'must be userid or corpid:userid'),
  },
  USERNAME_FROM: {
    group: 'claims',
    default: 'userid',
    description: `Source of the username claim: userid, mobile (the phone claim) or email_local_part. A value NocoBase would refuse (1-50 characters, none of @ . < > " ' /) is omitted.`,
    parse: oneOf(['userid', 'mobile', 'email_local_part'], 'must be userid, mobile or email_local_part'),
  },
  EMAIL_FALLBACK_TEMPLATE: {
    group: 'claims',
    description:
      'Email for members without one, e.g. {userid}@corp.example.com; emitted with email_verified false. Only a corporate mailbox (biz_mail) is ever email_verified true.',
    example: '{userid}@corp.example.com',
    parse: emailTemplate,
  },
  GROUP_NAMES: {
    group: 'claims',
    default: 'false',
    description:
      'Also emit group_names (department names, in the order of groups) beside groups (department ids); needs an app that may read department names.',
    parse: flag,
  },
  REQUIRE_CLAIMS: {
    group: 'claims',
    description:
      'Comma-separated claims every login must carry: phone_number and/or email. A login that lacks one gets no code; a desktop login is offered the QR hand-off to the phone (in-client consent). Needs WECOM_SCOPE=snsapi_privateinfo.',
    example: 'phone_number',
    parse: requiredClaims,
  },
  PROFILE_TTL: {
    group: 'claims',
    default: '7776000',
    description:
      "How long a member's consented profile (mobile, email, avatar, gender from an in-client login) is remembered for later desktop logins, seconds (90 days); 0 remembers nothing. Renewed only by a new in-client consent.",
    parse: seconds(0, 31_536_000),
  },
  HANDOFF_TTL: {
    group: 'claims',
    default: '300',
    description: 'How long the QR hand-off from a desktop login to WeCom on the phone stays usable, seconds.',
    parse: seconds(60, 900),
  },
});
