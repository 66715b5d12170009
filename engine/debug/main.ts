// Entry of dist/debugAdapter.js: the debug adapter over stdio.
import { runStdio } from './stdio';

runStdio();
