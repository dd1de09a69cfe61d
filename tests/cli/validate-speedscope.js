// Validates a speedscope export against the file-format-schema.json that the pinned
// speedscope package ships.  Usage: node validate-speedscope.js FILE
'use strict';
const fs = require('fs');
const Ajv = require('ajv');
const schema = require('speedscope/dist/release/file-format-schema.json');

const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
const doc = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

if (!validate(doc)) {
  console.error(JSON.stringify(validate.errors.slice(0, 10), null, 1));
  process.exit(1);
}
// The check can fail: the same file with one event's frame removed must be refused.
const broken = JSON.parse(JSON.stringify(doc));
delete broken.profiles[0].events[0].frame;
if (validate(broken)) {
  console.error('the schema accepted an event without a frame: validation is not working');
  process.exit(1);
}
console.log(`speedscope schema: ${doc.profiles.length} profiles, ` +
            `${doc.shared.frames.length} frames valid`);
