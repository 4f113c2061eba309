import type {Hooks, Plugin} from '@yarnpkg/core';

import {settings} from './settings';
import {installCandidateFilter} from './yarn/candidateFilter';
import {reduceDependency} from './yarn/exoticSourceGuard';
import {validateProject} from './yarn/installGate';

installCandidateFilter();

const plugin: Plugin<Hooks> = {
  configuration: settings,
  hooks: {
    validateProject,
    reduceDependency,
  },
};

export default plugin;
