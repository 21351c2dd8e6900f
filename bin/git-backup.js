#!/usr/bin/env node
// Entry point. Kept tiny: hooks call this on every commit, so nothing heavy is imported here.
// dist/bundle is the esbuild bundle of dist/src (see scripts/bundle.mjs).
import { main } from '../dist/bundle/cli.mjs';

process.exitCode = await main(process.argv.slice(2));
