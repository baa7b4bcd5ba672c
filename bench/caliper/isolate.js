/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- preloaded with node --require */
'use strict';

/**
 * Preloaded into Caliper's manager and worker processes (NODE_OPTIONS=--require): code under bench/caliper
 * resolves packages from bench/caliper/node_modules only, never from the repository's root node_modules.
 *
 * Without it Node's lookup walks up into the root node_modules, where a workspace's fabric-network 2.2
 * makes Caliper's fabric connector see two bindings ("Multiple bindings for fabric have been detected").
 */
const Module = require('node:module');
const { sep } = require('node:path');

const here = __dirname + sep;
const original = Module._nodeModulePaths;
Module._nodeModulePaths = function nodeModulePaths(from) {
  const paths = original.call(this, from);
  return (from + sep).startsWith(here) ? paths.filter((p) => (p + sep).startsWith(here)) : paths;
};
