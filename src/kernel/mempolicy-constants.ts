/**
 * Raw numbers of the mempolicy ABI (include/uapi/linux/mempolicy.h). The policy model maps
 * them to names in src/policy/codes.ts; kernel/ only passes them through.
 */

/** Policy modes (set_mempolicy/mbind `mode`, get_mempolicy's result with the flags masked off). */
export const MPOL_DEFAULT = 0;
export const MPOL_PREFERRED = 1;
export const MPOL_BIND = 2;
export const MPOL_INTERLEAVE = 3;
/** Linux 3.8. */
export const MPOL_LOCAL = 4;
/** Linux 5.15. */
export const MPOL_PREFERRED_MANY = 5;
/** Linux 6.9. */
export const MPOL_WEIGHTED_INTERLEAVE = 6;

/** Mode flags, or'ed into `mode`. */
export const MPOL_F_STATIC_NODES = 1 << 15;
export const MPOL_F_RELATIVE_NODES = 1 << 14;
/** Linux 5.12, with MPOL_BIND (later also preferred_many). */
export const MPOL_F_NUMA_BALANCING = 1 << 13;
/** All mode flags: mode = value & ~MPOL_MODE_FLAGS. */
export const MPOL_MODE_FLAGS = MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING;

/** get_mempolicy `flags`. */
export const MPOL_F_NODE = 1 << 0;
export const MPOL_F_ADDR = 1 << 1;
export const MPOL_F_MEMS_ALLOWED = 1 << 2;

/** mbind / move_pages `flags`. */
export const MPOL_MF_STRICT = 1 << 0;
export const MPOL_MF_MOVE = 1 << 1;
/** Also moves pages shared with other processes; needs CAP_SYS_NICE. */
export const MPOL_MF_MOVE_ALL = 1 << 2;
