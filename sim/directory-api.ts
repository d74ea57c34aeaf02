/**
 * The directory server APIs: user/get and the two department lists, answering only what the app
 * may see (visible range, post-2022 field restrictions).
 */
import { type ApiCall, param } from './api-call.js';
import { contactFields } from './auth-api.js';
import { DEFAULT_AVATAR, departmentSubtree, type SimDepartment, type SimMember } from './directory.js';
import { type Answer, okAnswer, WeComError } from './errors.js';
import type { SimState } from './state.js';

/** WeCom's userid syntax: 1–64 letters, digits and `_-@.`. */
const USERID = /^[A-Za-z0-9_@.-]{1,64}$/;

/**
 * `GET /cgi-bin/user/get?access_token&userid`: 40003 invalid userid, 60111 unknown (or left),
 * 60011 outside the visible range; else the member as the app sees it.
 */
export function getUser(state: SimState, call: ApiCall): Answer {
  const userid = param(call, 'userid');
  if (!userid || !USERID.test(userid)) throw new WeComError(40003);
  const member = state.findMember(userid);
  // A member who left usually vanishes from the directory, so WeCom answers "not found".
  if (!member || member.nonMember || member.status === 5) throw new WeComError(60111);
  if (member.visible === false) throw new WeComError(60011);
  return okAnswer({
    ...publicFields(member),
    ...(state.config.appCreatedAfter2022 ? {} : restrictedFields(member)),
  });
}

/** `GET /cgi-bin/department/list?access_token[&id]`: the subtree with names. */
export function listDepartments(state: SimState, call: ApiCall): Answer {
  const department = subtree(state, call).map((d) => ({
    id: d.id,
    name: d.name,
    ...(d.name_en === undefined ? {} : { name_en: d.name_en }),
    department_leader: [],
    parentid: d.parentid,
    order: d.order,
  }));
  return okAnswer({ department });
}

/** `GET /cgi-bin/department/simplelist?access_token[&id]`: the subtree, ids only. */
export function simpleListDepartments(state: SimState, call: ApiCall): Answer {
  return okAnswer({
    department_id: subtree(state, call).map((d) => ({ id: d.id, parentid: d.parentid, order: d.order })),
  });
}

/** The keys every app gets, in WeCom's order; `enable`, `hide_mobile`, `isleader` are undocumented. */
function publicFields(member: SimMember): Answer {
  const mainDepartment = member.main_department ?? member.department[0];
  return {
    userid: member.userid,
    name: member.name,
    department: [...member.department],
    order: member.department.map(() => 0),
    position: member.position ?? '',
    status: member.status,
    isleader: 0,
    is_leader_in_dept: member.department.map(() => 0),
    direct_leader: [],
    extattr: { attrs: [] },
    enable: member.status === 2 ? 0 : 1,
    hide_mobile: 0,
    telephone: '',
    alias: member.alias ?? '',
    ...(mainDepartment === undefined ? {} : { main_department: mainDepartment }),
  };
}

/** Keys only apps created before 2022-06-20 still receive from user/get. */
function restrictedFields(member: SimMember): Answer {
  return { ...contactFields(member), gender: member.gender ?? '0', avatar: member.avatar ?? DEFAULT_AVATAR };
}

/** The departments below the `id` parameter (all without it); 40058 / 60123 for a bad id. */
function subtree(state: SimState, call: ApiCall): SimDepartment[] {
  const id = param(call, 'id');
  if (id === undefined) return departmentSubtree(state.departments, undefined);
  if (!/^\d{1,10}$/.test(id)) throw new WeComError(40058);
  const rootId = Number(id);
  if (!state.departments.some((d) => d.id === rootId)) throw new WeComError(60123);
  return departmentSubtree(state.departments, rootId);
}
