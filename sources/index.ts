import type {Hooks, Plugin} from '@yarnpkg/core';

import QuarantineApproveCommand from './commands/approve';
import QuarantineCheckCommand from './commands/check';
import QuarantinePendingCommand from './commands/pending';
import QuarantinePruneCommand from './commands/prune';
import QuarantineWhyCommand from './commands/why';
import {settings} from './settings';
import {installCandidateFilter} from './yarn/candidateFilter';
import {reduceDependency} from './yarn/exoticSourceGuard';
import {afterAllInstalled, validateProject} from './yarn/installGate';
import {installLockfileGuards} from './yarn/lockfileGuards';

installCandidateFilter();
installLockfileGuards();

const plugin: Plugin<Hooks> = {
  configuration: settings,
  hooks: {
    validateProject,
    reduceDependency,
    afterAllInstalled,
  },
  commands: [
    QuarantineCheckCommand,
    QuarantineWhyCommand,
    QuarantineApproveCommand,
    QuarantinePendingCommand,
    QuarantinePruneCommand,
  ],
};

export default plugin;
