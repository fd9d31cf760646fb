/**
 * Exit statuses of the harness besides the guest command's own status. They follow the
 * conventions of timeout(1) (124) and of "could not run the command" (125) so scripts that
 * already know those codes read them right.
 */
export const EXIT_GUEST_TIMED_OUT = 124;
/** Setup failed, the guest did not boot, or it stopped before reporting the command's status. */
export const EXIT_GUEST_NEVER_RAN = 125;

/** A failure of the harness itself (not of the guest command); main prints it and exits 125. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
}
