#!/usr/bin/env node
// Entry point. Kept tiny: hooks call this on every commit, so nothing heavy is imported here.
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv.slice(2));
