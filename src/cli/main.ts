import { Command, CommanderError } from 'commander';
import { fail } from './output.ts';
import { registerStructureCommands } from './structureCommands.ts';
import { registerSubstitutionCommands } from './substitutionCommands.ts';
import { registerModelCommands } from './modelCommands.ts';
import { registerFigureCommands } from './figureCommands.ts';
import { registerReproduce } from './reproduceCommand.ts';
import { registerCampaignCommand, registerEngineCommands } from './engineCommands.ts';

const program = new Command('cescreen')
  .description('Crystal-structure analysis and Center-Environment substitution screening')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .showHelpAfterError();

registerStructureCommands(program);
registerSubstitutionCommands(program);
registerModelCommands(program);
registerFigureCommands(program);
registerReproduce(program);
registerEngineCommands(program);
registerCampaignCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  fail(e);
}
