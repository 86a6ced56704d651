#!/usr/bin/env node
// Part of the build (scripts/build.mjs): a migrated embedded database, dumped, from which
// every new embedded database starts. It runs the freshly built code, so the template
// holds exactly the migrations that code ships with.
import { buildEmbeddedTemplate, TEMPLATE_FILE } from '../dist/platform/db/embedded-template.js';

await buildEmbeddedTemplate();
console.error(`prepared the embedded database template: ${TEMPLATE_FILE}`);
