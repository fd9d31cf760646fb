/** The option every client command of the daemon takes. */
import type { OptionSpec } from './command.js';

export const SOCKET_OPTION: Readonly<Record<string, OptionSpec>> = {
  socket: { type: 'string', valueName: 'PATH', description: "the daemon's socket (default: $NUMAPOL_SOCKET, else /run/numapol/numapol.sock)" },
};
