/**
 * Child of crash.test.ts: writes journal entries in a tight loop until killed, alternating
 * one-shot records and begin/finish pairs, and prints a line after each write returns:
 * "rec ID SEQ", "begin ID SEQ", "fin ID SEQ". Usage: crash-writer JOURNAL FIRST-SEQ.
 */
import { writeSync } from 'node:fs';
import { openJournal } from '../../../src/daemon/journal/journal.js';
import { crashEnd, crashEntry, kindOf } from './crash-payload.js';

const [path, first] = process.argv.slice(2);
const journal = openJournal(path!);
// writeSync: the line is in the pipe when the call returns, so the parent reads everything
// said before the kill.
writeSync(1, 'ready\n');
for (let seq = Number(first); ; seq++) {
  const entry = crashEntry(seq);
  if (kindOf(seq) === 'rec') {
    const e = journal.record({ ...entry, ...crashEnd(seq) });
    writeSync(1, `rec ${e.id} ${seq}\n`);
  } else {
    const e = journal.begin(entry);
    writeSync(1, `begin ${e.id} ${seq}\n`);
    journal.finish(e.id, crashEnd(seq));
    writeSync(1, `fin ${e.id} ${seq}\n`);
  }
}
