export {
  type DependencyViolation,
  dependencyViolations,
  type WorkspacePackage,
} from './dependency-rule.js';
export { packageOfSpecifier, readWorkspacePackages } from './read-workspace.js';
