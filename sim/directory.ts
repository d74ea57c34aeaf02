/**
 * The simulated corp's directory: members and departments, as WeCom's admin console holds them.
 * Fixture ids are relied on by tests and the demo; do not rename them.
 */

/** A member (or an outsider) of the simulated corp. */
export interface SimMember {
  readonly userid: string;
  readonly name: string;
  readonly alias?: string;
  readonly mobile?: string;
  readonly email?: string;
  readonly biz_mail?: string;
  readonly avatar?: string;
  readonly gender?: '0' | '1' | '2';
  readonly department: readonly number[];
  readonly main_department?: number;
  readonly position?: string;
  /** 1 activated, 2 disabled, 4 not activated, 5 left. */
  readonly status: 1 | 2 | 4 | 5;
  /** In the app's visible range (default true). */
  readonly visible?: boolean;
  /** An outsider: WeCom answers with openid + external_userid, never a userid. */
  readonly nonMember?: boolean;
}

/** A department. */
export interface SimDepartment {
  readonly id: number;
  readonly name: string;
  readonly name_en?: string;
  readonly parentid: number;
  readonly order: number;
}

/** WeCom's default avatar, as a member without a photo (or without consent) gets. */
export const DEFAULT_AVATAR = 'https://wework.qpic.cn/bizmail/default/0';

/** The fixture members. */
export const FIXTURE_MEMBERS: readonly SimMember[] = [
  {
    userid: 'zhangsan',
    name: '张三',
    alias: 'Sam Zhang',
    mobile: '13800138000',
    email: 'zhangsan@gmail.example',
    biz_mail: 'zhangsan@corp.example',
    avatar: 'https://wework.qpic.cn/wwhead/zhangsan/0',
    gender: '1',
    department: [2, 3],
    main_department: 2,
    position: '工程师',
    status: 1,
  },
  {
    userid: 'lisi',
    name: '李四',
    mobile: '13900139000',
    gender: '2',
    department: [4],
    main_department: 4,
    position: '销售',
    status: 1,
  },
  { userid: 'wangwu', name: '王五', mobile: '13700137000', gender: '1', department: [2], status: 2 },
  { userid: 'zhaoliu', name: '赵六', mobile: '13600136000', gender: '1', department: [4], status: 5 },
  { userid: 'sunqi', name: '孙七', gender: '2', department: [5], status: 4 },
  { userid: 'outsider', name: 'Outsider', department: [], status: 1, nonMember: true },
  { userid: 'hidden', name: '隐藏', mobile: '13500135000', gender: '1', department: [5], status: 1, visible: false },
  { userid: 'user@ext', name: 'Ext User', email: 'user@ext.example', gender: '0', department: [4], status: 1 },
  { userid: 'Li.Na-01', name: '李娜', mobile: '+852 61234567', gender: '2', department: [3], status: 1 },
];

/** The fixture departments: a small tree under the root (1). */
export const FIXTURE_DEPARTMENTS: readonly SimDepartment[] = [
  { id: 1, name: '总公司', name_en: 'Head Office', parentid: 0, order: 100 },
  { id: 2, name: '研发部', name_en: 'R&D', parentid: 1, order: 90 },
  { id: 3, name: '前端组', name_en: 'Frontend', parentid: 2, order: 80 },
  { id: 4, name: '销售部', name_en: 'Sales', parentid: 1, order: 70 },
  { id: 5, name: '华南销售', name_en: 'Sales South', parentid: 4, order: 60 },
];

/** `count` active members `user00001`…, for benchmarks (all in department 2, with mobile and mail). */
export function generateMembers(count: number): SimMember[] {
  return Array.from({ length: count }, (_, index) => {
    const n = String(index + 1).padStart(5, '0');
    return {
      userid: `user${n}`,
      name: `用户${n}`,
      mobile: `139${String(index + 1).padStart(8, '0')}`,
      email: `user${n}@mail.example`,
      biz_mail: `user${n}@corp.example`,
      avatar: `https://wework.qpic.cn/wwhead/user${n}/0`,
      gender: index % 2 === 0 ? '1' : '2',
      department: [2],
      main_department: 2,
      status: 1,
    };
  });
}

/**
 * The department `rootId` and everything below it, in directory order (all departments when
 * `rootId` is undefined). WeCom's department/list and simplelist answer with such a subtree.
 */
export function departmentSubtree(departments: readonly SimDepartment[], rootId: number | undefined): SimDepartment[] {
  if (rootId === undefined) return [...departments];
  const byId = new Map(departments.map((d) => [d.id, d]));
  const isBelowRoot = (department: SimDepartment): boolean => {
    // Walk up the parents; the visited set guards against a cyclic fixture.
    const seen = new Set<number>();
    for (
      let current: SimDepartment | undefined = department;
      current && !seen.has(current.id);
      current = byId.get(current.parentid)
    ) {
      if (current.id === rootId) return true;
      seen.add(current.id);
    }
    return false;
  };
  return departments.filter(isBelowRoot);
}
