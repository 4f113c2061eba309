import type {Hooks, Plugin} from '@yarnpkg/core';

import {settings} from './settings';
import {installCandidateFilter} from './yarn/candidateFilter';
import {validateProject} from './yarn/installGate';

installCandidateFilter();

const plugin: Plugin<Hooks> = {
  configuration: settings,
  hooks: {
    validateProject,
  },
};

export default plugin;
