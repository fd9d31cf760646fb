import { JOB_TAG, ROOT_TAG } from './qemu.js';

/** Where the job share appears inside the guest's root. */
export const GUEST_JOB_DIR = '/run/numapol-vm';

/**
 * The initramfs /init (busybox sh). It only knows how to bring up the root: the command, its
 * directory and environment come from the job share, so one cached initramfs serves every run.
 * The status file is written after the command; its absence tells the host the command never
 * finished (or never started).
 */
export function guestInitScript(): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node (building it needs no root), so the kernel could not
# give /init its stdio: take the console now.
exec </dev/console >/dev/console 2>&1
die() { echo "numapol-vm guest: $*" >&2; sync; poweroff -f; }
while read -r m; do
  insmod "/lib/modules/$m.ko" || die "insmod $m failed"
done < /etc/modules.order
mkdir -p /lower /rw /newroot /job
ok=
for i in 1 2 3 4 5 6 7 8 9 10; do
  if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro ${ROOT_TAG} /lower 2>/dev/null; then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || die "cannot mount the host root (9p tag ${ROOT_TAG})"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 ${JOB_TAG} /job || die "cannot mount the job share"
echo started > /job/started
mount -t tmpfs -o mode=0755 tmpfs /rw || die "cannot mount tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || die "cannot mount the overlay"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm /newroot${GUEST_JOB_DIR}
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm
mount --bind /job /newroot${GUEST_JOB_DIR}
stty -onlcr < /dev/console 2>/dev/null
chroot /newroot /bin/sh -c '. ${GUEST_JOB_DIR}/env.sh && cd "$NUMAPOL_VM_CWD" && exec /bin/sh ${GUEST_JOB_DIR}/cmd.sh' < /dev/null
echo $? > /job/status.tmp && mv /job/status.tmp /job/status
sync
poweroff -f
`;
}
