import type {Project} from '@yarnpkg/core';
import {type PortablePath, ppath} from '@yarnpkg/fslib';

/** Whether a folder lies inside the project, where a pull request can put files. */
export function isInsideProject(project: Project, folder: PortablePath) {
  const relative = ppath.relative(project.cwd, folder);
  return !ppath.isAbsolute(relative) && relative !== `..` && !relative.startsWith(`../`);
}
