import { Command, CommanderError } from 'commander';
import { fail, oneLineErrors } from './output.ts';
import { stopWithLauncher } from '../util/stop.ts';
import { setNoticeSink } from '../util/notices.ts';
import { registerStructureCommands } from './structureCommands.ts';
import { registerSubstitutionCommands } from './substitutionCommands.ts';
import { registerModelCommands } from './modelCommands.ts';
import { registerFigureCommands } from './figureCommands.ts';
import { registerReproduce } from './reproduceCommand.ts';
import { registerCampaignCommand, registerEngineCommands } from './engineCommands.ts';
import { registerScreenCommands } from './screenCommands.ts';

const program = new Command('cescreen')
  .description('Crystal-structure analysis and Center-Environment substitution screening')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// what readers tolerated or merged, once per file and message
const noticed = new Set<string>();
setNoticeSink((file, message) => {
  if (noticed.has(file + '\n' + message)) return;
  noticed.add(file + '\n' + message);
  process.stderr.write(`cescreen: warning: ${file}: ${message}\n`);
});

// a run started through npx or npm start stops when npm is stopped (see util/stop.ts)
program.hook('preAction', stopWithLauncher);

registerStructureCommands(program);
registerSubstitutionCommands(program);
registerModelCommands(program);
registerFigureCommands(program);
registerReproduce(program);
registerEngineCommands(program);
registerScreenCommands(program);
registerCampaignCommand(program);
oneLineErrors(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  fail(e);
}
